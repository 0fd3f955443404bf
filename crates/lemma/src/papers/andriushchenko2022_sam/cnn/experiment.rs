//! The CNN run on the CPU backend: the shared [`Pipeline`] feeds a [`Trainer`]; after every epoch
//! the test set is evaluated; at the end the 1-step and 20-step sharpness are measured on fixed
//! training images (SAM spec §5.2 / E7).

use super::config::CnnConfig;
use crate::data::images::Dataset;
use crate::experiment::{Experiment, NamedVector, Progress, Status};
use crate::nn::net::BatchStats;
use crate::nn::pipeline::{Pipeline, PipelineError};
use crate::nn::train::{StepRule, Trainer};
use crate::series::Series;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Steps of the "20-step" sharpness ascent (step size 0.1·ρ_e), as in `eval_sharpness.py`.
pub const SHARPNESS_STEPS: usize = 20;

/// One CNN training run on the CPU. Cloning it branches the run (fine-tuning variants share the
/// main phase).
#[derive(Clone)]
pub struct CnnRun {
    config: CnnConfig,
    pipeline: Pipeline,
    trainer: Trainer,
    x: Vec<f32>,
    y: Vec<u8>,
    epoch_stats: BatchStats,
    series: Vec<Series>,
    metrics: BTreeMap<String, f64>,
    done: u64,
    status: Status,
}

impl CnnRun {
    /// A run of `config` on `data` (which must be the dataset the config names).
    pub fn new(config: CnnConfig, seed: u64, data: Arc<Dataset>) -> Result<Self, PipelineError> {
        let input = config.arch.input;
        if data.train.rows != input.height || data.train.cols != input.width {
            return Err(PipelineError(format!(
                "`{}` has {}×{} images but {} expects {}×{}",
                data.name,
                data.train.rows,
                data.train.cols,
                config.arch.name,
                input.height,
                input.width
            )));
        }
        let pipeline = Pipeline::new(data, config.pipeline.clone(), config.phases.clone(), seed)?;
        let trainer = Trainer::new(&config.arch, config.arch.init_params(seed))
            .map_err(|e| PipelineError(e.to_string()))?;
        let series = epoch_series();
        Ok(Self {
            config,
            pipeline,
            trainer,
            x: Vec::new(),
            y: Vec::new(),
            epoch_stats: BatchStats::default(),
            series,
            metrics: BTreeMap::new(),
            done: 0,
            status: Status::Running,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CnnConfig {
        &self.config
    }

    /// The flat parameter vector.
    pub fn params(&self) -> &[f32] {
        &self.trainer.params
    }

    /// Runs until the phase `k` is about to start (or the run ends).
    pub fn run_until_phase(&mut self, k: usize) {
        while self.status == Status::Running && self.pipeline.phase_index().is_some_and(|p| p < k) {
            self.step(1);
        }
    }

    /// Replaces the step rule of phase `k` (for branching a clone into another fine-tuning method).
    pub fn set_phase_rule(&mut self, k: usize, rule: StepRule) {
        self.config.phases[k].rule = rule;
        self.pipeline.set_phase_rule(k, rule);
    }

    fn evaluate_test(&mut self) -> BatchStats {
        let mut total = BatchStats::default();
        for k in 0..self.pipeline.test_batches() {
            self.pipeline.test_batch(k, &mut self.x, &mut self.y);
            let params = self.trainer.params.clone();
            total.add(self.trainer.net().evaluate(&params, &self.x, &self.y));
        }
        total
    }

    fn end_epoch(&mut self, epoch: usize) {
        let test = self.evaluate_test();
        let train = std::mem::take(&mut self.epoch_stats);
        let values = [
            train.mean_loss(),
            train.accuracy(),
            test.mean_loss(),
            test.accuracy(),
        ];
        if let Some(diverged) = record_epoch(&mut self.series, epoch, values, self.done) {
            self.status = diverged;
        }
    }

    /// Mean m-sharpness over the fixed sharpness images (batches of `batch`).
    pub fn sharpness(&mut self, steps: usize, step_size: f32) -> f64 {
        let (images, batch) = (self.config.sharpness_images, self.config.pipeline.batch);
        let mut total = 0.0;
        let mut batches = 0;
        for start in (0..images).step_by(batch) {
            self.pipeline
                .train_clean(start..(start + batch).min(images), &mut self.x, &mut self.y);
            total += self.trainer.sharpness(
                &self.x,
                &self.y,
                self.config.sharpness_rho,
                steps,
                step_size,
            );
            batches += 1;
        }
        total / batches as f64
    }

    fn finish(&mut self) {
        let rho = self.config.sharpness_rho;
        if self.config.sharpness_images > 0 {
            let one = self.sharpness(1, rho);
            let twenty = self.sharpness(SHARPNESS_STEPS, 0.1 * rho);
            self.metrics.insert("sharpness_1step".into(), one);
            self.metrics.insert("sharpness_20step".into(), twenty);
        }
        self.status = Status::Finished;
    }
}

/// Records epoch `epoch`'s `[train loss, train accuracy, test loss, test accuracy]` in the
/// [`epoch_series`] at x = epoch + 1; returns the divergence status when the training loss is not
/// finite (after `done` batches). Both backends end an epoch with it.
pub fn record_epoch(
    series: &mut [Series],
    epoch: usize,
    values: [f64; 4],
    done: u64,
) -> Option<Status> {
    let at = (epoch + 1) as f64;
    for (s, v) in series.iter_mut().zip(values) {
        s.push(at, v);
    }
    (!values[0].is_finite()).then(|| Status::Diverged {
        step: done,
        reason: "training loss is not finite".into(),
    })
}

/// The 1-step (step ρ_e) and 20-step (step 0.1·ρ_e) m-sharpness, averaged over the fixed
/// sharpness images in batches of `batch`, as metrics `sharpness_1step` and `sharpness_20step`
/// (none when `sharpness_images` is 0). The trainer's weights are left unchanged.
pub fn measure_sharpness(
    config: &CnnConfig,
    pipeline: &Pipeline,
    trainer: &mut Trainer,
) -> Vec<(String, f64)> {
    let (images, batch, rho) = (
        config.sharpness_images,
        config.pipeline.batch,
        config.sharpness_rho,
    );
    if images == 0 {
        return Vec::new();
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut mean = |steps: usize, step_size: f32| {
        let mut total = 0.0;
        let mut batches = 0;
        for start in (0..images).step_by(batch) {
            pipeline.train_clean(start..(start + batch).min(images), &mut x, &mut y);
            total += trainer.sharpness(&x, &y, rho, steps, step_size);
            batches += 1;
        }
        total / f64::from(batches)
    };
    let one = mean(1, rho);
    let twenty = mean(SHARPNESS_STEPS, 0.1 * rho);
    vec![
        ("sharpness_1step".into(), one),
        ("sharpness_20step".into(), twenty),
    ]
}

/// A CNN run's progress in batches, on either backend.
pub fn batch_progress(done: u64, pipeline: &Pipeline, status: &Status) -> Progress {
    Progress {
        done,
        total: pipeline.total_batches() as u64,
        status: status.clone(),
    }
}

/// A CNN run's metrics on either backend: its own (`own`, e.g. sharpness), those of its
/// per-epoch series, the epochs done, the training images seen (hosts time throughput with it)
/// and the parameter count.
pub fn run_metrics(
    own: &BTreeMap<String, f64>,
    series: &[Series],
    pipeline: &Pipeline,
    parameters: usize,
) -> BTreeMap<String, f64> {
    let mut m = own.clone();
    series_metrics(series, &mut m);
    m.insert("epochs".into(), pipeline.epoch() as f64);
    m.insert("images_trained".into(), pipeline.images_trained() as f64);
    m.insert("parameters".into(), parameters as f64);
    m
}

/// Metrics every CNN run reports from its per-epoch series (final and best test accuracy, best
/// epoch, last training loss).
pub fn series_metrics(series: &[Series], m: &mut BTreeMap<String, f64>) {
    let accuracy = &series[3].y;
    if let (Some(&last), Some(&train_loss)) = (accuracy.last(), series[0].y.last()) {
        let (best_at, best) =
            accuracy
                .iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |(ba, b), (i, &v)| if v > b { (i, v) } else { (ba, b) },
                );
        m.insert("test_accuracy".into(), last);
        m.insert("best_test_accuracy".into(), best);
        m.insert("best_epoch".into(), (best_at + 1) as f64);
        m.insert("train_loss".into(), train_loss);
    }
}

/// The per-epoch series every CNN run records: `train_loss`, `train_accuracy`, `test_loss`,
/// `test_accuracy` (in this order).
pub fn epoch_series() -> Vec<Series> {
    ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]
        .iter()
        .map(|n| Series::new(n))
        .collect()
}

impl Experiment for CnnRun {
    fn step(&mut self, budget: u64) -> Progress {
        let mut left = budget;
        while self.status == Status::Running && left > 0 {
            let Some(plan) = self.pipeline.next_batch(&mut self.x, &mut self.y) else {
                self.finish();
                break;
            };
            let step = self.config.step(&plan);
            let stats = self.trainer.step(&self.x, &self.y, &step);
            self.epoch_stats.add(stats);
            self.done += 1;
            left -= 1;
            if plan.ends_epoch {
                self.end_epoch(plan.epoch);
            }
            if self.pipeline.phase_index().is_none() && self.status == Status::Running {
                self.finish();
            }
        }
        self.progress()
    }

    fn progress(&self) -> Progress {
        batch_progress(self.done, &self.pipeline, &self.status)
    }

    fn series(&self) -> &[Series] {
        &self.series
    }

    fn metrics(&self) -> BTreeMap<String, f64> {
        run_metrics(
            &self.metrics,
            &self.series,
            &self.pipeline,
            self.trainer.params.len(),
        )
    }

    fn vectors(&self) -> Vec<NamedVector> {
        Vec::new()
    }

    fn notes(&self) -> Vec<String> {
        let noisy = self.pipeline.noisy().iter().filter(|&&n| n).count();
        let mut notes = vec![format!(
            "{} on {} ({} training / {} test images), CPU backend",
            self.config.arch.name,
            self.config.dataset,
            self.config.pipeline.train_size,
            self.config.pipeline.test_size
        )];
        if noisy > 0 {
            notes.push(format!(
                "{noisy} training labels replaced by a wrong class (label noise)"
            ));
        }
        notes
    }
}
