//! Twins of `sam.wgsl`: the SAM ascent step `w += ρ g/‖g‖`, its exact undo, and gradient
//! accumulation.

use super::{Result, expect_len};

/// SAM ascent step, in place: `s = rho / (sqrt(sum_sq) + 1e-12)`, `e = s·g`, `w += e`.
pub fn sam_perturb(w: &mut [f32], g: &[f32], e: &mut [f32], rho: f32, sum_sq: f32) -> Result<()> {
    expect_len("gradient", g, w.len())?;
    expect_len("perturbation", e, w.len())?;
    let s = rho / (sum_sq.sqrt() + 1e-12);
    for ((w, e), &g) in w.iter_mut().zip(e.iter_mut()).zip(g) {
        *e = s * g;
        *w += *e;
    }
    Ok(())
}

/// Undoes [`sam_perturb`]: `w −= e`.
pub fn sam_restore(w: &mut [f32], e: &[f32]) -> Result<()> {
    expect_len("perturbation", e, w.len())?;
    for (w, &e) in w.iter_mut().zip(e) {
        *w -= e;
    }
    Ok(())
}

/// Gradient accumulation `acc += scale·g`.
pub fn accumulate(acc: &mut [f32], g: &[f32], scale: f32) -> Result<()> {
    expect_len("gradient", g, acc.len())?;
    for (a, &g) in acc.iter_mut().zip(g) {
        *a += scale * g;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::sum_of_squares;

    #[test]
    fn sam_updates_by_hand() {
        let mut w = [1.0f32, 1.0];
        let mut e = [0f32; 2];
        let g = [3.0f32, 4.0];
        sam_perturb(&mut w, &g, &mut e, 0.5, sum_of_squares(&g) as f32).unwrap();
        assert_eq!(sum_of_squares(&g), 25.0);
        assert!((e[0] - 0.3).abs() < 1e-6 && (e[1] - 0.4).abs() < 1e-6);
        assert!((w[0] - 1.3).abs() < 1e-6 && (w[1] - 1.4).abs() < 1e-6);
        sam_restore(&mut w, &e).unwrap();
        assert!((w[0] - 1.0).abs() < 1e-6 && (w[1] - 1.0).abs() < 1e-6);
        let mut acc = [1.0f32, 2.0];
        accumulate(&mut acc, &g, 0.5).unwrap();
        assert_eq!(acc, [2.5, 4.0]);
        assert!(accumulate(&mut acc, &[1.0], 1.0).is_err());
    }
}
