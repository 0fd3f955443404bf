//! Kernel checks: every WGSL kernel against its CPU twin in [`crate::nn::reference`], on random
//! inputs from a fixed seed and shapes small enough for software rasterisers (lavapipe,
//! SwiftShader).
//!
//! A check's error is the largest `|gpu − reference|` over the output, divided by the output's
//! scale `max |reference|` (1 when the reference is all zero). Tolerances on that ratio:
//! * [`EXACT`] (0) for kernels that only select, copy, clamp or apply one rounding the same way as
//!   the twin (ReLU, pooling values and argmax, normalisation, ℓ∞ PGD, `x + δ`, SAM restore,
//!   correct flags);
//! * [`ONE_ROUNDING`] (1e-6) for updates of the form `a + b·c`, which a GPU compiler may contract
//!   into a fused multiply-add (SGD, SAM perturb/accumulate);
//! * [`SUMS`] (1e-5) for sums of products in the twin's order (convolutions, linear layers): the
//!   only freedom left is contraction, one rounding of 2⁻²⁴ per term over at most a few hundred
//!   terms;
//! * [`TRANSCENDENTAL`] (1e-5) for kernels using `exp`, `log` or `sqrt`, which WGSL allows a few
//!   ulps of error, or a reduction whose order differs from the twin by design (softmax
//!   cross-entropy, sum of squares, ℓ2 PGD).

use super::GpuError;
use super::context::{GpuContext, Grid, LayerBuffers};
use super::kernels::{CONV_KERNELS, Kernel, LINEAR_KERNELS, SUM_SQUARES_GROUPS};
use super::trainer::GpuTrainer;
use crate::nn::reference::{self as cpu, ConvDims, LinearDims, PoolDims, SamConfig, StepConfig};
use crate::nn::spec::Arch;
use crate::rng::Rng;
use std::sync::Arc;

/// Tolerance for selections, copies and single roundings done identically.
pub const EXACT: f64 = 0.0;
/// Tolerance for `a + b·c` updates that may be contracted into a fused multiply-add.
pub const ONE_ROUNDING: f64 = 1e-6;
/// Tolerance for sums of products accumulated in the twin's order.
pub const SUMS: f64 = 1e-5;
/// Tolerance for `exp`/`log`/`sqrt` and for reductions in a different order.
pub const TRANSCENDENTAL: f64 = 1e-5;

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
        tolerance: f64,
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
        let scale = reference
            .iter()
            .map(|v| f64::from(v.abs()))
            .fold(0.0, f64::max);
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let (mut max_abs_diff, mut worst_index) = (0.0, 0);
        for (k, (&g, &r)) in gpu.iter().zip(reference).enumerate() {
            let diff = (f64::from(g) - f64::from(r)).abs();
            // NaN on either side counts as an infinite difference.
            let diff = if diff.is_nan() { f64::INFINITY } else { diff };
            if diff > max_abs_diff {
                (max_abs_diff, worst_index) = (diff, k);
            }
        }
        let max_rel_diff = max_abs_diff / scale;
        Self {
            name,
            shapes,
            max_abs_diff,
            scale,
            max_rel_diff,
            worst_index,
            tolerance,
            passed: max_rel_diff <= tolerance,
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
        ("conv", conv(ctx, &mut rng).await),
        ("linear", linear(ctx, &mut rng).await),
        ("relu", relu(ctx, &mut rng).await),
        ("maxpool", maxpool(ctx, &mut rng).await),
        ("normalize", normalize(ctx, &mut rng).await),
        ("softmax_xent", softmax_xent(ctx, &mut rng).await),
        ("sum_of_squares", sum_of_squares(ctx, &mut rng).await),
        ("sgd_momentum", sgd(ctx, &mut rng).await),
        ("sam", sam(ctx, &mut rng).await),
        ("pgd", pgd(ctx, &mut rng).await),
    ];
    for (family, result) in families {
        match result {
            Ok(list) => checks.extend(list),
            Err(e) => checks.push(KernelCheck::failed(family, String::new(), e.to_string())),
        }
    }
    checks
}

async fn conv(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = ConvDims {
        batch: 2,
        inputs: 3,
        outputs: 5,
        height: 7,
        width: 6,
    };
    let shapes = "x[2,3,7,6] w[5,3,3,3]".to_string();
    let x = normals(rng, d.input_len());
    let w = normals(rng, d.weight_len());
    let b = normals(rng, d.outputs);
    let dy = normals(rng, d.output_len());
    let y = cpu::conv3x3_forward(d, &x, &w, &b).map_err(cpu_err)?;
    let dx = cpu::conv3x3_backward_data(d, &dy, &w).map_err(cpu_err)?;
    let (dw, db) = cpu::conv3x3_backward_weight(d, &x, &dy).map_err(cpu_err)?;
    let layer = ParamLayer {
        kernels: CONV_KERNELS,
        names: [
            "conv3x3_forward",
            "conv3x3_backward_data",
            "conv3x3_backward_weight",
            "conv3x3_backward_bias",
        ],
        dims: vec![d.batch, d.inputs, d.outputs, d.height, d.width],
        // Parameters sit after an offset, as in the trainer's flat vector.
        offset: 7,
    };
    layer
        .check(ctx, shapes, [&x, &w, &b, &dy], [y, dx, dw, db])
        .await
}

async fn linear(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = LinearDims {
        batch: 5,
        inputs: 37,
        outputs: 11,
    };
    let shapes = "x[5,37] w[11,37]".to_string();
    let x = normals(rng, d.batch * d.inputs);
    let w = normals(rng, d.outputs * d.inputs);
    let b = normals(rng, d.outputs);
    let dy = normals(rng, d.batch * d.outputs);
    let y = cpu::linear_forward(d, &x, &w, &b).map_err(cpu_err)?;
    let dx = cpu::linear_backward_data(d, &dy, &w).map_err(cpu_err)?;
    let (dw, db) = cpu::linear_backward_weight(d, &x, &dy).map_err(cpu_err)?;
    let layer = ParamLayer {
        kernels: LINEAR_KERNELS,
        names: [
            "linear_forward",
            "linear_backward_data",
            "linear_backward_weight",
            "linear_backward_bias",
        ],
        dims: vec![d.batch, d.inputs, d.outputs],
        offset: 3,
    };
    layer
        .check(ctx, shapes, [&x, &w, &b, &dy], [y, dx, dw, db])
        .await
}

/// A conv or linear layer's four kernels under test: their check names, the leading words of
/// their parameter block (the weight and bias offsets follow), and how many zeros precede the
/// weights in the flat parameter vector.
struct ParamLayer {
    kernels: [Kernel; 4],
    names: [&'static str; 4],
    dims: Vec<usize>,
    offset: usize,
}

impl ParamLayer {
    /// Runs the four launches on `[x, w, b, dy]` and compares them with the twin's
    /// `[y, dx, dw, db]` (tolerance [`SUMS`]).
    async fn check(
        &self,
        ctx: &GpuContext,
        shapes: String,
        [x, w, b, dy]: [&[f32]; 4],
        twin: [Vec<f32>; 4],
    ) -> Result<Vec<KernelCheck>, GpuError> {
        let mut params = vec![0f32; self.offset];
        params.extend(w);
        params.extend(b);
        let (w_off, b_off) = (self.offset, self.offset + w.len());
        let mut dims = self.dims.clone();
        dims.extend([w_off, b_off]);
        let [xb, pb, dyb] = [("x", x), ("params", &params[..]), ("dy", dy)]
            .map(|(label, data)| ctx.buffer_from(label, data));
        let yb = ctx.buffer::<f32>("y", twin[0].len());
        let dxb = ctx.buffer::<f32>("dx", x.len());
        let gb = ctx.buffer::<f32>("grads", params.len());
        let bufs = LayerBuffers {
            x: &xb,
            y: &yb,
            dx: &dxb,
            dy: &dyb,
            params: &pb,
            grads: &gb,
        };
        let items = [twin[0].len(), x.len(), w.len(), b.len()];
        ctx.run(&ctx.param_layer_ops(self.kernels, &words(&dims), &bufs, items));
        let reads = [(&yb, 0), (&dxb, 0), (&gb, w_off), (&gb, b_off)];
        let mut checks = Vec::new();
        for ((name, (buffer, at)), expected) in self.names.into_iter().zip(reads).zip(twin) {
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
}

async fn relu(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 1000;
    let mut x = normals(rng, len);
    x[0] = -0.0;
    x[1] = 0.0;
    let dy = normals(rng, len);
    let y = cpu::relu_forward(&x);
    let dx = cpu::relu_backward(&y, &dy).map_err(cpu_err)?;
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", len);
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer::<f32>("dx", len);
    let n = words(&[len]);
    ctx.run(&[
        ctx.op(
            Kernel::ReluForward,
            &n,
            &[(1, &xb), (3, &yb)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::ReluBackward,
            &n,
            &[(1, &yb), (2, &dyb), (3, &dxb)],
            Grid::Items(len),
        ),
    ]);
    let shapes = format!("[{len}]");
    Ok(vec![
        KernelCheck::compare(
            "relu_forward",
            shapes.clone(),
            &ctx.read(&yb, 0, len).await?,
            &y,
            EXACT,
        ),
        KernelCheck::compare(
            "relu_backward",
            shapes,
            &ctx.read(&dxb, 0, len).await?,
            &dx,
            EXACT,
        ),
    ])
}

async fn maxpool(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = PoolDims {
        batch: 2,
        channels: 3,
        height: 6,
        width: 8,
    };
    // Values on a coarse grid of 4 levels, so many windows have ties.
    let x: Vec<f32> = (0..d.input_len())
        .map(|_| rng.below(4) as f32 * 0.5 - 1.0)
        .collect();
    let dy = normals(rng, d.output_len());
    let (y, arg) = cpu::maxpool2_forward(d, &x).map_err(cpu_err)?;
    let dx = cpu::maxpool2_backward(d, &arg, &dy).map_err(cpu_err)?;
    let dims = words(&[d.batch * d.channels, d.height, d.width]);
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", y.len());
    let ab = ctx.buffer::<u32>("argmax", y.len());
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer_from("dx", &vec![f32::NAN; x.len()]);
    ctx.run(&[
        ctx.op(
            Kernel::MaxPoolForward,
            &dims,
            &[(1, &xb), (2, &yb), (3, &ab)],
            Grid::Items(y.len()),
        ),
        ctx.op(
            Kernel::MaxPoolBackward,
            &dims,
            &[(1, &dyb), (2, &dxb), (3, &ab)],
            Grid::Items(y.len()),
        ),
    ]);
    let shapes = "x[2,3,6,8], 4-level ties".to_string();
    Ok(vec![
        KernelCheck::compare(
            "maxpool2_forward",
            shapes.clone(),
            &ctx.read(&yb, 0, y.len()).await?,
            &y,
            EXACT,
        ),
        KernelCheck::compare_u32(
            "maxpool2_argmax",
            shapes.clone(),
            &ctx.read(&ab, 0, arg.len()).await?,
            &arg,
        ),
        KernelCheck::compare(
            "maxpool2_backward",
            shapes,
            &ctx.read(&dxb, 0, dx.len()).await?,
            &dx,
            EXACT,
        ),
    ])
}

async fn normalize(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (len, offset) = (2 * 784, 784);
    let x = uniforms(rng, offset + len);
    let dy = normals(rng, len);
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", len);
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer::<f32>("dx", len);
    ctx.run(&[
        ctx.op(
            Kernel::NormalizeForward,
            &words(&[len, offset]),
            &[(1, &xb), (2, &yb)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::NormalizeBackward,
            &words(&[len, 0]),
            &[(1, &dyb), (2, &dxb)],
            Grid::Items(len),
        ),
    ]);
    Ok(vec![
        KernelCheck::compare(
            "normalize_forward",
            format!("[2,1,28,28] at offset {offset}"),
            &ctx.read(&yb, 0, len).await?,
            &cpu::normalize_forward(&x[offset..]),
            EXACT,
        ),
        KernelCheck::compare(
            "normalize_backward",
            "[2,1,28,28]".into(),
            &ctx.read(&dxb, 0, len).await?,
            &cpu::normalize_backward(&dy),
            EXACT,
        ),
    ])
}

async fn softmax_xent(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (batch, classes, label_off) = (13, 10, 4);
    let mut logits: Vec<f32> = normals(rng, batch * classes)
        .iter()
        .map(|v| 3.0 * v)
        .collect();
    // A tie for the first place and very large logits.
    logits[..classes].fill(1.5);
    logits[classes] = 80.0;
    let labels: Vec<u32> = (0..label_off + batch)
        .map(|_| rng.below(classes as u64) as u32)
        .collect();
    let want = cpu::softmax_xent(classes, &logits, &labels[label_off..]).map_err(cpu_err)?;
    let lb = ctx.buffer_from("logits", &logits);
    let yb = ctx.buffer_from("labels", &labels);
    let db = ctx.buffer::<f32>("dlogits", logits.len());
    let loss = ctx.buffer::<f32>("loss", batch);
    let correct = ctx.buffer::<u32>("correct", batch);
    // Totals start at (2.5, 3, 4) so the check sees that the kernel adds to them.
    let totals = ctx.buffer_from("totals", &[2.5f32.to_bits(), 3, 4]);
    let dims = words(&[batch, classes, label_off]);
    ctx.run(&[
        ctx.op(
            Kernel::SoftmaxXent,
            &dims,
            &[(1, &lb), (2, &yb), (3, &db), (4, &loss), (5, &correct)],
            Grid::Items(batch),
        ),
        ctx.op(
            Kernel::AddTotals,
            &dims,
            &[(4, &loss), (5, &correct), (6, &totals)],
            Grid::Groups(1),
        ),
    ]);
    let shapes = format!("logits[{batch},{classes}]");
    let sum: f32 = want.loss.iter().fold(2.5, |acc, v| acc + v);
    let right = 3 + want.correct.iter().sum::<u32>();
    let got = ctx.read::<u32>(&totals, 0, 3).await?;
    Ok(vec![
        KernelCheck::compare(
            "softmax_xent_loss",
            shapes.clone(),
            &ctx.read(&loss, 0, batch).await?,
            &want.loss,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare(
            "softmax_xent_gradient",
            shapes.clone(),
            &ctx.read(&db, 0, logits.len()).await?,
            &want.dlogits,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare_u32(
            "softmax_xent_correct",
            shapes.clone(),
            &ctx.read(&correct, 0, batch).await?,
            &want.correct,
        ),
        KernelCheck::compare(
            "softmax_xent_loss_total",
            shapes.clone(),
            &[f32::from_bits(got[0])],
            &[sum],
            TRANSCENDENTAL,
        ),
        KernelCheck::compare_u32(
            "softmax_xent_counts",
            shapes,
            &got[1..],
            &[right, 4 + batch as u32],
        ),
    ])
}

async fn sum_of_squares(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (len, offset) = (100_003, 5);
    let v = normals(rng, offset + len);
    let vb = ctx.buffer_from("v", &v);
    let partials = ctx.buffer::<f32>("partials", SUM_SQUARES_GROUPS as usize);
    let out = ctx.buffer::<f32>("sum", 2);
    let params = words(&[len, offset, 1]);
    ctx.run(&ctx.sum_of_squares_ops(&params, &vb, &partials, &out));
    Ok(vec![KernelCheck::compare(
        "sum_of_squares",
        format!("[{len}] at offset {offset}"),
        &ctx.read(&out, 1, 1).await?,
        &[cpu::sum_of_squares(&v[offset..])],
        TRANSCENDENTAL,
    )])
}

async fn sgd(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 4099;
    let (lr, momentum, wd) = (0.05f32, 0.9f32, 5e-4f32);
    let mut w = normals(rng, len);
    let mut v = normals(rng, len);
    let g = normals(rng, len);
    let wb = ctx.buffer_from("w", &w);
    let vb = ctx.buffer_from("v", &v);
    let gb = ctx.buffer_from("g", &g);
    ctx.run(&[ctx.op(
        Kernel::Sgd,
        &[len as u32, lr.to_bits(), momentum.to_bits(), wd.to_bits()],
        &[(1, &gb), (2, &wb), (3, &vb)],
        Grid::Items(len),
    )]);
    cpu::sgd_momentum(&mut w, &mut v, &g, lr, momentum, wd).map_err(cpu_err)?;
    let shapes = format!("[{len}] lr {lr} m {momentum} wd {wd}");
    Ok(vec![
        KernelCheck::compare(
            "sgd_momentum_weights",
            shapes.clone(),
            &ctx.read(&wb, 0, len).await?,
            &w,
            ONE_ROUNDING,
        ),
        KernelCheck::compare(
            "sgd_momentum_velocity",
            shapes,
            &ctx.read(&vb, 0, len).await?,
            &v,
            ONE_ROUNDING,
        ),
    ])
}

async fn sam(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 3001;
    let (rho, scale) = (0.05f32, 0.25f32);
    let w0 = normals(rng, len);
    let g = normals(rng, len);
    let acc0 = normals(rng, len);
    let sum_sq = cpu::sum_of_squares(&g);
    let wb = ctx.buffer_from("w", &w0);
    let gb = ctx.buffer_from("g", &g);
    let eb = ctx.buffer::<f32>("e", len);
    let sb = ctx.buffer_from("sum_sq", &[sum_sq]);
    let ab = ctx.buffer_from("acc", &acc0);
    let perturb = ctx.op(
        Kernel::SamPerturb,
        &[len as u32, rho.to_bits()],
        &[(1, &gb), (2, &wb), (3, &eb), (4, &sb)],
        Grid::Items(len),
    );
    ctx.run([&perturb]);
    let (mut w, mut e) = (w0.clone(), vec![0f32; len]);
    cpu::sam_perturb(&mut w, &g, &mut e, rho, sum_sq).map_err(cpu_err)?;
    let shapes = format!("[{len}] rho {rho}");
    let mut checks = vec![
        KernelCheck::compare(
            "sam_perturb_weights",
            shapes.clone(),
            &ctx.read(&wb, 0, len).await?,
            &w,
            ONE_ROUNDING,
        ),
        KernelCheck::compare(
            "sam_perturb_e",
            shapes.clone(),
            &ctx.read(&eb, 0, len).await?,
            &e,
            ONE_ROUNDING,
        ),
    ];
    // Restore from the GPU's own perturbed state, so the check isolates the restore kernel.
    let mut w = ctx.read::<f32>(&wb, 0, len).await?;
    let e = ctx.read::<f32>(&eb, 0, len).await?;
    ctx.run([
        &ctx.op(
            Kernel::SamRestore,
            &[len as u32],
            &[(2, &wb), (3, &eb)],
            Grid::Items(len),
        ),
        &ctx.op(
            Kernel::Accumulate,
            &[len as u32, scale.to_bits()],
            &[(1, &gb), (5, &ab)],
            Grid::Items(len),
        ),
    ]);
    cpu::sam_restore(&mut w, &e).map_err(cpu_err)?;
    let mut acc = acc0;
    cpu::accumulate(&mut acc, &g, scale).map_err(cpu_err)?;
    checks.push(KernelCheck::compare(
        "sam_restore",
        shapes,
        &ctx.read(&wb, 0, len).await?,
        &w,
        EXACT,
    ));
    checks.push(KernelCheck::compare(
        "accumulate",
        format!("[{len}] scale {scale}"),
        &ctx.read(&ab, 0, len).await?,
        &acc,
        ONE_ROUNDING,
    ));
    Ok(checks)
}

async fn pgd(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (examples, per_example) = (3, 784);
    let len = examples * per_example;
    let (alpha, eps_inf, eps_2) = (0.02f32, 0.05f32, 1.5f32);
    let x: Vec<f32> = uniforms(rng, len);
    let mut g = normals(rng, len);
    g[..10].fill(0.0);
    let delta0: Vec<f32> = normals(rng, len).iter().map(|v| 0.03 * v).collect();
    let xb = ctx.buffer_from("x", &x);
    let gb = ctx.buffer_from("g", &g);
    let linf = ctx.buffer_from("delta_linf", &delta0);
    let l2 = ctx.buffer_from("delta_l2", &delta0);
    // Example 1 starts outside the ε-ball so the projection is exercised.
    let mut delta_l2 = delta0.clone();
    for v in &mut delta_l2[per_example..2 * per_example] {
        *v *= 10.0;
    }
    ctx.queue
        .write_buffer(&l2, 0, bytemuck::cast_slice(&delta_l2));
    let adv = ctx.buffer::<f32>("adversarial", len);
    let linf_params = [
        len as u32,
        per_example as u32,
        alpha.to_bits(),
        eps_inf.to_bits(),
    ];
    let l2_params = [
        len as u32,
        per_example as u32,
        alpha.to_bits(),
        eps_2.to_bits(),
    ];
    ctx.run(&[
        ctx.op(
            Kernel::PgdLinf,
            &linf_params,
            &[(1, &gb), (2, &xb), (3, &linf)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::PgdL2,
            &l2_params,
            &[(1, &gb), (2, &xb), (3, &l2)],
            Grid::Groups(examples as u32),
        ),
        ctx.op(
            Kernel::PgdApply,
            &linf_params,
            &[(2, &xb), (3, &linf), (4, &adv)],
            Grid::Items(len),
        ),
    ]);
    let mut want_inf = delta0;
    cpu::pgd_linf_update(&mut want_inf, &x, &g, alpha, eps_inf).map_err(cpu_err)?;
    let mut want_2 = delta_l2;
    cpu::pgd_l2_update(&mut want_2, &x, &g, alpha, eps_2, per_example).map_err(cpu_err)?;
    let want_adv: Vec<f32> = x.iter().zip(&want_inf).map(|(a, b)| a + b).collect();
    Ok(vec![
        KernelCheck::compare(
            "pgd_linf_update",
            format!("[3,1,28,28] α {alpha} ε {eps_inf}"),
            &ctx.read(&linf, 0, len).await?,
            &want_inf,
            EXACT,
        ),
        KernelCheck::compare(
            "pgd_l2_update",
            format!("[3,1,28,28] α {alpha} ε {eps_2}"),
            &ctx.read(&l2, 0, len).await?,
            &want_2,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare(
            "pgd_apply",
            "[3,1,28,28]".into(),
            &ctx.read(&adv, 0, len).await?,
            &want_adv,
            EXACT,
        ),
    ])
}

/// Parameters after several training steps may drift from the twins by the kernels' rounding
/// differences (contracted multiply-adds, `exp`/`log`/`sqrt` ulps, the sum-of-squares order),
/// amplified a little by the steps; 1e-5 of the parameter scale is ~100 f32 ulps.
pub const TRAIN_TOLERANCE: f64 = 1e-5;

/// The step settings of the trainer-versus-reference tests: SGD with learning rate 0.05,
/// momentum 0.9 and weight decay 5e-4, and `sam`.
pub fn test_step(sam: Option<SamConfig>) -> StepConfig {
    StepConfig {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        sam,
    }
}

/// Largest `|a − b|` relative to `max |b|` (for equal lengths).
pub fn rel_diff(a: &[f32], b: &[f32]) -> f64 {
    let scale = b.iter().map(|v| f64::from(v.abs())).fold(0.0, f64::max);
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from((x - y).abs()))
        .fold(0.0, f64::max)
        / scale
}

/// What [`compare_training`] measured.
pub struct TrainingComparison {
    /// The GPU trainer after the steps (its statistics not yet read).
    pub trainer: GpuTrainer,
    /// After each step, [`rel_diff`] of the GPU parameters against the reference's.
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
    batch: impl Fn(usize) -> (Vec<f32>, Vec<u32>),
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
        param_diffs.push(rel_diff(&trainer.read_params().await?, &params));
    }
    Ok(TrainingComparison {
        trainer,
        param_diffs,
        params,
        loss_sum,
    })
}
