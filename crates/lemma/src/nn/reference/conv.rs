//! Twins of `conv.wgsl`: 3×3 convolution (stride 1, zero padding 1) forward, backward-data and
//! backward-weight/bias.

use super::split_sum::{GRADIENT_SPLIT, gradient_splits, sum_splits};
use super::{Result, expect_len};

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
/// The batch is cut into splits of [`GRADIENT_SPLIT`] examples: each split's sums start at zero
/// and add the terms with `n` outermost and `j` innermost, and [`sum_splits`] adds the splits in
/// order (the two passes of `conv.wgsl`'s `backward_weight` and `split_sum.wgsl`).
pub fn conv3x3_backward_weight(d: ConvDims, x: &[f32], dy: &[f32]) -> Result<(Vec<f32>, Vec<f32>)> {
    expect_len("conv input", x, d.input_len())?;
    expect_len("conv output gradient", dy, d.output_len())?;
    let (hw, h, wd) = (d.height * d.width, d.height, d.width);
    let columns = d.inputs * 9 + 1;
    let splits = gradient_splits(d.batch);
    let mut partials = vec![0f32; splits * d.outputs * columns];
    for (split, block) in partials.chunks_mut(d.outputs * columns).enumerate() {
        let examples = split * GRADIENT_SPLIT..((split + 1) * GRADIENT_SPLIT).min(d.batch);
        for o in 0..d.outputs {
            let row = &mut block[o * columns..][..columns];
            for c in 0..d.inputs {
                for ky in 0..3 {
                    for kx in 0..3 {
                        let mut acc = 0f32;
                        for n in examples.clone() {
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
                        row[c * 9 + ky * 3 + kx] = acc;
                    }
                }
            }
            let mut acc = 0f32;
            for n in examples.clone() {
                for &g in &dy[(n * d.outputs + o) * hw..][..hw] {
                    acc += g;
                }
            }
            row[columns - 1] = acc;
        }
    }
    sum_splits(&partials, splits, d.outputs, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::testing::{dot, finite_difference, random, worst};
    use crate::rng::Rng;

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
}
