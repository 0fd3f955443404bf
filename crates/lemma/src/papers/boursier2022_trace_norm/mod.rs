//! # boursier2022_trace_norm — Trace norm regularization for multi-task learning with scarce data
//!
//! Boursier, Konobeev & Flammarion, COLT 2022 (arXiv:2202.06742). Official code: `mknbv/meta`.
//!
//! **Claim.** T linear regression tasks share an unknown k-dimensional subspace of R^d and each
//! has only m samples (even m < d). Regularising the stacked task parameters W ∈ R^{T×d} with the
//! trace (nuclear) norm estimates them far better than solving each task alone, recovers the
//! shared subspace better than the method of moments, and approaches the oracle that knows the
//! subspace as T grows; the learned subspace transfers to a new task (meta-learning).
//!
//! **Conventions.** The data model, the estimator's objective (1/(Tm))·Σ‖y_t − X_t w_t‖² +
//! λ‖W‖_*/√T with λ = σ·√(T + d²/m)/√(Tm), the baselines (per-task minimum-norm least squares, the
//! oracle, the method of moments followed by per-task least squares in its subspace) and the two
//! metrics (‖Ŵ − W*‖_F/√T, √(1 − σ_min(B*ᵀB̂)²)) follow the official code [P]. The official code
//! minimises the objective with L-BFGS-B; here it is FISTA with singular-value soft-thresholding
//! (spec §3.2's recommendation), the SVD through nalgebra's symmetric eigen-solver on the d×d Gram
//! matrix — the same minimiser, other iterates. AltMin, Burer–Monteiro, `nuc-val` and
//! `single-lasso` are not implemented.
//!
//! **Reconstructions.** The browser-scale setup (d = 30, k = 3, m = 10, spec §5) is the spec's
//! choice, not the paper's (d = 100, k = 5). The theory (the bound's shape
//! σ²k·(1/m + d²/(m²T)), the oracle rate) is [R]; the paper's numbers were not retrieved, so the
//! checks compare estimators with each other and the oracle with its exact mean error
//! σ√(k/(m − k − 1)). The meta-learning evaluation (a new task fitted by least squares inside each
//! learned subspace, error ‖ŵ − w*‖² against m′) is this project's reconstruction of the
//! meta-learning use of the subspace.

pub mod checks;
pub mod config;
pub mod estimators;
pub mod experiment;

pub use config::{Config, SCHEMA};
pub use experiment::{TraceNormModel, TraceNormRun};
