//! Diagonal linear networks on a [`Regression`] problem, and their training updates.
//!
//! Two parametrisations are kept, as named choices (`common.md` §5), because the two papers state
//! their theorems in their own conventions:
//! * [`DiagNet`], β = u ⊙ v with L = ‖Xβ − y‖²/(2n) (the SAM paper's notebook); κ = (u² − v²)/2.
//! * [`PlusMinusNet`], β = w₊² − w₋² with L = ‖Xβ − y‖²/(4n) (Pesme et al. 2021); κ = 2·w₊⊙w₋.
//!
//! Both see the same residuals and the same gradient direction g = Xᵀr/n (shared helpers below).
//!
//! u⊙v conventions follow the SAM paper's official notebook: u₀ = α·1,
//! v₀ = 0, u and v updated simultaneously. SAM is unnormalised. The SAM family is written once, as
//! m-SAM in the *unified* convention: for each group G of m consecutive examples,
//! δ_G = ρ∇L_G with L_G = ‖X_G β − y_G‖²/(2m); then the gradients of L_G at the perturbed point are
//! averaged over groups. m = n is the notebook's n-SAM(ρ); m = 1 is the notebook's 1-SAM(ρ/2)
//! (which ascends on r_k², hence its factor 2ρ).
//!
//! Sums over examples and coordinates run in a fixed order (see [`crate::linalg::dot`]), so traces
//! are bit-identical natively and in wasm32.

use crate::data::sparse::Regression;
use crate::linalg::dot;

/// The network's weights.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagNet {
    /// First factor.
    pub u: Vec<f64>,
    /// Second factor.
    pub v: Vec<f64>,
}

impl DiagNet {
    /// The notebook's initialisation u = α·1, v = 0 (so β = 0).
    pub fn new(alpha: f64, d: usize) -> Self {
        Self {
            u: vec![alpha; d],
            v: vec![0.0; d],
        }
    }

    /// β = u ⊙ v.
    pub fn beta(&self) -> Vec<f64> {
        self.u.iter().zip(&self.v).map(|(a, b)| a * b).collect()
    }

    /// c = u² − v² per coordinate: conserved by gradient flow; κ = c/2 is the effective
    /// initialisation of the hyperbolic-entropy potential.
    pub fn conserved(&self) -> Vec<f64> {
        self.u
            .iter()
            .zip(&self.v)
            .map(|(a, b)| a * a - b * b)
            .collect()
    }

    /// Whether every weight is finite.
    pub fn is_finite(&self) -> bool {
        self.u.iter().chain(&self.v).all(|w| w.is_finite())
    }
}

/// One training update rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Update {
    /// Full-batch gradient descent.
    Gd,
    /// SGD with batch 1 on the given example.
    Sgd {
        /// Index of the sampled example.
        example: usize,
    },
    /// Unnormalised m-SAM, unified convention (group size `m` must divide n).
    Sam {
        /// Group size m.
        m: usize,
        /// Ascent radius ρ (unified convention).
        rho: f64,
    },
}

/// Scratch buffers reused across updates (no allocation per step).
#[derive(Clone, Debug)]
pub struct Workspace {
    beta: Vec<f64>,
    residual: Vec<f64>,
    xerr: Vec<f64>,
    u_hat: Vec<f64>,
    v_hat: Vec<f64>,
    grad_u: Vec<f64>,
    grad_v: Vec<f64>,
}

impl Workspace {
    /// Buffers for dimension `d` and `n` examples.
    pub fn new(n: usize, d: usize) -> Self {
        Self {
            beta: vec![0.0; d],
            residual: vec![0.0; n],
            xerr: vec![0.0; d],
            u_hat: vec![0.0; d],
            v_hat: vec![0.0; d],
            grad_u: vec![0.0; d],
            grad_v: vec![0.0; d],
        }
    }
}

fn fill_beta(u: &[f64], v: &[f64], beta: &mut [f64]) {
    for ((b, a), c) in beta.iter_mut().zip(u).zip(v) {
        *b = a * c;
    }
}

/// xerr = Σ_{k ∈ rows} r_k x_k, summed in example order.
fn accumulate_xerr(
    data: &Regression,
    rows: std::ops::Range<usize>,
    residual: &[f64],
    xerr: &mut [f64],
) {
    xerr.iter_mut().for_each(|e| *e = 0.0);
    for k in rows {
        let r = residual[k];
        for (e, x) in xerr.iter_mut().zip(data.row(k)) {
            *e += r * x;
        }
    }
}

/// Applies one update with step `gamma`. Returns the training loss of the iterate *before* the
/// update when the rule computed all residuals anyway (GD, SAM), for cheap divergence checks.
pub fn apply(
    net: &mut DiagNet,
    data: &Regression,
    update: Update,
    gamma: f64,
    ws: &mut Workspace,
) -> Option<f64> {
    let n = data.n;
    match update {
        Update::Gd => {
            fill_beta(&net.u, &net.v, &mut ws.beta);
            let loss = residuals(data, &ws.beta, &mut ws.residual);
            accumulate_xerr(data, 0..n, &ws.residual, &mut ws.xerr);
            let nf = n as f64;
            for j in 0..data.d {
                let (u, v, e) = (net.u[j], net.v[j], ws.xerr[j]);
                net.u[j] = u - gamma * ((e * v) / nf);
                net.v[j] = v - gamma * ((e * u) / nf);
            }
            Some(loss)
        }
        Update::Sgd { example } => {
            let x = data.row(example);
            fill_beta(&net.u, &net.v, &mut ws.beta);
            let err = dot(x, &ws.beta) - data.y[example];
            for (j, xj) in x.iter().enumerate() {
                let (u, v) = (net.u[j], net.v[j]);
                let e = err * xj;
                net.u[j] = u - gamma * (e * v);
                net.v[j] = v - gamma * (e * u);
            }
            None
        }
        Update::Sam { m, rho } => {
            debug_assert!(m >= 1 && n.is_multiple_of(m));
            fill_beta(&net.u, &net.v, &mut ws.beta);
            let loss = residuals(data, &ws.beta, &mut ws.residual);
            ws.grad_u.iter_mut().for_each(|g| *g = 0.0);
            ws.grad_v.iter_mut().for_each(|g| *g = 0.0);
            let mf = m as f64;
            for g in 0..n / m {
                let rows = g * m..(g + 1) * m;
                // Ascent on L_G at the current point.
                accumulate_xerr(data, rows.clone(), &ws.residual, &mut ws.xerr);
                for j in 0..data.d {
                    let (u, v, e) = (net.u[j], net.v[j], ws.xerr[j]);
                    ws.u_hat[j] = u + rho * ((e * v) / mf);
                    ws.v_hat[j] = v + rho * ((e * u) / mf);
                }
                // Gradient of L_G at the perturbed point, reusing `beta` as β̂ for this group.
                fill_beta(&ws.u_hat, &ws.v_hat, &mut ws.beta);
                ws.xerr.iter_mut().for_each(|e| *e = 0.0);
                for k in rows {
                    let x = data.row(k);
                    let r_hat = dot(x, &ws.beta) - data.y[k];
                    for (e, xj) in ws.xerr.iter_mut().zip(x) {
                        *e += r_hat * xj;
                    }
                }
                for j in 0..data.d {
                    let e = ws.xerr[j];
                    ws.grad_u[j] += (e * ws.v_hat[j]) / mf;
                    ws.grad_v[j] += (e * ws.u_hat[j]) / mf;
                }
            }
            let groups = (n / m) as f64;
            for j in 0..data.d {
                net.u[j] -= gamma * (ws.grad_u[j] / groups);
                net.v[j] -= gamma * (ws.grad_v[j] / groups);
            }
            Some(loss)
        }
    }
}

/// The β = w₊² − w₋² network of Pesme et al. (2021), initialised at w₊ = w₋ = α·1.
#[derive(Clone, Debug, PartialEq)]
pub struct PlusMinusNet {
    /// Positive part.
    pub wp: Vec<f64>,
    /// Negative part.
    pub wm: Vec<f64>,
}

impl PlusMinusNet {
    /// w₊ = w₋ = α·1 (so β = 0).
    pub fn new(alpha: f64, d: usize) -> Self {
        Self {
            wp: vec![alpha; d],
            wm: vec![alpha; d],
        }
    }

    /// β = w₊² − w₋².
    pub fn beta(&self) -> Vec<f64> {
        let mut beta = vec![0.0; self.wp.len()];
        self.fill_beta(&mut beta);
        beta
    }

    /// β = w₊² − w₋² into `out` (no allocation on the training hot path).
    pub fn fill_beta(&self, out: &mut [f64]) {
        for ((b, p), m) in out.iter_mut().zip(&self.wp).zip(&self.wm) {
            *b = p * p - m * m;
        }
    }

    /// w₊ ⊙ w₋: multiplied by (1 − γ²g_j²) at every step; α∞ = √(w₊w₋) and κ = 2·w₊⊙w₋.
    pub fn product(&self) -> Vec<f64> {
        self.wp.iter().zip(&self.wm).map(|(p, m)| p * m).collect()
    }

    /// Whether every weight is finite.
    pub fn is_finite(&self) -> bool {
        self.wp.iter().chain(&self.wm).all(|w| w.is_finite())
    }

    /// The training loss in this paper's convention, ‖Xβ − y‖²/(4n).
    pub fn loss(data: &Regression, beta: &[f64]) -> f64 {
        data.train_loss(beta) / 2.0
    }
}

/// Result of one w± update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlusMinusStep {
    /// Training loss ‖Xβ − y‖²/(4n) of the iterate before the update.
    pub loss: f64,
    /// Coordinates whose factor 1 ∓ γg_j was ≤ 0 (w₊ or w₋ changed sign).
    pub sign_flips: usize,
}

/// One multiplicative step w₊ ← w₊⊙(1 − γg), w₋ ← w₋⊙(1 + γg) with g = (1/|B|)Σ_{i∈B} r_i x_i:
/// full-batch GD when `batch` is `None`, SGD on the listed examples otherwise.
pub fn apply_plus_minus(
    net: &mut PlusMinusNet,
    data: &Regression,
    batch: Option<&[usize]>,
    gamma: f64,
    ws: &mut Workspace,
) -> PlusMinusStep {
    net.fill_beta(&mut ws.beta);
    let loss = residuals(data, &ws.beta, &mut ws.residual) / 2.0;
    let size = match batch {
        None => {
            accumulate_xerr(data, 0..data.n, &ws.residual, &mut ws.xerr);
            data.n
        }
        Some(rows) => {
            ws.xerr.iter_mut().for_each(|e| *e = 0.0);
            for &k in rows {
                let r = ws.residual[k];
                for (e, x) in ws.xerr.iter_mut().zip(data.row(k)) {
                    *e += r * x;
                }
            }
            rows.len()
        }
    };
    let mut sign_flips = 0;
    let sf = size as f64;
    for j in 0..data.d {
        let step = gamma * (ws.xerr[j] / sf);
        if step.abs() >= 1.0 {
            sign_flips += 1;
        }
        net.wp[j] *= 1.0 - step;
        net.wm[j] *= 1.0 + step;
    }
    PlusMinusStep { loss, sign_flips }
}

/// r = Xβ − y into `out`; returns the training loss ‖r‖²/(2n).
pub fn residuals(data: &Regression, beta: &[f64], out: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for (k, r) in out.iter_mut().enumerate() {
        *r = dot(data.row(k), beta) - data.y[k];
        s += *r * *r;
    }
    s / (2.0 * data.n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// n = 2, d = 2, X = I, y = (1, 2).
    fn tiny() -> Regression {
        Regression {
            n: 2,
            d: 2,
            x: vec![1.0, 0.0, 0.0, 1.0],
            y: vec![1.0, 2.0],
            x_test: vec![1.0, 1.0],
            y_test: vec![3.0],
            beta_star: vec![1.0, 2.0],
        }
    }

    #[test]
    fn gd_step_by_hand() {
        // u = (1, 1), v = (0.5, 0) → β = (0.5, 0), r = (−0.5, −2), Xᵀr = (−0.5, −2).
        // grad_u = Xᵀr⊙v/2 = (−0.125, 0); grad_v = Xᵀr⊙u/2 = (−0.25, −1).
        // γ = 0.1: u = (1.0125, 1), v = (0.525, 0.1).
        let data = tiny();
        let mut net = DiagNet {
            u: vec![1.0, 1.0],
            v: vec![0.5, 0.0],
        };
        let mut ws = Workspace::new(2, 2);
        let loss = apply(&mut net, &data, Update::Gd, 0.1, &mut ws).unwrap();
        assert_eq!(loss, (0.25 + 4.0) / 4.0);
        assert_eq!(net.u, vec![1.0125, 1.0]);
        assert_eq!(net.v, vec![0.525, 0.1]);
    }

    #[test]
    fn sgd_step_by_hand() {
        // Example 1: e = x_1·β − y_1 = 0 − 2 = −2, e·x_1 = (0, −2): u₂ unchanged (v₂ = 0),
        // v₂ = 0 − 0.1·(−2·1) = 0.2.
        let data = tiny();
        let mut net = DiagNet {
            u: vec![1.0, 1.0],
            v: vec![0.5, 0.0],
        };
        let mut ws = Workspace::new(2, 2);
        apply(&mut net, &data, Update::Sgd { example: 1 }, 0.1, &mut ws);
        assert_eq!(net.u, vec![1.0, 1.0]);
        assert_eq!(net.v, vec![0.5, 0.2]);
    }

    #[test]
    fn one_sam_step_by_hand() {
        // m = 1, ρ = 0.2 (unified) = notebook 1-SAM(0.1). u = (1, 1), v = (0.5, 0).
        // Example 0: r = −0.5, xerr = (−0.5, 0): û = (1 − 0.1·0.5·… ) → û = u + ρ·xerr⊙v =
        //   (1 − 0.05, 1) = (0.95, 1); v̂ = v + ρ·xerr⊙u = (0.5 − 0.1, 0) = (0.4, 0).
        //   r̂ = 0.95·0.4 − 1 = −0.62; grads: (−0.62·0.4, 0), (−0.62·0.95, 0) = (−0.248, 0), (−0.589, 0).
        // Example 1: r = −2, xerr = (0, −2): û = (1, 1), v̂ = (0.5, −0.4); r̂ = −0.4 − 2 = −2.4;
        //   grads: (0, −2.4·(−0.4)) = (0, 0.96), (0, −2.4·1) = (0, −2.4).
        // Mean over 2 groups, γ = 0.1: u = (1 + 0.0124, 1 − 0.048), v = (0.5 + 0.02945, 0.12).
        let data = tiny();
        let mut net = DiagNet {
            u: vec![1.0, 1.0],
            v: vec![0.5, 0.0],
        };
        let mut ws = Workspace::new(2, 2);
        apply(
            &mut net,
            &data,
            Update::Sam { m: 1, rho: 0.2 },
            0.1,
            &mut ws,
        );
        let expect_u = [1.0124, 0.952];
        let expect_v = [0.52945, 0.12];
        for j in 0..2 {
            assert!((net.u[j] - expect_u[j]).abs() < 1e-15, "{:?}", net.u);
            assert!((net.v[j] - expect_v[j]).abs() < 1e-15, "{:?}", net.v);
        }
    }

    #[test]
    fn sam_with_zero_radius_is_gd_bit_for_bit() {
        let data = Regression::generate(&mut Rng::new(1), 6, 5, 2, 4);
        let (mut a, mut b) = (DiagNet::new(0.3, 5), DiagNet::new(0.3, 5));
        let mut ws = Workspace::new(6, 5);
        for _ in 0..50 {
            apply(&mut a, &data, Update::Gd, 0.2, &mut ws);
            apply(&mut b, &data, Update::Sam { m: 6, rho: 0.0 }, 0.2, &mut ws);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn plus_minus_steps_by_hand() {
        // w₊ = w₋ = 1 → β = 0, r = −y = (−1, −2); GD: g = Xᵀr/2 = (−0.5, −1).
        // γ = 0.1: w₊ = (1.05, 1.1), w₋ = (0.95, 0.9); loss before = (1 + 4)/(4·2) = 0.625.
        let data = tiny();
        let mut net = PlusMinusNet::new(1.0, 2);
        let mut ws = Workspace::new(2, 2);
        let s = apply_plus_minus(&mut net, &data, None, 0.1, &mut ws);
        assert_eq!(s.loss, 0.625);
        assert_eq!(s.sign_flips, 0);
        assert!((net.wp[0] - 1.05).abs() < 1e-15 && (net.wp[1] - 1.1).abs() < 1e-15);
        assert!((net.wm[0] - 0.95).abs() < 1e-15 && (net.wm[1] - 0.9).abs() < 1e-15);
        // SGD on example 1 only: g = r_1 x_1 = (0, −2): γ = 0.6 gives factors 1 ∓ (−1.2): w₋ flips.
        let mut net = PlusMinusNet::new(1.0, 2);
        let s = apply_plus_minus(&mut net, &data, Some(&[1]), 0.6, &mut ws);
        assert_eq!(s.sign_flips, 1);
        assert_eq!(net.wp, vec![1.0, 2.2]);
        assert!((net.wm[1] + 0.2).abs() < 1e-15);
        // The product w₊w₋ was multiplied by 1 − γ²g²: 1 − 0.36·4 = −0.44.
        assert!((net.product()[1] + 0.44).abs() < 1e-15);
    }

    #[test]
    fn gd_conserves_c_up_to_the_discrete_step_factor() {
        // Exact per-step change for GD: c ← c·(1 − γ²g²) with g = Xᵀr/n.
        let data = Regression::generate(&mut Rng::new(2), 8, 6, 2, 4);
        let mut net = DiagNet::new(0.5, 6);
        net.v = vec![0.1, -0.2, 0.05, 0.0, 0.3, -0.1];
        let mut ws = Workspace::new(8, 6);
        let c0 = net.conserved();
        let beta = net.beta();
        let mut r = vec![0.0; 8];
        residuals(&data, &beta, &mut r);
        let mut g = vec![0.0; 6];
        accumulate_xerr(&data, 0..8, &r, &mut g);
        apply(&mut net, &data, Update::Gd, 0.3, &mut ws);
        for (j, c) in net.conserved().iter().enumerate() {
            let gj = g[j] / 8.0;
            let expect = c0[j] * (1.0 - 0.09 * gj * gj);
            assert!((c - expect).abs() < 1e-14, "coord {j}: {c} vs {expect}");
        }
    }
}
