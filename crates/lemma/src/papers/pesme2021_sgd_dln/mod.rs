//! # pesme2021_sgd_dln — Implicit Bias of SGD for Diagonal Linear Networks
//!
//! Pesme, Pillaud-Vivien & Flammarion, NeurIPS 2021 (arXiv:2106.09524). No official code exists.
//!
//! **Claim.** On noiseless sparse regression with β = w₊² − w₋², SGD reaches the interpolator that
//! gradient flow would reach from a *smaller* effective initialisation
//! α∞ = α ⊙ exp(−2γ·diag(XᵀX/n)·∫L), so it generalises better than GD, and the slower the loss
//! decays (larger steps), the stronger the effect.
//!
//! **Conventions and reconstructions.** The model, the 1/(4n) loss and the α∞ formula are [recall]
//! in the spec (checked against the calibrated prototype, not the PDF); the UI says so. The module
//! measures α∞ exactly from ½·ln(w₊w₋/α²) and compares it with the formula evaluated on the
//! measured ∫L = γ·Σ_t L_t. The stochastic gradient flow (SGF) is simulated by Euler–Maruyama.

pub mod checks;
pub mod config;
pub mod experiment;

pub use config::{Config, SCHEMA, VIEW};
pub use experiment::{SgdModel, SgdRun};
