//! The scaled CNN part of the SAM paper (spec §5.2, checks SAM-8 … SAM-13): ERM vs (m-)SAM on
//! Fashion-MNIST with CNN-S/CNN-M, fine-tuning, label noise and sharpness.

pub mod checks;
pub mod config;
pub mod experiment;
pub mod gpu;

pub use config::{CNN_SCHEMA, CnnConfig};
pub use experiment::CnnRun;

use crate::data::images::Dataset;
use crate::experiment::{Experiment, PartError};
use crate::gpu::{GpuContext, GpuExperiment};
use crate::schema::Params;
use std::sync::Arc;

/// Builds the CNN experiment on `data` (the registry's builder for the `cnn` part).
pub fn build(
    params: &Params,
    seed: u64,
    data: Arc<Dataset>,
) -> Result<Box<dyn Experiment>, PartError> {
    let config = CnnConfig::from_params(params)?;
    Ok(Box::new(
        CnnRun::new(config, seed, data).map_err(|e| PartError::Data(e.0))?,
    ))
}

/// Builds the CNN experiment's GPU run on the device of `ctx` (the registry's GPU builder for the
/// `cnn` part).
pub fn build_gpu(
    ctx: Arc<GpuContext>,
    params: &Params,
    seed: u64,
    data: Arc<Dataset>,
) -> Result<Box<dyn GpuExperiment>, PartError> {
    let config = CnnConfig::from_params(params)?;
    let run =
        gpu::GpuCnnRun::new(ctx, config, seed, data).map_err(|e| PartError::Data(e.to_string()))?;
    Ok(Box::new(run))
}
