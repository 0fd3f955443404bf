//! Twins of `pgd.wgsl`: the PGD/FGSM ℓ∞ and ℓ2 perturbation updates (projected onto the ε-ball
//! and the `[0, 1]` pixel box).

use super::{ReferenceError, Result, expect_len};

fn sign(g: f32) -> f32 {
    if g > 0.0 {
        1.0
    } else if g < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// PGD/FGSM ℓ∞ update, in place: `δ = clamp(δ + α·sign(g), −ε, ε)`, then `δ = clamp(x + δ, 0, 1) − x`
/// (`sign(0) = 0`).
pub fn pgd_linf_update(
    delta: &mut [f32],
    x: &[f32],
    g: &[f32],
    alpha: f32,
    eps: f32,
) -> Result<()> {
    expect_len("input", x, delta.len())?;
    expect_len("input gradient", g, delta.len())?;
    for ((d, &x), &g) in delta.iter_mut().zip(x).zip(g) {
        let step = (*d + alpha * sign(g)).clamp(-eps, eps);
        *d = (x + step).clamp(0.0, 1.0) - x;
    }
    Ok(())
}

/// PGD ℓ2 update, in place, per example of `per_example_len` values:
/// `δ += α·g/(‖g‖₂ + 1e-12)`; `δ = clamp(x + δ, 0, 1) − x`; if `‖δ‖₂ > ε` then `δ *= ε/‖δ‖₂`.
/// The norms accumulate squares in `f32` in ascending order.
pub fn pgd_l2_update(
    delta: &mut [f32],
    x: &[f32],
    g: &[f32],
    alpha: f32,
    eps: f32,
    per_example_len: usize,
) -> Result<()> {
    if per_example_len == 0 || !delta.len().is_multiple_of(per_example_len) {
        return Err(ReferenceError::Shape(
            "the per-example length must be positive and divide the tensor",
        ));
    }
    expect_len("input", x, delta.len())?;
    expect_len("input gradient", g, delta.len())?;
    let norm = |v: &[f32]| v.iter().fold(0f32, |acc, &a| acc + a * a).sqrt();
    for ((d, x), g) in delta
        .chunks_mut(per_example_len)
        .zip(x.chunks(per_example_len))
        .zip(g.chunks(per_example_len))
    {
        let scale = alpha / (norm(g) + 1e-12);
        for ((d, &x), &g) in d.iter_mut().zip(x).zip(g) {
            *d = (x + (*d + scale * g)).clamp(0.0, 1.0) - x;
        }
        let n = norm(d);
        if n > eps {
            let shrink = eps / n;
            for d in d.iter_mut() {
                *d *= shrink;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgd_updates_by_hand() {
        let x = [0.5f32, 0.95, 0.0, 0.2];
        let g = [1.0f32, 2.0, -3.0, 0.0];
        let mut d = [0.0f32, 0.0, 0.0, 0.05];
        pgd_linf_update(&mut d, &x, &g, 0.1, 0.08).unwrap();
        // Step ±0.1 clamped to ±0.08, then into the box: 0.95 + 0.08 > 1 → 0.05; 0 − 0.08 < 0 → 0.
        let want = [0.08, 1.0 - 0.95, 0.0, 0.05];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{d:?}");
        }

        // Two examples of two values. Example 0: g = (3, 4), step α = 1 → δ = (0.6, 0.8), no box
        // clamping (x = 0), norm 1 > ε = 0.5 → δ = (0.3, 0.4). Example 1: g = 0 → no move.
        let x = [0.0f32, 0.0, 0.5, 0.5];
        let g = [3.0f32, 4.0, 0.0, 0.0];
        let mut d = [0f32; 4];
        pgd_l2_update(&mut d, &x, &g, 1.0, 0.5, 2).unwrap();
        let want = [0.3, 0.4, 0.0, 0.0];
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{d:?}");
        }
        // With g = (−3, −4) the box clamps δ to (0, 0) at x = 0.
        let mut d = [0f32; 2];
        pgd_l2_update(&mut d, &[0.0, 0.0], &[-3.0, -4.0], 1.0, 0.5, 2).unwrap();
        assert_eq!(d, [0.0, 0.0]);
        assert!(pgd_l2_update(&mut d, &[0.0, 0.0], &[0.0, 0.0], 1.0, 0.5, 3).is_err());
    }
}
