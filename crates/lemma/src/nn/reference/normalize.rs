//! Twins of `normalize.wgsl`: pixel normalisation `2x − 1` and its backward.

/// Pixel normalisation forward `2x − 1` (i.e. `(x − 0.5)/0.5`).
pub fn normalize_forward(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| 2.0 * v - 1.0).collect()
}

/// Pixel normalisation backward `dx = 2·dy`.
pub fn normalize_backward(dy: &[f32]) -> Vec<f32> {
    dy.iter().map(|&g| 2.0 * g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::testing::{dot, finite_difference, worst};

    #[test]
    fn normalize_gradients() {
        let x = [-1.0f32, -0.05, 0.05, 0.7, 2.0, -3.0];
        let r = [0.3f32, -1.0, 2.0, 0.5, -0.25, 4.0];
        assert_eq!(normalize_forward(&[0., 0.5, 1.]), vec![-1., 0., 1.]);
        let dx = normalize_backward(&r);
        let num = finite_difference(&x, 0.25, |x| dot(&r, &normalize_forward(x)));
        assert!(worst(&dx, &num) < 1e-5);
    }
}
