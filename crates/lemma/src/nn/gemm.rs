//! The CPU backend's heavy layers: 3×3 convolutions through im2col and linear layers, all three
//! passes (forward, backward-data, backward-weight) as GEMMs on `ndarray` (matrixmultiply; two
//! threads natively, one in wasm). The slow twins in [`crate::nn::reference`] define the maths;
//! these must agree with them to rounding.
//!
//! Convolutions are batched into one GEMM per pass: `cols` is the `[C·9, N·H·W]` im2col matrix of the
//! whole batch, so the forward pass is `Y = W · cols` with `W` viewed as `[O, C·9]`.

use super::reference::{ConvDims, LinearDims};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

fn plane(g: ConvDims) -> usize {
    g.height * g.width
}

fn columns(g: ConvDims) -> usize {
    g.batch * plane(g)
}

fn patch(g: ConvDims) -> usize {
    g.inputs * 9
}

fn view(data: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), data).expect("buffer sized by the caller")
}

fn view_mut(data: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), data).expect("buffer sized by the caller")
}

/// For a tap offset `k` ∈ {0, 1, 2} (pad 1) along an axis of length `n`: the output positions
/// whose input `p + k − 1` lies inside, as a range, and the shift from output to input position.
fn valid(k: usize, n: usize) -> (std::ops::Range<usize>, isize) {
    let start = 1usize.saturating_sub(k);
    let end = (n + 1).saturating_sub(k).min(n);
    (start..end.max(start), k as isize - 1)
}

/// Fills `cols` (`[C·9, N·H·W]`, resized as needed) with the zero-padded 3×3 patches of `x`.
pub fn im2col(g: ConvDims, x: &[f32], cols: &mut Vec<f32>) {
    let (h, w, plane, columns) = (g.height, g.width, plane(g), columns(g));
    cols.clear();
    cols.resize(patch(g) * columns, 0.0);
    for c in 0..g.inputs {
        for ky in 0..3 {
            let (rows, dy) = valid(ky, h);
            for kx in 0..3 {
                let (cols_in, dx) = valid(kx, w);
                let row = &mut cols[((c * 9) + ky * 3 + kx) * columns..][..columns];
                for n in 0..g.batch {
                    let src = &x[(n * g.inputs + c) * plane..][..plane];
                    let dst = &mut row[n * plane..][..plane];
                    for i in rows.clone() {
                        let si = (i as isize + dy) as usize;
                        let from = (si * w) as isize + cols_in.start as isize + dx;
                        dst[i * w + cols_in.start..i * w + cols_in.end]
                            .copy_from_slice(&src[from as usize..from as usize + cols_in.len()]);
                    }
                }
            }
        }
    }
}

/// Adds the columns back onto the image grid (the adjoint of [`im2col`]) into `dx` (overwritten).
fn col2im(g: ConvDims, dcols: &[f32], dx: &mut [f32]) {
    let (h, w, plane, columns) = (g.height, g.width, plane(g), columns(g));
    dx.fill(0.0);
    for c in 0..g.inputs {
        for ky in 0..3 {
            let (rows, dy) = valid(ky, h);
            for kx in 0..3 {
                let (cols_in, dx_shift) = valid(kx, w);
                let row = &dcols[((c * 9) + ky * 3 + kx) * columns..][..columns];
                for n in 0..g.batch {
                    let src = &row[n * plane..][..plane];
                    let dst = &mut dx[(n * g.inputs + c) * plane..][..plane];
                    for i in rows.clone() {
                        let si = (i as isize + dy) as usize;
                        let to = ((si * w) as isize + cols_in.start as isize + dx_shift) as usize;
                        for (d, s) in dst[to..to + cols_in.len()]
                            .iter_mut()
                            .zip(&src[i * w + cols_in.start..i * w + cols_in.end])
                        {
                            *d += s;
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
    g: ConvDims,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    cols: &mut Vec<f32>,
    scratch: &mut Vec<f32>,
    y: &mut [f32],
) {
    im2col(g, x, cols);
    let (plane, columns) = (plane(g), columns(g));
    scratch.resize(g.outputs * columns, 0.0);
    general_mat_mul(
        1.0,
        &view(weight, g.outputs, patch(g)),
        &view(cols, patch(g), columns),
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
fn gather_output_grad(g: ConvDims, dy: &[f32], out: &mut Vec<f32>) {
    let (plane, columns) = (plane(g), columns(g));
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
    g: ConvDims,
    dy: &[f32],
    weight: &[f32],
    cols: &[f32],
    scratch: &mut Vec<f32>,
    grads: Option<(&mut [f32], &mut [f32])>,
    dx: Option<(&mut [f32], &mut Vec<f32>)>,
) {
    let columns = columns(g);
    gather_output_grad(g, dy, scratch);
    let dy2 = view(scratch, g.outputs, columns);
    if let Some((dw, db)) = grads {
        general_mat_mul(
            1.0,
            &dy2,
            &view(cols, patch(g), columns).t(),
            0.0,
            &mut view_mut(dw, g.outputs, patch(g)),
        );
        for (o, row) in dy2.axis_iter(Axis(0)).enumerate() {
            db[o] = row.iter().sum();
        }
    }
    if let Some((dx, dcols)) = dx {
        dcols.resize(patch(g) * columns, 0.0);
        general_mat_mul(
            1.0,
            &view(weight, g.outputs, patch(g)).t(),
            &dy2,
            0.0,
            &mut view_mut(dcols, patch(g), columns),
        );
        col2im(g, dcols, dx);
    }
}

/// Forward linear layer: `y = x Wᵀ + b`.
pub fn linear_forward(
    LinearDims {
        batch,
        inputs,
        outputs,
    }: LinearDims,
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
    LinearDims {
        batch,
        inputs,
        outputs,
    }: LinearDims,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference as twin;
    use crate::rng::Rng;

    fn random(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.normal() as f32).collect()
    }

    /// Largest |a − b| relative to the largest |b| (the output scale).
    fn scaled_diff(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        let scale = b.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
        a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
    }

    const TOLERANCE: f32 = 1e-5;

    #[test]
    fn convolution_passes_match_the_reference_twins() {
        let mut rng = Rng::new(11);
        for (batch, inputs, outputs, height, width) in
            [(2, 1, 4, 6, 5), (3, 5, 7, 4, 8), (1, 16, 8, 7, 7)]
        {
            let g = ConvDims {
                batch,
                inputs,
                outputs,
                height,
                width,
            };
            let x = random(&mut rng, g.input_len());
            let w = random(&mut rng, g.weight_len());
            let b = random(&mut rng, outputs);
            let dy = random(&mut rng, g.output_len());
            let (mut cols, mut scratch, mut dcols) = (Vec::new(), Vec::new(), Vec::new());
            let mut y = vec![0f32; g.output_len()];
            conv_forward(g, &x, &w, &b, &mut cols, &mut scratch, &mut y);
            assert!(scaled_diff(&y, &twin::conv3x3_forward(g, &x, &w, &b).unwrap()) < TOLERANCE);
            let (mut dw, mut db, mut dx) = (
                vec![0f32; w.len()],
                vec![0f32; outputs],
                vec![0f32; x.len()],
            );
            conv_backward(
                g,
                &dy,
                &w,
                &cols,
                &mut scratch,
                Some((&mut dw, &mut db)),
                Some((&mut dx, &mut dcols)),
            );
            let (tw, tb) = twin::conv3x3_backward_weight(g, &x, &dy).unwrap();
            assert!(
                scaled_diff(&dw, &tw) < TOLERANCE,
                "dw {}",
                scaled_diff(&dw, &tw)
            );
            assert!(scaled_diff(&db, &tb) < TOLERANCE);
            assert!(
                scaled_diff(&dx, &twin::conv3x3_backward_data(g, &dy, &w).unwrap()) < TOLERANCE
            );
        }
    }

    #[test]
    fn linear_passes_match_the_reference_twins() {
        let mut rng = Rng::new(12);
        for (batch, inputs, outputs) in [(1, 3, 2), (5, 17, 9), (8, 64, 10)] {
            let g = LinearDims {
                batch,
                inputs,
                outputs,
            };
            let x = random(&mut rng, batch * inputs);
            let w = random(&mut rng, outputs * inputs);
            let b = random(&mut rng, outputs);
            let dy = random(&mut rng, batch * outputs);
            let mut y = vec![0f32; batch * outputs];
            linear_forward(g, &x, &w, &b, &mut y);
            assert!(scaled_diff(&y, &twin::linear_forward(g, &x, &w, &b).unwrap()) < TOLERANCE);
            let (mut dw, mut db, mut dx) = (
                vec![0f32; w.len()],
                vec![0f32; outputs],
                vec![0f32; x.len()],
            );
            linear_backward(g, &x, &dy, &w, Some((&mut dw, &mut db)), Some(&mut dx));
            let (tw, tb) = twin::linear_backward_weight(g, &x, &dy).unwrap();
            assert!(scaled_diff(&dw, &tw) < TOLERANCE && scaled_diff(&db, &tb) < TOLERANCE);
            assert!(scaled_diff(&dx, &twin::linear_backward_data(g, &dy, &w).unwrap()) < TOLERANCE);
        }
    }
}
