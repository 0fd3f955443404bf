//! Twins of `linear.wgsl`: fully connected forward, backward-data and backward-weight/bias.

use super::split_sum::{GRADIENT_SPLIT, gradient_splits, sum_splits};
use super::{Result, expect_len};

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

/// Linear backward-weight `dW = dyᵀ·x` and `db = Σ_n dy`: `dw[o,i] = Σ_n dy[n,o]·x[n,i]`.
///
/// The batch is cut into splits of [`GRADIENT_SPLIT`] examples: each split's sums start at zero
/// in ascending `n`, and [`sum_splits`] adds the splits in order (the two passes of
/// `linear.wgsl`'s `backward_weight` and `split_sum.wgsl`).
pub fn linear_backward_weight(
    d: LinearDims,
    x: &[f32],
    dy: &[f32],
) -> Result<(Vec<f32>, Vec<f32>)> {
    expect_len("linear input", x, d.batch * d.inputs)?;
    expect_len("linear output gradient", dy, d.batch * d.outputs)?;
    let columns = d.inputs + 1;
    let splits = gradient_splits(d.batch);
    let mut partials = vec![0f32; splits * d.outputs * columns];
    for (split, block) in partials.chunks_mut(d.outputs * columns).enumerate() {
        let examples = split * GRADIENT_SPLIT..((split + 1) * GRADIENT_SPLIT).min(d.batch);
        for o in 0..d.outputs {
            let row = &mut block[o * columns..][..columns];
            for i in 0..d.inputs {
                let mut acc = 0f32;
                for n in examples.clone() {
                    acc += dy[n * d.outputs + o] * x[n * d.inputs + i];
                }
                row[i] = acc;
            }
            let mut acc = 0f32;
            for n in examples.clone() {
                acc += dy[n * d.outputs + o];
            }
            row[d.inputs] = acc;
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
    fn weight_gradients_sum_each_split_then_the_splits() {
        // One weight, 2·GRADIENT_SPLIT examples with dy = 1: x = 1 then 2⁻²⁴ everywhere else. In
        // one running sum every 2⁻²⁴ rounds away against the 1; summed per split, the second
        // split's add up to GRADIENT_SPLIT·2⁻²⁴ first and survive.
        let batch = 2 * GRADIENT_SPLIT;
        let d = LinearDims {
            batch,
            inputs: 1,
            outputs: 1,
        };
        let tiny = f32::EPSILON / 2.0;
        let mut x = vec![tiny; batch];
        x[0] = 1.0;
        let (dw, db) = linear_backward_weight(d, &x, &vec![1.0; batch]).unwrap();
        assert_eq!(dw, vec![1.0 + GRADIENT_SPLIT as f32 * tiny]);
        assert_eq!(db, vec![batch as f32]);
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
}
