//! The CPU backend's heavy layers: 3×3 convolutions through im2col and linear layers, all three
//! passes (forward, backward-data, backward-weight) as GEMMs on `ndarray` (matrixmultiply; two
//! threads natively, one in wasm). The slow twins in [`crate::nn::reference`] define the maths;
//! these must agree with them to rounding.
//!
//! Convolutions are batched into one GEMM per pass: `cols` is the `[C·9, N·H·W]` im2col matrix of the
//! whole batch, so the forward pass is `Y = W · cols` with `W` viewed as `[O, C·9]`.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

/// Geometry of one 3×3 (pad 1, stride 1) convolution over a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Batch size.
    pub batch: usize,
    /// Input channels.
    pub inputs: usize,
    /// Output channels.
    pub outputs: usize,
    /// Height (unchanged by the convolution).
    pub height: usize,
    /// Width (unchanged by the convolution).
    pub width: usize,
}

impl ConvGeometry {
    fn plane(&self) -> usize {
        self.height * self.width
    }

    fn columns(&self) -> usize {
        self.batch * self.plane()
    }

    fn patch(&self) -> usize {
        self.inputs * 9
    }
}

fn view(data: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), data).expect("buffer sized by the caller")
}

fn view_mut(data: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), data).expect("buffer sized by the caller")
}

/// Fills `cols` (`[C·9, N·H·W]`, resized as needed) with the zero-padded 3×3 patches of `x`.
pub fn im2col(g: ConvGeometry, x: &[f32], cols: &mut Vec<f32>) {
    let (h, w, plane, columns) = (g.height, g.width, g.plane(), g.columns());
    cols.clear();
    cols.resize(g.patch() * columns, 0.0);
    for c in 0..g.inputs {
        for ky in 0..3 {
            for kx in 0..3 {
                let row = &mut cols[((c * 9) + ky * 3 + kx) * columns..][..columns];
                for n in 0..g.batch {
                    let src = &x[(n * g.inputs + c) * plane..][..plane];
                    let dst = &mut row[n * plane..][..plane];
                    for i in 0..h {
                        let Some(si) = (i + ky).checked_sub(1).filter(|&si| si < h) else {
                            continue;
                        };
                        for j in 0..w {
                            if let Some(sj) = (j + kx).checked_sub(1).filter(|&sj| sj < w) {
                                dst[i * w + j] = src[si * w + sj];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adds the columns back onto the image grid (the adjoint of [`im2col`]) into `dx` (overwritten).
fn col2im(g: ConvGeometry, dcols: &[f32], dx: &mut [f32]) {
    let (h, w, plane, columns) = (g.height, g.width, g.plane(), g.columns());
    dx.fill(0.0);
    for c in 0..g.inputs {
        for ky in 0..3 {
            for kx in 0..3 {
                let row = &dcols[((c * 9) + ky * 3 + kx) * columns..][..columns];
                for n in 0..g.batch {
                    let src = &row[n * plane..][..plane];
                    let dst = &mut dx[(n * g.inputs + c) * plane..][..plane];
                    for i in 0..h {
                        let Some(si) = (i + ky).checked_sub(1).filter(|&si| si < h) else {
                            continue;
                        };
                        for j in 0..w {
                            if let Some(sj) = (j + kx).checked_sub(1).filter(|&sj| sj < w) {
                                dst[si * w + sj] += src[i * w + j];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Forward convolution: `y[n,o] = b[o] + Σ W[o,c,·,·] ⋆ x[n,c]`. `cols` receives the im2col matrix
/// (kept for the weight gradient) and `scratch` is resized as needed.
pub fn conv_forward(
    g: ConvGeometry,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    cols: &mut Vec<f32>,
    scratch: &mut Vec<f32>,
    y: &mut [f32],
) {
    im2col(g, x, cols);
    let (plane, columns) = (g.plane(), g.columns());
    scratch.resize(g.outputs * columns, 0.0);
    general_mat_mul(
        1.0,
        &view(weight, g.outputs, g.patch()),
        &view(cols, g.patch(), columns),
        0.0,
        &mut view_mut(scratch, g.outputs, columns),
    );
    for n in 0..g.batch {
        for o in 0..g.outputs {
            let src = &scratch[o * columns + n * plane..][..plane];
            let dst = &mut y[(n * g.outputs + o) * plane..][..plane];
            for (d, s) in dst.iter_mut().zip(src) {
                *d = s + bias[o];
            }
        }
    }
}

/// Rearranges `dy` (`[N, O, H·W]`) into `[O, N·H·W]` (the GEMM layout of the output).
fn gather_output_grad(g: ConvGeometry, dy: &[f32], out: &mut Vec<f32>) {
    let (plane, columns) = (g.plane(), g.columns());
    out.resize(g.outputs * columns, 0.0);
    for n in 0..g.batch {
        for o in 0..g.outputs {
            out[o * columns + n * plane..][..plane]
                .copy_from_slice(&dy[(n * g.outputs + o) * plane..][..plane]);
        }
    }
}

/// Backward convolution. With `grads = Some((dw, db))` the weight and bias gradients are
/// **overwritten** from `cols` (the forward im2col); with `dx = Some(..)` the input gradient is
/// overwritten. Either may be skipped (attacks need only `dx`; the first layer needs no `dx`).
pub fn conv_backward(
    g: ConvGeometry,
    dy: &[f32],
    weight: &[f32],
    cols: &[f32],
    scratch: &mut Vec<f32>,
    grads: Option<(&mut [f32], &mut [f32])>,
    dx: Option<(&mut [f32], &mut Vec<f32>)>,
) {
    let columns = g.columns();
    gather_output_grad(g, dy, scratch);
    let dy2 = view(scratch, g.outputs, columns);
    if let Some((dw, db)) = grads {
        general_mat_mul(
            1.0,
            &dy2,
            &view(cols, g.patch(), columns).t(),
            0.0,
            &mut view_mut(dw, g.outputs, g.patch()),
        );
        for (o, row) in dy2.axis_iter(Axis(0)).enumerate() {
            db[o] = row.iter().sum();
        }
    }
    if let Some((dx, dcols)) = dx {
        dcols.resize(g.patch() * columns, 0.0);
        general_mat_mul(
            1.0,
            &view(weight, g.outputs, g.patch()).t(),
            &dy2,
            0.0,
            &mut view_mut(dcols, g.patch(), columns),
        );
        col2im(g, dcols, dx);
    }
}

/// Geometry of one linear layer over a batch: `x: [batch, inputs]`, `W: [outputs, inputs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearGeometry {
    /// Batch size.
    pub batch: usize,
    /// Input features.
    pub inputs: usize,
    /// Output features.
    pub outputs: usize,
}

/// Forward linear layer: `y = x Wᵀ + b`.
pub fn linear_forward(
    LinearGeometry { batch, inputs, outputs }: LinearGeometry,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    y: &mut [f32],
) {
    let mut out = view_mut(y, batch, outputs);
    general_mat_mul(
        1.0,
        &view(x, batch, inputs),
        &view(weight, outputs, inputs).t(),
        0.0,
        &mut out,
    );
    for mut row in out.axis_iter_mut(Axis(0)) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// Backward linear layer: `dW = dyᵀ x`, `db = Σₙ dy` (overwritten) and/or `dx = dy W`.
pub fn linear_backward(
    LinearGeometry { batch, inputs, outputs }: LinearGeometry,
    x: &[f32],
    dy: &[f32],
    weight: &[f32],
    grads: Option<(&mut [f32], &mut [f32])>,
    dx: Option<&mut [f32]>,
) {
    let dy2 = view(dy, batch, outputs);
    if let Some((dw, db)) = grads {
        general_mat_mul(
            1.0,
            &dy2.t(),
            &view(x, batch, inputs),
            0.0,
            &mut view_mut(dw, outputs, inputs),
        );
        db.fill(0.0);
        for row in dy2.axis_iter(Axis(0)) {
            for (d, v) in db.iter_mut().zip(row) {
                *d += v;
            }
        }
    }
    if let Some(dx) = dx {
        general_mat_mul(
            1.0,
            &dy2,
            &view(weight, outputs, inputs),
            0.0,
            &mut view_mut(dx, batch, inputs),
        );
    }
}
