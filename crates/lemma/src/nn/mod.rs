//! Small CNNs: architectures, the slow reference twins of every kernel, the fast CPU backend (the
//! native trainer and wasm fallback), losses, optimisers, the SAM family and the
//! training methods against corruptions (adversarial, Gaussian, RLAT).

pub mod gemm;
pub mod net;
pub mod pipeline;
pub mod reference;
pub mod robust;
pub mod spec;
pub mod train;
