//! Thin helpers over `nalgebra`: decompositions are never hand-rolled here, and small dot products
//! use a fixed summation order so traces are bit-identical natively and in wasm32.

use nalgebra::{DMatrix, DVector};

/// Dot product summed strictly left to right (no SIMD reassociation, no FMA).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

/// Euclidean norm with the fixed-order [`dot`].
pub fn norm2(a: &[f64]) -> f64 {
    libm::sqrt(dot(a, a))
}

/// ℓ1 norm summed left to right.
pub fn norm1(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |s, x| s + x.abs())
}

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major, `n × n`) by Cholesky.
/// Returns `None` when `A` is not numerically positive definite.
pub fn cholesky_solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let chol = DMatrix::from_row_slice(n, n, a).cholesky()?;
    let x = chol.solve(&DVector::from_column_slice(b));
    Some(x.iter().copied().collect())
}

/// Median of the finite values (average of the middle two for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_norms_and_median() {
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, -5.0, 6.0]), 12.0);
        assert_eq!(norm2(&[3.0, 4.0]), 5.0);
        assert_eq!(norm1(&[3.0, -4.0]), 7.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN]), None);
    }

    #[test]
    fn cholesky_solves_spd_and_rejects_indefinite() {
        // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0].
        let x = cholesky_solve(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15, "{x:?}");
        assert!(cholesky_solve(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0]).is_none());
    }
}
