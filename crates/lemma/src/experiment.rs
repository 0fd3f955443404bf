//! The step-wise experiment interface every paper implements, and its progress/outcome types.
//!
//! Hosts (CLI, browser, tests) call [`Experiment::step`] with a work budget until the experiment
//! reports it is no longer running; none of them owns the algorithm. A theory paper writes only
//! its dynamics ([`Stepwise`]: one iteration, the values to record, the results); [`Stepper`]
//! runs them (budget, divergence, recording on the log grid, progress, common metrics).

use crate::schema::{ParamError, Params};
use crate::series::{Series, log_grid};
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

/// Builds a part's experiment from validated parameters, a seed and the loaded dataset.
pub type DataBuilder = fn(
    &Params,
    u64,
    std::sync::Arc<crate::data::images::Dataset>,
) -> Result<Box<dyn Experiment>, PartError>;

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

/// The dynamics of an iterative experiment: what [`Stepper`] cannot know. Build one with
/// [`Stepwise::from_params`] and run it as `Stepper::new(model)`, or register [`build`]`::<M>`.
pub trait Stepwise {
    /// Builds the model from validated parameters and a seed (cross-parameter rules included).
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError>
    where
        Self: Sized;
    /// Iterations of the whole run; an upper bound when the model can stop early
    /// ([`Stepwise::stopped`]).
    fn total(&self) -> u64;
    /// Names of the recorded series, in the order of [`Stepwise::record`]'s values.
    fn series_names(&self) -> Vec<String>;
    /// The abscissa recorded after `t` iterations (default `t`; a flow records its time).
    fn x(&self, t: u64) -> f64 {
        t as f64
    }
    /// Does one iteration, the one after `t` done; returns why the run has diverged, if it has
    /// (see [`divergence`]).
    fn advance(&mut self, t: u64) -> Option<String>;
    /// The current value of every series.
    fn record(&self) -> Vec<f64>;
    /// Whether the run has ended before [`Stepwise::total`] iterations (e.g. a sequential test
    /// that has decided). [`Stepper`] asks after every iteration; once it is true the run is
    /// finished at that iteration: its last state is recorded, its total becomes the iterations
    /// done and [`Stepwise::finish`] is called. Default: never.
    fn stopped(&self) -> bool {
        false
    }
    /// Called once when the run has done all its iterations (or has stopped early).
    fn finish(&mut self) {}
    /// Adds this model's scalar results after `t` iterations to `m` (which already holds
    /// `iterations`, and `diverged_at` when `diverged`).
    fn metrics(&self, t: u64, diverged: bool, m: &mut BTreeMap<String, f64>);
    /// Per-coordinate vectors of the current iterate.
    fn vectors(&self) -> Vec<NamedVector>;
    /// Notes about the run besides divergence, which [`Stepper`] reports itself.
    fn notes(&self) -> Vec<String>;
}

/// Dense recording up to this iteration count, then log-spaced (`common.md` §6).
const DENSE_RECORDS: u64 = 100;
/// Log-spaced recording points after the dense part.
const LOG_RECORDS: u32 = 200;

/// The iteration counts at which [`Stepper`] records a run of `total` iterations (dense, then
/// log-spaced, ending at `total`), for a model that must prepare for them (e.g. a tail average
/// needs its running sum at half of each recording time).
pub fn record_grid(total: u64) -> Vec<u64> {
    log_grid(total, DENSE_RECORDS, LOG_RECORDS)
}

/// Runs a [`Stepwise`] model as an [`Experiment`]: iterations under a budget, divergence, an
/// early stop, recording on the log grid, progress and the `iterations` / `diverged_at` metrics.
pub struct Stepper<M> {
    model: M,
    t: u64,
    total: u64,
    grid: Vec<u64>,
    next_record: usize,
    series: Vec<Series>,
    status: Status,
}

impl<M: Stepwise> Stepper<M> {
    /// Starts a run of `model` and records its initial state.
    pub fn new(model: M) -> Self {
        let total = model.total();
        let series = model
            .series_names()
            .iter()
            .map(|n| Series::new(n))
            .collect();
        let mut run = Self {
            model,
            t: 0,
            total,
            grid: record_grid(total),
            next_record: 0,
            series,
            status: Status::Running,
        };
        run.record_if_due();
        run
    }

    /// The model in its current state.
    pub fn model(&self) -> &M {
        &self.model
    }

    fn record_if_due(&mut self) {
        if self.grid.get(self.next_record) == Some(&self.t) {
            self.record_now();
            self.next_record += 1;
        }
    }

    fn record_now(&mut self) {
        let x = self.model.x(self.t);
        for (series, y) in self.series.iter_mut().zip(self.model.record()) {
            series.push(x, y);
        }
    }

    /// Ends the run at the current iteration because the model has stopped: the last state is
    /// recorded (if the grid did not just record it) and the total becomes the iterations done.
    fn stop_early(&mut self) {
        let recorded = self.next_record > 0 && self.grid.get(self.next_record - 1) == Some(&self.t);
        if !recorded {
            self.record_now();
        }
        self.total = self.t;
        self.status = Status::Finished;
        self.model.finish();
    }
}

impl<M: Stepwise> Experiment for Stepper<M> {
    fn step(&mut self, budget: u64) -> Progress {
        let mut left = budget;
        while self.status == Status::Running && left > 0 && self.t < self.total {
            let diverged = self.model.advance(self.t);
            self.t += 1;
            left -= 1;
            if let Some(reason) = diverged {
                self.status = Status::Diverged {
                    step: self.t,
                    reason,
                };
                return self.progress();
            }
            self.record_if_due();
            if self.model.stopped() {
                self.stop_early();
                return self.progress();
            }
        }
        if self.status == Status::Running && self.t >= self.total {
            self.status = Status::Finished;
            self.model.finish();
        }
        self.progress()
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.t,
            total: self.total,
            status: self.status.clone(),
        }
    }

    fn series(&self) -> &[Series] {
        &self.series
    }

    fn metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        m.insert("iterations".into(), self.t as f64);
        let diverged = matches!(self.status, Status::Diverged { .. });
        if diverged {
            m.insert("diverged_at".into(), self.t as f64);
        }
        self.model.metrics(self.t, diverged, &mut m);
        m
    }

    fn vectors(&self) -> Vec<NamedVector> {
        self.model.vectors()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.status.divergence_note().into_iter().collect();
        notes.extend(self.model.notes());
        notes
    }
}

/// The registry's builder for a [`Stepwise`] model: `build::<MyModel>`.
pub fn build<M: Stepwise + 'static>(
    params: &Params,
    seed: u64,
) -> Result<Box<dyn Experiment>, ParamError> {
    Ok(Box::new(Stepper::new(M::from_params(params, seed)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts up and stops at `stop` (never, when `stop` is beyond `total`).
    struct Counter {
        n: u64,
        stop: u64,
        total: u64,
        finished: bool,
    }

    impl Stepwise for Counter {
        fn from_params(_: &Params, _: u64) -> Result<Self, ParamError> {
            unreachable!("built by hand")
        }
        fn total(&self) -> u64 {
            self.total
        }
        fn series_names(&self) -> Vec<String> {
            vec!["n".into()]
        }
        fn advance(&mut self, _t: u64) -> Option<String> {
            self.n += 1;
            None
        }
        fn record(&self) -> Vec<f64> {
            vec![self.n as f64]
        }
        fn stopped(&self) -> bool {
            self.n >= self.stop
        }
        fn finish(&mut self) {
            self.finished = true;
        }
        fn metrics(&self, _: u64, _: bool, _: &mut BTreeMap<String, f64>) {}
        fn vectors(&self) -> Vec<NamedVector> {
            Vec::new()
        }
        fn notes(&self) -> Vec<String> {
            Vec::new()
        }
    }

    fn counter(stop: u64, total: u64) -> Stepper<Counter> {
        Stepper::new(Counter {
            n: 0,
            stop,
            total,
            finished: false,
        })
    }

    #[test]
    fn a_model_that_stops_early_finishes_there_with_its_last_state_recorded() {
        // 137 is off the log grid of 10 000 (dense to 100, then log-spaced).
        let mut run = counter(137, 10_000);
        let p = run.step(100);
        assert_eq!((p.done, p.total, p.running()), (100, 10_000, true));
        let p = run.step(u64::MAX);
        assert_eq!((p.done, p.total, p.status), (137, 137, Status::Finished));
        assert!(run.model().finished);
        let s = &run.series()[0];
        assert_eq!((s.x.last(), s.y.last()), (Some(&137.0), Some(&137.0)));
        assert!(s.x.windows(2).all(|w| w[0] < w[1]), "no point twice");
        assert_eq!(run.metrics()["iterations"], 137.0);
        // Stepping a finished run does nothing.
        assert_eq!(run.step(10).done, 137);
        // A stop on a grid point records it once; a model that never stops runs to its total.
        let mut run = counter(50, 1_000);
        run.step(u64::MAX);
        assert_eq!(run.series()[0].x.iter().filter(|x| **x == 50.0).count(), 1);
        let mut run = counter(u64::MAX, 300);
        let p = run.step(u64::MAX);
        assert_eq!((p.done, p.total, p.status), (300, 300, Status::Finished));
    }
}
