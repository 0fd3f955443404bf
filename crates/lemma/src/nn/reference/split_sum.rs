//! Twin of `split_sum.wgsl`, and the split over the batch that the backward-weight twins of
//! `conv` and `linear` share with their kernels: each split of [`GRADIENT_SPLIT`] examples sums
//! its own partial gradient, and [`sum_splits`] adds the partials in ascending split.

use super::{Result, expect_len};

/// Examples per split of a backward-weight reduction (the last split may be shorter).
pub const GRADIENT_SPLIT: usize = 16;

/// The number of splits of a batch of `batch` examples.
pub fn gradient_splits(batch: usize) -> usize {
    batch.div_ceil(GRADIENT_SPLIT)
}

/// Sums `partials` (`[splits, rows, columns]`, each row's last column its bias, the others its
/// weights) over the splits, from zero in ascending split: returns the weights `[rows, columns −
/// 1]` and the biases `[rows]`.
pub fn sum_splits(
    partials: &[f32],
    splits: usize,
    rows: usize,
    columns: usize,
) -> Result<(Vec<f32>, Vec<f32>)> {
    expect_len("split partial gradients", partials, splits * rows * columns)?;
    if columns == 0 {
        return Err(super::ReferenceError::Shape(
            "a partial gradient row needs its bias column",
        ));
    }
    let block = rows * columns;
    let mut weights = Vec::with_capacity(rows * (columns - 1));
    let mut biases = Vec::with_capacity(rows);
    for row in 0..rows {
        for col in 0..columns {
            let mut sum = 0f32;
            for split in 0..splits {
                sum += partials[split * block + row * columns + col];
            }
            if col + 1 == columns {
                biases.push(sum);
            } else {
                weights.push(sum);
            }
        }
    }
    Ok((weights, biases))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_added_in_order_and_the_last_column_is_the_bias() {
        // Two splits of two rows of (two weights, one bias).
        let partials = [1., 2., 3., 4., 5., 6., 10., 20., 30., 40., 50., 60.];
        let (w, b) = sum_splits(&partials, 2, 2, 3).unwrap();
        assert_eq!(w, vec![11., 22., 44., 55.]);
        assert_eq!(b, vec![33., 66.]);
        // Ascending split from zero: (0 + 1) + 2⁻²⁴ rounds back to 1, then + 2⁻²⁴ again stays 1,
        // where the other order would give 1 + 2⁻²³.
        let tiny = f32::EPSILON / 2.0;
        let (w, _) = sum_splits(&[1.0, 0.0, tiny, 0.0, tiny, 0.0], 3, 1, 2).unwrap();
        assert_eq!(w, vec![1.0]);
        assert_eq!(gradient_splits(1), 1);
        assert_eq!(gradient_splits(GRADIENT_SPLIT), 1);
        assert_eq!(gradient_splits(GRADIENT_SPLIT + 1), 2);
        assert!(sum_splits(&[0.0; 5], 2, 1, 3).is_err());
    }
}
