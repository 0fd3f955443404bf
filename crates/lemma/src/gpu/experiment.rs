//! Experiments that train on a GPU: the async twin of [`crate::experiment::Experiment`]. A step
//! queues device work and resolves once the device has finished it, so a host can time it and
//! stay responsive (the page's Worker awaits it; native code blocks on it). A registry part with a
//! GPU run names a [`GpuBuilder`]; hosts drive every such run the same way, knowing nothing of the
//! paper behind it.

use super::{GpuContext, GpuError};
use crate::data::images::Dataset;
use crate::experiment::{PartError, Progress};
use crate::schema::Params;
use crate::series::Series;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The future of one [`GpuExperiment::step`] (not `Send`: WebGPU objects stay on their thread).
pub type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<Progress, GpuError>> + 'a>>;

/// One run on a GPU, advanced in bounded chunks like an experiment.
pub trait GpuExperiment {
    /// Does at most `budget` work units; resolves to the progress once the device has finished.
    fn step(&mut self, budget: u64) -> StepFuture<'_>;
    /// Progress without doing work.
    fn progress(&self) -> Progress;
    /// Recorded curves so far.
    fn series(&self) -> &[Series];
    /// Scalar results so far (finite values only).
    fn metrics(&self) -> BTreeMap<String, f64>;
}

/// Builds a part's GPU run on the device of a context from validated parameters, a seed and the
/// loaded dataset.
pub type GpuBuilder =
    fn(Arc<GpuContext>, &Params, u64, Arc<Dataset>) -> Result<Box<dyn GpuExperiment>, PartError>;
