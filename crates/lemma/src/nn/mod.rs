//! Small CNNs: architectures, the CPU backend (reference for every GPU kernel and the native
//! trainer), losses, optimisers and the SAM family.

pub mod reference;
pub mod spec;
