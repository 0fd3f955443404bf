//! Kernel checks: every WGSL kernel against its CPU twin in [`crate::nn::reference`], on random
//! inputs from a fixed seed and shapes small enough for software rasterisers (lavapipe,
//! SwiftShader).
//!
//! A check's error is the largest `|gpu − reference|` over the output, divided by the output's
//! scale `max |reference|` (1 when the reference is all zero): [`Tol::of_max`]. Tolerances on that
//! ratio:
//! * [`EXACT`] (0) for kernels that only select, copy, clamp or apply one rounding the same way as
//!   the twin (ReLU, pooling values and argmax, normalisation, ℓ∞ PGD, `x + δ`, SAM restore,
//!   correct flags), or only add in the twin's order (the split sums of weight gradients);
//! * [`ONE_ROUNDING`] (1e-6) for updates of the form `a + b·c`, which a GPU compiler may contract
//!   into a fused multiply-add (SGD, SAM perturb/accumulate);
//! * [`SUMS`] (1e-5) for sums of products in the twin's order (the tiled convolution and linear
//!   kernels, whose shared index runs as the twin's loop, and the split backward-weight
//!   reductions, whose splits the twin makes too): the only freedom left is contraction, one
//!   rounding of 2⁻²⁴ per term over at most a few hundred terms;
//! * [`TRANSCENDENTAL`] (1e-5) for kernels using `exp`, `log` or `sqrt`, which WGSL allows a few
//!   ulps of error, or a reduction whose order differs from the twin by design (softmax
//!   cross-entropy, sum of squares, ℓ2 PGD).
//!
//! One file per WGSL kernel family (as in `kernels/*.wgsl`), plus `training` for whole training
//! steps of the [`GpuTrainer`](super::trainer::GpuTrainer) against the reference step.

mod conv;
mod linear;
mod maxpool;
mod normalize;
mod pgd;
mod relu;
mod sam;
mod sgd;
mod softmax_xent;
mod split_sum;
mod sum_squares;
mod training;

pub use training::{TRAIN, TRAIN_TOLERANCE, TrainingComparison, compare_training, test_step};

use super::GpuError;
use super::context::{GpuContext, LayerBuffers, ParamLayerKind, ParamLayerShape};
use crate::nn::reference as cpu;
use crate::rng::Rng;
use crate::tol::Tol;

/// Tolerance for selections, copies and single roundings done identically.
pub const EXACT: Tol = Tol::of_max(0.0);
/// Tolerance for `a + b·c` updates that may be contracted into a fused multiply-add.
pub const ONE_ROUNDING: Tol = Tol::of_max(1e-6);
/// Tolerance for sums of products accumulated in the twin's order.
pub const SUMS: Tol = Tol::of_max(1e-5);
/// Tolerance for `exp`/`log`/`sqrt` and for reductions in a different order.
pub const TRANSCENDENTAL: Tol = Tol::of_max(1e-5);

/// The outcome of comparing one kernel with its twin.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KernelCheck {
    /// Kernel (and output, when a kernel has several).
    pub name: &'static str,
    /// The shapes it ran on.
    pub shapes: String,
    /// Largest `|gpu − reference|`.
    pub max_abs_diff: f64,
    /// `max |reference|` (1 when that is zero).
    pub scale: f64,
    /// `max_abs_diff / scale`, the number compared with `tolerance`.
    pub max_rel_diff: f64,
    /// Flat index of the largest difference.
    pub worst_index: usize,
    /// The largest `max_rel_diff` that passes.
    pub tolerance: f64,
    /// Whether the check passed.
    pub passed: bool,
    /// Why the check could not run (GPU or reference error), if it could not.
    pub error: Option<String>,
}

impl KernelCheck {
    fn compare(
        name: &'static str,
        shapes: String,
        gpu: &[f32],
        reference: &[f32],
        tolerance: Tol,
    ) -> Self {
        if gpu.len() != reference.len() {
            return Self::failed(
                name,
                shapes,
                format!(
                    "{} values from the GPU, {} expected",
                    gpu.len(),
                    reference.len()
                ),
            );
        }
        let diff = tolerance.compare(gpu, reference);
        Self {
            name,
            shapes,
            max_abs_diff: diff.abs,
            scale: diff.scale,
            max_rel_diff: diff.rel,
            worst_index: diff.at,
            tolerance: tolerance.rel,
            passed: diff.passed,
            error: None,
        }
    }

    fn compare_u32(name: &'static str, shapes: String, gpu: &[u32], reference: &[u32]) -> Self {
        let as_f32 = |v: &[u32]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        Self::compare(name, shapes, &as_f32(gpu), &as_f32(reference), EXACT)
    }

    fn failed(name: &'static str, shapes: String, error: String) -> Self {
        Self {
            name,
            shapes,
            max_abs_diff: f64::INFINITY,
            scale: 1.0,
            max_rel_diff: f64::INFINITY,
            worst_index: 0,
            tolerance: 0.0,
            passed: false,
            error: Some(error),
        }
    }

    /// One line: name, shapes, differences, where, tolerance and PASS/FAIL.
    pub fn line(&self) -> String {
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        match &self.error {
            Some(e) => format!("{verdict} {:<28} {:<34} error: {e}", self.name, self.shapes),
            None => format!(
                "{verdict} {:<28} {:<34} max|Δ| {:.3e} (scale {:.3e}, rel {:.3e}) at {} ≤ tol {:.0e}",
                self.name,
                self.shapes,
                self.max_abs_diff,
                self.scale,
                self.max_rel_diff,
                self.worst_index,
                self.tolerance
            ),
        }
    }
}

fn cpu_err(e: cpu::ReferenceError) -> GpuError {
    GpuError::Input(format!("reference: {e}"))
}

fn normals(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.normal() as f32).collect()
}

fn uniforms(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.uniform() as f32).collect()
}

fn words(values: &[usize]) -> Vec<u32> {
    values.iter().map(|&v| v as u32).collect()
}

/// Runs every check in turn. A family whose GPU work fails yields one failed check naming the
/// error instead of stopping the others.
pub async fn run_all(ctx: &GpuContext) -> Vec<KernelCheck> {
    let mut rng = Rng::stream(2024, 0x6b65_726e);
    let mut checks = Vec::new();
    let families = [
        ("conv", conv::check(ctx, &mut rng).await),
        ("linear", linear::check(ctx, &mut rng).await),
        ("relu", relu::check(ctx, &mut rng).await),
        ("maxpool", maxpool::check(ctx, &mut rng).await),
        ("normalize", normalize::check(ctx, &mut rng).await),
        ("softmax_xent", softmax_xent::check(ctx, &mut rng).await),
        ("split_sum", split_sum::check(ctx, &mut rng).await),
        ("sum_of_squares", sum_squares::check(ctx, &mut rng).await),
        ("sgd_momentum", sgd::check(ctx, &mut rng).await),
        ("sam", sam::check(ctx, &mut rng).await),
        ("pgd", pgd::check(ctx, &mut rng).await),
    ];
    for (family, result) in families {
        match result {
            Ok(list) => checks.extend(list),
            Err(e) => checks.push(KernelCheck::failed(family, String::new(), e.to_string())),
        }
    }
    checks
}

/// Runs a conv or linear layer's launches (`kind`, with its parameters after `offset` zeros in
/// the flat vector, as in the trainer's) on `[x, w, b, dy]` and compares them with the twin's
/// `[y, dx, dw, db]` (tolerance [`SUMS`]): forward, backward-data, and the two backward-weight
/// passes whose sum holds the weight and the bias gradients.
async fn check_param_layer(
    ctx: &GpuContext,
    names: [&'static str; 4],
    kind: ParamLayerKind,
    offset: usize,
    [x, w, b, dy]: [&[f32]; 4],
    twin: [Vec<f32>; 4],
) -> Result<Vec<KernelCheck>, GpuError> {
    let shapes = match kind {
        ParamLayerKind::Conv(d) => format!(
            "x[{},{},{},{}] w[{},{},3,3]",
            d.batch, d.inputs, d.height, d.width, d.outputs, d.inputs
        ),
        ParamLayerKind::Linear(d) => {
            format!("x[{},{}] w[{},{}]", d.batch, d.inputs, d.outputs, d.inputs)
        }
    };
    let mut params = vec![0f32; offset];
    params.extend(w);
    params.extend(b);
    let shape = ParamLayerShape {
        kind,
        w_off: offset,
        b_off: offset + w.len(),
    };
    let [xb, pb, dyb] = [("x", x), ("params", &params[..]), ("dy", dy)]
        .map(|(label, data)| ctx.buffer_from(label, data));
    let yb = ctx.buffer::<f32>("y", twin[0].len());
    let dxb = ctx.buffer::<f32>("dx", x.len());
    let gb = ctx.buffer::<f32>("grads", params.len());
    let partials = ctx.buffer::<f32>("partials", shape.partials_len());
    let bufs = LayerBuffers {
        x: &xb,
        y: &yb,
        dx: &dxb,
        dy: &dyb,
        params: &pb,
        grads: &gb,
        partials: &partials,
    };
    let ops = ctx.param_layer_ops(&shape, &bufs);
    ctx.run(
        [&ops.forward, &ops.backward_data]
            .into_iter()
            .chain(&ops.backward_weight),
    );
    let reads = [(&yb, 0), (&dxb, 0), (&gb, shape.w_off), (&gb, shape.b_off)];
    let mut checks = Vec::new();
    for ((name, (buffer, at)), expected) in names.into_iter().zip(reads).zip(twin) {
        let got = ctx.read(buffer, at, expected.len()).await?;
        checks.push(KernelCheck::compare(
            name,
            shapes.clone(),
            &got,
            &expected,
            SUMS,
        ));
    }
    Ok(checks)
}
