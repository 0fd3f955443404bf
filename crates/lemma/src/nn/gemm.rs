//! The CPU backend's heavy layers: 3×3 convolutions through im2col and linear layers, all three
//! passes (forward, backward-data, backward-weight) as GEMMs on `ndarray` (matrixmultiply, one
//! thread: [`crate::nn::net`] runs the two halves of a batch on two threads). The slow twins in [`crate::nn::reference`] define the maths;
//! these must agree with them to rounding.
//!
//! Convolutions run one image at a time, in the images' own `[C, H·W]` layout: `cols` holds the
//! `[C·9, H·W]` im2col matrix of each image in turn (`[N, C·9, H·W]`, kept for the weight
//! gradient), the forward pass is `Y_n = W · cols_n` with `W` viewed as `[O, C·9]`, written straight
//! into the `[N, O, H·W]` output on top of the bias, and the backward passes read the output
//! gradient in place. No pass permutes a whole batch, and each image's intermediates stay in cache.

use super::reference::{ConvDims, LinearDims};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

fn plane(g: ConvDims) -> usize {
    g.height * g.width
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

/// Writes the zero-padded 3×3 patches of one image `x` (`[C, H·W]`) into `cols` (`[C·9, H·W]`),
/// every entry exactly once (the padding as zeros).
fn im2col_image(g: ConvDims, x: &[f32], cols: &mut [f32]) {
    let (h, w, plane) = (g.height, g.width, plane(g));
    for c in 0..g.inputs {
        let src = &x[c * plane..][..plane];
        for ky in 0..3 {
            let (rows, dy) = valid(ky, h);
            for kx in 0..3 {
                let (inside, dx) = valid(kx, w);
                let dst = &mut cols[(c * 9 + ky * 3 + kx) * plane..][..plane];
                for i in 0..h {
                    let line = &mut dst[i * w..][..w];
                    if !rows.contains(&i) {
                        line.fill(0.0);
                        continue;
                    }
                    let from =
                        ((i as isize + dy) * w as isize + inside.start as isize + dx) as usize;
                    line[..inside.start].fill(0.0);
                    line[inside.clone()].copy_from_slice(&src[from..from + inside.len()]);
                    line[inside.end..].fill(0.0);
                }
            }
        }
    }
}

/// Adds one image's columns (`[C·9, H·W]`) back onto its grid (the adjoint of [`im2col_image`])
/// into `dx` (`[C, H·W]`, overwritten).
fn col2im_image(g: ConvDims, dcols: &[f32], dx: &mut [f32]) {
    let (h, w, plane) = (g.height, g.width, plane(g));
    dx.fill(0.0);
    for c in 0..g.inputs {
        let dst = &mut dx[c * plane..][..plane];
        for ky in 0..3 {
            let (rows, dy) = valid(ky, h);
            for kx in 0..3 {
                let (inside, shift) = valid(kx, w);
                let src = &dcols[(c * 9 + ky * 3 + kx) * plane..][..plane];
                for i in rows.clone() {
                    let to =
                        ((i as isize + dy) * w as isize + inside.start as isize + shift) as usize;
                    for (d, s) in dst[to..to + inside.len()]
                        .iter_mut()
                        .zip(&src[i * w + inside.start..i * w + inside.end])
                    {
                        *d += s;
                    }
                }
            }
        }
    }
}

/// Forward convolution: `y[n,o] = b[o] + Σ W[o,c,·,·] ⋆ x[n,c]`. `cols` receives the batch's
/// im2col matrices (`[N, C·9, H·W]`, kept for the weight gradient), resized as needed.
pub fn conv_forward(
    g: ConvDims,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    cols: &mut Vec<f32>,
    y: &mut [f32],
) {
    let (plane, patch) = (plane(g), patch(g));
    cols.resize(g.batch * patch * plane, 0.0);
    let w = view(weight, g.outputs, patch);
    for n in 0..g.batch {
        let image_cols = &mut cols[n * patch * plane..][..patch * plane];
        im2col_image(
            g,
            &x[n * g.inputs * plane..][..g.inputs * plane],
            image_cols,
        );
        let out = &mut y[n * g.outputs * plane..][..g.outputs * plane];
        for (row, &b) in out.chunks_exact_mut(plane).zip(bias) {
            row.fill(b);
        }
        general_mat_mul(
            1.0,
            &w,
            &view(image_cols, patch, plane),
            1.0,
            &mut view_mut(out, g.outputs, plane),
        );
    }
}

/// Backward convolution from the output gradient `dy` (`[N, O, H·W]`). With `grads = Some((dw,
/// db))` the weight and bias gradients are **overwritten** from `cols` (the forward im2col); with
/// `dx = Some((dx, dcols))` the input gradient is overwritten (`dcols` is one image's scratch).
/// Either may be skipped (attacks need only `dx`; the first layer needs no `dx`).
pub fn conv_backward(
    g: ConvDims,
    dy: &[f32],
    weight: &[f32],
    cols: &[f32],
    grads: Option<(&mut [f32], &mut [f32])>,
    dx: Option<(&mut [f32], &mut Vec<f32>)>,
) {
    let (plane, patch) = (plane(g), patch(g));
    let image_dy = |n: usize| {
        view(
            &dy[n * g.outputs * plane..][..g.outputs * plane],
            g.outputs,
            plane,
        )
    };
    if let Some((dw, db)) = grads {
        let mut dw = view_mut(dw, g.outputs, patch);
        for n in 0..g.batch {
            let image_cols = view(&cols[n * patch * plane..][..patch * plane], patch, plane);
            let beta = if n == 0 { 0.0 } else { 1.0 };
            general_mat_mul(1.0, &image_dy(n), &image_cols.t(), beta, &mut dw);
        }
        db.fill(0.0);
        for image in dy.chunks_exact(g.outputs * plane) {
            for (d, row) in db.iter_mut().zip(image.chunks_exact(plane)) {
                *d += row.iter().sum::<f32>();
            }
        }
    }
    if let Some((dx, dcols)) = dx {
        dcols.resize(patch * plane, 0.0);
        let wt = view(weight, g.outputs, patch).reversed_axes();
        for n in 0..g.batch {
            general_mat_mul(
                1.0,
                &wt,
                &image_dy(n),
                0.0,
                &mut view_mut(dcols, patch, plane),
            );
            col2im_image(
                g,
                dcols,
                &mut dx[n * g.inputs * plane..][..g.inputs * plane],
            );
        }
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
        for (batch, inputs, outputs, height, width) in [
            (2, 1, 4, 6, 5),
            (3, 5, 7, 4, 8),
            (1, 16, 8, 7, 7),
            (2, 3, 2, 1, 3),
            (1, 2, 3, 2, 1),
        ] {
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
            let (mut cols, mut dcols) = (Vec::new(), Vec::new());
            let mut y = vec![0f32; g.output_len()];
            conv_forward(g, &x, &w, &b, &mut cols, &mut y);
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
