//! [`Tol`]: the one rule by which a computed slice is compared with a reference slice (GPU kernels
//! against their CPU twins, GPU training against the reference step, a run against recorded
//! numbers). Differences are taken in `f64`; a NaN difference counts as infinite, so it never
//! passes.

/// Which magnitude of the reference an element's difference is divided by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// One scale for the whole slice: the reference's largest magnitude `max_k |b_k|`.
    Slice,
    /// Each element's own magnitude `|b_k|`.
    Element,
}

/// A tolerance: `a` passes against the reference `b` when `max_k |a_k − b_k| / s_k ≤ rel`, where
/// `s_k` is the reference scale of element `k` ([`Scale`]) raised to at least `floor` (so
/// `rel · floor` is the absolute tolerance for references near zero), and a scale of exactly zero
/// counts as 1. The slices must have equal lengths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tol {
    /// The largest relative difference that passes.
    pub rel: f64,
    /// The smallest scale a difference is divided by.
    pub floor: f64,
    /// Whether the scale is the slice's or each element's.
    pub scale: Scale,
}

/// What [`Tol::compare`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diff {
    /// `|a_k − b_k|` at the worst element `at` (for [`Scale::Slice`], the largest difference).
    pub abs: f64,
    /// The scale `s_k` at `at`.
    pub scale: f64,
    /// The largest `|a_k − b_k| / s_k`, the number compared with [`Tol::rel`]; infinite when the
    /// lengths differ or a difference is NaN.
    pub rel: f64,
    /// Index of the worst element (the first one, on ties).
    pub at: usize,
    /// Whether `rel ≤ Tol::rel`.
    pub passed: bool,
}

impl Tol {
    /// Differences relative to the reference's largest magnitude (1 when it is all zero).
    pub const fn of_max(rel: f64) -> Self {
        Self {
            rel,
            floor: 0.0,
            scale: Scale::Slice,
        }
    }

    /// Each difference relative to its own reference value, or to `floor` if that is larger.
    pub const fn per_element(rel: f64, floor: f64) -> Self {
        Self {
            rel,
            floor,
            scale: Scale::Element,
        }
    }

    /// Measures `a` against the reference `b` and says whether it passes.
    pub fn compare<A, B>(&self, a: &[A], b: &[B]) -> Diff
    where
        A: Copy + Into<f64>,
        B: Copy + Into<f64>,
    {
        let scale_of = |s: f64| {
            let s = s.max(self.floor);
            if s > 0.0 { s } else { 1.0 }
        };
        let diff = |(x, y): (&A, &B)| {
            let d = ((*x).into() - (*y).into()).abs();
            if d.is_nan() { f64::INFINITY } else { d }
        };
        if a.len() != b.len() {
            return Diff {
                abs: f64::INFINITY,
                scale: 1.0,
                rel: f64::INFINITY,
                at: a.len().min(b.len()),
                passed: false,
            };
        }
        let (abs, scale, rel, at) = match self.scale {
            Scale::Slice => {
                let scale = scale_of(b.iter().map(|&v| v.into().abs()).fold(0.0, f64::max));
                let (mut abs, mut at) = (0.0, 0);
                for (k, d) in a.iter().zip(b).map(diff).enumerate() {
                    if d > abs {
                        (abs, at) = (d, k);
                    }
                }
                (abs, scale, abs / scale, at)
            }
            Scale::Element => {
                let ratio = |k: usize| diff((&a[k], &b[k])) / scale_of(b[k].into().abs());
                let (mut rel, mut at) = (0.0, 0);
                for k in 0..a.len() {
                    let r = ratio(k);
                    if r > rel {
                        (rel, at) = (r, k);
                    }
                }
                match (a.get(at), b.get(at)) {
                    (Some(x), Some(y)) => (diff((x, y)), scale_of((*y).into().abs()), rel, at),
                    _ => (0.0, 1.0, 0.0, 0),
                }
            }
        };
        Diff {
            abs,
            scale,
            rel,
            at,
            passed: rel <= self.rel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_scale_by_hand() {
        let d = Tol::of_max(0.1).compare(&[1.0f32, 2.5, -4.0], &[1.0f32, 2.0, -4.0]);
        assert_eq!((d.abs, d.scale, d.rel, d.at), (0.5, 4.0, 0.125, 1));
        assert!(!d.passed);
        assert!(Tol::of_max(0.125).compare(&[1.0, 4.5], &[1.0, 4.0]).passed);
        // An all-zero reference has scale 1.
        let d = Tol::of_max(0.0).compare(&[0.25f64, 0.0], &[0.0f64, 0.0]);
        assert_eq!((d.scale, d.rel), (1.0, 0.25));
        assert!(Tol::of_max(0.0).compare(&[0.0f32; 3], &[0.0f32; 3]).passed);
    }

    #[test]
    fn element_scale_with_a_floor_by_hand() {
        let tol = Tol::per_element(0.25, 1.0 / 1024.0);
        // Ratios 0, 2⁻¹²/2⁻¹⁰ (through the floor) and 0.5/64.
        let d = tol.compare(&[1.0f64, 1.0 / 4096.0, 64.5], &[1.0f64, 0.0, 64.0]);
        assert_eq!(
            (d.abs, d.scale, d.rel, d.at),
            (1.0 / 4096.0, 1.0 / 1024.0, 0.25, 1)
        );
        assert!(d.passed);
        let d = tol.compare(&[1.0f64, 5.5], &[1.0f64, 4.0]);
        assert_eq!((d.scale, d.rel, d.at), (4.0, 0.375, 1));
        assert!(!d.passed);
        assert_eq!(tol.compare::<f64, f64>(&[], &[]).rel, 0.0);
    }

    #[test]
    fn measures_equal_the_plain_formulas_bit_for_bit() {
        let mut rng = crate::rng::Rng::new(3);
        let b: Vec<f64> = (0..200)
            .map(|k| rng.normal() * 10f64.powi(k % 7 - 4))
            .collect();
        let a: Vec<f64> = b.iter().map(|v| v + 1e-6 * rng.normal()).collect();
        let per_element = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs() / y.abs().max(1e-3))
            .fold(0.0, f64::max);
        assert_eq!(Tol::per_element(0.0, 1e-3).compare(&a, &b).rel, per_element);
        let of_max = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
            / b.iter().map(|v| v.abs()).fold(0.0, f64::max);
        assert_eq!(Tol::of_max(0.0).compare(&a, &b).rel, of_max);
    }

    #[test]
    fn nan_and_length_mismatch_never_pass() {
        for tol in [Tol::of_max(f64::MAX), Tol::per_element(f64::MAX, 1.0)] {
            let d = tol.compare(&[1.0f32, f32::NAN], &[1.0f32, 1.0]);
            assert_eq!((d.rel, d.at, d.passed), (f64::INFINITY, 1, false));
            assert!(!tol.compare(&[1.0f32], &[1.0f32, 2.0]).passed);
        }
    }
}
