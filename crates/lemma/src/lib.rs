//! # lemma — the core crate
//!
//! Every paper's algorithms, step-wise experiments, parameter schemas and claim checks, written once
//! and driven by three hosts: the native CLI (`lemma-cli`), the wasm bindings (`lemma-web`) and the
//! tests. It compiles natively and for `wasm32-unknown-unknown`.
//!
//! It must never depend on a host: no CLI, terminal, browser or file-system code here. CPU
//! experiments use `f64`, `libm` for transcendental functions and fixed-order sums, so their
//! traces are bit-identical natively and in wasm.

pub mod data;
pub mod diagonal;
pub mod experiment;
pub mod gpu;
pub mod linalg;
pub mod nn;
pub mod papers;
pub mod registry;
pub mod rng;
pub mod schema;
pub mod series;
pub mod solver;
pub mod tol;
pub mod verify;
