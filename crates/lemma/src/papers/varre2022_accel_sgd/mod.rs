//! # varre2022_accel_sgd — Accelerated SGD for Non-Strongly-Convex Least Squares
//!
//! Varre & Flammarion, COLT 2022 (arXiv:2203.01744). No official code exists.
//!
//! **Claim.** For streaming least squares without strong convexity, a small modification of
//! Nesterov's accelerated gradient method, run with one fresh sample per step, forgets the initial
//! condition at the accelerated rate (bias ∝ d/t², log–log slope −2) while keeping the optimal
//! noise term (∝ σ²d/t, slope −1). Plain stochastic Nesterov acceleration (α = β) diverges under
//! the oracle's multiplicative noise; averaged SGD forgets the initial condition only at ∝ 1/t.
//!
//! **Conventions and reconstructions.** The abstract is the only part of the paper the spec
//! quotes: the recursion (Nesterov's three sequences with two steps α and β, spec §3.2), the step
//! constants (β = 1/(2R²), α = β/d), R² = Tr H + 2λ_max and the linearly weighted average
//! x̂_t = Σ s·x_s / Σ s are [R] reconstructions, and the UI says so. The run works in error
//! coordinates and advances the bias and the variance processes on the same samples (the
//! recursions are linear), so one run gives the full excess risk and both parts; the excess risk
//! ½(θ − θ*)ᵀH(θ − θ*) is exact (H diagonal). Every run records all four outputs of its
//! sequence (last, uniform, linear, tail average); `output` picks the one it reports.

pub mod checks;
pub mod config;
pub mod experiment;

pub use config::{Config, SCHEMA, VIEW};
pub use experiment::{AcsgdModel, AcsgdRun};
