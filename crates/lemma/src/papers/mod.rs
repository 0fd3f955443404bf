//! One module per paper; each exposes a parameter schema, a step-wise experiment and its checks.

pub mod andriushchenko2022_sam;
pub mod boursier2022_relu_flow;
pub mod boursier2022_trace_norm;
pub mod chayti2021_collab;
pub mod even2021_continuized;
pub mod oufkir2022_closeness;
pub mod pesme2021_sgd_dln;
pub mod varre2022_accel_sgd;
