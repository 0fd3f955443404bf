//! Twin of `sgd.wgsl`: SGD with momentum and coupled weight decay.

use super::{Result, expect_len};

/// SGD with momentum and coupled weight decay (PyTorch semantics, dampening 0), in place:
/// `g' = g + wd·w; v = momentum·v + g'; w = w − lr·v`.
pub fn sgd_momentum(
    w: &mut [f32],
    v: &mut [f32],
    g: &[f32],
    lr: f32,
    momentum: f32,
    weight_decay: f32,
) -> Result<()> {
    expect_len("momentum", v, w.len())?;
    expect_len("gradient", g, w.len())?;
    for ((w, v), &g) in w.iter_mut().zip(v.iter_mut()).zip(g) {
        let g = g + weight_decay * *w;
        *v = momentum * *v + g;
        *w -= lr * *v;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_momentum_by_hand() {
        let mut w = [1.0f32, -2.0];
        let mut v = [0.5f32, 0.0];
        sgd_momentum(&mut w, &mut v, &[0.25, 1.0], 0.1, 0.9, 0.5).unwrap();
        // g' = (0.75, 0); v = (1.2, 0); w = (0.88, −2).
        assert!((v[0] - 1.2).abs() < 1e-6 && v[1] == 0.0);
        assert!((w[0] - 0.88).abs() < 1e-6 && w[1] == -2.0);
    }
}
