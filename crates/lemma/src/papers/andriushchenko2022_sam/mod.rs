//! # andriushchenko2022_sam — Towards Understanding Sharpness-Aware Minimization
//!
//! Andriushchenko & Flammarion, ICML 2022 (arXiv:2206.06232); official code
//! `tml-epfl/understanding-sam`.
//!
//! **Claim (diagonal linear networks).** On noiseless sparse regression with β = u ⊙ v, SAM with a
//! per-example perturbation (1-SAM) reaches an interpolator that generalises clearly better than
//! the one gradient descent finds, while SAM on the full loss (n-SAM) gives nothing; smaller m is
//! better in between. Mechanism: the reached interpolator minimises a hyperbolic entropy whose
//! effective initialisation shrinks much more under per-example perturbations.
//!
//! **Deviations / reconstructions.** The SAM α∞ theorem's constants are [recall] in the spec; this
//! module measures the effective initialisation instead of assuming it. SAM is unnormalised, as in
//! the notebook. The deep-network part (checks SAM-8 … SAM-13) is the [`cnn`] module.

pub mod checks;
pub mod cnn;
pub mod config;
pub mod experiment;

pub use config::{Config, SCHEMA, VIEW};
pub use experiment::{SamModel, SamRun};
