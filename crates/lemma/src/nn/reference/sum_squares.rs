//! Twin of `sum_squares.wgsl`: the sum of squares of a vector (the SAM gradient norm²).

/// Sum of squares `Σ v_i²`. Unlike the kernels' twins this accumulates in **`f64`** (ascending `i`),
/// so the result does not depend on blocking: rounded to `f32` it is the accurate value that the
/// GPU's two-stage `f32` reduction, whose order differs by design, is compared against (and the
/// `sum_sq` the reference SAM step hands [`super::sam_perturb`]); the CPU trainer uses it unrounded
/// ([`crate::nn::train::sam_scale`]).
pub fn sum_of_squares(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_of_squares_by_hand() {
        assert_eq!(sum_of_squares(&[3.0, 4.0]), 25.0);
    }
}
