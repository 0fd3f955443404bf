//! The step-wise run: user 0 minimises f_0(x) = ½·xᵀAx (x* = 0) from x_0 = (1, …, 1) with the
//! stochastic gradients of N + 1 users, g_i(x) = ∇f_i(x) + σ·ξ_i, ξ_i ~ N(0, I) fresh for every
//! user and step, f_i(x) = ½·(x − ζu_i)ᵀA_i(x − ζu_i), A_i = A ∘ (1 + δ·U_i) (all diagonal).
//!
//! Methods (spec §3): alone, x ← x − η·g_0; weighted gradient averaging, x ← x − η·Σ α_i·g_i;
//! bias correction (our version, §3.3), with ḡ = (1/N)·Σ_{i≥1} g_i,
//! d_t = (g_0 + N·(ḡ + c_t))/(N + 1), c_{t+1} = (1 − a)·c_t + a·(g_0 − ḡ), x ← x − η·d_t.
//!
//! Every coordinate evolves on its own (all Hessians diagonal) and linearly in the noise, so the
//! stationary law of each method is Gaussian with a closed form: a mean (WGA's biased fixed point
//! x̄ = (Σ α_i A_i)⁻¹·Σ α_i A_i ζu_i; 0 for BC) and a variance from a scalar (WGA) or 2 × 2 (BC,
//! the pair (x_k, c_k)) discrete Lyapunov equation. The run reports that exact stationary error
//! beside the measured one; it is theory [derived] for this model, not the paper's bound.
//!
//! Random streams (seed s): the bias directions, the Hessian perturbations, user 0's noise and the
//! collaborators' noise are four separate streams, so every method sees the same problem and the
//! same noise of user 0, and at N = 0 every method is bit for bit the run alone.

use super::config::{Algo, Bias, Config};
use crate::experiment::{NamedVector, Stepper, Stepwise, divergence, record_grid};
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use nalgebra::{Matrix3, Vector3};
use std::collections::BTreeMap;

const DIRECTION_STREAM: u64 = 1;
const HESSIAN_STREAM: u64 = 2;
const OWN_NOISE_STREAM: u64 = 3;
const OTHERS_NOISE_STREAM: u64 = 4;

/// The N + 1 users' quadratics: user 0's curvatures, each collaborator's curvatures and
/// minimiser ζu_i.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// User 0: f_0(x) = ½·Σ a_k x_k².
    pub a: Vec<f64>,
    /// Collaborator i (index i − 1): the diagonal of A_i.
    pub curv: Vec<Vec<f64>>,
    /// Collaborator i (index i − 1): its minimiser ζ·u_i.
    pub centre: Vec<Vec<f64>>,
}

/// Fills `out` with standard normals, two per pair of uniforms (Box–Muller's cosine and sine
/// branches, `libm`; an odd last entry drops the sine): half the transcendental work of one
/// `Rng::normal` per entry, on the same portable stream.
pub fn fill_normals(rng: &mut Rng, out: &mut [f64]) {
    for pair in out.chunks_mut(2) {
        let u1 = 1.0 - rng.uniform(); // in (0, 1], so ln is finite
        let u2 = rng.uniform();
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let (sin, cos) = libm::sincos(2.0 * std::f64::consts::PI * u2);
        pair[0] = r * cos;
        if let Some(second) = pair.get_mut(1) {
            *second = r * sin;
        }
    }
}

fn unit_vector(rng: &mut Rng, d: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let norm = libm::sqrt(v.iter().fold(0.0, |s, x| s + x * x));
    v.iter().map(|x| x / norm).collect()
}

impl Instance {
    /// The problem of `cfg` on `seed`: u (coherent; it is also u_1 of the random case) or u_i from
    /// the direction stream, U_i ~ U[−1, 1]^d from the Hessian stream.
    pub fn draw(cfg: &Config, seed: u64) -> Self {
        let a = cfg.curvatures();
        let mut dirs = Rng::stream(seed, DIRECTION_STREAM);
        let mut hess = Rng::stream(seed, HESSIAN_STREAM);
        let shared = unit_vector(&mut dirs, cfg.d);
        let mut curv = Vec::with_capacity(cfg.n);
        let mut centre = Vec::with_capacity(cfg.n);
        for i in 0..cfg.n {
            let u = match cfg.bias {
                Bias::Random if i > 0 => unit_vector(&mut dirs, cfg.d),
                _ => shared.clone(),
            };
            centre.push(u.iter().map(|v| cfg.zeta * v).collect());
            curv.push(
                a.iter()
                    .map(|ak| ak * (1.0 + cfg.delta * (2.0 * hess.uniform() - 1.0)))
                    .collect(),
            );
        }
        Self { a, curv, centre }
    }

    /// Number of collaborators.
    pub fn n(&self) -> usize {
        self.curv.len()
    }

    /// The true bias c* = ∇f_0(x*) − ∇f̄(x*) = (1/N)·Σ A_i ζu_i that BC's c_t estimates; `None`
    /// without collaborators.
    pub fn true_bias(&self) -> Option<Vec<f64>> {
        let n = self.n();
        (n > 0).then(|| {
            (0..self.a.len())
                .map(|k| {
                    let s = (0..n).fold(0.0, |s, i| s + self.curv[i][k] * self.centre[i][k]);
                    s / n as f64
                })
                .collect()
        })
    }

    /// The mean curvature m_k = Σ α_i A_i,kk and the mean pull b_k = Σ_{i≥1} α_i A_i,kk ζu_i,k of
    /// the averaged gradient Σ α_i ∇f_i(x) = m ⊙ x − b.
    fn averaged(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>) {
        (0..self.a.len())
            .map(|k| {
                let (mut m, mut b) = (w[0] * self.a[k], 0.0);
                for i in 0..self.n() {
                    m += w[i + 1] * self.curv[i][k];
                    b += w[i + 1] * self.curv[i][k] * self.centre[i][k];
                }
                (m, b)
            })
            .unzip()
    }

    /// The fixed point of the averaged gradient with weights `w` (α₀ … α_N): WGA's biased limit
    /// x̄ = (Σ α_i A_i)⁻¹ Σ α_i A_i ζu_i.
    pub fn fixed_point(&self, w: &[f64]) -> Vec<f64> {
        let (m, b) = self.averaged(w);
        m.iter().zip(&b).map(|(m, b)| b / m).collect()
    }
}

/// The stationary mean squared error E‖x − x*‖² of a method: the squared norm of its mean (the
/// bias floor) and its variance, each summed over the coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stationary {
    /// ‖E x‖².
    pub bias: f64,
    /// Σ_k Var x_k.
    pub variance: f64,
}

impl Stationary {
    /// E‖x − x*‖².
    pub fn total(&self) -> f64 {
        self.bias + self.variance
    }
}

/// WGA (or alone) with weights `w`: per coordinate x' = (1 − ηm)x + ηb + ησ·Σ α_i ξ_i, so the
/// mean is b/m and the variance η²σ²Σα_i² / (1 − (1 − ηm)²); `None` if a coordinate is unstable
/// (|1 − ηm| ≥ 1).
pub fn stationary_wga(inst: &Instance, w: &[f64], eta: f64, sigma: f64) -> Option<Stationary> {
    let (m, b) = inst.averaged(w);
    let s2 = w.iter().fold(0.0, |s, v| s + v * v);
    let (mut bias, mut variance) = (0.0, 0.0);
    for (m, b) in m.iter().zip(&b) {
        let r = 1.0 - eta * m;
        if r.abs() >= 1.0 {
            return None;
        }
        let mean = b / m;
        bias += mean * mean;
        variance += eta * eta * sigma * sigma * s2 / (1.0 - r * r);
    }
    Some(Stationary { bias, variance })
}

/// The stationary covariance P = M P Mᵀ + Q of a stable 2 × 2 linear recursion z' = Mz + w,
/// Cov w = Q, as (P₁₁, P₁₂, P₂₂); `None` when M is not stable (Jury: |det M| < 1 and
/// |tr M| < 1 + det M) or the system is singular.
pub fn lyapunov2(m: [[f64; 2]; 2], q: [f64; 3]) -> Option<[f64; 3]> {
    let (tr, det) = (m[0][0] + m[1][1], m[0][0] * m[1][1] - m[0][1] * m[1][0]);
    if det.abs() >= 1.0 || tr.abs() >= 1.0 + det {
        return None;
    }
    let [[a, b], [c, d]] = m;
    // (P₁₁, P₁₂, P₂₂) = K·(P₁₁, P₁₂, P₂₂) + q, from (MPMᵀ)₁₁, ₁₂ and ₂₂.
    let k = Matrix3::new(
        a * a,
        2.0 * a * b,
        b * b,
        a * c,
        a * d + b * c,
        b * d,
        c * c,
        2.0 * c * d,
        d * d,
    );
    let p = (Matrix3::identity() - k)
        .lu()
        .solve(&Vector3::new(q[0], q[1], q[2]))?;
    Some([p[0], p[1], p[2]])
}

/// BC with rate `rate`: per coordinate the pair (x, c) follows z' = Mz + m + w with
/// M = [[1 − η(a + S)/(N + 1), −ηN/(N + 1)], [r(a − S/N), 1 − r]], S = Σ_i A_i,kk, whose mean is
/// (0, c*) and whose noise has Cov w = σ²·diag(η²/(N + 1), r²(1 + 1/N)) (the two noise
/// combinations ξ_0 + Σξ_i and ξ_0 − Σξ_i/N are uncorrelated). `None` without collaborators
/// (BC is then alone) or when unstable.
pub fn stationary_bc(inst: &Instance, eta: f64, sigma: f64, rate: f64) -> Option<Stationary> {
    let n = inst.n();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mut variance = 0.0;
    for (k, a) in inst.a.iter().enumerate() {
        let s = (0..n).fold(0.0, |s, i| s + inst.curv[i][k]);
        let m = [
            [1.0 - eta * (a + s) / (nf + 1.0), -eta * nf / (nf + 1.0)],
            [rate * (a - s / nf), 1.0 - rate],
        ];
        let q = [
            sigma * sigma * eta * eta / (nf + 1.0),
            0.0,
            sigma * sigma * rate * rate * (1.0 + 1.0 / nf),
        ];
        variance += lyapunov2(m, q)?[0];
    }
    Some(Stationary {
        bias: 0.0,
        variance,
    })
}

/// One run of the collaborative learning experiment.
pub type CollabRun = Stepper<CollabModel>;

/// The dynamics of one run.
pub struct CollabModel {
    cfg: Config,
    inst: Instance,
    /// The averaging weights (alone and WGA); `None` for BC with collaborators.
    weights: Option<Vec<f64>>,
    true_bias: Option<Vec<f64>>,
    x: Vec<f64>,
    c: Vec<f64>,
    g0: Vec<f64>,
    agg: Vec<f64>,
    /// This step's noise: user 0's (d) and the collaborators' (N·d, user by user).
    own_noise: Vec<f64>,
    others_noise: Vec<f64>,
    own: Rng,
    others: Rng,
    t: u64,
    /// Σ_{s ≤ t} ‖x_s‖², and its values kept at the halves of the recording times.
    sum_sq: f64,
    halves: Vec<(u64, f64)>,
    half_times: Vec<u64>,
    next_half: usize,
    initial: f64,
}

impl CollabModel {
    /// A run of `cfg` on `seed` (problem and noise).
    pub fn new(cfg: Config, seed: u64) -> Self {
        let inst = Instance::draw(&cfg, seed);
        Self::with_instance(cfg, inst, seed)
    }

    /// A run of `cfg` on a given problem, with the noise of `seed`.
    pub fn with_instance(cfg: Config, inst: Instance, seed: u64) -> Self {
        let d = cfg.d;
        let x = vec![1.0; d];
        let initial = d as f64;
        let mut half_times: Vec<u64> = record_grid(cfg.steps).iter().map(|g| g / 2).collect();
        half_times.dedup();
        let others = if cfg.collaborates() { inst.n() * d } else { 0 };
        let mut model = Self {
            weights: cfg.weights(),
            true_bias: inst.true_bias(),
            inst,
            x,
            c: vec![0.0; d],
            g0: vec![0.0; d],
            agg: vec![0.0; d],
            own_noise: vec![0.0; d],
            others_noise: vec![0.0; others],
            own: Rng::stream(seed, OWN_NOISE_STREAM),
            others: Rng::stream(seed, OTHERS_NOISE_STREAM),
            t: 0,
            sum_sq: initial,
            halves: Vec::new(),
            half_times,
            next_half: 0,
            initial,
            cfg,
        };
        model.keep_halves();
        model
    }

    /// The problem.
    pub fn instance(&self) -> &Instance {
        &self.inst
    }

    /// The iterate x_t.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// BC's bias estimate c_t (zeros for the other methods).
    pub fn bias_estimate(&self) -> &[f64] {
        &self.c
    }

    fn keep_halves(&mut self) {
        while self.half_times.get(self.next_half) == Some(&self.t) {
            self.halves.push((self.t, self.sum_sq));
            self.next_half += 1;
        }
    }

    fn sq(&self) -> f64 {
        self.x.iter().fold(0.0, |s, v| s + v * v)
    }

    /// The mean of ‖x_s − x*‖² over ⌊t/2⌋ < s ≤ t (‖x_0‖² at t = 0); `None` between recording
    /// times (the half-way sum is kept only for those).
    fn tail_mean(&self) -> Option<f64> {
        if self.t == 0 {
            return Some(self.sq());
        }
        let half = self.t / 2;
        let at = self.halves.binary_search_by_key(&half, |(s, _)| *s).ok()?;
        Some((self.sum_sq - self.halves[at].1) / (self.t - half) as f64)
    }

    fn bias_gap(&self) -> Option<f64> {
        let truth = self.true_bias.as_ref()?;
        let s = self
            .c
            .iter()
            .zip(truth)
            .fold(0.0, |s, (c, b)| s + (c - b) * (c - b));
        Some(libm::sqrt(s))
    }

    fn is_bc(&self) -> bool {
        self.weights.is_none()
    }

    /// The exact stationary error of this method on this problem.
    pub fn stationary(&self) -> Option<Stationary> {
        let (eta, sigma) = (self.cfg.eta, self.cfg.sigma);
        match &self.weights {
            Some(w) => stationary_wga(&self.inst, w, eta, sigma),
            None => stationary_bc(&self.inst, eta, sigma, self.cfg.rate),
        }
    }

    /// The stationary error of the user alone: Σ_k ησ² / (a_k(2 − ηa_k)).
    pub fn alone_stationary(&self) -> Option<f64> {
        let mut w = vec![0.0; self.inst.n() + 1];
        w[0] = 1.0;
        stationary_wga(&self.inst, &w, self.cfg.eta, self.cfg.sigma).map(|s| s.total())
    }
}

impl Stepwise for CollabModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Ok(Self::new(Config::from_params(params)?, seed))
    }

    fn total(&self) -> u64 {
        self.cfg.steps
    }

    fn series_names(&self) -> Vec<String> {
        let mut names: Vec<String> = ["sq_error", "tail_error", "x1", "x2"]
            .map(String::from)
            .into();
        if self.is_bc() {
            names.extend(["bias_gap", "c1", "c2"].map(String::from));
        }
        names
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        let (eta, sigma) = (self.cfg.eta, self.cfg.sigma);
        let noisy = sigma != 0.0;
        if noisy {
            fill_normals(&mut self.own, &mut self.own_noise);
            fill_normals(&mut self.others, &mut self.others_noise);
        }
        for k in 0..self.x.len() {
            self.g0[k] = self.inst.a[k] * self.x[k] + sigma * self.own_noise[k];
        }
        if self.cfg.collaborates() {
            self.agg.iter_mut().for_each(|v| *v = 0.0);
            let d = self.x.len();
            for i in 0..self.inst.n() {
                let w = self.weights.as_ref().map_or(1.0, |w| w[i + 1]);
                let (curv, centre) = (&self.inst.curv[i], &self.inst.centre[i]);
                let noise = &self.others_noise[i * d..(i + 1) * d];
                for k in 0..d {
                    let g = curv[k] * (self.x[k] - centre[k]) + sigma * noise[k];
                    self.agg[k] += w * g;
                }
            }
        }
        match &self.weights {
            Some(w) if self.cfg.collaborates() => {
                for k in 0..self.x.len() {
                    self.x[k] -= eta * (w[0] * self.g0[k] + self.agg[k]);
                }
            }
            Some(_) => {
                for k in 0..self.x.len() {
                    self.x[k] -= eta * self.g0[k];
                }
            }
            None => {
                // agg = Σ g_i = N·ḡ.
                let (n, r) = (self.inst.n() as f64, self.cfg.rate);
                for k in 0..self.x.len() {
                    let d = (self.g0[k] + self.agg[k] + n * self.c[k]) / (n + 1.0);
                    self.c[k] = (1.0 - r) * self.c[k] + r * (self.g0[k] - self.agg[k] / n);
                    self.x[k] -= eta * d;
                }
            }
        }
        self.t = t + 1;
        let sq = self.sq();
        self.sum_sq += sq;
        self.keep_halves();
        divergence(Some(sq), self.initial, sq.is_finite())
    }

    fn record(&self) -> Vec<f64> {
        let mut v = vec![
            self.sq(),
            self.tail_mean().unwrap_or(f64::NAN),
            self.x[0],
            self.x[1],
        ];
        if self.is_bc() {
            v.extend([self.bias_gap().unwrap_or(f64::NAN), self.c[0], self.c[1]]);
        }
        v
    }

    fn metrics(&self, _t: u64, diverged: bool, m: &mut BTreeMap<String, f64>) {
        let n = self.inst.n();
        m.insert("users".into(), (n + 1) as f64);
        let alone = self.alone_stationary();
        if let Some(alone) = alone {
            m.insert("alone_theory".into(), alone);
            m.insert("speedup_reference".into(), alone / (n + 1) as f64);
        }
        if let Some(s) = self.stationary() {
            m.insert("error_theory".into(), s.total());
            m.insert("bias_floor".into(), s.bias);
            m.insert("variance_theory".into(), s.variance);
        }
        if let Some(w) = &self.weights {
            m.insert("weight_self".into(), w[0]);
            m.insert("weights_sq".into(), w.iter().fold(0.0, |s, v| s + v * v));
        }
        if let Some(b) = &self.true_bias {
            m.insert(
                "bias_norm".into(),
                libm::sqrt(b.iter().fold(0.0, |s, v| s + v * v)),
            );
            m.insert("c_star_1".into(), b[0]);
            m.insert("c_star_2".into(), b[1]);
        }
        if diverged {
            return;
        }
        m.insert("error_last".into(), self.sq());
        if let Some(e) = self.tail_mean() {
            m.insert("error".into(), e);
            if let Some(alone) = alone.filter(|a| *a > 0.0) {
                m.insert("error_vs_alone".into(), e / alone);
            }
        }
        if let Some(g) = self.bias_gap().filter(|_| self.is_bc()) {
            m.insert("bias_gap".into(), g);
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let mut out = vec![NamedVector {
            name: "x".into(),
            values: self.x.clone(),
        }];
        if let Some(w) = &self.weights {
            out.push(NamedVector {
                name: "fixed_point".into(),
                values: self.inst.fixed_point(w),
            });
            out.push(NamedVector {
                name: "weights".into(),
                values: w.clone(),
            });
        } else {
            out.push(NamedVector {
                name: "fixed_point".into(),
                values: vec![0.0; self.x.len()],
            });
            out.push(NamedVector {
                name: "bias_estimate".into(),
                values: self.c.clone(),
            });
        }
        if let Some(b) = &self.true_bias {
            out.push(NamedVector {
                name: "bias_true".into(),
                values: b.clone(),
            });
        }
        out
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let fast = self.cfg.eta * super::config::MU;
        if self.is_bc() && self.cfg.rate >= 0.2 * fast {
            notes.push(format!(
                "BC's rate a = {} is not ≪ ημ = {fast}: the correction follows g_0's own noise \
                 and the speedup fades (check PCL-5)",
                self.cfg.rate
            ));
        }
        if self.stationary().is_none() && (self.weights.is_some() || self.inst.n() > 0) {
            notes.push(
                "η is too large for this problem: the averaged dynamics are unstable (η·curvature \
                 ≥ 2 in some direction)"
                    .into(),
            );
        }
        if self.cfg.algo != Algo::Alone && self.inst.n() == 0 {
            notes.push("N = 0: every method is the user alone".into());
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::{Experiment, Status};

    fn cfg(overrides: &[(&str, &str)]) -> Config {
        Config::from_params(&SCHEMA.build(overrides.iter().copied()).unwrap()).unwrap()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
        }
    }

    /// d = 2, N = 1: a = (0.1, 1), A_1 = diag(0.3, 0.5), ζu_1 = (1.2, 1.6).
    fn two_quadratics() -> Instance {
        Instance {
            a: vec![0.1, 1.0],
            curv: vec![vec![0.3, 0.5]],
            centre: vec![vec![1.2, 1.6]],
        }
    }

    fn hand_run(algo: &str, steps: &str, extra: &[(&str, &str)]) -> CollabModel {
        let mut o = vec![
            ("algo", algo),
            ("n", "1"),
            ("d", "2"),
            ("sigma", "0"),
            ("eta", "0.5"),
            ("rate", "0.1"),
            ("steps", steps),
        ];
        o.extend_from_slice(extra);
        CollabModel::with_instance(cfg(&o), two_quadratics(), 0)
    }

    #[test]
    fn wga_fixed_point_on_two_quadratics_by_hand() {
        // x̄_k = α₁A_1,k ζu_k / (α₀a_k + α₁A_1,k), α = (½, ½):
        // x̄_1 = 0.5·0.3·1.2/(0.05 + 0.15) = 0.9, x̄_2 = 0.5·0.5·1.6/(0.5 + 0.25) = 0.5333….
        let inst = two_quadratics();
        close(&inst.fixed_point(&[0.5, 0.5]), &[0.9, 0.4 / 0.75], 1e-15);
        // α = (1, 0): alone, x* = 0; α = (0, 1): collaborator 1's minimiser.
        close(&inst.fixed_point(&[1.0, 0.0]), &[0.0, 0.0], 0.0);
        close(&inst.fixed_point(&[0.0, 1.0]), &[1.2, 1.6], 1e-15);
        // The noiseless run gets there: contraction (1 − 0.5·0.2)^t on the slow coordinate.
        let mut run = Stepper::new(hand_run("wga", "400", &[]));
        run.run_to_end(u64::MAX, &mut |_| {});
        close(run.model().x(), &[0.9, 0.4 / 0.75], 1e-12);
        let m = run.metrics();
        assert!((m["bias_floor"] - (0.81 + (0.4f64 / 0.75).powi(2))).abs() < 1e-15);
        assert_eq!(m["variance_theory"], 0.0);
    }

    #[test]
    fn one_wga_step_and_two_bc_steps_by_hand() {
        // x0 = (1, 1), η = 0.5, no noise. g0 = (0.1, 1); g1 = (0.3·(1 − 1.2), 0.5·(1 − 1.6))
        // = (−0.06, −0.3). WGA (½, ½): d = (0.02, 0.35), x1 = (0.99, 0.825).
        let mut wga = hand_run("wga", "5", &[]);
        wga.advance(0);
        close(wga.x(), &[0.99, 0.825], 1e-15);
        // BC, N = 1, a = 0.1, c0 = 0: d = (g0 + g1 + c0)/2 = (0.02, 0.35), the same x1;
        // c1 = 0.1·(g0 − g1) = (0.016, 0.13).
        let mut bc = hand_run("bc", "5", &[]);
        bc.advance(0);
        close(bc.x(), &[0.99, 0.825], 1e-15);
        close(bc.bias_estimate(), &[0.016, 0.13], 1e-15);
        // Step 2: g0 = (0.099, 0.825), g1 = (0.3·(−0.21), 0.5·(−0.775)) = (−0.063, −0.3875);
        // d = (0.099 − 0.063 + 0.016, 0.825 − 0.3875 + 0.13)/2 = (0.026, 0.28375);
        // x2 = (0.977, 0.683125); c2 = 0.9·c1 + 0.1·(0.162, 1.2125) = (0.0306, 0.23825).
        bc.advance(1);
        close(bc.x(), &[0.977, 0.683_125], 1e-15);
        close(bc.bias_estimate(), &[0.0306, 0.238_25], 1e-15);
    }

    #[test]
    fn bc_estimate_converges_to_the_true_bias_and_x_to_the_optimum() {
        // c* = (1/N)·Σ A_i ζu_i = (0.36, 0.8). Noiseless, δ ≠ 0 here (A_1 ≠ A).
        let inst = two_quadratics();
        close(&inst.true_bias().unwrap(), &[0.36, 0.8], 1e-15);
        let mut run = Stepper::new(hand_run("bc", "3000", &[("eta", "0.2")]));
        run.run_to_end(u64::MAX, &mut |_| {});
        close(run.model().x(), &[0.0, 0.0], 1e-9);
        close(run.model().bias_estimate(), &[0.36, 0.8], 1e-9);
        assert!(run.metrics()["bias_gap"] < 1e-9);
    }

    #[test]
    fn paired_normals_are_box_muller_on_the_stream() {
        // The first pair is r·(cos, sin)(2πu₂), r = √(−2 ln(1 − u₁)), from the stream's first two
        // uniforms; an odd length drops the last sine.
        let mut by_hand = Rng::new(3);
        let (u1, u2) = (1.0 - by_hand.uniform(), by_hand.uniform());
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let angle = 2.0 * std::f64::consts::PI * u2;
        let mut out = [0.0; 3];
        fill_normals(&mut Rng::new(3), &mut out);
        assert_eq!(out[0], r * libm::sincos(angle).1);
        assert!((out[1] - r * libm::sin(angle)).abs() < 1e-15);
        // Moments of many draws: mean 0, variance 1.
        let mut v = vec![0.0; 200_001];
        fill_normals(&mut Rng::new(8), &mut v);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.01,
            "{mean} {var}"
        );
    }

    #[test]
    fn lyapunov_by_hand() {
        // Diagonal M: P₁₁ = Q₁₁/(1 − m₁₁²), P₂₂ = Q₂₂/(1 − m₂₂²), P₁₂ = 0.
        let p = lyapunov2([[0.5, 0.0], [0.0, 0.8]], [3.0, 0.0, 0.36]).unwrap();
        close(&p, &[4.0, 0.0, 1.0], 1e-12);
        // Upper triangular M = [[0.5, 1], [0, 0.5]], Q = diag(0, 1): P₂₂ = 1/0.75 = 4/3;
        // P₁₂ = 0.25·P₁₂ + 0.5·P₂₂ → P₁₂ = 8/9; P₁₁ = 0.25·P₁₁ + 2·0.5·P₁₂ + P₂₂ → P₁₁ = 80/27.
        let p = lyapunov2([[0.5, 1.0], [0.0, 0.5]], [0.0, 0.0, 1.0]).unwrap();
        close(&p, &[80.0 / 27.0, 8.0 / 9.0, 4.0 / 3.0], 1e-12);
        assert_eq!(lyapunov2([[1.0, 0.0], [0.0, 0.5]], [1.0, 0.0, 1.0]), None);
    }

    #[test]
    fn alone_theory_by_hand() {
        // d = 2, a = (0.1, 1), η = 0.5, σ = 1: Σ η/(a(2 − ηa)) = 0.5/(0.1·1.95) + 0.5/1.5.
        let inst = two_quadratics();
        let s = stationary_wga(&inst, &[1.0, 0.0], 0.5, 1.0).unwrap();
        assert_eq!(s.bias, 0.0);
        assert!(
            (s.variance - (0.5 / 0.195 + 0.5 / 1.5)).abs() < 1e-12,
            "{s:?}"
        );
        // η = 2.5 puts 1 − ηa = −1.5 out of the unit disc.
        assert_eq!(stationary_wga(&inst, &[1.0, 0.0], 2.5, 1.0), None);
    }

    fn run(overrides: &[(&str, &str)], seed: u64) -> CollabRun {
        let mut r = Stepper::new(CollabModel::new(cfg(overrides), seed));
        r.run_to_end(u64::MAX, &mut |_| {});
        r
    }

    #[test]
    fn at_n_zero_every_method_is_alone_bit_for_bit() {
        let alone = run(&[("algo", "alone"), ("n", "0"), ("steps", "500")], 5);
        for algo in ["wga_uniform", "wga", "bc"] {
            let r = run(&[("algo", algo), ("n", "0"), ("steps", "500")], 5);
            assert_eq!(r.series(), alone.series(), "{algo}");
            assert_eq!(r.model().x(), alone.model().x());
        }
        // Alone ignores the collaborators: its run does not depend on N.
        let many = run(&[("algo", "alone"), ("n", "7"), ("steps", "500")], 5);
        assert_eq!(many.model().x(), alone.model().x());
    }

    #[test]
    fn measured_errors_match_the_stationary_theory() {
        // Monte Carlo against the exact stationary laws, one long run each (time averages).
        for (algo, extra) in [
            ("alone", ("zeta", "1")),
            ("wga_uniform", ("zeta", "1")),
            ("wga", ("delta", "0.5")),
            ("bc", ("rate", "2e-3")),
        ] {
            let r = run(
                &[("algo", algo), ("n", "3"), ("steps", "200000"), extra],
                11,
            );
            let m = r.metrics();
            let ratio = m["error"] / m["error_theory"];
            assert!((ratio - 1.0).abs() < 0.1, "{algo}: {m:?}");
        }
    }

    #[test]
    fn instance_draws() {
        let c = cfg(&[("n", "3"), ("delta", "0.5"), ("zeta", "2")]);
        let inst = Instance::draw(&c, 1);
        assert_eq!((inst.n(), inst.a.len()), (3, 10));
        for (curv, centre) in inst.curv.iter().zip(&inst.centre) {
            let norm = libm::sqrt(centre.iter().map(|v| v * v).sum::<f64>());
            assert!((norm - 2.0).abs() < 1e-12);
            assert_eq!(centre, &inst.centre[0], "coherent");
            for (ai, a) in curv.iter().zip(&inst.a) {
                assert!(*ai >= 0.5 * a && *ai <= 1.5 * a);
            }
        }
        assert_ne!(inst.curv[0], inst.curv[1]);
        let random = Instance::draw(
            &Config {
                bias: Bias::Random,
                ..c.clone()
            },
            1,
        );
        assert_eq!(random.centre[0], inst.centre[0]);
        assert_ne!(random.centre[1], inst.centre[1]);
        assert_eq!(random.curv, inst.curv, "same Hessians");
    }

    #[test]
    fn a_too_large_step_diverges() {
        let r = run(&[("algo", "wga_uniform"), ("eta", "2.2"), ("n", "3")], 0);
        let Status::Diverged { .. } = r.progress().status else {
            panic!("no divergence: {:?}", r.metrics());
        };
        assert!(!r.metrics().contains_key("error"));
    }
}
