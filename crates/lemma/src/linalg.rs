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

/// Rows per block in [`column_dots`]: eight running sums, four 128-bit registers.
const BLOCK: usize = 8;

/// Below this many rows a plain row-by-row loop beats [`column_dots`]' per-call and per-column
/// set-up (measured on 1-SAM's one-row groups); callers with the row-major data switch at it.
pub const MIN_BLOCKED_ROWS: usize = 4;

/// Calls `f(k, (Av)_k)` for every row `k` in `rows`, in order, where `A` has `rows_total` rows
/// and is stored column-major (`columns[j · rows_total + k]` is entry (k, j)). Each entry is
/// summed over the columns left to right, exactly as [`dot`] sums row k (so the bits are those
/// of row-by-row `dot`); the eight sums of a block of rows advance together, one column at a
/// time, in registers, as multiply-adds that both targets vectorise.
pub fn column_dots(
    columns: &[f64],
    rows_total: usize,
    v: &[f64],
    rows: std::ops::Range<usize>,
    mut f: impl FnMut(usize, f64),
) {
    debug_assert_eq!(columns.len(), rows_total * v.len());
    let mut start = rows.start;
    while start + BLOCK <= rows.end {
        let mut sums = [0.0; BLOCK];
        for (j, vj) in v.iter().enumerate() {
            let column: &[f64; BLOCK] = columns[j * rows_total + start..][..BLOCK]
                .try_into()
                .expect("a block of BLOCK rows");
            for (s, x) in sums.iter_mut().zip(column) {
                *s += x * vj;
            }
        }
        for (i, s) in sums.into_iter().enumerate() {
            f(start + i, s);
        }
        start += BLOCK;
    }
    // The last rows (fewer than a block): still one column at a time, so their sums advance
    // together instead of one chain per row.
    let len = rows.end.saturating_sub(start);
    if len > 0 {
        let mut sums = [0.0; BLOCK];
        for (j, vj) in v.iter().enumerate() {
            let column = &columns[j * rows_total + start..][..len];
            for (s, x) in sums.iter_mut().zip(column) {
                *s += x * vj;
            }
        }
        for (i, s) in sums[..len].iter().enumerate() {
            f(start + i, *s);
        }
    }
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
    fn column_dots_are_bitwise_the_row_by_row_dots() {
        // 70 rows of five (a full block of 64 and a partial one), values whose sums round
        // differently in different orders, so any change of order would show in the bits.
        let (rows, d) = (70, 5);
        let matrix: Vec<f64> = (0..rows * d)
            .map(|i| libm::sin(i as f64 * 0.37) * libm::pow(10.0, (i % 7) as f64 - 3.0))
            .collect();
        let mut columns = vec![0.0; rows * d];
        for k in 0..rows {
            for j in 0..d {
                columns[j * rows + k] = matrix[k * d + j];
            }
        }
        let v: Vec<f64> = (0..d).map(|j| 1.0 / (j as f64 + 0.3)).collect();
        let mut seen = Vec::new();
        column_dots(&columns, rows, &v, 3..rows, |k, s| {
            seen.push((k, s.to_bits()))
        });
        let expected: Vec<(usize, u64)> = (3..rows)
            .map(|k| (k, dot(&matrix[k * d..(k + 1) * d], &v).to_bits()))
            .collect();
        assert_eq!(seen, expected);
        // [[1, 2], [3, 4], [5, 6]] · [1, −1] = −1 per row (columns (1, 3, 5), (2, 4, 6)).
        let mut out = vec![];
        column_dots(
            &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0],
            3,
            &[1.0, -1.0],
            0..3,
            |_, s| out.push(s),
        );
        assert_eq!(out, [-1.0; 3]);
    }

    #[test]
    fn cholesky_solves_spd_and_rejects_indefinite() {
        // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0].
        let x = cholesky_solve(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15, "{x:?}");
        assert!(cholesky_solve(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0]).is_none());
    }
}
