//! Training steps: a [`GpuTrainer`] against [`crate::nn::reference::train_step`], step by step,
//! from the same initial weights on the same batches.

use super::cpu_err;
use crate::gpu::GpuError;
use crate::gpu::context::GpuContext;
use crate::gpu::trainer::GpuTrainer;
use crate::nn::reference as cpu;
use crate::nn::spec::Arch;
use crate::nn::train::{StepConfig, StepRule};
use crate::tol::Tol;
use std::sync::Arc;

/// Parameters after several training steps may drift from the twins by the kernels' rounding
/// differences (contracted multiply-adds, `exp`/`log`/`sqrt` ulps, the sum-of-squares order),
/// amplified a little by the steps; 1e-5 of the parameter scale is ~100 f32 ulps.
pub const TRAIN_TOLERANCE: f64 = 1e-5;

/// [`TRAIN_TOLERANCE`] as a [`Tol`]: relative to the reference's largest magnitude.
pub const TRAIN: Tol = Tol::of_max(TRAIN_TOLERANCE);

/// The step settings of the trainer-versus-reference tests: SGD with learning rate 0.05,
/// momentum 0.9 and weight decay 5e-4, and `rule`.
pub fn test_step(rule: StepRule) -> StepConfig {
    StepConfig {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        rule,
    }
}

/// What [`compare_training`] measured.
pub struct TrainingComparison {
    /// The GPU trainer after the steps (its statistics not yet read).
    pub trainer: GpuTrainer,
    /// After each step, the relative difference ([`TRAIN`]'s measure) of the GPU parameters
    /// against the reference's.
    pub param_diffs: Vec<f64>,
    /// The reference's parameters after the steps.
    pub params: Vec<f32>,
    /// The sum of the reference's per-example training losses over all steps.
    pub loss_sum: f64,
}

/// Runs `configs` in turn as steps of a [`GpuTrainer`] and of [`cpu::train_step`], both from
/// `init`, with step `i` on `batch(i)` (`n` examples).
pub async fn compare_training(
    ctx: Arc<GpuContext>,
    arch: &Arch,
    init: &[f32],
    n: usize,
    configs: &[StepConfig],
    batch: impl Fn(usize) -> (Vec<f32>, Vec<u8>),
) -> Result<TrainingComparison, GpuError> {
    let mut trainer = GpuTrainer::new(ctx, arch, init, n)?;
    let mut params = init.to_vec();
    let mut velocity = vec![0f32; init.len()];
    let (mut param_diffs, mut loss_sum) = (Vec::new(), 0f64);
    for (step, config) in configs.iter().enumerate() {
        let (x, y) = batch(step);
        trainer.train_step(&x, &y, config)?;
        let losses =
            cpu::train_step(arch, &mut params, &mut velocity, &x, &y, config).map_err(cpu_err)?;
        loss_sum += losses.iter().map(|&l| f64::from(l)).sum::<f64>();
        param_diffs.push(TRAIN.compare(&trainer.read_params().await?, &params).rel);
    }
    Ok(TrainingComparison {
        trainer,
        param_diffs,
        params,
        loss_sum,
    })
}
