//! The step-wise streaming least-squares run: one fresh Gaussian sample x ~ N(0, H) per step,
//! H = diag(i^(−p)), y = ⟨x, θ*⟩ + σ·ε, and one method (AcSGD, averaged SGD, SGD or stochastic
//! Nesterov) on the oracle g_t(θ) = x_t(⟨x_t, θ⟩ − y_t).
//!
//! The run works in error coordinates e = θ − θ*, where the oracle is g = x(⟨x, e⟩ − σε). Every
//! update is linear in (e_0, ε), so on one stream of samples the error is the sum of a **bias**
//! process (e_0 = θ0 − θ*, no noise) and a **variance** process (e_0 = 0, the noise): the run
//! advances both on the same samples and reports the full excess risk and its two parts (a part
//! that is identically zero, σ = 0 or θ0 = θ*, is not simulated). The excess risk
//! f(θ) − f* = ½(θ − θ*)ᵀH(θ − θ*) is exact, H being diagonal.

use super::config::{Algo, Config, Output};
use crate::experiment::{NamedVector, Stepper, Stepwise, divergence, record_grid};
use crate::linalg::dot;
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use std::collections::BTreeMap;

const DATA_STREAM: u64 = 1;

/// The update rule of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// The three-sequence recursion (spec §3.2), g at v_t:
    /// x_{t+1} = v_t − β·g, z_{t+1} = z_t − α·(t + 1)·g,
    /// v_{t+1} = ((t + 1)/(t + 2))·x_{t+1} + (1/(t + 2))·z_{t+1}.
    Accelerated {
        /// Step of the z-sequence.
        alpha: f64,
        /// Step of the x-sequence.
        beta: f64,
    },
    /// θ_{t+1} = θ_t − γ·g(θ_t).
    Sgd {
        /// Step size.
        gamma: f64,
    },
}

impl Method {
    /// The method of a configuration.
    pub fn of(cfg: &Config) -> Self {
        match cfg.alpha() {
            Some(alpha) => Method::Accelerated {
                alpha,
                beta: cfg.step(),
            },
            None => Method::Sgd { gamma: cfg.step() },
        }
    }
}

/// ½·Σ h_i e_i², summed left to right: the excess risk of error e under H = diag(h).
pub fn excess_risk(h: &[f64], e: &[f64]) -> f64 {
    let mut s = 0.0;
    for (h, e) in h.iter().zip(e) {
        s += h * e * e;
    }
    0.5 * s
}

/// One error process: its sequences and the running sums its outputs need.
#[derive(Clone, Debug)]
pub struct Process {
    /// x_t (the recursion) or θ_t (SGD): the sequence every output averages.
    x: Vec<f64>,
    z: Vec<f64>,
    v: Vec<f64>,
    /// Σ_{s=0}^t x_s.
    sum: Vec<f64>,
    /// Σ_{s=0}^t s·x_s.
    weighted: Vec<f64>,
    /// (s, Σ_{u=0}^s x_u) kept at the halves of the recording times (tail average).
    halves: Vec<(u64, Vec<f64>)>,
}

impl Process {
    /// A process started at error `e0` (x_0 = z_0 = v_0 = e_0).
    pub fn new(e0: Vec<f64>) -> Self {
        Self {
            z: e0.clone(),
            v: e0.clone(),
            sum: e0.clone(),
            weighted: vec![0.0; e0.len()],
            halves: Vec::new(),
            x: e0,
        }
    }

    /// The step after `t` done, on the sample with features `a` and noise `noise`:
    /// g = a·(⟨a, w⟩ − noise) at the query point w (v_t for the recursion, θ_t for SGD).
    pub fn step(&mut self, method: Method, t: u64, a: &[f64], noise: f64) {
        let w = (t + 1) as f64;
        match method {
            Method::Accelerated { alpha, beta } => {
                let r = dot(a, &self.v) - noise;
                let (cx, cz, za) = (w / (w + 1.0), 1.0 / (w + 1.0), alpha * w);
                for (i, ai) in a.iter().enumerate() {
                    let g = r * ai;
                    let x = self.v[i] - beta * g;
                    let z = self.z[i] - za * g;
                    self.x[i] = x;
                    self.z[i] = z;
                    self.v[i] = cx * x + cz * z;
                    self.sum[i] += x;
                    self.weighted[i] += w * x;
                }
            }
            Method::Sgd { gamma } => {
                let r = dot(a, &self.x) - noise;
                for (i, ai) in a.iter().enumerate() {
                    let x = self.x[i] - gamma * (r * ai);
                    self.x[i] = x;
                    self.sum[i] += x;
                    self.weighted[i] += w * x;
                }
            }
        }
    }

    /// Keeps the running sum after `t` steps, for tail averages at times 2t and 2t + 1.
    pub fn keep_half(&mut self, t: u64) {
        self.halves.push((t, self.sum.clone()));
    }

    /// The output `o` after `t` steps; `None` for a tail average whose half-way sum was not kept.
    pub fn output(&self, o: Output, t: u64) -> Option<Vec<f64>> {
        let scaled = |v: &[f64], c: f64| v.iter().map(|x| x * c).collect();
        Some(match o {
            _ if t == 0 => self.x.clone(),
            Output::Last => self.x.clone(),
            Output::Uniform => scaled(&self.sum, 1.0 / (t + 1) as f64),
            Output::Linear => scaled(&self.weighted, 2.0 / (t as f64 * (t + 1) as f64)),
            Output::Tail => {
                let half = t / 2;
                let at = self.halves.binary_search_by_key(&half, |(s, _)| *s).ok()?;
                let kept = &self.halves[at].1;
                let n = (t - half) as f64;
                self.sum
                    .iter()
                    .zip(kept)
                    .map(|(s, k)| (s - k) / n)
                    .collect()
            }
        })
    }

    /// The v-sequence (the recursion's query point).
    pub fn v(&self) -> &[f64] {
        &self.v
    }

    /// The last iterate.
    pub fn x(&self) -> &[f64] {
        &self.x
    }
}

/// Full, bias and variance excess risk of one output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Risks {
    /// Of the full error (bias + variance).
    pub full: f64,
    /// Of the bias process alone (σ = 0, same samples).
    pub bias: f64,
    /// Of the variance process alone (θ0 = θ*, same samples and noise).
    pub variance: f64,
}

/// One run of the streaming least-squares experiment.
pub type AcsgdRun = Stepper<AcsgdModel>;

/// The dynamics of one run.
pub struct AcsgdModel {
    cfg: Config,
    method: Method,
    h: Vec<f64>,
    sqrt_h: Vec<f64>,
    bias: Option<Process>,
    variance: Option<Process>,
    rng: Rng,
    sample: Vec<f64>,
    t: u64,
    /// ⌊g/2⌋ of every recording time g, increasing, and the next one to keep.
    halves: Vec<u64>,
    next_half: usize,
    risk0: f64,
    initial_loss: f64,
}

impl AcsgdModel {
    /// A run of `cfg` on the sample stream of `seed`.
    pub fn new(cfg: Config, seed: u64) -> Self {
        let h = cfg.spectrum();
        let sqrt_h = h.iter().map(|v| libm::sqrt(*v)).collect();
        let e0 = vec![-cfg.init_dist; cfg.d];
        let risk0 = excess_risk(&h, &e0);
        let mut halves: Vec<u64> = record_grid(cfg.steps).iter().map(|g| g / 2).collect();
        halves.dedup();
        let mut model = Self {
            method: Method::of(&cfg),
            bias: (cfg.init_dist != 0.0).then(|| Process::new(e0)),
            variance: (cfg.sigma != 0.0).then(|| Process::new(vec![0.0; cfg.d])),
            rng: Rng::stream(seed, DATA_STREAM),
            sample: vec![0.0; cfg.d],
            t: 0,
            halves,
            next_half: 0,
            risk0,
            initial_loss: risk0 + 0.5 * cfg.sigma * cfg.sigma,
            h,
            sqrt_h,
            cfg,
        };
        model.keep_halves();
        model
    }

    fn processes(&mut self) -> impl Iterator<Item = &mut Process> {
        self.bias.iter_mut().chain(self.variance.iter_mut())
    }

    fn keep_halves(&mut self) {
        while self.halves.get(self.next_half) == Some(&self.t) {
            let t = self.t;
            self.processes().for_each(|p| p.keep_half(t));
            self.next_half += 1;
        }
    }

    /// The risks of output `o` now; `None` for a tail average between recording times.
    pub fn risks(&self, o: Output) -> Option<Risks> {
        let part = |p: &Option<Process>| match p {
            Some(p) => p.output(o, self.t).map(Some),
            None => Some(None),
        };
        let (b, v) = (part(&self.bias)?, part(&self.variance)?);
        let risk = |e: &Option<Vec<f64>>| e.as_ref().map_or(0.0, |e| excess_risk(&self.h, e));
        let full = match (&b, &v) {
            (Some(b), Some(v)) => {
                let e: Vec<f64> = b.iter().zip(v).map(|(b, v)| b + v).collect();
                excess_risk(&self.h, &e)
            }
            _ => risk(&b) + risk(&v),
        };
        Some(Risks {
            full,
            bias: risk(&b),
            variance: risk(&v),
        })
    }

    /// The full error of output `o` (zeros when neither part is simulated).
    fn error(&self, o: Output) -> Option<Vec<f64>> {
        let mut e = vec![0.0; self.cfg.d];
        for p in self.bias.iter().chain(self.variance.iter()) {
            for (e, x) in e.iter_mut().zip(p.output(o, self.t)?) {
                *e += x;
            }
        }
        Some(e)
    }

    /// The full excess risk of the last iterate (the divergence watch).
    fn last_risk(&self) -> f64 {
        match (&self.bias, &self.variance) {
            (Some(b), Some(v)) => {
                let mut s = 0.0;
                for ((h, b), v) in self.h.iter().zip(&b.x).zip(&v.x) {
                    let e = b + v;
                    s += h * e * e;
                }
                0.5 * s
            }
            (Some(p), None) | (None, Some(p)) => excess_risk(&self.h, &p.x),
            (None, None) => 0.0,
        }
    }

    /// Where the reference slopes −1 and −2 pass at t = 100: a tenth of the initial excess risk,
    /// or σ²d/200 (the σ²d/(2t) line there) when the run starts at θ*.
    fn anchor(&self) -> f64 {
        if self.risk0 > 0.0 {
            0.1 * self.risk0
        } else {
            self.cfg.sigma * self.cfg.sigma * self.cfg.d as f64 / 200.0
        }
    }

    fn variance_reference(&self) -> f64 {
        let t = self.t.max(1) as f64;
        self.cfg.sigma * self.cfg.sigma * self.cfg.d as f64 / (2.0 * t)
    }
}

impl Stepwise for AcsgdModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Ok(Self::new(Config::from_params(params)?, seed))
    }

    fn total(&self) -> u64 {
        self.cfg.steps
    }

    fn series_names(&self) -> Vec<String> {
        let mut names = vec![
            "excess_risk".to_string(),
            "bias_risk".into(),
            "variance_risk".into(),
        ];
        names.extend(Output::ALL.iter().map(|o| format!("risk_{}", o.name())));
        names.extend([
            "ref_slope_1".into(),
            "ref_slope_2".into(),
            "ref_variance".into(),
        ]);
        names
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        for (a, s) in self.sample.iter_mut().zip(&self.sqrt_h) {
            *a = s * self.rng.normal();
        }
        let noise = self.cfg.sigma * self.rng.normal();
        let (method, sample) = (self.method, &self.sample);
        if let Some(p) = self.bias.as_mut() {
            p.step(method, t, sample, 0.0);
        }
        if let Some(p) = self.variance.as_mut() {
            p.step(method, t, sample, noise);
        }
        self.t = t + 1;
        self.keep_halves();
        let risk = self.last_risk();
        let sigma2 = self.cfg.sigma * self.cfg.sigma;
        divergence(
            Some(risk + 0.5 * sigma2),
            self.initial_loss,
            risk.is_finite(),
        )
    }

    fn record(&self) -> Vec<f64> {
        // Every recording time has its half-way sum kept, so every output is there.
        let nan = Risks {
            full: f64::NAN,
            bias: f64::NAN,
            variance: f64::NAN,
        };
        let head = self.risks(self.cfg.headline()).unwrap_or(nan);
        let mut values = vec![head.full, head.bias, head.variance];
        values.extend(
            Output::ALL
                .iter()
                .map(|o| self.risks(*o).unwrap_or(nan).full),
        );
        let (a, s) = (self.anchor(), 100.0 / self.t.max(1) as f64);
        values.extend([a * s, a * s * s, self.variance_reference()]);
        values
    }

    fn metrics(&self, _t: u64, diverged: bool, m: &mut BTreeMap<String, f64>) {
        m.insert("step".into(), self.cfg.step());
        if let Some(alpha) = self.cfg.alpha() {
            m.insert("alpha".into(), alpha);
        }
        m.insert("r2".into(), self.cfg.r2());
        m.insert(
            "mu".into(),
            self.h.iter().fold(f64::INFINITY, |a, b| a.min(*b)),
        );
        m.insert("risk_initial".into(), self.risk0);
        m.insert("variance_reference".into(), self.variance_reference());
        if diverged {
            return;
        }
        if let Some(r) = self.risks(self.cfg.headline()) {
            m.insert("excess_risk".into(), r.full);
            m.insert("bias_risk".into(), r.bias);
            m.insert("variance_risk".into(), r.variance);
        }
        for o in Output::ALL {
            if let Some(r) = self.risks(o) {
                m.insert(format!("risk_{}", o.name()), r.full);
            }
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let mut out = vec![NamedVector {
            name: "spectrum".into(),
            values: self.h.clone(),
        }];
        if let Some(e) = self.error(self.cfg.headline()) {
            out.push(NamedVector {
                name: "risk_by_direction".into(),
                values: self
                    .h
                    .iter()
                    .zip(&e)
                    .map(|(h, e)| 0.5 * h * e * e)
                    .collect(),
            });
        }
        out
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let nesterov =
            self.cfg.algo == Algo::Agd || (self.cfg.algo == Algo::AcSgd && self.cfg.ratio >= 1.0);
        if nesterov {
            notes.push(
                "α = β is stochastic Nesterov acceleration: under the multiplicative noise of the \
                 one-sample oracle it is expected to diverge, even with σ = 0 (check ACSGD-3)"
                    .into(),
            );
        }
        let recursion = matches!(self.cfg.algo, Algo::AcSgd | Algo::Agd);
        if recursion && self.cfg.output == Output::Last && self.cfg.sigma > 0.0 {
            notes.push(
                "the last iterate of the recursion with a constant α keeps a noise floor (check \
                 ACSGD-5, a marker of which recursion is implemented; the paper's last-iterate \
                 result may rest on other steps)"
                    .into(),
            );
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::{Experiment, Status};

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    /// The two samples of the hand computations: a = (1, 0) with no noise, then a = (0, 1) with
    /// noise 0.5, from e_0 = (1, −1).
    fn two_steps(method: Method) -> Process {
        let mut p = Process::new(vec![1.0, -1.0]);
        p.keep_half(0);
        p.step(method, 0, &[1.0, 0.0], 0.0);
        p.keep_half(1);
        p.step(method, 1, &[0.0, 1.0], 0.5);
        p
    }

    #[test]
    fn acsgd_two_steps_by_hand() {
        // α = 0.1, β = 0.5. Step 0: r = ⟨a, v0⟩ = 1, g = (1, 0); x1 = v0 − βg = (0.5, −1);
        // z1 = z0 − α·1·g = (0.9, −1); v1 = ½x1 + ½z1 = (0.7, −1).
        // Step 1: r = ⟨a, v1⟩ − 0.5 = −1.5, g = (0, −1.5); x2 = v1 − βg = (0.7, −0.25);
        // z2 = z1 − α·2·g = (0.9, −0.7); v2 = ⅔x2 + ⅓z2 = (0.76667, −0.4).
        let p = two_steps(Method::Accelerated {
            alpha: 0.1,
            beta: 0.5,
        });
        close(p.x(), &[0.7, -0.25]);
        close(p.v(), &[0.7 * 2.0 / 3.0 + 0.3, -0.4]);
        // Outputs at t = 2 of x0 = (1, −1), x1 = (0.5, −1), x2 = (0.7, −0.25).
        close(&p.output(Output::Uniform, 2).unwrap(), &[2.2 / 3.0, -0.75]);
        close(&p.output(Output::Linear, 2).unwrap(), &[1.9 / 3.0, -0.5]);
        close(&p.output(Output::Tail, 2).unwrap(), &[0.7, -0.25]);
        // H = diag(1, ½): ½(0.7² + ½·0.25²) = 0.260625.
        let r = excess_risk(&[1.0, 0.5], p.x());
        assert!((r - 0.260_625).abs() < 1e-15, "{r}");
    }

    #[test]
    fn nesterov_two_steps_by_hand_and_its_momentum_form() {
        // α = β = 0.5. Step 0: g = (1, 0); x1 = (0.5, −1); z1 = z0 − 0.5·g = (0.5, −1);
        // v1 = (0.5, −1). Step 1: r = −1.5, g = (0, −1.5); x2 = (0.5, −0.25);
        // z2 = z1 − 0.5·2·g = (0.5, 0.5); v2 = ⅔x2 + ⅓z2 = (0.5, 0), which is Nesterov's
        // x2 + (t/(t + 2))·(x2 − x1) at t = 1: (0.5, −0.25) + ⅓·(0, 0.75).
        let p = two_steps(Method::Accelerated {
            alpha: 0.5,
            beta: 0.5,
        });
        close(p.x(), &[0.5, -0.25]);
        close(p.v(), &[0.5, 0.0]);
    }

    #[test]
    fn the_recursion_equals_its_momentum_form_on_random_samples() {
        // v_{t+1} = x_{t+1} + (t/(t+2))(x_{t+1} − x_t) + ((t+1)/(t+2))(1 − α/β)(v_t − x_{t+1}).
        let (alpha, beta) = (0.03, 0.2);
        let method = Method::Accelerated { alpha, beta };
        let mut rng = Rng::new(4);
        let mut p = Process::new(vec![1.0, -2.0, 0.5]);
        for t in 0..50u64 {
            let (x_old, v_old) = (p.x().to_vec(), p.v().to_vec());
            let a: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
            p.step(method, t, &a, rng.normal());
            let tf = t as f64;
            for i in 0..3 {
                let x = p.x()[i];
                let expected = x
                    + tf / (tf + 2.0) * (x - x_old[i])
                    + (tf + 1.0) / (tf + 2.0) * (1.0 - alpha / beta) * (v_old[i] - x);
                assert!((p.v()[i] - expected).abs() < 1e-9 * (1.0 + expected.abs()));
            }
        }
    }

    #[test]
    fn sgd_and_averaged_sgd_two_steps_by_hand() {
        // γ = 0.5. Step 0: r = 1, θ1 = (1, −1) − 0.5·(1, 0) = (0.5, −1). Step 1: r = −1 − 0.5,
        // θ2 = θ1 − 0.5·(0, −1.5) = (0.5, −0.25). Uniform average (θ0 + θ1 + θ2)/3 = (⅔, −0.75).
        let p = two_steps(Method::Sgd { gamma: 0.5 });
        close(p.x(), &[0.5, -0.25]);
        close(&p.output(Output::Uniform, 2).unwrap(), &[2.0 / 3.0, -0.75]);
        // ½(0.5² + ½·0.25²) = 0.140625 for SGD; ½(4/9 + ½·0.5625) for averaged SGD.
        let h = [1.0, 0.5];
        assert!((excess_risk(&h, p.x()) - 0.140_625).abs() < 1e-15);
        let avg = excess_risk(&h, &p.output(Output::Uniform, 2).unwrap());
        assert!((avg - 0.5 * (4.0 / 9.0 + 0.281_25)).abs() < 1e-15, "{avg}");
    }

    #[test]
    fn averaging_weights() {
        // With d = 1, a = 1 and γ = 1, SGD jumps to the noise: x_{s+1} = ξ_s. So the sequence
        // x = (5, 1, 2, 3, 4) is fed exactly, and at t = 4: uniform 15/5 = 3; linear
        // (1·1 + 2·2 + 3·3 + 4·4)/(1 + 2 + 3 + 4) = 3 (x_0 has weight 0); tail (x3 + x4)/2 = 3.5.
        // At t = 3: tail (x2 + x3)/2 = 2.5, linear (1 + 4 + 9)/6 = 7/3.
        let mut p = Process::new(vec![5.0]);
        p.keep_half(0);
        let mut outputs = Vec::new();
        for t in 0..4u64 {
            p.step(Method::Sgd { gamma: 1.0 }, t, &[1.0], (t + 1) as f64);
            if t < 2 {
                p.keep_half(t + 1);
            }
            let at = |o| p.output(o, t + 1).unwrap()[0];
            outputs.extend(Output::ALL.map(at));
        }
        // [last, uniform, linear, tail] at t = 1, 2, 3, 4.
        let expected = [
            [1.0, 3.0, 1.0, 1.0],
            [2.0, 8.0 / 3.0, 5.0 / 3.0, 2.0],
            [3.0, 11.0 / 4.0, 7.0 / 3.0, 2.5],
            [4.0, 3.0, 3.0, 3.5],
        ];
        close(&outputs, expected.as_flattened());
        // Every output at t = 0 is x_0.
        let fresh = Process::new(vec![5.0]);
        for o in Output::ALL {
            assert_eq!(fresh.output(o, 0), Some(vec![5.0]));
        }
    }

    #[test]
    fn excess_risk_is_the_population_risk_minus_the_noise() {
        // f(θ) − f* = ½ E(y − ⟨x, θ⟩)² − ½σ² = ½(θ − θ*)ᵀH(θ − θ*), checked by Monte Carlo.
        let (h, e, sigma) = ([1.0, 0.25, 0.1], [0.5, -1.0, 2.0], 0.3);
        let exact = excess_risk(&h, &e); // ½(0.25 + 0.25 + 0.4) = 0.45
        assert!((exact - 0.45).abs() < 1e-15);
        let mut rng = Rng::new(9);
        let n = 200_000;
        let mut s = 0.0;
        for _ in 0..n {
            // y − ⟨x, θ⟩ = σε − ⟨x, e⟩.
            let xe: f64 = h
                .iter()
                .zip(&e)
                .map(|(h, e)| libm::sqrt(*h) * rng.normal() * e)
                .sum();
            let r = sigma * rng.normal() - xe;
            s += 0.5 * r * r;
        }
        let mc = s / n as f64 - 0.5 * sigma * sigma;
        assert!((mc / exact - 1.0).abs() < 0.02, "{mc} vs {exact}");
    }

    fn run(overrides: &[(&str, &str)], seed: u64) -> AcsgdRun {
        let cfg = Config::from_params(&SCHEMA.build(overrides.iter().copied()).unwrap()).unwrap();
        let mut r = Stepper::new(AcsgdModel::new(cfg, seed));
        r.run_to_end(u64::MAX, &mut |_| {});
        r
    }

    #[test]
    fn bias_plus_variance_is_the_full_recursion() {
        // The run's bias and variance processes add up to the recursion run from θ0 with noise.
        let overrides = [("steps", "300"), ("d", "5"), ("sigma", "0.7")];
        let r = run(&overrides, 3);
        let cfg = Config::from_params(&SCHEMA.build(overrides).unwrap()).unwrap();
        let sqrt_h: Vec<f64> = cfg.spectrum().iter().map(|h| libm::sqrt(*h)).collect();
        let mut rng = Rng::stream(3, DATA_STREAM);
        let mut full = Process::new(vec![-1.0; 5]);
        for t in 0..300 {
            let a: Vec<f64> = sqrt_h.iter().map(|s| s * rng.normal()).collect();
            full.step(Method::of(&cfg), t, &a, 0.7 * rng.normal());
        }
        let direct = excess_risk(&cfg.spectrum(), full.x());
        let m = r.metrics();
        assert!(
            (m["risk_last"] / direct - 1.0).abs() < 1e-9,
            "{} vs {direct}",
            m["risk_last"]
        );
        assert!(m["bias_risk"] > 0.0 && m["variance_risk"] > 0.0);
    }

    #[test]
    fn runs_record_finite_curves_and_nesterov_diverges() {
        for algo in ["acsgd", "avsgd", "sgd"] {
            let r = run(&[("algo", algo), ("steps", "3000"), ("output", "tail")], 1);
            assert_eq!(r.progress().status, Status::Finished, "{algo}");
            for s in r.series() {
                assert!(s.y.iter().all(|y| y.is_finite()), "{algo} {}", s.name);
                assert_eq!(s.x.len(), r.series()[0].x.len());
            }
            let m = r.metrics();
            assert!(m["excess_risk"] < m["risk_initial"], "{algo}: {m:?}");
        }
        let r = run(&[("algo", "agd"), ("steps", "3000"), ("sigma", "0")], 1);
        let Status::Diverged { step, .. } = r.progress().status else {
            panic!("Nesterov did not diverge: {:?}", r.metrics());
        };
        assert!(step < 3000 && !r.metrics().contains_key("excess_risk"));
        assert!(r.series().iter().all(|s| s.y.iter().all(|y| y.is_finite())));
        assert!(r.notes().iter().any(|n| n.contains("diverged at step")));
    }

    #[test]
    fn a_run_from_the_optimum_without_noise_stays_there() {
        let r = run(&[("init_dist", "0"), ("sigma", "0"), ("steps", "50")], 0);
        assert_eq!(r.metrics()["excess_risk"], 0.0);
        assert_eq!(r.progress().status, Status::Finished);
    }
}
