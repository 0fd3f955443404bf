//! Slow, obvious CPU twins of every small-CNN kernel: plain loops over NCHW `f32` tensors.
//!
//! They define the semantics that the fast CPU backend and the WGSL kernels (`crate::gpu`) are
//! checked against. Storage is `f32` and, unless a function says otherwise, every sum accumulates in
//! `f32` in the order its documentation states (the loop order, innermost index fastest), so a
//! kernel that sums in the same order can match bit for bit. Out-of-range convolution taps are
//! skipped (they would add zero). Every function checks its slice lengths and returns a
//! [`ReferenceError`] instead of panicking. [`network_pass`] and [`train_step`] chain the twins
//! through an [`Arch`] (ERM and SAM/m-SAM steps).

use super::spec::{Arch, Layer, ParamSlot};
use super::train::sam_chunks;

/// A slice whose length does not match the shape it was given with, or a label out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A tensor has the wrong number of values.
    #[error("{what}: expected {expected} values, got {got}")]
    Length {
        /// Which tensor.
        what: &'static str,
        /// Length implied by the shape.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} of example {example} is not below the class count {classes}")]
    Label {
        /// Example index.
        example: usize,
        /// The label.
        label: u32,
        /// Number of classes.
        classes: usize,
    },
    /// A shape that the operation cannot take (e.g. odd height for pooling, zero-sized example).
    #[error("bad shape: {0}")]
    Shape(&'static str),
}

type Result<T> = std::result::Result<T, ReferenceError>;

fn expect_len(what: &'static str, values: &[impl Copy], expected: usize) -> Result<()> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(ReferenceError::Length {
            what,
            expected,
            got: values.len(),
        })
    }
}

/// Shape of a 3×3 convolution (stride 1, zero padding 1): input `[batch, inputs, height, width]`,
/// weight `[outputs, inputs, 3, 3]`, bias `[outputs]`, output `[batch, outputs, height, width]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvDims {
    /// Batch size N.
    pub batch: usize,
    /// Input channels C.
    pub inputs: usize,
    /// Output channels O.
    pub outputs: usize,
    /// Height H (same for input and output).
    pub height: usize,
    /// Width W (same for input and output).
    pub width: usize,
}

impl ConvDims {
    /// Values in the input tensor.
    pub fn input_len(&self) -> usize {
        self.batch * self.inputs * self.height * self.width
    }
    /// Values in the output tensor.
    pub fn output_len(&self) -> usize {
        self.batch * self.outputs * self.height * self.width
    }
    /// Values in the weight tensor.
    pub fn weight_len(&self) -> usize {
        self.outputs * self.inputs * 9
    }
}

/// Input pixel `(i + ky − 1, j + kx − 1)` of a `height × width` plane, or `None` in the padding.
fn tap(i: usize, j: usize, ky: usize, kx: usize, height: usize, width: usize) -> Option<usize> {
    let y = (i + ky).checked_sub(1).filter(|&y| y < height)?;
    let x = (j + kx).checked_sub(1).filter(|&x| x < width)?;
    Some(y * width + x)
}

/// Convolution forward: `y[n,o,i,j] = b[o] + Σ_c Σ_ky Σ_kx w[o,c,ky,kx]·x[n,c,i+ky−1,j+kx−1]`.
///
/// The accumulator starts at `b[o]` and adds the terms with `c` outermost and `kx` innermost.
pub fn conv3x3_forward(d: ConvDims, x: &[f32], w: &[f32], b: &[f32]) -> Result<Vec<f32>> {
    expect_len("conv input", x, d.input_len())?;
    expect_len("conv weight", w, d.weight_len())?;
    expect_len("conv bias", b, d.outputs)?;
    let (hw, h, wd) = (d.height * d.width, d.height, d.width);
    let mut y = vec![0f32; d.output_len()];
    for n in 0..d.batch {
        for o in 0..d.outputs {
            for i in 0..h {
                for j in 0..wd {
                    let mut acc = b[o];
                    for c in 0..d.inputs {
                        let plane = &x[(n * d.inputs + c) * hw..][..hw];
                        let kernel = &w[(o * d.inputs + c) * 9..][..9];
                        for ky in 0..3 {
                            for kx in 0..3 {
                                if let Some(p) = tap(i, j, ky, kx, h, wd) {
                                    acc += kernel[ky * 3 + kx] * plane[p];
                                }
                            }
                        }
                    }
                    y[((n * d.outputs + o) * h + i) * wd + j] = acc;
                }
            }
        }
    }
    Ok(y)
}

/// Convolution backward-data: `dx[n,c,i,j] = Σ_o Σ_ky Σ_kx w[o,c,ky,kx]·dy[n,o,i−ky+1,j−kx+1]`.
///
/// The accumulator starts at zero and adds the terms with `o` outermost and `kx` innermost.
pub fn conv3x3_backward_data(d: ConvDims, dy: &[f32], w: &[f32]) -> Result<Vec<f32>> {
    expect_len("conv output gradient", dy, d.output_len())?;
    expect_len("conv weight", w, d.weight_len())?;
    let (hw, h, wd) = (d.height * d.width, d.height, d.width);
    let mut dx = vec![0f32; d.input_len()];
    for n in 0..d.batch {
        for c in 0..d.inputs {
            for i in 0..h {
                for j in 0..wd {
                    let mut acc = 0f32;
                    for o in 0..d.outputs {
                        let plane = &dy[(n * d.outputs + o) * hw..][..hw];
                        let kernel = &w[(o * d.inputs + c) * 9..][..9];
                        for ky in 0..3 {
                            for kx in 0..3 {
                                // dy pixel (i − ky + 1, j − kx + 1) is tap (i, j) with the
                                // kernel flipped: offsets 2 − ky, 2 − kx.
                                if let Some(p) = tap(i, j, 2 - ky, 2 - kx, h, wd) {
                                    acc += kernel[ky * 3 + kx] * plane[p];
                                }
                            }
                        }
                    }
                    dx[((n * d.inputs + c) * h + i) * wd + j] = acc;
                }
            }
        }
    }
    Ok(dx)
}

/// Convolution backward-weight and bias:
/// `dw[o,c,ky,kx] = Σ_n Σ_i Σ_j dy[n,o,i,j]·x[n,c,i+ky−1,j+kx−1]` and `db[o] = Σ_n Σ_i Σ_j dy[n,o,i,j]`.
///
/// Both accumulators start at zero and add the terms with `n` outermost and `j` innermost.
pub fn conv3x3_backward_weight(d: ConvDims, x: &[f32], dy: &[f32]) -> Result<(Vec<f32>, Vec<f32>)> {
    expect_len("conv input", x, d.input_len())?;
    expect_len("conv output gradient", dy, d.output_len())?;
    let (hw, h, wd) = (d.height * d.width, d.height, d.width);
    let mut dw = vec![0f32; d.weight_len()];
    let mut db = vec![0f32; d.outputs];
    for o in 0..d.outputs {
        for c in 0..d.inputs {
            for ky in 0..3 {
                for kx in 0..3 {
                    let mut acc = 0f32;
                    for n in 0..d.batch {
                        let grad = &dy[(n * d.outputs + o) * hw..][..hw];
                        let plane = &x[(n * d.inputs + c) * hw..][..hw];
                        for i in 0..h {
                            for j in 0..wd {
                                if let Some(p) = tap(i, j, ky, kx, h, wd) {
                                    acc += grad[i * wd + j] * plane[p];
                                }
                            }
                        }
                    }
                    dw[(o * d.inputs + c) * 9 + ky * 3 + kx] = acc;
                }
            }
        }
        let mut acc = 0f32;
        for n in 0..d.batch {
            for &g in &dy[(n * d.outputs + o) * hw..][..hw] {
                acc += g;
            }
        }
        db[o] = acc;
    }
    Ok((dw, db))
}

/// Shape of a fully connected layer: input `[batch, inputs]`, weight `[outputs, inputs]`, bias
/// `[outputs]`, output `[batch, outputs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearDims {
    /// Batch size N.
    pub batch: usize,
    /// Input features I.
    pub inputs: usize,
    /// Output features O.
    pub outputs: usize,
}

/// Linear forward `y = x·Wᵀ + b`: `y[n,o] = b[o] + Σ_i x[n,i]·w[o,i]`, accumulated from `b[o]` in
/// ascending `i`.
pub fn linear_forward(d: LinearDims, x: &[f32], w: &[f32], b: &[f32]) -> Result<Vec<f32>> {
    expect_len("linear input", x, d.batch * d.inputs)?;
    expect_len("linear weight", w, d.outputs * d.inputs)?;
    expect_len("linear bias", b, d.outputs)?;
    let mut y = vec![0f32; d.batch * d.outputs];
    for n in 0..d.batch {
        let row = &x[n * d.inputs..][..d.inputs];
        for o in 0..d.outputs {
            let mut acc = b[o];
            for (xi, wi) in row.iter().zip(&w[o * d.inputs..][..d.inputs]) {
                acc += xi * wi;
            }
            y[n * d.outputs + o] = acc;
        }
    }
    Ok(y)
}

/// Linear backward-data `dx = dy·W`: `dx[n,i] = Σ_o dy[n,o]·w[o,i]`, from zero in ascending `o`.
pub fn linear_backward_data(d: LinearDims, dy: &[f32], w: &[f32]) -> Result<Vec<f32>> {
    expect_len("linear output gradient", dy, d.batch * d.outputs)?;
    expect_len("linear weight", w, d.outputs * d.inputs)?;
    let mut dx = vec![0f32; d.batch * d.inputs];
    for n in 0..d.batch {
        for i in 0..d.inputs {
            let mut acc = 0f32;
            for o in 0..d.outputs {
                acc += dy[n * d.outputs + o] * w[o * d.inputs + i];
            }
            dx[n * d.inputs + i] = acc;
        }
    }
    Ok(dx)
}

/// Linear backward-weight `dW = dyᵀ·x` and `db = Σ_n dy`: `dw[o,i] = Σ_n dy[n,o]·x[n,i]`, both from
/// zero in ascending `n`.
pub fn linear_backward_weight(
    d: LinearDims,
    x: &[f32],
    dy: &[f32],
) -> Result<(Vec<f32>, Vec<f32>)> {
    expect_len("linear input", x, d.batch * d.inputs)?;
    expect_len("linear output gradient", dy, d.batch * d.outputs)?;
    let mut dw = vec![0f32; d.outputs * d.inputs];
    let mut db = vec![0f32; d.outputs];
    for o in 0..d.outputs {
        for i in 0..d.inputs {
            let mut acc = 0f32;
            for n in 0..d.batch {
                acc += dy[n * d.outputs + o] * x[n * d.inputs + i];
            }
            dw[o * d.inputs + i] = acc;
        }
        let mut acc = 0f32;
        for n in 0..d.batch {
            acc += dy[n * d.outputs + o];
        }
        db[o] = acc;
    }
    Ok((dw, db))
}

/// ReLU forward `max(x, 0)` (a negative zero and NaN map to `+0`).
pub fn relu_forward(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect()
}

/// ReLU backward from the forward *output*: `dx = dy·[y > 0]`.
pub fn relu_backward(y: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    expect_len("relu output gradient", dy, y.len())?;
    Ok(y.iter()
        .zip(dy)
        .map(|(&y, &g)| if y > 0.0 { g } else { 0.0 })
        .collect())
}

/// Shape of an NCHW tensor for pooling: `[batch, channels, height, width]` (input of the pool).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolDims {
    /// Batch size N.
    pub batch: usize,
    /// Channels C.
    pub channels: usize,
    /// Input height H (even).
    pub height: usize,
    /// Input width W (even).
    pub width: usize,
}

impl PoolDims {
    fn check(&self) -> Result<()> {
        if !self.height.is_multiple_of(2) || !self.width.is_multiple_of(2) {
            return Err(ReferenceError::Shape(
                "max-pooling needs even height and width",
            ));
        }
        Ok(())
    }
    /// Values in the input tensor.
    pub fn input_len(&self) -> usize {
        self.batch * self.channels * self.height * self.width
    }
    /// Values in the pooled tensor.
    pub fn output_len(&self) -> usize {
        self.input_len() / 4
    }
}

/// 2×2 max-pooling, stride 2. Returns the pooled tensor and, per output, the index of the chosen
/// input inside its `H·W` plane. The window is scanned in row-major order `(0,0), (0,1), (1,0),
/// (1,1)` and only a strictly larger value replaces the current maximum, so ties go to the first.
pub fn maxpool2_forward(d: PoolDims, x: &[f32]) -> Result<(Vec<f32>, Vec<u32>)> {
    d.check()?;
    expect_len("pool input", x, d.input_len())?;
    let (oh, ow) = (d.height / 2, d.width / 2);
    let mut y = vec![0f32; d.output_len()];
    let mut arg = vec![0u32; d.output_len()];
    for plane in 0..d.batch * d.channels {
        let xs = &x[plane * d.height * d.width..][..d.height * d.width];
        for i in 0..oh {
            for j in 0..ow {
                let mut best = 2 * i * d.width + 2 * j;
                for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
                    let p = (2 * i + dy) * d.width + 2 * j + dx;
                    if xs[p] > xs[best] {
                        best = p;
                    }
                }
                let out = (plane * oh + i) * ow + j;
                y[out] = xs[best];
                arg[out] = best as u32;
            }
        }
    }
    Ok((y, arg))
}

/// Max-pooling backward: `dx` is zero except at each window's argmax, which receives `dy`.
pub fn maxpool2_backward(d: PoolDims, argmax: &[u32], dy: &[f32]) -> Result<Vec<f32>> {
    d.check()?;
    expect_len("pool argmax", argmax, d.output_len())?;
    expect_len("pool output gradient", dy, d.output_len())?;
    let plane_in = d.height * d.width;
    let plane_out = plane_in / 4;
    let mut dx = vec![0f32; d.input_len()];
    for (k, (&a, &g)) in argmax.iter().zip(dy).enumerate() {
        let a = a as usize;
        if a >= plane_in {
            return Err(ReferenceError::Shape("pool argmax outside its plane"));
        }
        dx[(k / plane_out) * plane_in + a] = g;
    }
    Ok(dx)
}

/// Pixel normalisation forward `2x − 1` (i.e. `(x − 0.5)/0.5`).
pub fn normalize_forward(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| 2.0 * v - 1.0).collect()
}

/// Pixel normalisation backward `dx = 2·dy`.
pub fn normalize_backward(dy: &[f32]) -> Vec<f32> {
    dy.iter().map(|&g| 2.0 * g).collect()
}

/// Output of [`softmax_xent`].
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxXent {
    /// Per-example loss `logsumexp(z) − z[label]`.
    pub loss: Vec<f32>,
    /// Gradient of the *mean* loss: `(softmax(z) − onehot(label)) / N`.
    pub dlogits: Vec<f32>,
    /// 1 where the first maximal logit is the label, else 0.
    pub correct: Vec<u32>,
}

/// Fused softmax + cross-entropy over `[batch, classes]` logits.
///
/// Per example: `m = max z`, `s = Σ_k exp(z_k − m)` (ascending `k`), `loss = m + ln s − z[label]`,
/// `p_k = exp(z_k − m) / s`, `dz_k = (p_k − [k = label]) / N`. `exp`/`ln` come from `libm`.
pub fn softmax_xent(classes: usize, logits: &[f32], labels: &[u32]) -> Result<SoftmaxXent> {
    if classes == 0 {
        return Err(ReferenceError::Shape("softmax needs at least one class"));
    }
    let batch = labels.len();
    expect_len("logits", logits, batch * classes)?;
    let mut out = SoftmaxXent {
        loss: Vec::with_capacity(batch),
        dlogits: vec![0f32; batch * classes],
        correct: Vec::with_capacity(batch),
    };
    for (n, &label) in labels.iter().enumerate() {
        if label as usize >= classes {
            return Err(ReferenceError::Label {
                example: n,
                label,
                classes,
            });
        }
        let z = &logits[n * classes..][..classes];
        let mut top = 0;
        for k in 1..classes {
            if z[k] > z[top] {
                top = k;
            }
        }
        let m = z[top];
        let mut s = 0f32;
        for &v in z {
            s += libm::expf(v - m);
        }
        out.loss.push(m + libm::logf(s) - z[label as usize]);
        out.correct.push(u32::from(top == label as usize));
        let grad = &mut out.dlogits[n * classes..][..classes];
        for (k, (g, &v)) in grad.iter_mut().zip(z).enumerate() {
            let p = libm::expf(v - m) / s;
            let onehot = if k == label as usize { 1.0 } else { 0.0 };
            *g = (p - onehot) / batch as f32;
        }
    }
    Ok(out)
}

/// Sum of squares `Σ v_i²`. Unlike the kernels' twins this accumulates in **`f64`** (ascending `i`)
/// and rounds once: it is the accurate value that the GPU's two-stage `f32` reduction, whose order
/// differs by design, is compared against.
pub fn sum_of_squares(v: &[f32]) -> f32 {
    v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() as f32
}

/// SGD with momentum and coupled weight decay (PyTorch semantics, dampening 0), in place:
/// `g' = g + wd·w; v = momentum·v + g'; w = w − lr·v`.
pub fn sgd_momentum(
    w: &mut [f32],
    v: &mut [f32],
    g: &[f32],
    lr: f32,
    momentum: f32,
    weight_decay: f32,
) -> Result<()> {
    expect_len("momentum", v, w.len())?;
    expect_len("gradient", g, w.len())?;
    for ((w, v), &g) in w.iter_mut().zip(v.iter_mut()).zip(g) {
        let g = g + weight_decay * *w;
        *v = momentum * *v + g;
        *w -= lr * *v;
    }
    Ok(())
}

/// SAM ascent step, in place: `s = rho / (sqrt(sum_sq) + 1e-12)`, `e = s·g`, `w += e`.
pub fn sam_perturb(w: &mut [f32], g: &[f32], e: &mut [f32], rho: f32, sum_sq: f32) -> Result<()> {
    expect_len("gradient", g, w.len())?;
    expect_len("perturbation", e, w.len())?;
    let s = rho / (sum_sq.sqrt() + 1e-12);
    for ((w, e), &g) in w.iter_mut().zip(e.iter_mut()).zip(g) {
        *e = s * g;
        *w += *e;
    }
    Ok(())
}

/// Undoes [`sam_perturb`]: `w −= e`.
pub fn sam_restore(w: &mut [f32], e: &[f32]) -> Result<()> {
    expect_len("perturbation", e, w.len())?;
    for (w, &e) in w.iter_mut().zip(e) {
        *w -= e;
    }
    Ok(())
}

/// Gradient accumulation `acc += scale·g`.
pub fn accumulate(acc: &mut [f32], g: &[f32], scale: f32) -> Result<()> {
    expect_len("gradient", g, acc.len())?;
    for (a, &g) in acc.iter_mut().zip(g) {
        *a += scale * g;
    }
    Ok(())
}

fn sign(g: f32) -> f32 {
    if g > 0.0 {
        1.0
    } else if g < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// PGD/FGSM ℓ∞ update, in place: `δ = clamp(δ + α·sign(g), −ε, ε)`, then `δ = clamp(x + δ, 0, 1) − x`
/// (`sign(0) = 0`).
pub fn pgd_linf_update(
    delta: &mut [f32],
    x: &[f32],
    g: &[f32],
    alpha: f32,
    eps: f32,
) -> Result<()> {
    expect_len("input", x, delta.len())?;
    expect_len("input gradient", g, delta.len())?;
    for ((d, &x), &g) in delta.iter_mut().zip(x).zip(g) {
        let step = (*d + alpha * sign(g)).clamp(-eps, eps);
        *d = (x + step).clamp(0.0, 1.0) - x;
    }
    Ok(())
}

/// PGD ℓ2 update, in place, per example of `per_example_len` values:
/// `δ += α·g/(‖g‖₂ + 1e-12)`; `δ = clamp(x + δ, 0, 1) − x`; if `‖δ‖₂ > ε` then `δ *= ε/‖δ‖₂`.
/// The norms accumulate squares in `f32` in ascending order.
pub fn pgd_l2_update(
    delta: &mut [f32],
    x: &[f32],
    g: &[f32],
    alpha: f32,
    eps: f32,
    per_example_len: usize,
) -> Result<()> {
    if per_example_len == 0 || !delta.len().is_multiple_of(per_example_len) {
        return Err(ReferenceError::Shape(
            "the per-example length must be positive and divide the tensor",
        ));
    }
    expect_len("input", x, delta.len())?;
    expect_len("input gradient", g, delta.len())?;
    let norm = |v: &[f32]| v.iter().fold(0f32, |acc, &a| acc + a * a).sqrt();
    for ((d, x), g) in delta
        .chunks_mut(per_example_len)
        .zip(x.chunks(per_example_len))
        .zip(g.chunks(per_example_len))
    {
        let scale = alpha / (norm(g) + 1e-12);
        for ((d, &x), &g) in d.iter_mut().zip(x).zip(g) {
            *d = (x + (*d + scale * g)).clamp(0.0, 1.0) - x;
        }
        let n = norm(d);
        if n > eps {
            let shrink = eps / n;
            for d in d.iter_mut() {
                *d *= shrink;
            }
        }
    }
    Ok(())
}

/// Result of [`network_pass`]: per-example loss and correct flags, the gradient of the *mean*
/// loss with respect to the flat parameters, and with respect to the `[0, 1]` input pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkPass {
    /// Per-example cross-entropy.
    pub loss: Vec<f32>,
    /// Per-example correct flags.
    pub correct: Vec<u32>,
    /// Gradient of the mean loss in the flat parameter layout of [`Arch::param_slots`].
    pub grads: Vec<f32>,
    /// Gradient of the mean loss with respect to the input `x`.
    pub input_grad: Vec<f32>,
}

/// One layer of an [`Arch`] as the twin that runs it, with this batch's dimensions and, for
/// layers with parameters, their slot.
enum Op<'a> {
    Normalize,
    Relu,
    Flatten,
    Conv(ConvDims, &'a ParamSlot),
    Linear(LinearDims, &'a ParamSlot),
    MaxPool(PoolDims),
}

/// The twin for each of `arch`'s layers at batch size `batch`.
fn layer_ops<'a>(arch: &Arch, slots: &'a [ParamSlot], batch: usize) -> Result<Vec<Op<'a>>> {
    let shapes = arch
        .shapes()
        .map_err(|_| ReferenceError::Shape("the architecture's shapes do not chain"))?;
    let slot = |layer: usize, what: &'static str| {
        slots
            .iter()
            .find(|s| s.layer == layer)
            .ok_or(ReferenceError::Shape(what))
    };
    let ops = arch.layers.iter().zip(shapes).enumerate();
    ops.map(|(i, (layer, s))| {
        Ok(match *layer {
            Layer::Normalize => Op::Normalize,
            Layer::Relu => Op::Relu,
            Layer::Flatten => Op::Flatten,
            Layer::Conv3x3 { inputs, outputs } => {
                let d = ConvDims {
                    batch,
                    inputs,
                    outputs,
                    height: s.height,
                    width: s.width,
                };
                Op::Conv(d, slot(i, "conv layer without parameters")?)
            }
            Layer::Linear { inputs, outputs } => {
                let d = LinearDims {
                    batch,
                    inputs,
                    outputs,
                };
                Op::Linear(d, slot(i, "linear layer without parameters")?)
            }
            Layer::MaxPool2 => Op::MaxPool(PoolDims {
                batch,
                channels: s.channels,
                height: s.height,
                width: s.width,
            }),
        })
    })
    .collect()
}

/// Forward and backward through `arch` with the twins above: the reference that the GPU trainer
/// (and the fast CPU backend) must reproduce. `x` is `[batch, input]` pixels in `[0, 1]`.
pub fn network_pass(arch: &Arch, params: &[f32], x: &[f32], labels: &[u32]) -> Result<NetworkPass> {
    let slots = arch.param_slots();
    let batch = labels.len();
    let ops = layer_ops(arch, &slots, batch)?;
    expect_len("parameters", params, arch.param_count())?;
    expect_len("input", x, batch * arch.input.len())?;
    // acts[i] is the input of layer i; argmax[i] the pooling indices of layer i.
    let mut acts = vec![x.to_vec()];
    let mut argmax = vec![Vec::new(); ops.len()];
    for (i, op) in ops.iter().enumerate() {
        let a = &acts[i];
        let next = match *op {
            Op::Normalize => normalize_forward(a),
            Op::Relu => relu_forward(a),
            Op::Flatten => a.clone(),
            Op::Conv(d, p) => {
                conv3x3_forward(d, a, &params[p.weight.clone()], &params[p.bias.clone()])?
            }
            Op::Linear(d, p) => {
                linear_forward(d, a, &params[p.weight.clone()], &params[p.bias.clone()])?
            }
            Op::MaxPool(d) => {
                let (y, arg) = maxpool2_forward(d, a)?;
                argmax[i] = arg;
                y
            }
        };
        acts.push(next);
    }
    let out = softmax_xent(arch.classes(), &acts[ops.len()], labels)?;
    let mut grads = vec![0f32; params.len()];
    let mut dy = out.dlogits;
    for (i, op) in ops.iter().enumerate().rev() {
        dy = match *op {
            Op::Normalize => normalize_backward(&dy),
            Op::Relu => relu_backward(&acts[i + 1], &dy)?,
            Op::Flatten => dy,
            Op::MaxPool(d) => maxpool2_backward(d, &argmax[i], &dy)?,
            Op::Conv(d, p) => {
                let (dw, db) = conv3x3_backward_weight(d, &acts[i], &dy)?;
                grads[p.weight.clone()].copy_from_slice(&dw);
                grads[p.bias.clone()].copy_from_slice(&db);
                conv3x3_backward_data(d, &dy, &params[p.weight.clone()])?
            }
            Op::Linear(d, p) => {
                let (dw, db) = linear_backward_weight(d, &acts[i], &dy)?;
                grads[p.weight.clone()].copy_from_slice(&dw);
                grads[p.bias.clone()].copy_from_slice(&db);
                linear_backward_data(d, &dy, &params[p.weight.clone()])?
            }
        };
    }
    Ok(NetworkPass {
        loss: out.loss,
        correct: out.correct,
        grads,
        input_grad: dy,
    })
}

/// SAM settings: radius `rho` and chunk size `chunk` (m-SAM; `chunk` = batch for plain SAM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamConfig {
    /// Perturbation radius ρ.
    pub rho: f32,
    /// Examples per SAM chunk (see [`crate::nn::train::sam_chunks`] for a batch it does not
    /// divide).
    pub chunk: usize,
}

/// One optimisation step's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepConfig {
    /// Learning rate.
    pub lr: f32,
    /// Momentum (0.9 in the common recipe).
    pub momentum: f32,
    /// Coupled weight decay λ (added to the gradient as λw).
    pub weight_decay: f32,
    /// `Some` for a SAM / m-SAM step, `None` for ERM.
    pub sam: Option<SamConfig>,
}

/// One training step from the twins, in place, returning the first pass's per-example losses.
///
/// ERM: gradient of the batch mean, then [`sgd_momentum`]. SAM: for each chunk, the chunk-mean
/// gradient `g` at `w`, `e = ρ g/(‖g‖ + 1e-12)` ([`sum_of_squares`], [`sam_perturb`]), the
/// gradient at `w + e`, [`sam_restore`], and [`accumulate`] of it with the chunk's weight
/// `len/batch` (chunks cut by [`crate::nn::train::sam_chunks`]: a short last chunk when `m` does
/// not divide the batch); then
/// [`sgd_momentum`] with the accumulated gradient (weight decay at the restored `w`).
pub fn train_step(
    arch: &Arch,
    params: &mut [f32],
    velocity: &mut [f32],
    x: &[f32],
    labels: &[u32],
    config: &StepConfig,
) -> Result<Vec<f32>> {
    let (grads, losses) = match config.sam {
        None => {
            let pass = network_pass(arch, params, x, labels)?;
            (pass.grads, pass.loss)
        }
        Some(sam) => sam_gradient(arch, params, x, labels, sam)?,
    };
    sgd_momentum(
        params,
        velocity,
        &grads,
        config.lr,
        config.momentum,
        config.weight_decay,
    )?;
    Ok(losses)
}

/// The SAM / m-SAM gradient of [`train_step`] (accumulated over chunks, `params` restored) and
/// the first pass's per-example losses.
fn sam_gradient(
    arch: &Arch,
    params: &mut [f32],
    x: &[f32],
    labels: &[u32],
    sam: SamConfig,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let batch = labels.len();
    let per = arch.input.len();
    let mut acc = vec![0f32; params.len()];
    let mut e = vec![0f32; params.len()];
    let mut losses = Vec::with_capacity(batch);
    for (range, weight) in sam_chunks(batch, sam.chunk) {
        let xs = &x[range.start * per..range.end * per];
        let ys = &labels[range];
        let first = network_pass(arch, params, xs, ys)?;
        losses.extend(first.loss);
        sam_perturb(
            params,
            &first.grads,
            &mut e,
            sam.rho,
            sum_of_squares(&first.grads),
        )?;
        let second = network_pass(arch, params, xs, ys)?;
        sam_restore(params, &e)?;
        accumulate(&mut acc, &second.grads, weight)?;
    }
    Ok((acc, losses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
        (0..len).map(|_| rng.normal() as f32).collect()
    }

    /// `Σ r·y` accumulated in `f64`, the scalar whose gradient the backward passes compute.
    fn dot(r: &[f32], y: &[f32]) -> f64 {
        r.iter()
            .zip(y)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum()
    }

    /// Central differences of `f` at `x` along every coordinate, with step `h`.
    fn finite_difference(x: &[f32], h: f32, f: impl Fn(&[f32]) -> f64) -> Vec<f64> {
        let mut x = x.to_vec();
        (0..x.len())
            .map(|k| {
                let keep = x[k];
                x[k] = keep + h;
                let up = f(&x);
                x[k] = keep - h;
                let down = f(&x);
                x[k] = keep;
                (up - down) / (2.0 * f64::from(h))
            })
            .collect()
    }

    /// Largest `|a − b| / max(1, |b|)`.
    fn worst(analytic: &[f32], numeric: &[f64]) -> f64 {
        assert_eq!(analytic.len(), numeric.len());
        analytic
            .iter()
            .zip(numeric)
            .map(|(&a, &n)| (f64::from(a) - n).abs() / n.abs().max(1.0))
            .fold(0.0, f64::max)
    }

    #[test]
    fn conv_forward_by_hand() {
        let d = ConvDims {
            batch: 1,
            inputs: 1,
            outputs: 2,
            height: 3,
            width: 3,
        };
        let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        // Output 0: all-ones kernel, bias 0.5 → box sums. Output 1: only w[0,0] = 1 → shift.
        let mut w = vec![1f32; 9];
        w.extend([1., 0., 0., 0., 0., 0., 0., 0., 0.]);
        let y = conv3x3_forward(d, &x, &w, &[0.5, 0.0]).unwrap();
        assert_eq!(
            &y[..9],
            &[12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5]
        );
        assert_eq!(&y[9..], &[0., 0., 0., 0., 1., 2., 0., 4., 5.]);
        // The shift kernel's adjoint moves the gradient the other way.
        let dy: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let w1 = &w[9..];
        let d1 = ConvDims { outputs: 1, ..d };
        let dx = conv3x3_backward_data(d1, &dy, w1).unwrap();
        assert_eq!(dx, vec![5., 6., 0., 8., 9., 0., 0., 0., 0.]);
        let (dw, db) = conv3x3_backward_weight(d1, &x, &[1.0; 9]).unwrap();
        assert_eq!(db, vec![9.0]);
        // dw[ky,kx] = sum of x over the rows/columns the tap reaches.
        assert_eq!(dw, vec![12., 21., 16., 27., 45., 33., 24., 39., 28.]);
    }

    #[test]
    fn conv_gradients_match_finite_differences() {
        let d = ConvDims {
            batch: 2,
            inputs: 2,
            outputs: 3,
            height: 4,
            width: 5,
        };
        let mut rng = Rng::new(11);
        let x = random(&mut rng, d.input_len());
        let w = random(&mut rng, d.weight_len());
        let b = random(&mut rng, d.outputs);
        let r = random(&mut rng, d.output_len());
        // The loss Σ r·conv(x) is linear, so central differences are exact up to f32 rounding.
        let h = 0.25;
        let dx = conv3x3_backward_data(d, &r, &w).unwrap();
        let num = finite_difference(&x, h, |x| dot(&r, &conv3x3_forward(d, x, &w, &b).unwrap()));
        assert!(worst(&dx, &num) < 1e-4, "dx: {}", worst(&dx, &num));
        let (dw, db) = conv3x3_backward_weight(d, &x, &r).unwrap();
        let num = finite_difference(&w, h, |w| dot(&r, &conv3x3_forward(d, &x, w, &b).unwrap()));
        assert!(worst(&dw, &num) < 1e-4, "dw: {}", worst(&dw, &num));
        let num = finite_difference(&b, h, |b| dot(&r, &conv3x3_forward(d, &x, &w, b).unwrap()));
        assert!(worst(&db, &num) < 1e-4, "db: {}", worst(&db, &num));
    }

    #[test]
    fn linear_by_hand_and_by_finite_differences() {
        let d = LinearDims {
            batch: 1,
            inputs: 2,
            outputs: 2,
        };
        let y = linear_forward(d, &[1., 2.], &[1., 0., 3., -1.], &[0.5, 0.]).unwrap();
        assert_eq!(y, vec![1.5, 1.0]);
        assert_eq!(
            linear_backward_data(d, &[1., 2.], &[1., 0., 3., -1.]).unwrap(),
            vec![7., -2.]
        );
        let (dw, db) = linear_backward_weight(d, &[1., 2.], &[1., 2.]).unwrap();
        assert_eq!((dw, db), (vec![1., 2., 2., 4.], vec![1., 2.]));

        let d = LinearDims {
            batch: 3,
            inputs: 7,
            outputs: 4,
        };
        let mut rng = Rng::new(12);
        let x = random(&mut rng, d.batch * d.inputs);
        let w = random(&mut rng, d.outputs * d.inputs);
        let b = random(&mut rng, d.outputs);
        let r = random(&mut rng, d.batch * d.outputs);
        let h = 0.25;
        let dx = linear_backward_data(d, &r, &w).unwrap();
        let num = finite_difference(&x, h, |x| dot(&r, &linear_forward(d, x, &w, &b).unwrap()));
        assert!(worst(&dx, &num) < 1e-4);
        let (dw, db) = linear_backward_weight(d, &x, &r).unwrap();
        let num = finite_difference(&w, h, |w| dot(&r, &linear_forward(d, &x, w, &b).unwrap()));
        assert!(worst(&dw, &num) < 1e-4);
        let num = finite_difference(&b, h, |b| dot(&r, &linear_forward(d, &x, &w, b).unwrap()));
        assert!(worst(&db, &num) < 1e-4);
    }

    #[test]
    fn relu_and_normalize_gradients() {
        // Values kept ≥ 0.05 away from the kink so a step of 1e-2 never crosses it.
        let x = [-1.0f32, -0.05, 0.05, 0.7, 2.0, -3.0];
        let y = relu_forward(&x);
        assert_eq!(y, vec![0., 0., 0.05, 0.7, 2.0, 0.]);
        assert_eq!(relu_forward(&[-0.0])[0].to_bits(), 0f32.to_bits());
        let r = [0.3f32, -1.0, 2.0, 0.5, -0.25, 4.0];
        let dx = relu_backward(&y, &r).unwrap();
        assert_eq!(dx, vec![0., 0., 2.0, 0.5, -0.25, 0.]);
        let num = finite_difference(&x, 1e-2, |x| dot(&r, &relu_forward(x)));
        assert!(worst(&dx, &num) < 1e-5);

        assert_eq!(normalize_forward(&[0., 0.5, 1.]), vec![-1., 0., 1.]);
        let dx = normalize_backward(&r);
        let num = finite_difference(&x, 0.25, |x| dot(&r, &normalize_forward(x)));
        assert!(worst(&dx, &num) < 1e-5);
    }

    #[test]
    fn maxpool_ties_and_gradients() {
        let d = PoolDims {
            batch: 1,
            channels: 1,
            height: 2,
            width: 4,
        };
        // Left window: 3 at (0,0), (0,1) and (1,1) tie → the first, index 0. Right: max at (1,0).
        let x = [3., 3., 0., 1., 1., 3., 7., 2.];
        let (y, arg) = maxpool2_forward(d, &x).unwrap();
        assert_eq!((y, arg.clone()), (vec![3., 7.], vec![0, 6]));
        let dx = maxpool2_backward(d, &arg, &[0.5, -2.0]).unwrap();
        assert_eq!(dx, vec![0.5, 0., 0., 0., 0., 0., -2.0, 0.]);
        assert!(maxpool2_backward(d, &[0, 8], &[1., 1.]).is_err());

        let d = PoolDims {
            batch: 2,
            channels: 3,
            height: 4,
            width: 6,
        };
        // Distinct values 0.01 apart, so a 1e-3 step never changes an argmax.
        let len = d.input_len();
        let x: Vec<f32> = (0..len).map(|k| ((k * 37) % len) as f32 * 0.01).collect();
        let mut rng = Rng::new(13);
        let r = random(&mut rng, d.output_len());
        let (_, arg) = maxpool2_forward(d, &x).unwrap();
        let dx = maxpool2_backward(d, &arg, &r).unwrap();
        let num = finite_difference(&x, 1e-3, |x| dot(&r, &maxpool2_forward(d, x).unwrap().0));
        assert!(worst(&dx, &num) < 1e-3, "{}", worst(&dx, &num));
        assert!(
            maxpool2_forward(
                PoolDims {
                    height: 3,
                    width: 2,
                    ..d
                },
                &[0.; 12]
            )
            .is_err()
        );
    }

    #[test]
    fn softmax_by_hand() {
        // logits (0, ln 3): p = (1/4, 3/4); label 0 → loss ln 4, wrong; label 1 → loss ln(4/3).
        let z = [0.0, 3f32.ln(), 0.0, 3f32.ln()];
        let out = softmax_xent(2, &z, &[0, 1]).unwrap();
        assert!((out.loss[0] - 4f32.ln()).abs() < 1e-6);
        assert!((out.loss[1] - (4f32 / 3.0).ln()).abs() < 1e-6);
        assert_eq!(out.correct, vec![0, 1]);
        let want = [-0.375, 0.375, 0.125, -0.125];
        for (g, w) in out.dlogits.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{g} vs {w}");
        }
        // Ties: the first maximum counts as the prediction.
        let tie = softmax_xent(2, &[2.0, 2.0, 2.0, 2.0], &[0, 1]).unwrap();
        assert_eq!(tie.correct, vec![1, 0]);
        assert!((tie.loss[0] - 2f32.ln()).abs() < 1e-6);
        // Huge logits stay finite because the maximum is subtracted.
        let big = softmax_xent(2, &[1000.0, 0.0], &[1]).unwrap();
        assert_eq!(big.loss[0], 1000.0);
        assert!(matches!(
            softmax_xent(2, &[0., 0.], &[2]),
            Err(ReferenceError::Label { label: 2, .. })
        ));
    }

    #[test]
    fn softmax_gradient_matches_finite_differences() {
        let (batch, classes) = (3, 5);
        let mut rng = Rng::new(14);
        let z = random(&mut rng, batch * classes);
        let labels = [4, 0, 2];
        let out = softmax_xent(classes, &z, &labels).unwrap();
        let mean_loss = |z: &[f32]| {
            let l = softmax_xent(classes, z, &labels).unwrap().loss;
            l.iter().map(|&v| f64::from(v)).sum::<f64>() / batch as f64
        };
        // Step 1e-2: curvature error ~1e-5, rounding error ~1e-7 / 1e-2 = 1e-5.
        let num = finite_difference(&z, 1e-2, mean_loss);
        assert!(
            worst(&out.dlogits, &num) < 1e-4,
            "{}",
            worst(&out.dlogits, &num)
        );
    }

    #[test]
    fn optimiser_and_sam_updates_by_hand() {
        let mut w = [1.0f32, -2.0];
        let mut v = [0.5f32, 0.0];
        sgd_momentum(&mut w, &mut v, &[0.25, 1.0], 0.1, 0.9, 0.5).unwrap();
        // g' = (0.75, 0); v = (1.2, 0); w = (0.88, −2).
        assert!((v[0] - 1.2).abs() < 1e-6 && v[1] == 0.0);
        assert!((w[0] - 0.88).abs() < 1e-6 && w[1] == -2.0);

        let mut w = [1.0f32, 1.0];
        let mut e = [0f32; 2];
        let g = [3.0f32, 4.0];
        sam_perturb(&mut w, &g, &mut e, 0.5, sum_of_squares(&g)).unwrap();
        assert_eq!(sum_of_squares(&g), 25.0);
        assert!((e[0] - 0.3).abs() < 1e-6 && (e[1] - 0.4).abs() < 1e-6);
        assert!((w[0] - 1.3).abs() < 1e-6 && (w[1] - 1.4).abs() < 1e-6);
        sam_restore(&mut w, &e).unwrap();
        assert!((w[0] - 1.0).abs() < 1e-6 && (w[1] - 1.0).abs() < 1e-6);
        let mut acc = [1.0f32, 2.0];
        accumulate(&mut acc, &g, 0.5).unwrap();
        assert_eq!(acc, [2.5, 4.0]);
        assert!(accumulate(&mut acc, &[1.0], 1.0).is_err());
    }

    #[test]
    fn pgd_updates_by_hand() {
        let x = [0.5f32, 0.95, 0.0, 0.2];
        let g = [1.0f32, 2.0, -3.0, 0.0];
        let mut d = [0.0f32, 0.0, 0.0, 0.05];
        pgd_linf_update(&mut d, &x, &g, 0.1, 0.08).unwrap();
        // Step ±0.1 clamped to ±0.08, then into the box: 0.95 + 0.08 > 1 → 0.05; 0 − 0.08 < 0 → 0.
        let want = [0.08, 1.0 - 0.95, 0.0, 0.05];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{d:?}");
        }

        // Two examples of two values. Example 0: g = (3, 4), step α = 1 → δ = (0.6, 0.8), no box
        // clamping (x = 0), norm 1 > ε = 0.5 → δ = (0.3, 0.4). Example 1: g = 0 → no move.
        let x = [0.0f32, 0.0, 0.5, 0.5];
        let g = [3.0f32, 4.0, 0.0, 0.0];
        let mut d = [0f32; 4];
        pgd_l2_update(&mut d, &x, &g, 1.0, 0.5, 2).unwrap();
        let want = [0.3, 0.4, 0.0, 0.0];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{d:?}");
        }
        // With g = (−3, −4) the box clamps δ to (0, 0) at x = 0.
        let mut d = [0f32; 2];
        pgd_l2_update(&mut d, &[0.0, 0.0], &[-3.0, -4.0], 1.0, 0.5, 2).unwrap();
        assert_eq!(d, [0.0, 0.0]);
        assert!(pgd_l2_update(&mut d, &[0.0, 0.0], &[0.0, 0.0], 1.0, 0.5, 3).is_err());
    }

    #[test]
    fn lengths_are_checked() {
        let d = ConvDims {
            batch: 1,
            inputs: 1,
            outputs: 1,
            height: 2,
            width: 2,
        };
        let err = conv3x3_forward(d, &[0.; 3], &[0.; 9], &[0.]).unwrap_err();
        assert_eq!(
            err,
            ReferenceError::Length {
                what: "conv input",
                expected: 4,
                got: 3
            }
        );
        assert!(relu_backward(&[1.0], &[]).is_err());
    }
}
