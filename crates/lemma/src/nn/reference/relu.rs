//! Twins of `relu.wgsl`: ReLU forward and backward (from the forward output).

use super::{Result, expect_len};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::testing::{dot, finite_difference, worst};

    #[test]
    fn relu_gradients() {
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
    }
}
