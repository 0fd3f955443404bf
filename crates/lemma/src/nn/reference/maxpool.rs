//! Twins of `maxpool.wgsl`: 2×2 max-pooling (stride 2) forward with argmax, and backward.

use super::{ReferenceError, Result, expect_len};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::testing::{dot, finite_difference, random, worst};
    use crate::rng::Rng;

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
}
