//! The linear algebra of the estimators: the right singular vectors of a tall matrix from the
//! eigen-decomposition of its d×d Gram matrix (nalgebra's symmetric eigen-solver), singular-value
//! soft-thresholding, minimum-norm least squares (nalgebra's SVD), subspaces and the sine of the
//! principal angle. Matrices are row-major `&[f64]`; every product sums in a fixed order, so the
//! bits are the same natively and in wasm32 (nalgebra with `libm-force`, see the root
//! Cargo.toml).

use nalgebra::{DMatrix, DVector};

/// ZᵀZ (d×d, row-major) of the `rows`×`d` row-major `z`, accumulated row by row in order.
pub fn gram(z: &[f64], d: usize, out: &mut [f64]) {
    debug_assert_eq!(out.len(), d * d);
    out.fill(0.0);
    for row in z.chunks_exact(d) {
        for (i, zi) in row.iter().enumerate() {
            let line = &mut out[i * d + i..(i + 1) * d];
            for (g, zj) in line.iter_mut().zip(&row[i..]) {
                *g += zi * zj;
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            out[i * d + j] = out[j * d + i];
        }
    }
}

/// Singular values (descending) and right singular vectors of a matrix, from the eigenpairs of
/// its Gram matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// Singular values, largest first (√ of the eigenvalues, negative round-off taken as 0).
    pub values: Vec<f64>,
    /// d×d row-major: column c is the right singular vector of `values[c]`.
    pub vectors: Vec<f64>,
}

impl Spectrum {
    /// The eigenpairs of the symmetric d×d `g` (row-major) as a spectrum, sorted by decreasing
    /// eigenvalue (ties in the solver's order).
    pub fn of_gram(g: &[f64], d: usize) -> Self {
        let eig = DMatrix::from_row_slice(d, d, g).symmetric_eigen();
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|a, b| eig.eigenvalues[*b].total_cmp(&eig.eigenvalues[*a]));
        let values = order
            .iter()
            .map(|c| libm::sqrt(eig.eigenvalues[*c].max(0.0)))
            .collect();
        let mut vectors = vec![0.0; d * d];
        for (c, src) in order.iter().enumerate() {
            for i in 0..d {
                vectors[i * d + c] = eig.eigenvectors[(i, *src)];
            }
        }
        Self { values, vectors }
    }

    /// The spectrum of the `rows`×`d` row-major `z`.
    pub fn of(z: &[f64], d: usize) -> Self {
        let mut g = vec![0.0; d * d];
        gram(z, d, &mut g);
        Self::of_gram(&g, d)
    }

    /// The first `k` right singular vectors as a d×k row-major matrix.
    pub fn top(&self, k: usize) -> Vec<f64> {
        let d = self.values.len();
        let mut b = vec![0.0; d * k];
        for i in 0..d {
            b[i * k..(i + 1) * k].copy_from_slice(&self.vectors[i * d..i * d + k]);
        }
        b
    }
}

/// Singular-value soft-thresholding at `tau` of the `rows`×`d` row-major `z`:
/// `out` = U·diag((s − τ)₊)·Vᵀ = Z·V·diag(f)·Vᵀ with f = (s − τ)₊/s. Returns the spectrum of `z`
/// (the singular values of `out` are (s − τ)₊ on the same vectors). `scratch` holds 2·d²
/// values (the Gram matrix and V·diag(f)·Vᵀ).
pub fn soft_threshold(
    z: &[f64],
    d: usize,
    tau: f64,
    scratch: &mut [f64],
    out: &mut [f64],
) -> Spectrum {
    let (g, m) = scratch.split_at_mut(d * d);
    gram(z, d, g);
    let spectrum = Spectrum::of_gram(g, d);
    let f: Vec<f64> = spectrum
        .values
        .iter()
        .map(|s| if *s > tau { (s - tau) / s } else { 0.0 })
        .collect();
    let kept = f.iter().take_while(|f| **f > 0.0).count();
    // M = V·diag(f)·Vᵀ over the kept directions, summed in the order of the spectrum.
    let v = &spectrum.vectors;
    for i in 0..d {
        for j in 0..d {
            let mut s = 0.0;
            for (c, fc) in f[..kept].iter().enumerate() {
                s += v[i * d + c] * fc * v[j * d + c];
            }
            m[i * d + j] = s;
        }
    }
    for (row, o) in z.chunks_exact(d).zip(out.chunks_exact_mut(d)) {
        o.fill(0.0);
        for (i, zi) in row.iter().enumerate() {
            for (oj, mij) in o.iter_mut().zip(&m[i * d..(i + 1) * d]) {
                *oj += zi * mij;
            }
        }
    }
    spectrum
}

/// Number of singular values above `tau`: the rank after soft-thresholding.
pub fn rank_above(values: &[f64], tau: f64) -> usize {
    values.iter().filter(|s| **s > tau).count()
}

/// The minimum-norm least-squares solution of `a x = b` (`a` row-major `rows`×`cols`) from
/// nalgebra's SVD, singular values below ε·max(rows, cols)·s_max taken as zero (numpy's `lstsq`
/// default).
pub fn lstsq(a: &[f64], rows: usize, cols: usize, b: &[f64]) -> Vec<f64> {
    let svd = DMatrix::from_row_slice(rows, cols, a).svd(true, true);
    let s_max = svd.singular_values.iter().fold(0.0_f64, |m, s| m.max(*s));
    let eps = f64::EPSILON * rows.max(cols) as f64 * s_max;
    match svd.solve(&DVector::from_column_slice(b), eps) {
        Ok(x) => x.iter().copied().collect(),
        Err(_) => vec![0.0; cols],
    }
}

/// A·B of row-major `a` (`rows`×`inner`) and `b` (`inner`×`cols`), summed in order of `inner`.
pub fn matmul(a: &[f64], b: &[f64], inner: usize, cols: usize) -> Vec<f64> {
    let rows = a.len() / inner.max(1);
    let mut out = vec![0.0; rows * cols];
    for (arow, orow) in a.chunks_exact(inner).zip(out.chunks_exact_mut(cols)) {
        for (x, brow) in arow.iter().zip(b.chunks_exact(cols)) {
            for (o, y) in orow.iter_mut().zip(brow) {
                *o += x * y;
            }
        }
    }
    out
}

/// √(1 − σ_min(B*ᵀB̂)²), clipped at 0, for orthonormal d×k `bstar` and `bhat` (row-major).
pub fn sine(bstar: &[f64], bhat: &[f64], d: usize, k: usize) -> f64 {
    let mut m = vec![0.0; k * k];
    for i in 0..d {
        for a in 0..k {
            let x = bstar[i * k + a];
            for c in 0..k {
                m[a * k + c] += x * bhat[i * k + c];
            }
        }
    }
    let s = DMatrix::from_row_slice(k, k, &m).singular_values();
    let min = s.iter().fold(f64::INFINITY, |a, b| a.min(*b));
    libm::sqrt((1.0 - min * min).max(0.0))
}

/// Orthonormal columns spanning the d×k row-major `g` (the Q of nalgebra's QR).
pub fn orthonormal(g: &[f64], d: usize, k: usize) -> Vec<f64> {
    let q = DMatrix::from_row_slice(d, k, g).qr().q();
    let mut b = vec![0.0; d * k];
    for i in 0..d {
        for c in 0..k {
            b[i * k + c] = q[(i, c)];
        }
    }
    b
}

/// The largest eigenvalue of XᵀX for the row-major `rows`×`d` `x`, from the smaller of XXᵀ and
/// XᵀX.
pub fn lambda_max(x: &[f64], rows: usize, d: usize) -> f64 {
    let g = if rows < d {
        let mut g = vec![0.0; rows * rows];
        for (i, a) in x.chunks_exact(d).enumerate() {
            for (j, b) in x.chunks_exact(d).enumerate() {
                g[i * rows + j] = crate::linalg::dot(a, b);
            }
        }
        DMatrix::from_row_slice(rows, rows, &g)
    } else {
        let mut g = vec![0.0; d * d];
        gram(x, d, &mut g);
        DMatrix::from_row_slice(d, d, &g)
    };
    g.symmetric_eigenvalues()
        .iter()
        .fold(0.0_f64, |m, v| m.max(*v))
}

/// Per-task least squares inside the subspace `b` (d×k row-major): the k coefficients of each
/// task on its design `x` (`rows`×d) and labels `y`, then the task's parameter b·a.
pub fn adapt(x: &[f64], y: &[f64], b: &[f64], d: usize, k: usize) -> Vec<f64> {
    let rows = y.len();
    let xb = matmul(x, b, d, k);
    let a = lstsq(&xb, rows, k, y);
    matmul(b, &a, k, 1)
}

/// ‖a − b‖² summed in order.
pub fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += (x - y) * (x - y);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < tol, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn soft_threshold_of_a_two_by_two_by_hand() {
        // Z = R·diag(3, 1)·Qᵀ with R, Q rotations by 0.4 and 1.1 rad: τ = 2 leaves R·diag(1, 0)·Qᵀ,
        // a rank-one matrix r₁q₁ᵀ with r₁ = (cos 0.4, sin 0.4), q₁ = (cos 1.1, sin 1.1).
        let (c1, s1) = (libm::cos(0.4_f64), libm::sin(0.4_f64));
        let (c2, s2) = (libm::cos(1.1_f64), libm::sin(1.1_f64));
        let r = [c1, -s1, s1, c1];
        let q = [c2, -s2, s2, c2];
        let mut z = [0.0; 4];
        for i in 0..2 {
            for j in 0..2 {
                z[i * 2 + j] = 3.0 * r[i * 2] * q[j * 2] + r[i * 2 + 1] * q[j * 2 + 1];
            }
        }
        let (mut scratch, mut out) = ([0.0; 8], [0.0; 4]);
        let sp = soft_threshold(&z, 2, 2.0, &mut scratch, &mut out);
        close(&sp.values, &[3.0, 1.0], 1e-12);
        close(&out, &[c1 * c2, c1 * s2, s1 * c2, s1 * s2], 1e-12);
        assert_eq!(rank_above(&sp.values, 2.0), 1);
        // τ = 0.5: singular values 2.5 and 0.5 on the same vectors.
        soft_threshold(&z, 2, 0.5, &mut scratch, &mut out);
        assert_eq!(Spectrum::of(&out, 2).values.len(), 2);
        close(&Spectrum::of(&out, 2).values, &[2.5, 0.5], 1e-12);
        // Above every singular value: zero.
        soft_threshold(&z, 2, 3.5, &mut scratch, &mut out);
        assert_eq!(out, [0.0; 4]);
    }

    #[test]
    fn min_norm_least_squares_and_subspaces() {
        // One equation x₁ + x₂ = 2: the minimum-norm solution is (1, 1).
        close(&lstsq(&[1.0, 1.0], 1, 2, &[2.0]), &[1.0, 1.0], 1e-12);
        // Overdetermined: rows (1, 0), (0, 1), (1, 1) with y = (1, 2, 4): normal equations
        // [[2, 1], [1, 2]]x = (5, 6), x = (4/3, 7/3).
        let x = lstsq(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0], 3, 2, &[1.0, 2.0, 4.0]);
        close(&x, &[4.0 / 3.0, 7.0 / 3.0], 1e-12);
        // The sine between span(e₁) and span(cos φ·e₁ + sin φ·e₂) is sin φ.
        let b = orthonormal(&[2.0, 0.0, 0.0], 3, 1);
        close(
            &b.iter().map(|v| v.abs()).collect::<Vec<_>>(),
            &[1.0, 0.0, 0.0],
            1e-15,
        );
        let phi = 0.3_f64;
        let s = sine(&b, &[libm::cos(phi), libm::sin(phi), 0.0], 3, 1);
        assert!((s - libm::sin(phi)).abs() < 1e-12, "{s}");
        assert_eq!(sine(&b, &b, 3, 1), 0.0);
        // λ_max of XᵀX for X = [[1, 0, 0], [1, 1, 0]]: XXᵀ = [[1, 1], [1, 2]], (3 + √5)/2.
        let l = lambda_max(&[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], 2, 3);
        assert!((l - (3.0 + libm::sqrt(5.0)) / 2.0).abs() < 1e-12, "{l}");
        // adapt: y = X·(2e₁) fitted inside span(e₁) recovers 2e₁.
        let w = adapt(&[1.0, 3.0, 0.5, -1.0], &[2.0, 1.0], &[1.0, 0.0], 2, 1);
        close(&w, &[2.0, 0.0], 1e-12);
    }

    #[test]
    fn spectrum_sorts_and_gram_mirrors() {
        let z = [1.0, 2.0, 0.0, 3.0];
        let mut g = [0.0; 4];
        gram(&z, 2, &mut g);
        assert_eq!(g, [1.0, 2.0, 2.0, 13.0]);
        let sp = Spectrum::of(&z, 2);
        assert!(sp.values[0] > sp.values[1]);
        // Singular values of [[1, 2], [0, 3]]: s₁² + s₂² = 14, s₁s₂ = 3.
        let (a, b) = (sp.values[0], sp.values[1]);
        assert!((a * a + b * b - 14.0).abs() < 1e-12 && (a * b - 3.0).abs() < 1e-12);
        assert_eq!(matmul(&[1.0, 2.0], &[3.0, 4.0], 2, 1), vec![11.0]);
    }
}
