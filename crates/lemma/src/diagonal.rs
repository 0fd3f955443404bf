//! Diagonal linear networks on a [`Regression`] problem, and their training updates.
//!
//! Two parametrisations are kept, as named choices (`common.md` §5), because the two papers state
//! their theorems in their own conventions:
//! * [`DiagNet`], β = u ⊙ v with L = ‖Xβ − y‖²/(2n) (the SAM paper's notebook); κ = (u² − v²)/2.
//! * [`PlusMinusNet`], β = w₊² − w₋² with L = ‖Xβ − y‖²/(4n) (Pesme et al. 2021); κ = 2·w₊⊙w₋.
//!
//! Both see the same residuals and the same data term g = Xᵀr/|B|, and both are trained by the
//! same loops ([`apply`]: GD, minibatch SGD, unnormalised m-SAM); a [`Parametrisation`] supplies
//! only its per-coordinate arithmetic. The two are one descent under (u, v) = (w₊ + w₋, w₊ − w₋)
//! (with the same γ, since the losses differ by the factor 2), but each keeps its own order of
//! operations, so every recorded trace stays bit for bit what it was.
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
use crate::linalg::{MIN_BLOCKED_ROWS, column_dots, dot};
use std::ops::Range;

/// One diagonal-network convention: its two factor vectors and the per-coordinate arithmetic of
/// its updates, written in that convention's own order of operations. `e` is the data term
/// Σ_k r_k x_kj over the examples used and `count` their number, so g_j = e/count.
pub trait Parametrisation {
    /// The training loss is ‖Xβ − y‖²/(2n) divided by this (1 for u⊙v, 2 for w₊² − w₋²).
    const LOSS_DIVISOR: f64;
    /// The two factor vectors (u, v) or (w₊, w₋).
    fn factors(&self) -> [&[f64]; 2];
    /// The two factor vectors, writable.
    fn factors_mut(&mut self) -> [&mut [f64]; 2];
    /// β_j of factors (a, b).
    fn beta_of(a: f64, b: f64) -> f64;
    /// One gradient step w ← w − γ∇_w L on coordinate j: the new factors and whether one of them
    /// changed sign in a multiplicative update (a factor 1 ∓ γg ≤ 0).
    fn descend(a: f64, b: f64, e: f64, count: f64, gamma: f64) -> (f64, f64, bool);
    /// The m-SAM ascent point w + ρ∇_w L_G of coordinate j.
    fn ascend(a: f64, b: f64, e: f64, count: f64, rho: f64) -> (f64, f64);
    /// ∇_w L_G of coordinate j at factors (a, b).
    fn gradient(a: f64, b: f64, e: f64, count: f64) -> (f64, f64);

    /// β into `out` (no allocation on the training hot path).
    fn fill_beta(&self, out: &mut [f64]) {
        let [a, b] = self.factors();
        for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
            *o = Self::beta_of(*x, *y);
        }
    }

    /// β.
    fn beta(&self) -> Vec<f64> {
        let mut beta = vec![0.0; self.factors()[0].len()];
        self.fill_beta(&mut beta);
        beta
    }

    /// Whether every weight is finite.
    fn is_finite(&self) -> bool {
        let [a, b] = self.factors();
        a.iter().chain(b).all(|w| w.is_finite())
    }
}

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

    /// c = u² − v² per coordinate: conserved by gradient flow; κ = c/2 is the effective
    /// initialisation of the hyperbolic-entropy potential.
    pub fn conserved(&self) -> Vec<f64> {
        self.u
            .iter()
            .zip(&self.v)
            .map(|(a, b)| a * a - b * b)
            .collect()
    }
}

impl Parametrisation for DiagNet {
    const LOSS_DIVISOR: f64 = 1.0;

    fn factors(&self) -> [&[f64]; 2] {
        [&self.u, &self.v]
    }

    fn factors_mut(&mut self) -> [&mut [f64]; 2] {
        [&mut self.u, &mut self.v]
    }

    fn beta_of(u: f64, v: f64) -> f64 {
        u * v
    }

    /// u ← u − γ(e·v)/count, v ← v − γ(e·u)/count, simultaneously.
    fn descend(u: f64, v: f64, e: f64, count: f64, gamma: f64) -> (f64, f64, bool) {
        (
            u - gamma * ((e * v) / count),
            v - gamma * ((e * u) / count),
            false,
        )
    }

    fn ascend(u: f64, v: f64, e: f64, count: f64, rho: f64) -> (f64, f64) {
        (u + rho * ((e * v) / count), v + rho * ((e * u) / count))
    }

    fn gradient(u: f64, v: f64, e: f64, count: f64) -> (f64, f64) {
        ((e * v) / count, (e * u) / count)
    }
}

/// One training update rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Update<'a> {
    /// Full-batch gradient descent.
    Gd,
    /// SGD on the listed examples (drawn by the caller; repeats allowed).
    Sgd {
        /// Indices of the sampled examples.
        batch: &'a [usize],
    },
    /// Unnormalised m-SAM, unified convention (group size `m` must divide n).
    Sam {
        /// Group size m.
        m: usize,
        /// Ascent radius ρ (unified convention).
        rho: f64,
    },
}

/// What one update saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Training loss (in the convention's scale) of the iterate *before* the update, when it
    /// was computed: always for GD and m-SAM, which need every residual; for SGD when asked.
    pub loss: Option<f64>,
    /// Coordinates where a multiplicative factor 1 ∓ γg was ≤ 0 (w₊ or w₋ changed sign).
    pub sign_flips: usize,
}

/// Scratch buffers reused across updates (no allocation per step).
#[derive(Clone, Debug)]
pub struct Workspace {
    beta: Vec<f64>,
    residual: Vec<f64>,
    xerr: Vec<f64>,
    hat: [Vec<f64>; 2],
    grad: [Vec<f64>; 2],
}

impl Workspace {
    /// Buffers for dimension `d` and `n` examples.
    pub fn new(n: usize, d: usize) -> Self {
        Self {
            beta: vec![0.0; d],
            residual: vec![0.0; n],
            xerr: vec![0.0; d],
            hat: [vec![0.0; d], vec![0.0; d]],
            grad: [vec![0.0; d], vec![0.0; d]],
        }
    }
}

/// xerr = Σ_{k ∈ batch} r_k x_k, summed in the order given (SGD's random batch, small groups).
fn batch_xerr(
    data: &Regression,
    batch: impl IntoIterator<Item = usize>,
    residual: &[f64],
    xerr: &mut [f64],
) {
    xerr.iter_mut().for_each(|e| *e = 0.0);
    for k in batch {
        let r = residual[k];
        for (e, x) in xerr.iter_mut().zip(data.row(k)) {
            *e += r * x;
        }
    }
}

/// xerr = Σ_{k ∈ rows} r_k x_k, summed over k in order, for consecutive examples `rows`: the
/// row-major design is the column-major storage of Xᵀ, so this is [`column_dots`] of Xᵀ's rows
/// with the residuals (the same bits as [`batch_xerr`] over the same rows).
fn rows_xerr(data: &Regression, rows: Range<usize>, residual: &[f64], xerr: &mut [f64]) {
    if rows.len() < MIN_BLOCKED_ROWS {
        // A handful of rows (1-SAM's groups): the plain loop is cheaper than blocking.
        return batch_xerr(data, rows, residual, xerr);
    }
    let transposed = &data.x[rows.start * data.d..rows.end * data.d];
    column_dots(transposed, data.d, &residual[rows], 0..data.d, |j, s| {
        xerr[j] = s;
    });
}

/// One gradient step of every coordinate along `xerr / count`; returns the sign flips.
fn descend_all<P: Parametrisation>(net: &mut P, xerr: &[f64], count: f64, gamma: f64) -> usize {
    let [a, b] = net.factors_mut();
    let mut flips = 0;
    for ((a, b), e) in a.iter_mut().zip(b.iter_mut()).zip(xerr) {
        let (na, nb, flipped) = P::descend(*a, *b, *e, count, gamma);
        (*a, *b) = (na, nb);
        flips += usize::from(flipped);
    }
    flips
}

/// Applies one update with step `gamma` (see [`Step`] for the loss; `track_loss` asks SGD to
/// compute it too).
pub fn apply<P: Parametrisation>(
    net: &mut P,
    data: &Regression,
    update: Update,
    gamma: f64,
    ws: &mut Workspace,
    track_loss: bool,
) -> Step {
    net.fill_beta(&mut ws.beta);
    match update {
        Update::Gd => {
            let loss = residuals(data, &ws.beta, &mut ws.residual) / P::LOSS_DIVISOR;
            rows_xerr(data, 0..data.n, &ws.residual, &mut ws.xerr);
            let sign_flips = descend_all(net, &ws.xerr, data.n as f64, gamma);
            Step {
                loss: Some(loss),
                sign_flips,
            }
        }
        Update::Sgd { batch } => {
            let loss = if track_loss {
                Some(residuals(data, &ws.beta, &mut ws.residual) / P::LOSS_DIVISOR)
            } else {
                for &k in batch {
                    ws.residual[k] = dot(data.row(k), &ws.beta) - data.y[k];
                }
                None
            };
            batch_xerr(data, batch.iter().copied(), &ws.residual, &mut ws.xerr);
            let sign_flips = descend_all(net, &ws.xerr, batch.len() as f64, gamma);
            Step { loss, sign_flips }
        }
        Update::Sam { m, rho } => {
            let loss = residuals(data, &ws.beta, &mut ws.residual) / P::LOSS_DIVISOR;
            sam_step(net, data, m, rho, gamma, ws);
            Step {
                loss: Some(loss),
                sign_flips: 0,
            }
        }
    }
}

/// The m-SAM update from the residuals in `ws`: for each group G of m consecutive examples, the
/// gradient of L_G at the ascent point w + ρ∇L_G; then w ← w − γ·(mean over groups).
fn sam_step<P: Parametrisation>(
    net: &mut P,
    data: &Regression,
    m: usize,
    rho: f64,
    gamma: f64,
    ws: &mut Workspace,
) {
    let n = data.n;
    debug_assert!(m >= 1 && n.is_multiple_of(m));
    ws.grad.iter_mut().for_each(|g| g.fill(0.0));
    let mf = m as f64;
    let [ha, hb] = &mut ws.hat;
    for g in 0..n / m {
        let rows = g * m..(g + 1) * m;
        // Ascent on L_G at the current point.
        rows_xerr(data, rows.clone(), &ws.residual, &mut ws.xerr);
        let [a, b] = net.factors();
        for j in 0..data.d {
            (ha[j], hb[j]) = P::ascend(a[j], b[j], ws.xerr[j], mf, rho);
        }
        // Gradient of L_G at the perturbed point, reusing `beta` and `residual` for this group.
        for ((o, x), y) in ws.beta.iter_mut().zip(ha.iter()).zip(hb.iter()) {
            *o = P::beta_of(*x, *y);
        }
        data.predictions(&ws.beta, rows.clone(), |k, p| {
            ws.residual[k] = p - data.y[k];
        });
        rows_xerr(data, rows, &ws.residual, &mut ws.xerr);
        for j in 0..data.d {
            let (ga, gb) = P::gradient(ha[j], hb[j], ws.xerr[j], mf);
            ws.grad[0][j] += ga;
            ws.grad[1][j] += gb;
        }
    }
    let groups = (n / m) as f64;
    let [a, b] = net.factors_mut();
    for j in 0..data.d {
        a[j] -= gamma * (ws.grad[0][j] / groups);
        b[j] -= gamma * (ws.grad[1][j] / groups);
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

    /// w₊ ⊙ w₋: multiplied by (1 − γ²g_j²) at every step; α∞ = √(w₊w₋) and κ = 2·w₊⊙w₋.
    pub fn product(&self) -> Vec<f64> {
        self.wp.iter().zip(&self.wm).map(|(p, m)| p * m).collect()
    }

    /// The training loss in this paper's convention, ‖Xβ − y‖²/(4n).
    pub fn loss(data: &Regression, beta: &[f64]) -> f64 {
        data.train_loss(beta) / Self::LOSS_DIVISOR
    }
}

impl Parametrisation for PlusMinusNet {
    const LOSS_DIVISOR: f64 = 2.0;

    fn factors(&self) -> [&[f64]; 2] {
        [&self.wp, &self.wm]
    }

    fn factors_mut(&mut self) -> [&mut [f64]; 2] {
        [&mut self.wp, &mut self.wm]
    }

    fn beta_of(p: f64, m: f64) -> f64 {
        p * p - m * m
    }

    /// The multiplicative step w₊ ← w₊(1 − γg), w₋ ← w₋(1 + γg).
    fn descend(p: f64, m: f64, e: f64, count: f64, gamma: f64) -> (f64, f64, bool) {
        let step = gamma * (e / count);
        (p * (1.0 - step), m * (1.0 + step), step.abs() >= 1.0)
    }

    fn ascend(p: f64, m: f64, e: f64, count: f64, rho: f64) -> (f64, f64) {
        let step = rho * (e / count);
        (p * (1.0 + step), m * (1.0 - step))
    }

    fn gradient(p: f64, m: f64, e: f64, count: f64) -> (f64, f64) {
        let g = e / count;
        (g * p, -(g * m))
    }
}

/// r = Xβ − y into `out`; returns the training loss ‖r‖²/(2n).
pub fn residuals(data: &Regression, beta: &[f64], out: &mut [f64]) -> f64 {
    let mut s = 0.0;
    data.predictions(beta, 0..data.n, |k, p| {
        let r = p - data.y[k];
        out[k] = r;
        s += r * r;
    });
    s / (2.0 * data.n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::tol::Tol;

    /// n = 2, d = 2, X = I, y = (1, 2).
    fn tiny() -> Regression {
        Regression::new(
            2,
            vec![1.0, 0.0, 0.0, 1.0],
            vec![1.0, 2.0],
            vec![1.0, 1.0],
            vec![3.0],
            vec![1.0, 2.0],
        )
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
        let loss = apply(&mut net, &data, Update::Gd, 0.1, &mut ws, false)
            .loss
            .unwrap();
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
        apply(
            &mut net,
            &data,
            Update::Sgd { batch: &[1] },
            0.1,
            &mut ws,
            false,
        );
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
            false,
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
            apply(&mut a, &data, Update::Gd, 0.2, &mut ws, false);
            apply(
                &mut b,
                &data,
                Update::Sam { m: 6, rho: 0.0 },
                0.2,
                &mut ws,
                false,
            );
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
        let s = apply(&mut net, &data, Update::Gd, 0.1, &mut ws, false);
        assert_eq!(s.loss, Some(0.625));
        assert_eq!(s.sign_flips, 0);
        assert!((net.wp[0] - 1.05).abs() < 1e-15 && (net.wp[1] - 1.1).abs() < 1e-15);
        assert!((net.wm[0] - 0.95).abs() < 1e-15 && (net.wm[1] - 0.9).abs() < 1e-15);
        // SGD on example 1 only: g = r_1 x_1 = (0, −2): γ = 0.6 gives factors 1 ∓ (−1.2): w₋ flips.
        let mut net = PlusMinusNet::new(1.0, 2);
        let s = apply(
            &mut net,
            &data,
            Update::Sgd { batch: &[1] },
            0.6,
            &mut ws,
            true,
        );
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
        rows_xerr(&data, 0..8, &r, &mut g);
        let mut by_batch = vec![0.0; 6];
        batch_xerr(&data, 0..8, &r, &mut by_batch);
        assert_eq!(g, by_batch, "the two xerr paths sum alike");
        apply(&mut net, &data, Update::Gd, 0.3, &mut ws, false);
        for (j, c) in net.conserved().iter().enumerate() {
            let gj = g[j] / 8.0;
            let expect = c0[j] * (1.0 - 0.09 * gj * gj);
            assert!((c - expect).abs() < 1e-14, "coord {j}: {c} vs {expect}");
        }
    }

    /// The u⊙v weights of w± under (u, v) = (w₊ + w₋, w₊ − w₋).
    fn as_uv(net: &PlusMinusNet) -> DiagNet {
        DiagNet {
            u: net.wp.iter().zip(&net.wm).map(|(p, m)| p + m).collect(),
            v: net.wp.iter().zip(&net.wm).map(|(p, m)| p - m).collect(),
        }
    }

    #[test]
    fn both_parametrisations_are_one_descent_for_every_algorithm() {
        // The same β path up to rounding, for GD, minibatch SGD and m-SAM, from corresponding
        // initialisations (w₊ = w₋ = α, i.e. u = 2α, v = 0), with the same γ and ρ.
        let data = Regression::generate(&mut Rng::new(3), 12, 8, 2, 4);
        let batch = [3, 7, 7, 0];
        let updates = [
            Update::Gd,
            Update::Sgd { batch: &batch },
            Update::Sam { m: 4, rho: 0.05 },
            Update::Sam { m: 1, rho: 0.1 },
        ];
        for update in updates {
            let mut pm = PlusMinusNet::new(0.2, 8);
            let mut uv = as_uv(&pm);
            let mut ws = Workspace::new(12, 8);
            for _ in 0..200 {
                let a = apply(&mut pm, &data, update, 0.05, &mut ws, true);
                let b = apply(&mut uv, &data, update, 0.05, &mut ws, true);
                // The losses differ by the conventions' factor 2.
                let (la, lb) = (a.loss.unwrap(), b.loss.unwrap());
                assert!(
                    (2.0 * la - lb).abs() <= 1e-12 * lb.max(1e-300),
                    "{update:?}: {la} {lb}"
                );
            }
            let (pb, ub) = (pm.beta(), uv.beta());
            assert!(ub.iter().any(|b| b.abs() > 1e-3), "{update:?} moved");
            let diff = Tol::of_max(1e-12).compare(&pb, &ub);
            assert!(diff.passed, "{update:?}: β differs by {diff:?}");
            let (back, uv) = (as_uv(&pm), [uv.u, uv.v].concat());
            let diff = Tol::of_max(1e-12).compare(&[back.u, back.v].concat(), &uv);
            assert!(diff.passed, "{update:?}: weights differ by {diff:?}");
        }
    }

    #[test]
    fn plus_minus_sam_with_zero_radius_is_gd_and_ascends_multiplicatively() {
        let data = tiny();
        let (mut a, mut b) = (PlusMinusNet::new(1.0, 2), PlusMinusNet::new(1.0, 2));
        let mut ws = Workspace::new(2, 2);
        apply(&mut a, &data, Update::Gd, 0.1, &mut ws, false);
        apply(
            &mut b,
            &data,
            Update::Sam { m: 2, rho: 0.0 },
            0.1,
            &mut ws,
            false,
        );
        for (x, y) in a.wp.iter().chain(&a.wm).zip(b.wp.iter().chain(&b.wm)) {
            assert!((x - y).abs() < 1e-15);
        }
        // By hand, m = 2, ρ = 0.5 from w₊ = w₋ = 1: g = (−0.5, −1); ascent ŵ₊ = 1 + ρg =
        // (0.75, 0.5), ŵ₋ = 1 − ρg = (1.25, 1.5); β̂ = ŵ₊² − ŵ₋² = (−1, −2); r̂ = β̂ − y = (−2, −4);
        // ĝ = r̂/2 = (−1, −2); ∇w₊ = ĝŵ₊ = (−0.75, −1), ∇w₋ = −ĝŵ₋ = (1.25, 3).
        // γ = 0.1: w₊ = (1.075, 1.1), w₋ = (0.875, 0.7).
        let mut net = PlusMinusNet::new(1.0, 2);
        apply(
            &mut net,
            &data,
            Update::Sam { m: 2, rho: 0.5 },
            0.1,
            &mut ws,
            false,
        );
        for (got, want) in net.wp.iter().chain(&net.wm).zip([1.075, 1.1, 0.875, 0.7]) {
            assert!((got - want).abs() < 1e-15, "{:?} {:?}", net.wp, net.wm);
        }
    }

    #[test]
    fn minibatch_sgd_on_uv_averages_its_examples() {
        // Batch [0, 1] (every example once) is one GD step; [1] alone the old batch-1 SGD.
        let data = tiny();
        let start = DiagNet {
            u: vec![1.0, 1.0],
            v: vec![0.5, 0.0],
        };
        let mut ws = Workspace::new(2, 2);
        let (mut a, mut b) = (start.clone(), start);
        apply(&mut a, &data, Update::Gd, 0.1, &mut ws, false);
        apply(
            &mut b,
            &data,
            Update::Sgd { batch: &[0, 1] },
            0.1,
            &mut ws,
            false,
        );
        assert_eq!(a, b);
    }
}
