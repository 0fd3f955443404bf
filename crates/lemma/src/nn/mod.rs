//! Small CNNs: architectures, the slow reference twins of every kernel, the fast CPU backend (the
//! native trainer and wasm fallback), losses, optimisers and the SAM family.

pub mod gemm;
pub mod net;
pub mod pipeline;
pub mod reference;
pub mod spec;
pub mod train;
