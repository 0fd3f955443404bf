//! The CNN run on the GPU backend: the same [`Pipeline`] (batches, schedule, augmentation, label
//! noise) as the CPU run, with [`GpuTrainer`] doing every step. Statistics stay on the GPU and are
//! read back once per epoch; sharpness is measured at the end on the CPU from the final weights
//! (the same [`measure_sharpness`] as the CPU run). GPU results are not bit-comparable across
//! devices (`common.md` §2), so this run is for the page and the benches, not for the checks.

use super::config::CnnConfig;
use super::experiment::{
    batch_progress, epoch_series, measure_sharpness, record_epoch, run_metrics,
};
use crate::data::images::Dataset;
use crate::experiment::{Progress, Status};
use crate::gpu::GpuError;
use crate::gpu::context::GpuContext;
use crate::gpu::experiment::{GpuExperiment, StepFuture};
use crate::gpu::trainer::GpuTrainer;
use crate::nn::pipeline::Pipeline;
use crate::nn::train::Trainer;
use crate::series::Series;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One CNN training run on a GPU.
pub struct GpuCnnRun {
    config: CnnConfig,
    pipeline: Pipeline,
    trainer: GpuTrainer,
    x: Vec<f32>,
    y: Vec<u8>,
    series: Vec<Series>,
    metrics: BTreeMap<String, f64>,
    done: u64,
    status: Status,
}

impl GpuCnnRun {
    /// A run of `config` on `data` on the device of `ctx`, from the same initial weights as the
    /// CPU run with this seed.
    pub fn new(
        ctx: Arc<GpuContext>,
        config: CnnConfig,
        seed: u64,
        data: Arc<Dataset>,
    ) -> Result<Self, GpuError> {
        let pipeline = Pipeline::new(data, config.pipeline.clone(), config.phases.clone(), seed)
            .map_err(|e| GpuError::Input(e.0))?;
        let trainer = GpuTrainer::new(
            ctx,
            &config.arch,
            &config.arch.init_params(seed),
            config.pipeline.batch,
        )?;
        Ok(Self {
            config,
            pipeline,
            trainer,
            x: Vec::new(),
            y: Vec::new(),
            series: epoch_series(),
            metrics: BTreeMap::new(),
            done: 0,
            status: Status::Running,
        })
    }

    /// Runs up to `budget` training steps; after an epoch's last batch it evaluates the test set
    /// and reads the epoch's statistics back. It resolves once the device has finished the steps
    /// (so the time a host measures around it is the real time). At the end it measures the
    /// sharpness on the CPU from the final weights.
    async fn advance(&mut self, budget: u64) -> Result<Progress, GpuError> {
        let mut left = budget;
        while self.status == Status::Running && left > 0 {
            let Some(plan) = self.pipeline.next_batch(&mut self.x, &mut self.y) else {
                break;
            };
            let step = self.config.step(&plan);
            self.trainer.train_step(&self.x, &self.y, &step)?;
            self.done += 1;
            left -= 1;
            if plan.ends_epoch {
                self.end_epoch(plan.epoch).await?;
            }
        }
        if self.status == Status::Running && self.pipeline.phase_index().is_none() {
            self.finish().await?;
        }
        self.trainer.finish_queued().await?;
        Ok(self.progress())
    }

    async fn end_epoch(&mut self, epoch: usize) -> Result<(), GpuError> {
        for k in 0..self.pipeline.test_batches() {
            self.pipeline.test_batch(k, &mut self.x, &mut self.y);
            self.trainer.evaluate(&self.x, &self.y)?;
        }
        let stats = self.trainer.read_stats().await?;
        let mean = |t: crate::gpu::trainer::Totals| f64::from(t.loss_sum) / f64::from(t.examples);
        let accuracy =
            |t: crate::gpu::trainer::Totals| f64::from(t.correct) / f64::from(t.examples);
        let values = [
            mean(stats.train),
            accuracy(stats.train),
            mean(stats.eval),
            accuracy(stats.eval),
        ];
        if let Some(diverged) = record_epoch(&mut self.series, epoch, values, self.done) {
            self.status = diverged;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), GpuError> {
        let params = self.trainer.read_params().await?;
        let mut cpu =
            Trainer::new(&self.config.arch, params).map_err(|e| GpuError::Input(e.to_string()))?;
        self.metrics
            .extend(measure_sharpness(&self.config, &self.pipeline, &mut cpu));
        self.status = Status::Finished;
        Ok(())
    }

    /// The final weights.
    pub async fn params(&self) -> Result<Vec<f32>, GpuError> {
        self.trainer.read_params().await
    }
}

impl GpuExperiment for GpuCnnRun {
    fn step(&mut self, budget: u64) -> StepFuture<'_> {
        Box::pin(self.advance(budget))
    }

    /// `{done, total, status}` in batches.
    fn progress(&self) -> Progress {
        batch_progress(self.done, &self.pipeline, &self.status)
    }

    /// The per-epoch series.
    fn series(&self) -> &[Series] {
        &self.series
    }

    /// Final metrics (as the CPU run's).
    fn metrics(&self) -> BTreeMap<String, f64> {
        let parameters = self.config.arch.param_count();
        run_metrics(&self.metrics, &self.series, &self.pipeline, parameters)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::{CNN_SCHEMA, CnnConfig, CnnRun};
    use super::*;
    use crate::data::images::ImageSet;
    use crate::experiment::Experiment;
    use crate::gpu::tests::context;
    use crate::rng::Rng;
    use crate::tol::Tol;

    /// The SAM paper's CNN run on the GPU follows the CPU run (same pipeline, same initial weights):
    /// per-epoch losses and accuracies and the final weights agree to f32 accumulation-order noise.
    /// 176 training images in batches of 64 end each epoch on a partial batch of 48: m = 32 cuts it
    /// into 32 + 16, m = 64 (plain SAM) takes it whole, on both backends.
    #[test]
    fn gpu_cnn_run_follows_the_cpu_run() {
        let Some(ctx) = context() else { return };
        let mut rng = Rng::new(5);
        let mut set = |n: usize| ImageSet {
            rows: 28,
            cols: 28,
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
            pixels: (0..n * 784).map(|_| rng.below(256) as u8).collect(),
        };
        let (train, test) = (set(192), set(128));
        let data = Arc::new(Dataset {
            name: "synthetic".into(),
            classes: 10,
            seed: 0,
            train,
            test,
        });
        for (method, m) in [("erm", "32"), ("sam", "32"), ("sam", "64")] {
            let params = CNN_SCHEMA
                .build([
                    ("arch", "cnn-s"),
                    ("train_size", "176"),
                    ("test_size", "128"),
                    ("batch", "64"),
                    ("m", m),
                    ("epochs", "2"),
                    ("method", method),
                    ("rho", "0.05"),
                    ("sharpness_images", "64"),
                    ("label_noise", "0.2"),
                ])
                .unwrap();
            let config = CnnConfig::from_params(&params).unwrap();
            let mut cpu = CnnRun::new(config.clone(), 3, Arc::clone(&data)).unwrap();
            cpu.run_to_end(u64::MAX, &mut |_| {});
            let mut gpu = GpuCnnRun::new(Arc::clone(&ctx), config, 3, Arc::clone(&data)).unwrap();
            let progress = pollster::block_on(gpu.step(u64::MAX)).unwrap();
            assert_eq!(progress.done, 6);
            for (a, b) in gpu.series().iter().zip(cpu.series()) {
                for (x, y) in a.y.iter().zip(&b.y) {
                    assert!(
                        (x - y).abs() <= 2e-3 * y.abs().max(1.0),
                        "{method} {}: GPU {x} vs CPU {y}",
                        a.name
                    );
                }
            }
            let weights = pollster::block_on(gpu.params()).unwrap();
            let diff = Tol::of_max(1e-3).compare(&weights, cpu.params()).rel;
            eprintln!(
                "{method}: largest weight difference after 6 steps {diff:.2e} (relative to max |w|)"
            );
            assert!(diff < 1e-3, "{method}: {diff}");
            let (g, c) = (gpu.metrics(), cpu.metrics());
            let (gs, cs) = (g["sharpness_20step"], c["sharpness_20step"]);
            assert!(
                (gs - cs).abs() <= 0.05 * cs.abs() + 1e-4,
                "{method}: sharpness GPU {gs} vs CPU {cs}"
            );
        }
    }
}
