//! Twin of `sum_squares.wgsl`: the sum of squares of a vector (the SAM gradient norm²).

/// Sum of squares `Σ v_i²`. Unlike the kernels' twins this accumulates in **`f64`** (ascending `i`)
/// and rounds once: it is the accurate value that the GPU's two-stage `f32` reduction, whose order
/// differs by design, is compared against.
pub fn sum_of_squares(v: &[f32]) -> f32 {
    v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_of_squares_by_hand() {
        assert_eq!(sum_of_squares(&[3.0, 4.0]), 25.0);
    }
}
