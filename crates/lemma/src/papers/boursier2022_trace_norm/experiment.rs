//! One multi-task run: the data model of spec §3.1 drawn from one seed, the baselines computed
//! when the run is built (per-task least squares, the oracle in the true subspace, the method of
//! moments), and the trace-norm estimator by FISTA, one iteration per step; at the end, the
//! meta-learning evaluation on new tasks.
//!
//! Trace-norm objective (spec §3.2, no ½ on the loss):
//! F(W) = (1/(Tm))·Σ_t ‖y_t − X_t w_t‖² + (λ/√T)·‖W‖_*, W ∈ R^{T×d} with rows w_t. FISTA from
//! W₀ = 0: Z = Y − η·∇loss(Y), W⁺ = Prox_{ηλ/√T}(Z) (singular-value soft-thresholding),
//! Y⁺ = W⁺ + ((t_k − 1)/t_{k+1})·(W⁺ − W), t_{k+1} = (1 + √(1 + 4t_k²))/2, with η = 1/L and
//! L = 2·max_t λ_max(X_tᵀX_t)/(Tm).

use super::config::{Config, Features};
use super::estimators::{
    Spectrum, adapt, dist2, lambda_max, lstsq, orthonormal, rank_above, sine, soft_threshold,
};
use crate::experiment::{NamedVector, Stepper, Stepwise, divergence};
use crate::linalg::dot;
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use std::collections::BTreeMap;

const DATA_STREAM: u64 = 1;
const META_STREAM: u64 = 2;

/// The drawn data of one run.
#[derive(Clone, Debug)]
pub struct Data {
    /// B* (d×k row-major, orthonormal columns).
    pub bstar: Vec<f64>,
    /// W* = A·B*ᵀ (T×d row-major).
    pub wstar: Vec<f64>,
    /// Designs X_t (m×d row-major), task after task.
    pub x: Vec<f64>,
    /// Labels y_t, task after task.
    pub y: Vec<f64>,
}

/// Fills `out` with feature vectors of the configured distribution.
fn features(cfg: &Config, rng: &mut Rng, out: &mut [f64]) {
    let root3 = libm::sqrt(3.0);
    let d = cfg.d;
    for (j, v) in out.iter_mut().enumerate() {
        *v = match cfg.features {
            Features::Normal => rng.normal(),
            Features::Uniform => root3 * (2.0 * rng.uniform() - 1.0),
            Features::Adversarial => {
                let theta = (j % d) as f64 * std::f64::consts::FRAC_PI_2 / (d - 1) as f64;
                let u = root3 * (2.0 * rng.uniform() - 1.0);
                libm::cos(theta) * u + libm::sin(theta) * rng.normal()
            }
        };
    }
}

/// Draws one task's parameter w = B*·a with a ~ N(0, I_k).
fn task_parameter(bstar: &[f64], k: usize, a: &[f64]) -> Vec<f64> {
    bstar.chunks_exact(k).map(|row| dot(row, a)).collect()
}

impl Data {
    /// Draws B*, A, the designs and the labels from `seed` (spec §3.1).
    pub fn draw(cfg: &Config, seed: u64) -> Self {
        let (d, k, m, tasks) = (cfg.d, cfg.k, cfg.m, cfg.tasks);
        let mut rng = Rng::stream(seed, DATA_STREAM);
        let g: Vec<f64> = (0..d * k).map(|_| rng.normal()).collect();
        let bstar = orthonormal(&g, d, k);
        let mut a: Vec<f64> = (0..tasks * k).map(|_| rng.normal()).collect();
        if cfg.adversarial_params {
            for t in k.min(tasks)..tasks {
                let src = t % k;
                let row: Vec<f64> = a[src * k..(src + 1) * k].to_vec();
                a[t * k..(t + 1) * k].copy_from_slice(&row);
            }
        }
        let wstar: Vec<f64> = a
            .chunks_exact(k)
            .flat_map(|at| task_parameter(&bstar, k, at))
            .collect();
        let mut x = vec![0.0; tasks * m * d];
        let mut y = vec![0.0; tasks * m];
        for t in 0..tasks {
            let xt = &mut x[t * m * d..(t + 1) * m * d];
            features(cfg, &mut rng, xt);
            let w = &wstar[t * d..(t + 1) * d];
            for (j, row) in xt.chunks_exact(d).enumerate() {
                y[t * m + j] = dot(row, w) + cfg.sigma * rng.normal();
            }
        }
        Self { bstar, wstar, x, y }
    }
}

/// A baseline's estimate: the stacked task parameters and, for those that learn one, the
/// subspace.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// T×d row-major.
    pub w: Vec<f64>,
    /// d×k row-major orthonormal basis (`None` for the oracle, which uses B*).
    pub subspace: Option<Vec<f64>>,
}

/// Per-task minimum-norm least squares; subspace = top-k right singular vectors of the stack.
pub fn single(cfg: &Config, data: &Data) -> Estimate {
    let (d, m) = (cfg.d, cfg.m);
    let w: Vec<f64> = (0..cfg.tasks)
        .flat_map(|t| {
            lstsq(
                &data.x[t * m * d..(t + 1) * m * d],
                m,
                d,
                &data.y[t * m..(t + 1) * m],
            )
        })
        .collect();
    let subspace = Some(Spectrum::of(&w, d).top(cfg.k));
    Estimate { w, subspace }
}

/// Per-task least squares inside the d×k subspace `b`.
fn adapt_all(cfg: &Config, data: &Data, b: &[f64]) -> Vec<f64> {
    let (d, m) = (cfg.d, cfg.m);
    (0..cfg.tasks)
        .flat_map(|t| {
            adapt(
                &data.x[t * m * d..(t + 1) * m * d],
                &data.y[t * m..(t + 1) * m],
                b,
                d,
                cfg.k,
            )
        })
        .collect()
}

/// Per-task least squares on X_t·B* (the oracle that knows the subspace).
pub fn oracle(cfg: &Config, data: &Data) -> Estimate {
    Estimate {
        w: adapt_all(cfg, data, &data.bstar),
        subspace: None,
    }
}

/// Method of moments: the top-k eigenvectors of Σ y²·xxᵀ/(Tm), then per-task least squares in
/// that subspace.
pub fn moments(cfg: &Config, data: &Data) -> Estimate {
    let d = cfg.d;
    let mut g = vec![0.0; d * d];
    for (row, y) in data.x.chunks_exact(d).zip(&data.y) {
        let y2 = y * y;
        for (i, xi) in row.iter().enumerate() {
            let c = y2 * xi;
            for (gij, xj) in g[i * d + i..(i + 1) * d].iter_mut().zip(&row[i..]) {
                *gij += c * xj;
            }
        }
    }
    let n = (cfg.tasks * cfg.m) as f64;
    for i in 0..d {
        for j in i..d {
            g[i * d + j] /= n;
            g[j * d + i] = g[i * d + j];
        }
    }
    let b = Spectrum::of_gram(&g, d).top(cfg.k);
    Estimate {
        w: adapt_all(cfg, data, &b),
        subspace: Some(b),
    }
}

/// The FISTA state of the trace-norm estimator.
#[derive(Clone, Debug)]
pub struct Fista {
    /// The current iterate W_k (T×d).
    pub w: Vec<f64>,
    /// The extrapolated point Y_k.
    y: Vec<f64>,
    /// Z (the gradient step), then scratch.
    z: Vec<f64>,
    /// W_{k+1} before the swap.
    next: Vec<f64>,
    /// 2·d² scratch for the Gram matrix and V·diag(f)·Vᵀ.
    scratch: Vec<f64>,
    /// t_k of the momentum.
    t: f64,
    /// Step η = 1/L.
    pub step: f64,
    /// Threshold ηλ/√T on the singular values.
    pub tau: f64,
    /// The spectrum of the last Z (Ŵ has singular values (s − τ)₊ on its vectors).
    pub spectrum: Option<Spectrum>,
}

impl Fista {
    /// FISTA from W₀ = 0 with step `step` and singular-value threshold `tau`.
    pub fn new(tasks: usize, d: usize, step: f64, tau: f64) -> Self {
        Self {
            w: vec![0.0; tasks * d],
            y: vec![0.0; tasks * d],
            z: vec![0.0; tasks * d],
            next: vec![0.0; tasks * d],
            scratch: vec![0.0; 2 * d * d],
            t: 1.0,
            step,
            tau,
            spectrum: None,
        }
    }

    /// One iteration on the designs `x` (m×d per task) and labels `y`.
    pub fn iterate(&mut self, x: &[f64], labels: &[f64], m: usize, d: usize) {
        let tasks = self.w.len() / d;
        // ∇ of (1/(Tm))‖y_t − X_t w_t‖² is (2/(Tm))·X_tᵀ(X_t w_t − y_t).
        let c = self.step * 2.0 / (tasks * m) as f64;
        for t in 0..tasks {
            let yt = &self.y[t * d..(t + 1) * d];
            let zt = &mut self.z[t * d..(t + 1) * d];
            zt.copy_from_slice(yt);
            let xt = &x[t * m * d..(t + 1) * m * d];
            for (row, label) in xt.chunks_exact(d).zip(&labels[t * m..(t + 1) * m]) {
                let r = c * (dot(row, yt) - label);
                for (z, xi) in zt.iter_mut().zip(row) {
                    *z -= r * xi;
                }
            }
        }
        let spectrum = soft_threshold(&self.z, d, self.tau, &mut self.scratch, &mut self.next);
        let t_next = 0.5 * (1.0 + libm::sqrt(1.0 + 4.0 * self.t * self.t));
        let beta = (self.t - 1.0) / t_next;
        for ((y, n), w) in self.y.iter_mut().zip(&self.next).zip(&self.w) {
            *y = n + beta * (n - w);
        }
        std::mem::swap(&mut self.w, &mut self.next);
        self.t = t_next;
        self.spectrum = Some(spectrum);
    }

    /// The singular values of W_k: (s − τ)₊ of the last Z (zeros before the first iteration).
    pub fn singular_values(&self, d: usize) -> Vec<f64> {
        match &self.spectrum {
            Some(s) => s.values.iter().map(|v| (v - self.tau).max(0.0)).collect(),
            None => vec![0.0; d],
        }
    }
}

/// (1/(Tm))·Σ_t ‖y_t − X_t w_t‖² of the stacked `w`.
pub fn loss(w: &[f64], x: &[f64], labels: &[f64], m: usize, d: usize) -> f64 {
    let mut s = 0.0;
    for (t, wt) in w.chunks_exact(d).enumerate() {
        let xt = &x[t * m * d..(t + 1) * m * d];
        for (row, label) in xt.chunks_exact(d).zip(&labels[t * m..(t + 1) * m]) {
            let r = dot(row, wt) - label;
            s += r * r;
        }
    }
    s / labels.len() as f64
}

/// The meta-learning curves: mean ‖ŵ − w*‖² of a new task against m′ = 1 … meta_m, for the
/// fit inside each subspace and for plain least squares in R^d (`none`).
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// (method, mean error per m′).
    pub curves: Vec<(&'static str, Vec<f64>)>,
}

impl Meta {
    /// Fits `meta_tasks` new tasks (stream 2 of `seed`) inside each named subspace.
    pub fn evaluate(
        cfg: &Config,
        seed: u64,
        bstar: &[f64],
        subspaces: &[(&'static str, &[f64])],
    ) -> Self {
        let (d, k, mm) = (cfg.d, cfg.k, cfg.meta_m);
        let mut rng = Rng::stream(seed, META_STREAM);
        let mut sums = vec![vec![0.0; mm]; subspaces.len() + 1];
        let mut x = vec![0.0; mm * d];
        let mut y = vec![0.0; mm];
        for _ in 0..cfg.meta_tasks {
            let a: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
            let w = task_parameter(bstar, k, &a);
            features(cfg, &mut rng, &mut x);
            for (j, row) in x.chunks_exact(d).enumerate() {
                y[j] = dot(row, &w) + cfg.sigma * rng.normal();
            }
            for n in 1..=mm {
                let (xn, yn) = (&x[..n * d], &y[..n]);
                for (s, (_, b)) in sums.iter_mut().zip(subspaces) {
                    s[n - 1] += dist2(&adapt(xn, yn, b, d, k), &w);
                }
                sums[subspaces.len()][n - 1] += dist2(&lstsq(xn, n, d, yn), &w);
            }
        }
        let count = cfg.meta_tasks.max(1) as f64;
        let names = subspaces.iter().map(|(n, _)| *n).chain(["none"]);
        Self {
            curves: names
                .zip(sums)
                .map(|(n, s)| (n, s.into_iter().map(|v| v / count).collect()))
                .collect(),
        }
    }
}

/// One run of the multi-task experiment.
pub type TraceNormRun = Stepper<TraceNormModel>;

/// The model: data, baselines and the FISTA state.
pub struct TraceNormModel {
    cfg: Config,
    seed: u64,
    data: Data,
    lambda: f64,
    single: Option<Estimate>,
    oracle: Option<Estimate>,
    mom: Option<Estimate>,
    fista: Fista,
    initial_objective: f64,
    meta: Option<Meta>,
}

impl TraceNormModel {
    /// A run of `cfg` on the data of `seed`: draws the data and computes the baselines.
    pub fn new(cfg: Config, seed: u64) -> Self {
        let data = Data::draw(&cfg, seed);
        let (d, m, tasks) = (cfg.d, cfg.m, cfg.tasks);
        let lmax = (0..tasks)
            .map(|t| lambda_max(&data.x[t * m * d..(t + 1) * m * d], m, d))
            .fold(0.0_f64, f64::max);
        let l = 2.0 * lmax / (tasks * m) as f64;
        let step = if l > 0.0 { 1.0 / l } else { 1.0 };
        let lambda = cfg.lambda();
        let tau = step * lambda / libm::sqrt(tasks as f64);
        let initial_objective = loss(&vec![0.0; tasks * d], &data.x, &data.y, m, d);
        Self {
            single: cfg.single.then(|| single(&cfg, &data)),
            oracle: cfg.oracle.then(|| oracle(&cfg, &data)),
            mom: cfg.mom.then(|| moments(&cfg, &data)),
            fista: Fista::new(tasks, d, step, tau),
            initial_objective,
            meta: None,
            lambda,
            seed,
            data,
            cfg,
        }
    }

    /// ‖Ŵ − W*‖_F/√T.
    fn frob(&self, w: &[f64]) -> f64 {
        libm::sqrt(dist2(w, &self.data.wstar) / self.cfg.tasks as f64)
    }

    /// The trace-norm estimate's subspace: top-k right singular vectors of Ŵ.
    fn nuc_subspace(&self) -> Option<Vec<f64>> {
        self.fista.spectrum.as_ref().map(|s| s.top(self.cfg.k))
    }

    fn sine_of(&self, b: &[f64]) -> f64 {
        sine(&self.data.bstar, b, self.cfg.d, self.cfg.k)
    }

    /// F(W_k) = loss + (λ/√T)·Σ singular values.
    fn objective(&self) -> f64 {
        let (m, d) = (self.cfg.m, self.cfg.d);
        let nuclear: f64 = self.fista.singular_values(d).iter().fold(0.0, |s, v| s + v);
        loss(&self.fista.w, &self.data.x, &self.data.y, m, d)
            + self.lambda * nuclear / libm::sqrt(self.cfg.tasks as f64)
    }

    fn rank(&self) -> usize {
        self.fista
            .spectrum
            .as_ref()
            .map_or(0, |s| rank_above(&s.values, self.fista.tau))
    }

    /// The (name, estimate) of every baseline computed.
    fn baselines(&self) -> impl Iterator<Item = (&'static str, &Estimate)> {
        [
            ("single", &self.single),
            ("oracle", &self.oracle),
            ("mom", &self.mom),
        ]
        .into_iter()
        .filter_map(|(n, e)| e.as_ref().map(|e| (n, e)))
    }
}

impl Stepwise for TraceNormModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Ok(Self::new(Config::from_params(params)?, seed))
    }

    fn total(&self) -> u64 {
        self.cfg.iters
    }

    fn series_names(&self) -> Vec<String> {
        ["frob_nuc", "sine_nuc", "rank", "objective"]
            .map(String::from)
            .to_vec()
    }

    fn advance(&mut self, _t: u64) -> Option<String> {
        let (m, d) = (self.cfg.m, self.cfg.d);
        self.fista.iterate(&self.data.x, &self.data.y, m, d);
        let finite = self.fista.w.iter().all(|v| v.is_finite());
        divergence(None, self.initial_objective, finite)
    }

    fn record(&self) -> Vec<f64> {
        let sine = self.nuc_subspace().map_or(f64::NAN, |b| self.sine_of(&b));
        vec![
            self.frob(&self.fista.w),
            sine,
            self.rank() as f64,
            self.objective(),
        ]
    }

    fn finish(&mut self) {
        if self.cfg.meta_tasks == 0 {
            return;
        }
        let nuc = self.nuc_subspace();
        let mut subspaces: Vec<(&'static str, &[f64])> = Vec::new();
        if let Some(b) = &nuc {
            subspaces.push(("nuc", b));
        }
        for (name, e) in self.baselines() {
            subspaces.push((name, e.subspace.as_deref().unwrap_or(&self.data.bstar)));
        }
        self.meta = Some(Meta::evaluate(
            &self.cfg,
            self.seed,
            &self.data.bstar,
            &subspaces,
        ));
    }

    fn metrics(&self, _t: u64, diverged: bool, m: &mut BTreeMap<String, f64>) {
        m.insert("lambda".into(), self.lambda);
        m.insert("lambda_theory".into(), self.cfg.lambda_theory());
        m.insert("step".into(), self.fista.step);
        m.insert("tau".into(), self.fista.tau);
        m.insert("k_true".into(), self.cfg.k as f64);
        if let Some(r) = self.cfg.oracle_reference() {
            m.insert("oracle_reference".into(), r);
        }
        for (name, e) in self.baselines() {
            m.insert(format!("frob_{name}"), self.frob(&e.w));
            if let Some(b) = &e.subspace {
                m.insert(format!("sine_{name}"), self.sine_of(b));
            }
        }
        if let Some(meta) = &self.meta {
            for (name, curve) in &meta.curves {
                if let Some(v) = curve.last() {
                    m.insert(format!("meta_{name}"), *v);
                }
            }
        }
        if diverged || self.fista.spectrum.is_none() {
            return;
        }
        m.insert("frob_nuc".into(), self.frob(&self.fista.w));
        if let Some(b) = self.nuc_subspace() {
            m.insert("sine_nuc".into(), self.sine_of(&b));
        }
        m.insert("rank_nuc".into(), self.rank() as f64);
        m.insert("objective".into(), self.objective());
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let d = self.cfg.d;
        let mut out = vec![
            NamedVector {
                name: "singular_values".into(),
                values: self.fista.singular_values(d),
            },
            NamedVector {
                name: "singular_values_z".into(),
                values: self
                    .fista
                    .spectrum
                    .as_ref()
                    .map_or(vec![0.0; d], |s| s.values.clone()),
            },
            NamedVector {
                name: "singular_values_true".into(),
                values: Spectrum::of(&self.data.wstar, d).values,
            },
        ];
        if let Some(meta) = &self.meta {
            out.push(NamedVector {
                name: "meta_m".into(),
                values: (1..=self.cfg.meta_m).map(|n| n as f64).collect(),
            });
            for (name, curve) in &meta.curves {
                out.push(NamedVector {
                    name: format!("meta_{name}"),
                    values: curve.clone(),
                });
            }
        }
        out
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let (k, m, d) = (self.cfg.k, self.cfg.m, self.cfg.d);
        if m <= k + 1 && self.cfg.oracle {
            notes.push(format!(
                "m = {m} ≤ k + 1 = {}: the oracle's least squares in k dimensions has no finite \
                 mean error (no σ√(k/(m − k − 1)) reference)",
                k + 1
            ));
        }
        if m == d && self.cfg.single {
            notes.push(
                "m = d: each task's least squares solves a square Gaussian system, whose error has \
                 no finite mean (single-task error blows up here)"
                    .into(),
            );
        }
        if self.cfg.sigma == 0.0 {
            notes.push(
                "σ = 0 makes the theoretical λ zero: FISTA then solves plain least squares (no \
                 trace-norm penalty)"
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

    fn cfg(overrides: &[(&str, &str)]) -> Config {
        Config::from_params(&SCHEMA.build(overrides.iter().copied()).unwrap()).unwrap()
    }

    #[test]
    fn one_fista_step_by_hand() {
        // T = 1, m = 1, d = 2, x = (1, 0), y = 2, λ = 1: L = 2·1/1, η = ½; the gradient at 0 is
        // 2·xᵀ(0 − 2) = (−4, 0), Z = (2, 0), τ = ηλ = ½, W₁ = (1.5, 0). That is the minimiser of
        // (w₁ − 2)² + |w₁|, so the next step stays there: Z = 1.5 − ½·2·(1.5 − 2) = 2 again.
        let mut f = Fista::new(1, 2, 0.5, 0.5);
        f.iterate(&[1.0, 0.0], &[2.0], 1, 2);
        assert_eq!(f.w, vec![1.5, 0.0]);
        assert_eq!(f.singular_values(2), vec![1.5, 0.0]);
        // t₁ = (1 + √5)/2, β₀ = 0: Y₁ = W₁.
        assert!((f.t - 1.618_033_988_749_895).abs() < 1e-15);
        f.iterate(&[1.0, 0.0], &[2.0], 1, 2);
        assert!((f.w[0] - 1.5).abs() < 1e-15 && f.w[1] == 0.0, "{:?}", f.w);
    }

    #[test]
    fn fista_reaches_the_minimiser_of_a_small_problem() {
        // Two tasks, identity designs (m = d = 2): F(W) = ¼‖Y − W‖_F² + (λ/√2)‖W‖_*, whose
        // minimiser is the soft-threshold of Y at 2λ/√2; L = 2·1/4 = ½, η = 2, and the gradient
        // step from any point lands on Z = Y, so proximal gradient gets there in one step.
        let x = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
        let labels = [3.0, 1.0, -1.0, 2.0];
        let lmax = lambda_max(&x[..4], 2, 2);
        assert_eq!(lmax, 1.0);
        let step = 1.0 / (2.0 * lmax / 4.0);
        let lambda = 1.2;
        let tau = step * lambda / libm::sqrt(2.0);
        let mut f = Fista::new(2, 2, step, tau);
        let mut expected = [0.0; 4];
        let mut scratch = [0.0; 8];
        soft_threshold(&labels, 2, tau, &mut scratch, &mut expected);
        for _ in 0..50 {
            f.iterate(&x, &labels, 2, 2);
        }
        for (a, b) in f.w.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-12, "{:?} vs {expected:?}", f.w);
        }
    }

    #[test]
    fn data_follow_the_model() {
        let c = cfg(&[("tasks", "400"), ("d", "6"), ("k", "2"), ("m", "5")]);
        let data = Data::draw(&c, 7);
        // B* has orthonormal columns; each w*_t lies in its span.
        let bb = super::super::estimators::matmul(&transpose(&data.bstar, 6, 2), &data.bstar, 6, 2);
        for (i, v) in bb.iter().enumerate() {
            let want = if i == 0 || i == 3 { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-12, "{bb:?}");
        }
        // ‖w*‖² has mean k = 2 (a ~ N(0, I_k), B* orthonormal); noise variance σ² = 1.
        let mean_w2 = data.wstar.chunks(6).map(|w| dot(w, w)).sum::<f64>() / 400.0;
        assert!((mean_w2 - 2.0).abs() < 0.3, "{mean_w2}");
        let mut resid = 0.0;
        for t in 0..400 {
            for j in 0..5 {
                let row = &data.x[(t * 5 + j) * 6..(t * 5 + j + 1) * 6];
                let r = data.y[t * 5 + j] - dot(row, &data.wstar[t * 6..(t + 1) * 6]);
                resid += r * r;
            }
        }
        assert!((resid / 2000.0 - 1.0).abs() < 0.1, "{}", resid / 2000.0);
        // Every feature distribution has unit variance per coordinate.
        for f in ["uniform", "adversarial"] {
            let c = cfg(&[("tasks", "400"), ("d", "6"), ("k", "2"), ("features", f)]);
            let x = Data::draw(&c, 1).x;
            let var = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
            assert!((var - 1.0).abs() < 0.05, "{f}: {var}");
        }
        // Adversarial task parameters: rows k.. repeat the first k.
        let c = cfg(&[
            ("tasks", "7"),
            ("d", "6"),
            ("k", "2"),
            ("task_params", "adversarial"),
        ]);
        let w = Data::draw(&c, 1).wstar;
        assert_eq!(&w[12..18], &w[0..6]);
        assert_eq!(&w[18..24], &w[6..12]);
    }

    fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
        let mut t = vec![0.0; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        t
    }

    #[test]
    fn noiseless_oracle_is_exact_and_a_default_run_orders_the_estimators() {
        let c = cfg(&[("sigma", "0"), ("tasks", "20")]);
        let model = TraceNormModel::new(c, 3);
        let o = model.oracle.as_ref().unwrap();
        assert!(model.frob(&o.w) < 1e-10, "{}", model.frob(&o.w));
        let mut run = Stepper::new(TraceNormModel::new(cfg(&[("meta_m", "8")]), 5));
        run.run_to_end(u64::MAX, &mut |_| {});
        assert_eq!(run.progress().status, Status::Finished);
        let m = run.metrics();
        assert!(m["frob_nuc"] < m["frob_single"], "{m:?}");
        assert!(m["frob_oracle"] < m["frob_nuc"], "{m:?}");
        assert!(m["sine_nuc"] < m["sine_single"], "{m:?}");
        // The objective of FISTA ends below its start and the rank is recorded per iteration.
        let objective = &run.series()[3];
        assert!(objective.y.last().unwrap() < &objective.y[1]);
        assert_eq!(run.series()[2].y.last(), Some(&m["rank_nuc"]));
        // Meta-learning: inside the true subspace, 8 samples beat 3; every curve has meta_m points.
        let v = run.vectors();
        let meta = |n: &str| v.iter().find(|x| x.name == n).unwrap().values.clone();
        let oracle = meta("meta_oracle");
        assert_eq!(oracle.len(), 8);
        assert!(oracle[7] < oracle[2], "{oracle:?}");
        assert!(meta("meta_nuc")[7] < meta("meta_none")[7]);
        assert_eq!(meta("meta_m"), (1..=8).map(f64::from).collect::<Vec<_>>());
    }
}
