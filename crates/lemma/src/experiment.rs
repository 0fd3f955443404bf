//! The step-wise experiment interface every paper implements, and its progress/outcome types.
//!
//! Hosts (CLI, browser, tests) call [`Experiment::step`] with a work budget until the experiment
//! reports it is no longer running; none of them owns the algorithm.

use crate::schema::{ParamError, Params};
use crate::series::Series;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a run stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// More work to do.
    Running,
    /// Reached its horizon.
    Finished,
    /// Stopped because the iterate blew up (NaN/Inf or loss explosion).
    Diverged {
        /// Iteration at which divergence was detected.
        step: u64,
        /// What was seen.
        reason: String,
    },
}

impl Status {
    /// "diverged at step k: reason" for a diverged run.
    pub fn divergence_note(&self) -> Option<String> {
        match self {
            Status::Diverged { step, reason } => Some(format!("diverged at step {step}: {reason}")),
            _ => None,
        }
    }
}

/// A training loss this many times the initial one counts as divergence.
pub const BLOW_UP_FACTOR: f64 = 1e8;

/// Why a run has diverged, if it has: a NaN or exploding training loss (`None` when the step did
/// not compute it), or weights that are no longer finite.
pub fn divergence(loss: Option<f64>, initial_loss: f64, weights_finite: bool) -> Option<String> {
    if let Some(l) = loss.filter(|l| l.is_nan() || *l > BLOW_UP_FACTOR * initial_loss.max(1e-300)) {
        return Some(format!(
            "training loss {l:.3e} exceeds {BLOW_UP_FACTOR:e} × the initial loss"
        ));
    }
    (!weights_finite).then(|| "weights became NaN or infinite".to_string())
}

/// Progress after a call to [`Experiment::step`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Work units done so far (iterations for the theory papers).
    pub done: u64,
    /// Total work units of the run.
    pub total: u64,
    /// Current status.
    pub status: Status,
}

impl Progress {
    /// Whether the run still has work to do.
    pub fn running(&self) -> bool {
        self.status == Status::Running
    }
}

/// A named per-coordinate vector (final β, β*, effective initialisation, …).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedVector {
    /// Name.
    pub name: String,
    /// Values.
    pub values: Vec<f64>,
}

/// Builds a paper's experiment from validated parameters and a seed.
pub type Builder = fn(&Params, u64) -> Result<Box<dyn Experiment>, ParamError>;

/// Why a part's experiment could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PartError {
    /// A parameter is out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The parameters do not fit the dataset (e.g. more training images than it has).
    #[error("{0}")]
    Data(String),
}

/// One experiment run, advanced in bounded chunks.
pub trait Experiment {
    /// Does at most `budget` work units; returns the progress afterwards.
    fn step(&mut self, budget: u64) -> Progress;
    /// Progress without doing work.
    fn progress(&self) -> Progress;
    /// Recorded curves so far.
    fn series(&self) -> &[Series];
    /// Scalar results of the current iterate (finite values only; absent when not applicable).
    fn metrics(&self) -> BTreeMap<String, f64>;
    /// Per-coordinate vectors of the current iterate.
    fn vectors(&self) -> Vec<NamedVector>;
    /// Human-readable notes about the run (e.g. assumptions not met).
    fn notes(&self) -> Vec<String>;

    /// Runs to the end, calling `on_progress` after each chunk of `chunk` units.
    fn run_to_end(&mut self, chunk: u64, on_progress: &mut dyn FnMut(&Progress)) -> Progress {
        loop {
            let p = self.step(chunk);
            on_progress(&p);
            if !p.running() {
                return p;
            }
        }
    }
}
