//! The training data pipeline shared by every CNN experiment and both backends: which images go
//! into which batch, with which learning rate and step rule. It owns no weights, so the CPU trainer
//! and the GPU trainer drive the same plan and see the same batches.
//!
//! * Phases: a main phase with the piecewise schedule (÷10 at 50 % and 75 % of its steps), then an
//!   optional fine-tuning phase at the final learning rate (`common.md` §12, SAM spec §5.2).
//! * Per-epoch order: a seeded Fisher–Yates shuffle of the training subset.
//! * Augmentation: a random translation by up to ±`shift` pixels with zero fill, and a horizontal
//!   flip with probability ½ when enabled (Fashion-MNIST), drawn per image per epoch.
//! * Label noise: a fixed fraction of training labels replaced once, before training, by a uniformly
//!   drawn *different* class (symmetric noise; every corrupted label is wrong).

use super::train::{StepRule, piecewise_lr};
use crate::data::images::Dataset;
use crate::rng::Rng;
use std::sync::Arc;

/// One training phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Phase {
    /// Epochs in the phase.
    pub epochs: usize,
    /// ERM or (m-)SAM.
    pub rule: StepRule,
    /// Learning rate: the piecewise schedule over the phase, or a constant.
    pub lr: PhaseLr,
}

/// The learning rate of a phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PhaseLr {
    /// `base`, ÷10 at 50 % and at 75 % of the phase.
    Piecewise(f32),
    /// A constant rate (fine-tuning at the final rate of the main phase).
    Constant(f32),
}

/// Data-side settings of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineConfig {
    /// Training images used (the first `train_size` of the dataset's shuffled training split).
    pub train_size: usize,
    /// Test images used (the first `test_size` of the test split).
    pub test_size: usize,
    /// Batch size.
    pub batch: usize,
    /// Maximum translation in pixels (0 disables it).
    pub shift: usize,
    /// Random horizontal flips.
    pub flip: bool,
    /// Fraction of training labels replaced by a wrong class.
    pub label_noise: f64,
}

/// What to do with the batch just produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchPlan {
    /// Learning rate of this step.
    pub lr: f32,
    /// Step rule of this step.
    pub rule: StepRule,
    /// Epoch (0-based, counted across phases) this batch belongs to.
    pub epoch: usize,
    /// Whether this is the last batch of its epoch (evaluate after it).
    pub ends_epoch: bool,
}

/// A run's sequence of batches.
#[derive(Clone)]
pub struct Pipeline {
    data: Arc<Dataset>,
    config: PipelineConfig,
    phases: Vec<Phase>,
    seed: u64,
    labels: Vec<u8>,
    noisy: Vec<bool>,
    order: Vec<usize>,
    augment: Rng,
    epoch: usize,
    cursor: usize,
    images_trained: usize,
}

/// A pipeline that cannot be built from its settings.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PipelineError(pub String);

impl Pipeline {
    /// A pipeline over `data` for the given phases and seed.
    pub fn new(
        data: Arc<Dataset>,
        config: PipelineConfig,
        phases: Vec<Phase>,
        seed: u64,
    ) -> Result<Self, PipelineError> {
        if config.train_size == 0 || config.train_size > data.train.len() {
            return Err(PipelineError(format!(
                "train_size {} must be between 1 and the {} training images of `{}`",
                config.train_size,
                data.train.len(),
                data.name
            )));
        }
        if config.test_size == 0 || config.test_size > data.test.len() {
            return Err(PipelineError(format!(
                "test_size {} must be between 1 and the {} test images of `{}`",
                config.test_size,
                data.test.len(),
                data.name
            )));
        }
        if config.batch == 0 {
            return Err(PipelineError("batch must be positive".into()));
        }
        if !(0.0..1.0).contains(&config.label_noise) {
            return Err(PipelineError("label_noise must be in [0, 1)".into()));
        }
        let classes = data.classes.max(2) as u64;
        let mut noise = Rng::stream(seed, 0x4e01);
        let mut labels = data.train.labels[..config.train_size].to_vec();
        let mut noisy = vec![false; config.train_size];
        for (label, flag) in labels.iter_mut().zip(&mut noisy) {
            if noise.uniform() < config.label_noise {
                let shift = 1 + noise.below(classes - 1);
                *label = ((u64::from(*label) + shift) % classes) as u8;
                *flag = true;
            }
        }
        let mut pipeline = Self {
            data,
            config,
            phases,
            seed,
            labels,
            noisy,
            order: Vec::new(),
            augment: Rng::new(0),
            epoch: 0,
            cursor: 0,
            images_trained: 0,
        };
        pipeline.start_epoch();
        Ok(pipeline)
    }

    fn start_epoch(&mut self) {
        let mut rng = Rng::stream(self.seed, 0x5000 + self.epoch as u64);
        self.order = (0..self.config.train_size).collect();
        for i in (1..self.order.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            self.order.swap(i, j);
        }
        self.augment = Rng::stream(self.seed, 0xA000 + self.epoch as u64);
        self.cursor = 0;
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The data-side settings.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Batches per epoch (the last one may be smaller).
    pub fn batches_per_epoch(&self) -> usize {
        self.config.train_size.div_ceil(self.config.batch)
    }

    /// Total epochs over all phases.
    pub fn total_epochs(&self) -> usize {
        self.phases.iter().map(|p| p.epochs).sum()
    }

    /// Total batches over all phases.
    pub fn total_batches(&self) -> usize {
        self.total_epochs() * self.batches_per_epoch()
    }

    /// Training images handed out so far (a partial last batch counts its own images).
    pub fn images_trained(&self) -> usize {
        self.images_trained
    }

    /// Epochs finished so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Index of the phase the next batch belongs to (`None` when finished).
    pub fn phase_index(&self) -> Option<usize> {
        let mut end = 0;
        for (k, phase) in self.phases.iter().enumerate() {
            end += phase.epochs;
            if self.epoch < end {
                return Some(k);
            }
        }
        None
    }

    /// Replaces the rule of phase `k` (used to branch fine-tuning runs from a shared prefix).
    pub fn set_phase_rule(&mut self, k: usize, rule: StepRule) {
        if let Some(p) = self.phases.get_mut(k) {
            p.rule = rule;
        }
    }

    /// The training labels as used (after label noise).
    pub fn train_labels(&self) -> &[u8] {
        &self.labels
    }

    /// Which training labels were corrupted by the noise.
    pub fn noisy(&self) -> &[bool] {
        &self.noisy
    }

    /// Fills `x` and `y` with the next training batch; `None` when every phase is done.
    pub fn next_batch(&mut self, x: &mut Vec<f32>, y: &mut Vec<u8>) -> Option<BatchPlan> {
        let phase_at = self.phase_index()?;
        let phase = self.phases[phase_at];
        let start_epoch: usize = self.phases[..phase_at].iter().map(|p| p.epochs).sum();
        let per_epoch = self.batches_per_epoch();
        let step_in_phase =
            (self.epoch - start_epoch) * per_epoch + self.cursor / self.config.batch;
        let lr = match phase.lr {
            PhaseLr::Piecewise(base) => piecewise_lr(base, step_in_phase, phase.epochs * per_epoch),
            PhaseLr::Constant(lr) => lr,
        };
        let end = (self.cursor + self.config.batch).min(self.config.train_size);
        let (rows, cols) = (self.data.train.rows, self.data.train.cols);
        x.resize((end - self.cursor) * rows * cols, 0.0);
        y.clear();
        for slot in 0..end - self.cursor {
            let i = self.order[self.cursor + slot];
            y.push(self.labels[i]);
            let out = &mut x[slot * rows * cols..][..rows * cols];
            self.augmented(i, out);
        }
        let plan = BatchPlan {
            lr,
            rule: phase.rule,
            epoch: self.epoch,
            ends_epoch: end == self.config.train_size,
        };
        self.images_trained += end - self.cursor;
        self.cursor = end;
        if plan.ends_epoch {
            self.epoch += 1;
            if self.epoch < self.total_epochs() {
                self.start_epoch();
            }
        }
        Some(plan)
    }

    fn augmented(&mut self, i: usize, out: &mut [f32]) {
        let (rows, cols) = (self.data.train.rows, self.data.train.cols);
        let image = self.data.train.image(i);
        let span = 2 * self.config.shift as u64 + 1;
        let shift = self.config.shift as isize;
        let (dy, dx) = if self.config.shift > 0 {
            (
                self.augment.below(span) as isize - shift,
                self.augment.below(span) as isize - shift,
            )
        } else {
            (0, 0)
        };
        let flip = self.config.flip && self.augment.uniform() < 0.5;
        for r in 0..rows {
            for c in 0..cols {
                let (sr, sc) = (r as isize - dy, c as isize - dx);
                let inside = (0..rows as isize).contains(&sr) && (0..cols as isize).contains(&sc);
                let value = if inside {
                    let sc = if flip { cols as isize - 1 - sc } else { sc };
                    f32::from(image[sr as usize * cols + sc as usize]) / 255.0
                } else {
                    0.0
                };
                out[r * cols + c] = value;
            }
        }
    }

    /// Fills `x`, `y` with test batch `k` (of [`Self::test_batches`]); clean images and labels.
    pub fn test_batch(&self, k: usize, x: &mut Vec<f32>, y: &mut Vec<u8>) {
        let set = &self.data.test;
        let start = k * self.config.batch;
        let end = (start + self.config.batch).min(self.config.test_size);
        fill_clean(set, start..end, x, y);
    }

    /// Number of test batches.
    pub fn test_batches(&self) -> usize {
        self.config.test_size.div_ceil(self.config.batch)
    }

    /// Fills `x`, `y` with training images `range` without augmentation, with the labels as used.
    pub fn train_clean(&self, range: std::ops::Range<usize>, x: &mut Vec<f32>, y: &mut Vec<u8>) {
        fill_clean(&self.data.train, range.clone(), x, y);
        y.copy_from_slice(&self.labels[range]);
    }
}

fn fill_clean(
    set: &crate::data::images::ImageSet,
    range: std::ops::Range<usize>,
    x: &mut Vec<f32>,
    y: &mut Vec<u8>,
) {
    let per = set.rows * set.cols;
    x.resize(range.len() * per, 0.0);
    y.clear();
    for (slot, i) in range.enumerate() {
        set.image_f32(i, &mut x[slot * per..][..per]);
        y.push(set.labels[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::images::ImageSet;

    fn synthetic(n: usize) -> Arc<Dataset> {
        // Image i has the constant pixel value i (so batches reveal which images they hold).
        let set = |n: usize| ImageSet {
            rows: 4,
            cols: 4,
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
            pixels: (0..n)
                .flat_map(|i| std::iter::repeat_n(i as u8, 16))
                .collect(),
        };
        Arc::new(Dataset {
            name: "synthetic".into(),
            classes: 10,
            seed: 0,
            train: set(n),
            test: set(20),
        })
    }

    fn config(noise: f64) -> PipelineConfig {
        PipelineConfig {
            train_size: 50,
            test_size: 20,
            batch: 16,
            shift: 0,
            flip: false,
            label_noise: noise,
        }
    }

    fn phases() -> Vec<Phase> {
        vec![
            Phase {
                epochs: 2,
                rule: StepRule::Erm,
                lr: PhaseLr::Piecewise(0.1),
            },
            Phase {
                epochs: 1,
                rule: StepRule::Sam {
                    rho: 0.05,
                    chunk: 16,
                },
                lr: PhaseLr::Constant(0.001),
            },
        ]
    }

    #[test]
    fn every_epoch_visits_each_image_once_with_the_scheduled_rate() {
        let mut p = Pipeline::new(synthetic(60), config(0.0), phases(), 3).unwrap();
        assert_eq!((p.batches_per_epoch(), p.total_batches()), (4, 12));
        let (mut x, mut y) = (Vec::new(), Vec::new());
        let mut seen = vec![0; 50];
        let mut plans = Vec::new();
        while let Some(plan) = p.next_batch(&mut x, &mut y) {
            for img in x.chunks(16) {
                seen[(img[0] * 255.0).round() as usize] += 1;
            }
            plans.push(plan);
            if plans.len() == 5 {
                // One epoch of 50 (16 + 16 + 16 + 2) and one batch of the next.
                assert_eq!(p.images_trained(), 66);
            }
        }
        assert!(seen.iter().all(|&c| c == 3), "{seen:?}");
        assert_eq!(
            p.images_trained(),
            150,
            "3 epochs of 50, partial batches counted"
        );
        let lrs: Vec<f32> = plans.iter().map(|p| p.lr).collect();
        assert_eq!(
            lrs,
            [
                0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001
            ]
        );
        assert!(plans[11].ends_epoch && plans[3].ends_epoch && !plans[2].ends_epoch);
        assert_eq!(
            plans[8].rule,
            StepRule::Sam {
                rho: 0.05,
                chunk: 16
            }
        );
        assert_eq!(
            x.len(),
            2 * 16,
            "the last batch holds the 2 remaining images"
        );
    }

    #[test]
    fn label_noise_corrupts_the_requested_fraction_with_wrong_classes() {
        let p = Pipeline::new(
            synthetic(5000),
            PipelineConfig {
                train_size: 5000,
                ..config(0.4)
            },
            phases(),
            1,
        )
        .unwrap();
        let flipped = p.noisy().iter().filter(|&&n| n).count();
        assert!((flipped as f64 / 5000.0 - 0.4).abs() < 0.03, "{flipped}");
        for (i, (&label, &noisy)) in p.train_labels().iter().zip(p.noisy()).enumerate() {
            assert_eq!(label != (i % 10) as u8, noisy);
        }
    }

    #[test]
    fn shifts_move_pixels_and_fill_with_zeros() {
        let mut data = (*synthetic(4)).clone();
        data.train.pixels = (0..4 * 16)
            .map(|k| if k % 16 == 5 { 255 } else { 0 })
            .collect();
        let cfg = PipelineConfig {
            train_size: 4,
            batch: 4,
            shift: 2,
            ..config(0.0)
        };
        let mut p = Pipeline::new(Arc::new(data), cfg, phases(), 7).unwrap();
        let (mut x, mut y) = (Vec::new(), Vec::new());
        p.next_batch(&mut x, &mut y);
        for img in x.chunks(16) {
            // One bright pixel (row 1, col 1) moved by at most 2 in each direction, or shifted out.
            let bright: Vec<usize> = (0..16).filter(|&k| img[k] == 1.0).collect();
            assert!(bright.len() <= 1);
            assert_eq!(img.iter().filter(|&&v| v != 0.0 && v != 1.0).count(), 0);
        }
        let mut again = Pipeline::new(p.data.clone(), p.config.clone(), phases(), 7).unwrap();
        let (mut x2, mut y2) = (Vec::new(), Vec::new());
        again.next_batch(&mut x2, &mut y2);
        assert_eq!(x, x2, "same seed, same augmentation");
    }

    #[test]
    fn bad_sizes_are_explained() {
        let e = Pipeline::new(synthetic(10), config(0.0), phases(), 0)
            .err()
            .unwrap();
        assert!(
            e.0.contains("train_size 50") && e.0.contains("10 training images"),
            "{}",
            e.0
        );
    }
}
