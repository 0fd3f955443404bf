//! The hyperbolic-entropy interpolator solver (`common.md` §5).
//!
//! Minimises φ_κ(β) = Σ_i [β_i·arcsinh(β_i/κ_i) − √(β_i² + κ_i²) + κ_i] subject to Xβ = y through
//! its dual D(λ) = Σ_i κ_i cosh((Xᵀλ)_i) − yᵀλ, whose minimiser gives β = κ ⊙ sinh(Xᵀλ). Damped
//! Newton with Armijo backtracking; the n×n Newton system is solved by Cholesky.

use crate::linalg::{cholesky_solve, dot, norm2};

/// Why the solver stopped without an interpolator.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// Some κ_i is not strictly positive: the potential is undefined.
    #[error("κ must be positive in every coordinate (coordinate {0} is {1})")]
    NonPositiveKappa(usize, f64),
    /// The Newton system was not positive definite or the line search failed.
    #[error("Newton step failed at iteration {0}")]
    Breakdown(usize),
    /// The iteration budget ran out.
    #[error("no convergence after {0} Newton iterations (residual {1:e})")]
    NoConvergence(usize, f64),
}

/// Solution of the interpolation problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpolator {
    /// argmin φ_κ subject to Xβ = y.
    pub beta: Vec<f64>,
    /// Final ‖Xβ − y‖.
    pub residual: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

struct Dual<'a> {
    x: &'a [f64],
    y: &'a [f64],
    kappa: &'a [f64],
    n: usize,
    d: usize,
}

impl Dual<'_> {
    /// Xᵀλ.
    fn xt(&self, lambda: &[f64]) -> Vec<f64> {
        let mut z = vec![0.0; self.d];
        for (k, l) in lambda.iter().enumerate() {
            for (zj, xj) in z.iter_mut().zip(&self.x[k * self.d..(k + 1) * self.d]) {
                *zj += l * xj;
            }
        }
        z
    }

    fn value(&self, z: &[f64], lambda: &[f64]) -> f64 {
        let s = z
            .iter()
            .zip(self.kappa)
            .fold(0.0, |s, (zj, kj)| s + kj * libm::cosh(*zj));
        s - dot(self.y, lambda)
    }

    fn beta(&self, z: &[f64]) -> Vec<f64> {
        z.iter()
            .zip(self.kappa)
            .map(|(zj, kj)| kj * libm::sinh(*zj))
            .collect()
    }

    /// Xβ − y.
    fn gradient(&self, beta: &[f64]) -> Vec<f64> {
        (0..self.n)
            .map(|k| dot(&self.x[k * self.d..(k + 1) * self.d], beta) - self.y[k])
            .collect()
    }
}

/// Solves min φ_κ(β) s.t. Xβ = y for row-major `x` (`n × d`), to ‖Xβ − y‖ < 1e-12·(1 + ‖y‖).
pub fn hyperbolic_interpolator(
    x: &[f64],
    y: &[f64],
    kappa: &[f64],
) -> Result<Interpolator, SolverError> {
    const MAX_ITER: usize = 500;
    let (n, d) = (y.len(), kappa.len());
    if let Some((i, k)) = kappa
        .iter()
        .enumerate()
        .find(|(_, k)| k.is_nan() || **k <= 0.0)
    {
        return Err(SolverError::NonPositiveKappa(i, *k));
    }
    let dual = Dual { x, y, kappa, n, d };
    let tol = 1e-12 * (1.0 + norm2(y));
    let mut lambda = vec![0.0; n];
    let mut z = dual.xt(&lambda);
    let mut value = dual.value(&z, &lambda);
    for it in 0..MAX_ITER {
        let beta = dual.beta(&z);
        let grad = dual.gradient(&beta);
        let res = norm2(&grad);
        if res < tol {
            return Ok(Interpolator {
                beta,
                residual: res,
                iterations: it,
            });
        }
        // Hessian H = X diag(κ cosh z) Xᵀ.
        let w: Vec<f64> = z
            .iter()
            .zip(kappa)
            .map(|(zj, kj)| kj * libm::cosh(*zj))
            .collect();
        let mut h = vec![0.0; n * n];
        for a in 0..n {
            let xa = &x[a * d..(a + 1) * d];
            for b in a..n {
                let xb = &x[b * d..(b + 1) * d];
                let mut s = 0.0;
                for j in 0..d {
                    s += xa[j] * w[j] * xb[j];
                }
                h[a * n + b] = s;
                h[b * n + a] = s;
            }
        }
        let step = cholesky_solve(&h, &grad).ok_or(SolverError::Breakdown(it))?;
        let decrement = dot(&grad, &step);
        if decrement <= 1e-12 * (1.0 + value.abs()) {
            // Close to the optimum the Armijo test is below the rounding of D(λ): take the pure
            // Newton step, which converges quadratically there.
            lambda.iter_mut().zip(&step).for_each(|(l, s)| *l -= s);
            z = dual.xt(&lambda);
            value = dual.value(&z, &lambda);
            continue;
        }
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = lambda.iter().zip(&step).map(|(l, s)| l - t * s).collect();
            let zt = dual.xt(&trial);
            let vt = dual.value(&zt, &trial);
            if vt.is_finite() && vt <= value - 1e-4 * t * decrement {
                lambda = trial;
                z = zt;
                value = vt;
                break;
            }
            t *= 0.5;
            if t < 1e-20 {
                // At machine precision the Armijo test can fail although the point is optimal.
                let res = norm2(&dual.gradient(&dual.beta(&z)));
                return Err(if res < 1e-9 * (1.0 + norm2(y)) {
                    SolverError::NoConvergence(it, res)
                } else {
                    SolverError::Breakdown(it)
                });
            }
        }
    }
    let res = norm2(&dual.gradient(&dual.beta(&z)));
    Err(SolverError::NoConvergence(MAX_ITER, res))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::sparse::Regression;
    use crate::linalg::norm1;
    use crate::rng::Rng;

    #[test]
    fn single_constraint_closed_form() {
        // One equation x·β = y with x = (1, 1), κ = (1, 1): by symmetry β = (y/2, y/2).
        let sol = hyperbolic_interpolator(&[1.0, 1.0], &[3.0], &[1.0, 1.0]).unwrap();
        assert!((sol.beta[0] - 1.5).abs() < 1e-12 && (sol.beta[1] - 1.5).abs() < 1e-12);
        // Unequal κ: β = κ sinh(λ) with κ = (1, 2) and sinh(λ)·3 = 3 ⇒ β = (1, 2).
        let sol = hyperbolic_interpolator(&[1.0, 1.0], &[3.0], &[1.0, 2.0]).unwrap();
        assert!((sol.beta[0] - 1.0).abs() < 1e-12 && (sol.beta[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn small_kappa_recovers_sparse_truth_and_large_kappa_min_l2() {
        let data = Regression::generate(&mut Rng::new(5), 40, 100, 5, 1);
        let small = hyperbolic_interpolator(&data.x, &data.y, &vec![2e-12; 100]).unwrap();
        assert!(small.residual < 1e-10);
        assert!(
            data.test_error(&small.beta) < 1e-8,
            "{}",
            data.test_error(&small.beta)
        );
        assert!((norm1(&small.beta) - norm1(&data.beta_star)).abs() < 1e-6);
        // κ → ∞: the minimum-ℓ2 interpolator has a larger ℓ1 norm than β*.
        let large = hyperbolic_interpolator(&data.x, &data.y, &vec![1e3; 100]).unwrap();
        assert!(norm1(&large.beta) > 1.2 * norm1(&data.beta_star));
    }

    #[test]
    fn rejects_non_positive_kappa() {
        assert_eq!(
            hyperbolic_interpolator(&[1.0], &[1.0], &[0.0]),
            Err(SolverError::NonPositiveKappa(0, 0.0))
        );
    }
}
