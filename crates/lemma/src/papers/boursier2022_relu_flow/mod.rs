//! # boursier2022_relu_flow — Gradient flow dynamics of shallow ReLU networks for square loss and orthogonal inputs
//!
//! Boursier, Pillaud-Vivien & Flammarion, NeurIPS 2022 (arXiv:2206.00939). No official code exists.
//!
//! **Claim.** For a one-hidden-layer ReLU network trained by gradient flow on the square loss with
//! orthogonal inputs and a small balanced initialisation, neurons first align with two key
//! directions D₊ and D₋, the loss then descends through a saddle (a plateau at the loss of the
//! slower label group), and the flow converges to zero loss at the minimum-variation-norm
//! interpolator.
//!
//! **Conventions and reconstructions.** The model and the loss normalisation (1/2n) are [recall];
//! the escape times τ± = (n/‖D±‖)·ln(1/λ), the plateau level and V* are [derived] in this
//! normalisation (spec §3.2). Inputs are the standard basis e_1 … e_n (d = n). Output signs
//! alternate (s_j = +1 for even j), so each sign has m/2 neurons. Gradient flow is simulated by
//! explicit Euler steps.

pub mod checks;
pub mod config;
pub mod experiment;

pub use config::{Config, SCHEMA};
pub use experiment::{ReluModel, ReluRun};
