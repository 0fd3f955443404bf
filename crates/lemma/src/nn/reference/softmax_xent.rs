//! Twin of `softmax_xent.wgsl`: fused softmax + cross-entropy with its logit gradient and
//! correct flags.

use super::{ReferenceError, Result, expect_len};

/// Output of [`softmax_xent`].
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxXent {
    /// Per-example loss `logsumexp(z) − z[label]`.
    pub loss: Vec<f32>,
    /// Gradient of the *mean* loss: `(softmax(z) − onehot(label)) / N`.
    pub dlogits: Vec<f32>,
    /// 1 where the first maximal logit is the label, else 0.
    pub correct: Vec<u32>,
}

/// Fused softmax + cross-entropy over `[batch, classes]` logits.
///
/// Per example: `m = max z`, `s = Σ_k exp(z_k − m)` (ascending `k`), `loss = m + ln s − z[label]`,
/// `p_k = exp(z_k − m) / s`, `dz_k = (p_k − [k = label]) / N`. `exp`/`ln` come from `libm`.
pub fn softmax_xent(classes: usize, logits: &[f32], labels: &[u32]) -> Result<SoftmaxXent> {
    if classes == 0 {
        return Err(ReferenceError::Shape("softmax needs at least one class"));
    }
    let batch = labels.len();
    expect_len("logits", logits, batch * classes)?;
    let mut out = SoftmaxXent {
        loss: Vec::with_capacity(batch),
        dlogits: vec![0f32; batch * classes],
        correct: Vec::with_capacity(batch),
    };
    for (n, &label) in labels.iter().enumerate() {
        if label as usize >= classes {
            return Err(ReferenceError::Label {
                example: n,
                label,
                classes,
            });
        }
        let z = &logits[n * classes..][..classes];
        let mut top = 0;
        for k in 1..classes {
            if z[k] > z[top] {
                top = k;
            }
        }
        let m = z[top];
        let mut s = 0f32;
        for &v in z {
            s += libm::expf(v - m);
        }
        out.loss.push(m + libm::logf(s) - z[label as usize]);
        out.correct.push(u32::from(top == label as usize));
        let grad = &mut out.dlogits[n * classes..][..classes];
        for (k, (g, &v)) in grad.iter_mut().zip(z).enumerate() {
            let p = libm::expf(v - m) / s;
            let onehot = if k == label as usize { 1.0 } else { 0.0 };
            *g = (p - onehot) / batch as f32;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::reference::testing::{finite_difference, random, worst};
    use crate::rng::Rng;

    #[test]
    fn softmax_by_hand() {
        // logits (0, ln 3): p = (1/4, 3/4); label 0 → loss ln 4, wrong; label 1 → loss ln(4/3).
        let z = [0.0, 3f32.ln(), 0.0, 3f32.ln()];
        let out = softmax_xent(2, &z, &[0, 1]).unwrap();
        assert!((out.loss[0] - 4f32.ln()).abs() < 1e-6);
        assert!((out.loss[1] - (4f32 / 3.0).ln()).abs() < 1e-6);
        assert_eq!(out.correct, vec![0, 1]);
        let want = [-0.375, 0.375, 0.125, -0.125];
        for (g, w) in out.dlogits.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{g} vs {w}");
        }
        // Ties: the first maximum counts as the prediction.
        let tie = softmax_xent(2, &[2.0, 2.0, 2.0, 2.0], &[0, 1]).unwrap();
        assert_eq!(tie.correct, vec![1, 0]);
        assert!((tie.loss[0] - 2f32.ln()).abs() < 1e-6);
        // Huge logits stay finite because the maximum is subtracted.
        let big = softmax_xent(2, &[1000.0, 0.0], &[1]).unwrap();
        assert_eq!(big.loss[0], 1000.0);
        assert!(matches!(
            softmax_xent(2, &[0., 0.], &[2]),
            Err(ReferenceError::Label { label: 2, .. })
        ));
    }

    #[test]
    fn softmax_gradient_matches_finite_differences() {
        let (batch, classes) = (3, 5);
        let mut rng = Rng::new(14);
        let z = random(&mut rng, batch * classes);
        let labels = [4, 0, 2];
        let out = softmax_xent(classes, &z, &labels).unwrap();
        let mean_loss = |z: &[f32]| {
            let l = softmax_xent(classes, z, &labels).unwrap().loss;
            l.iter().map(|&v| f64::from(v)).sum::<f64>() / batch as f64
        };
        // Step 1e-2: curvature error ~1e-5, rounding error ~1e-7 / 1e-2 = 1e-5.
        let num = finite_difference(&z, 1e-2, mean_loss);
        assert!(
            worst(&out.dlogits, &num) < 1e-4,
            "{}",
            worst(&out.dlogits, &num)
        );
    }
}
