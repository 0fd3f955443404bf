//! The GPU backend: WGSL kernels for the small CNNs, run through wgpu (WebGPU in the browser,
//! Vulkan/Metal/DX12 natively).
//!
//! Kernels never create devices: a host (CLI, test, page) hands a device to
//! [`context::GpuContext::new`] or calls the convenience [`context::GpuContext::request`]. Every
//! kernel has a slow CPU twin in [`crate::nn::reference`]; [`checks`] compares the two on seeded
//! random inputs, and [`trainer::GpuTrainer`] chains the kernels into ERM, SAM/m-SAM and PGD steps
//! without reading anything back per step.

pub mod checks;
pub mod context;
pub mod experiment;
pub mod kernels;
pub mod trainer;

pub use context::GpuContext;
pub use experiment::{GpuBuilder, GpuExperiment};

/// What can go wrong on the GPU side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No adapter (GPU or software rasteriser) is available.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The adapter refused to open a device.
    #[error("could not open a GPU device: {0}")]
    Device(String),
    /// A pipeline or dispatch failed validation.
    #[error("GPU validation error: {0}")]
    Validation(String),
    /// Mapping a buffer for reading failed.
    #[error("GPU readback failed: {0}")]
    Readback(String),
    /// The caller's data does not fit (length, label, batch size).
    #[error("bad input: {0}")]
    Input(String),
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests;
