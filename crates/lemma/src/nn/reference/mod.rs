//! Slow, obvious CPU twins of every small-CNN kernel: plain loops over NCHW `f32` tensors.
//!
//! They define the semantics that the fast CPU backend and the WGSL kernels (`crate::gpu`) are
//! checked against. Storage is `f32` and, unless a function says otherwise, every sum accumulates in
//! `f32` in the order its documentation states (the loop order, innermost index fastest), so a
//! kernel that sums in the same order can match bit for bit. Out-of-range convolution taps are
//! skipped (they would add zero). Every function checks its slice lengths and returns a
//! [`ReferenceError`] instead of panicking. [`network_pass`] and [`train_step`] chain the twins
//! through an [`Arch`](crate::nn::spec::Arch) (ERM and SAM/m-SAM steps).
//!
//! One file per WGSL kernel family of `crate::gpu::kernels` (`conv`, `linear`, `relu`, `maxpool`,
//! `normalize`, `softmax_xent`, `split_sum`, `sum_squares`, `sgd`, `sam`, `pgd`), plus `network` for the
//! whole-network pass and training step; everything is re-exported here.

mod conv;
mod linear;
mod maxpool;
mod network;
mod normalize;
mod pgd;
mod relu;
mod sam;
mod sgd;
mod softmax_xent;
mod split_sum;
mod sum_squares;

pub use conv::{ConvDims, conv3x3_backward_data, conv3x3_backward_weight, conv3x3_forward};
pub use linear::{LinearDims, linear_backward_data, linear_backward_weight, linear_forward};
pub use maxpool::{PoolDims, maxpool2_backward, maxpool2_forward};
pub use network::{NetworkPass, network_pass, train_step};
pub use normalize::{normalize_backward, normalize_forward};
pub use pgd::{pgd_l2_update, pgd_linf_update};
pub use relu::{relu_backward, relu_forward};
pub use sam::{accumulate, sam_perturb, sam_restore};
pub use sgd::sgd_momentum;
pub use softmax_xent::{SoftmaxXent, softmax_xent};
pub use split_sum::{GRADIENT_SPLIT, gradient_splits, sum_splits};
pub use sum_squares::sum_of_squares;

/// A slice whose length does not match the shape it was given with, or a label out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A tensor has the wrong number of values.
    #[error("{what}: expected {expected} values, got {got}")]
    Length {
        /// Which tensor.
        what: &'static str,
        /// Length implied by the shape.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} of example {example} is not below the class count {classes}")]
    Label {
        /// Example index.
        example: usize,
        /// The label.
        label: u32,
        /// Number of classes.
        classes: usize,
    },
    /// A shape that the operation cannot take (e.g. odd height for pooling, zero-sized example).
    #[error("bad shape: {0}")]
    Shape(&'static str),
}

type Result<T> = std::result::Result<T, ReferenceError>;

fn expect_len(what: &'static str, values: &[impl Copy], expected: usize) -> Result<()> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(ReferenceError::Length {
            what,
            expected,
            got: values.len(),
        })
    }
}

/// Helpers shared by the twins' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::rng::Rng;

    pub(crate) fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
        (0..len).map(|_| rng.normal() as f32).collect()
    }

    /// `Σ r·y` accumulated in `f64`, the scalar whose gradient the backward passes compute.
    pub(crate) fn dot(r: &[f32], y: &[f32]) -> f64 {
        r.iter()
            .zip(y)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum()
    }

    /// Central differences of `f` at `x` along every coordinate, with step `h`.
    pub(crate) fn finite_difference(x: &[f32], h: f32, f: impl Fn(&[f32]) -> f64) -> Vec<f64> {
        let mut x = x.to_vec();
        (0..x.len())
            .map(|k| {
                let keep = x[k];
                x[k] = keep + h;
                let up = f(&x);
                x[k] = keep - h;
                let down = f(&x);
                x[k] = keep;
                (up - down) / (2.0 * f64::from(h))
            })
            .collect()
    }

    /// Largest `|a − b| / max(1, |b|)`.
    pub(crate) fn worst(analytic: &[f32], numeric: &[f64]) -> f64 {
        assert_eq!(analytic.len(), numeric.len());
        analytic
            .iter()
            .zip(numeric)
            .map(|(&a, &n)| (f64::from(a) - n).abs() / n.abs().max(1.0))
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked() {
        let d = ConvDims {
            batch: 1,
            inputs: 1,
            outputs: 1,
            height: 2,
            width: 2,
        };
        let err = conv3x3_forward(d, &[0.; 3], &[0.; 9], &[0.]).unwrap_err();
        assert_eq!(
            err,
            ReferenceError::Length {
                what: "conv input",
                expected: 4,
                got: 3
            }
        );
        assert!(relu_backward(&[1.0], &[]).is_err());
    }
}
