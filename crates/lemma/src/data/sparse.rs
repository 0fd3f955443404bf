//! The sparse-regression generator of `common.md` §4, with its two ground-truth styles.
//!
//! X ∈ R^{n×d} with i.i.d. N(0, 1) entries (row-major draws), then X_test ∈ R^{n_test×d}, then β*.
//! * SAM-notebook style ([`Regression::generate`]): the first k entries of β* are |N(0, 1)| (the
//!   other d − k draws are discarded), rescaled to unit ℓ2 norm. The draws come either from the
//!   portable [`Rng`] or, for the notebook preset, from [`NumpyLegacy`] in the notebook's order.
//! * SGD-paper style ([`Regression::generate_signed`]): k distinct random coordinates set to
//!   ±1/√k, with optional feature anisotropy σ_j = exp(a·(j/d − 1/2)).
//!
//! Labels are noiseless: y = Xβ*.

use crate::linalg::{MIN_BLOCKED_ROWS, column_dots, dot, norm2};
use crate::rng::{NumpyLegacy, Rng};
use std::ops::Range;

/// A source of standard normal draws.
pub trait NormalSource {
    /// One standard normal draw.
    fn standard_normal(&mut self) -> f64;
}

impl NormalSource for Rng {
    fn standard_normal(&mut self) -> f64 {
        self.normal()
    }
}

impl NormalSource for NumpyLegacy {
    fn standard_normal(&mut self) -> f64 {
        NumpyLegacy::standard_normal(self)
    }
}

/// A noiseless sparse linear-regression problem with a held-out test set.
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    /// Number of training examples.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Training design, row-major `n × d`.
    pub x: Vec<f64>,
    /// Training labels.
    pub y: Vec<f64>,
    /// Test design, row-major `n_test × d`.
    pub x_test: Vec<f64>,
    /// Test labels.
    pub y_test: Vec<f64>,
    /// Ground truth.
    pub beta_star: Vec<f64>,
    /// `x` column-major (`d × n`), for products Xβ that vectorise over examples.
    x_columns: Vec<f64>,
    /// `x_test` column-major (`d × n_test`).
    x_test_columns: Vec<f64>,
}

/// The row-major `rows × d` matrix `x` stored column-major (`d × rows`).
fn columns_of(x: &[f64], d: usize) -> Vec<f64> {
    let rows = x.len() / d.max(1);
    let mut c = vec![0.0; x.len()];
    for (k, row) in x.chunks_exact(d.max(1)).enumerate() {
        for (j, v) in row.iter().enumerate() {
            c[j * rows + k] = *v;
        }
    }
    c
}

/// Half mean squared residual ‖Xβ − y‖²/(2·rows), with X column-major.
fn half_mse(x_columns: &[f64], y: &[f64], beta: &[f64]) -> f64 {
    let mut s = 0.0;
    column_dots(x_columns, y.len(), beta, 0..y.len(), |k, p| {
        let r = p - y[k];
        s += r * r;
    });
    s / (2.0 * y.len() as f64)
}

impl Regression {
    /// A problem from its designs (row-major, `d` columns), labels and ground truth.
    pub fn new(
        d: usize,
        x: Vec<f64>,
        y: Vec<f64>,
        x_test: Vec<f64>,
        y_test: Vec<f64>,
        beta_star: Vec<f64>,
    ) -> Self {
        Self {
            n: y.len(),
            d,
            x_columns: columns_of(&x, d),
            x_test_columns: columns_of(&x_test, d),
            x,
            y,
            x_test,
            y_test,
            beta_star,
        }
    }

    /// A problem with noiseless labels y = Xβ*, y_test = X_test β*.
    fn noiseless(d: usize, x: Vec<f64>, x_test: Vec<f64>, beta_star: Vec<f64>) -> Self {
        let labels = |columns: &[f64], rows: usize| {
            let mut y = Vec::with_capacity(rows);
            column_dots(columns, rows, &beta_star, 0..rows, |_, p| y.push(p));
            y
        };
        let (x_columns, x_test_columns) = (columns_of(&x, d), columns_of(&x_test, d));
        let (n, n_test) = (x.len() / d, x_test.len() / d);
        Self {
            n,
            d,
            y: labels(&x_columns, n),
            y_test: labels(&x_test_columns, n_test),
            x,
            x_test,
            x_columns,
            x_test_columns,
            beta_star,
        }
    }

    /// The products (Xβ)_k for the training examples k in `rows`, in order: `f(k, (Xβ)_k)`, each
    /// summed over the coordinates left to right (the bits of `linalg::dot` on row k).
    pub fn predictions(&self, beta: &[f64], rows: Range<usize>, mut f: impl FnMut(usize, f64)) {
        if rows.len() < MIN_BLOCKED_ROWS {
            // A handful of rows (1-SAM's groups): one dot per row is cheaper than blocking.
            for k in rows {
                f(k, dot(self.row(k), beta));
            }
        } else {
            column_dots(&self.x_columns, self.n, beta, rows, f);
        }
    }

    /// Draws a problem: X, then X_test, then d normals for β* (first k kept, absolute, unit norm).
    pub fn generate(
        source: &mut impl NormalSource,
        n: usize,
        d: usize,
        k: usize,
        n_test: usize,
    ) -> Self {
        let mut draw =
            |count: usize| -> Vec<f64> { (0..count).map(|_| source.standard_normal()).collect() };
        let x = draw(n * d);
        let x_test = draw(n_test * d);
        let mut beta_star = draw(d);
        for (j, b) in beta_star.iter_mut().enumerate() {
            *b = if j < k { b.abs() } else { 0.0 };
        }
        let norm = norm2(&beta_star);
        if norm > 0.0 {
            for b in &mut beta_star {
                *b /= norm;
            }
        }
        Self::noiseless(d, x, x_test, beta_star)
    }

    /// SGD-paper style: X and X_test with feature j scaled by exp(a·(j/d − 1/2)), then k distinct
    /// coordinates (partial Fisher–Yates) with random signs, β*_j = ±1/√k.
    pub fn generate_signed(
        rng: &mut Rng,
        n: usize,
        d: usize,
        k: usize,
        n_test: usize,
        anisotropy: f64,
    ) -> Self {
        let scale: Vec<f64> = (0..d)
            .map(|j| libm::exp(anisotropy * (j as f64 / d as f64 - 0.5)))
            .collect();
        let mut draw = |rows: usize| -> Vec<f64> {
            (0..rows * d).map(|i| rng.normal() * scale[i % d]).collect()
        };
        let x = draw(n);
        let x_test = draw(n_test);
        let mut coords: Vec<usize> = (0..d).collect();
        let mut beta_star = vec![0.0; d];
        let magnitude = 1.0 / libm::sqrt(k as f64);
        for i in 0..k.min(d) {
            let pick = i + rng.below((d - i) as u64) as usize;
            coords.swap(i, pick);
            let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
            beta_star[coords[i]] = sign * magnitude;
        }
        Self::noiseless(d, x, x_test, beta_star)
    }

    /// diag(XᵀX/n): the per-feature second moment of the training design.
    pub fn feature_second_moments(&self) -> Vec<f64> {
        let mut m = vec![0.0; self.d];
        for row in self.x.chunks_exact(self.d) {
            for (mj, xj) in m.iter_mut().zip(row) {
                *mj += xj * xj;
            }
        }
        m.iter().map(|v| v / self.n as f64).collect()
    }

    /// Training row `k`.
    pub fn row(&self, k: usize) -> &[f64] {
        &self.x[k * self.d..(k + 1) * self.d]
    }

    /// Training loss ‖Xβ − y‖²/(2n).
    pub fn train_loss(&self, beta: &[f64]) -> f64 {
        half_mse(&self.x_columns, &self.y, beta)
    }

    /// Test loss ‖X_test β − y_test‖²/(2 n_test) (the SAM notebook's metric).
    pub fn test_loss(&self, beta: &[f64]) -> f64 {
        half_mse(&self.x_test_columns, &self.y_test, beta)
    }

    /// Test error ‖β − β*‖² (the SGD paper's metric).
    pub fn test_error(&self, beta: &[f64]) -> f64 {
        beta.iter()
            .zip(&self.beta_star)
            .fold(0.0, |s, (b, t)| s + (b - t) * (b - t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_draw_order_and_ground_truth() {
        let data = Regression::generate(&mut NumpyLegacy::new(0), 2, 3, 1, 1);
        // np.random.seed(0); randn(…) starts 1.764052345967664, 0.4001572083672233, …: the first
        // two rows of X are the first six draws, row-major.
        assert_eq!(data.x[0], 1.764_052_345_967_664);
        assert_eq!(data.x[1], 0.400_157_208_367_223_3);
        // β*: only the first coordinate is kept, so it normalises to exactly 1.
        assert_eq!(data.beta_star, vec![1.0, 0.0, 0.0]);
        assert_eq!(data.y, vec![data.x[0], data.x[3]]);
        assert_eq!(data.train_loss(&data.beta_star), 0.0);
        assert_eq!(data.test_error(&[0.0, 0.0, 0.0]), 1.0);
    }

    #[test]
    fn hand_checked_losses() {
        let data = Regression::new(
            2,
            vec![1.0, 0.0, 0.0, 2.0],
            vec![1.0, 2.0],
            vec![1.0, 1.0],
            vec![2.0],
            vec![1.0, 1.0],
        );
        // β = 0: residuals (−1, −2): (1 + 4)/(2·2) = 1.25; test (−2)²/2 = 2.
        assert_eq!(data.train_loss(&[0.0, 0.0]), 1.25);
        assert_eq!(data.test_loss(&[0.0, 0.0]), 2.0);
    }

    #[test]
    fn signed_generator_has_k_entries_of_magnitude_one_over_root_k() {
        let data = Regression::generate_signed(&mut Rng::new(4), 40, 100, 5, 0, 0.0);
        let support: Vec<f64> = data
            .beta_star
            .iter()
            .copied()
            .filter(|b| *b != 0.0)
            .collect();
        assert_eq!(support.len(), 5);
        assert!(
            support
                .iter()
                .all(|b| (b.abs() - 1.0 / 5f64.sqrt()).abs() < 1e-15)
        );
        assert!((norm2(&data.beta_star) - 1.0).abs() < 1e-15);
        assert!(data.x_test.is_empty());
        // Anisotropy a = 2 scales the last feature by e^{2(99/100 − 1/2)} ≈ 2.66 and the first by e^{−1}.
        let aniso = Regression::generate_signed(&mut Rng::new(4), 2000, 4, 1, 0, 2.0);
        let m = aniso.feature_second_moments();
        assert!((m[0] / (-1.0f64).exp().powi(2) - 1.0).abs() < 0.1, "{m:?}");
        assert!(
            (m[3] / (2.0f64 * 0.25).exp().powi(2) - 1.0).abs() < 0.1,
            "{m:?}"
        );
    }

    #[test]
    fn portable_generator_is_unit_norm_and_sparse() {
        let data = Regression::generate(&mut Rng::new(3), 20, 30, 3, 50);
        assert!((norm2(&data.beta_star) - 1.0).abs() < 1e-15);
        assert!(data.beta_star[..3].iter().all(|b| *b > 0.0));
        assert!(data.beta_star[3..].iter().all(|b| *b == 0.0));
        assert_eq!(data.x.len(), 600);
        assert_eq!(data.y_test.len(), 50);
    }
}
