//! The three experiments as [`Stepwise`] models behind one [`ClosenessModel`]:
//!
//! * **race** ([`RaceModel`]): one run of tester (A); an iteration is a round (one sample from
//!   each distribution); it records Z_same, Z_far and β(t, δ) on the log grid and **stops when the
//!   tester decides** ([`Stepwise::stopped`]), so `total()` (the round cap) is an upper bound.
//! * **e1** ([`SmallMc`]): E1 Monte-Carlo; an iteration is one sample path (run r under H0 or
//!   H1), on which tester (A) runs at every δ of the grid at once (common random numbers: the
//!   spec's seeds are per run, not per δ).
//! * **e2** ([`LargeMc`]): E2 Monte-Carlo; iteration 0 is the stage timeline of tester (C) at
//!   (family, e2_theta); then an iteration is one (run, instance) cell: one run of (C) and one of
//!   (D) on the θ grid of both families and H0.
//!
//! Every iteration is short (one round, one path, one cell), so the page's slices stay small.

use super::config::{Config, Family, Mode};
use super::testers::{
    BatchTest, Decision, Glr, GridRun, GridSettings, beta, cumulative, exact_batch, family_a,
    family_b, normal_batch_n, run_batch, run_grid, sample, stage_size,
};
use crate::experiment::{NamedVector, Stepwise};
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use std::collections::BTreeMap;

/// The δ grid of E1 (the spec's table; the run's own δ is added when it is not on it).
pub const E1_DELTAS: [f64; 5] = [5e-2, 1e-2, 1e-4, 1e-6, 1e-8];
/// Seed offset of the H1 runs of E1 (spec §5.1).
pub const H1_SEED_OFFSET: u64 = 1_000_000;
/// The θ grid of E2 beyond H0 (θ = 0, shared by both families).
pub const E2_THETAS: [f64; 8] = [0.05, 0.07, 0.1, 0.14, 0.2, 0.28, 0.4, 0.5];
/// The window of the fitted log–log slope of E[τ] against θ (CLOSE-6).
pub const SLOPE_WINDOW: (f64, f64) = (0.1, 0.4);
/// With no prior bound (ε = 0) tester (C) never answers "same"; a run stops undecided after
/// the first stage whose grid value ½·r^{k−1} falls below this.
pub const NO_PRIOR_FLOOR: f64 = 1e-3;

/// The stage cap of tester (C): none when ε > 0 (the grid ends at ε), else the first k with
/// ½·r^{k−1} < [`NO_PRIOR_FLOOR`].
pub fn stage_cap(eps: f64, ratio: f64) -> u32 {
    if eps > 0.0 {
        return u32::MAX;
    }
    let mut k = 1;
    while 0.5 * libm::pow(ratio, f64::from(k - 1)) >= NO_PRIOR_FLOOR {
        k += 1;
    }
    k
}

/// `δ` as metric names write it: 5e-2, 1e-6, 3.5e-5.
pub fn delta_key(delta: f64) -> String {
    format!("{delta:e}")
}

fn named(name: &str, values: Vec<f64>) -> NamedVector {
    NamedVector {
        name: name.into(),
        values,
    }
}

fn mean(sum: f64, count: u64) -> f64 {
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

/// The ordinary least-squares slope of y on x over `pts` (`common.md` §3; NaN below 2 points).
pub fn ols_slope(pts: &[(f64, f64)]) -> f64 {
    if pts.len() < 2 {
        return f64::NAN;
    }
    let k = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / k,
        pts.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

/// Inserts `value` under `key` when it is finite (metrics hold finite values only).
fn put(m: &mut BTreeMap<String, f64>, key: impl Into<String>, value: f64) {
    if value.is_finite() {
        m.insert(key.into(), value);
    }
}

// ---------------------------------------------------------------------------------------------

/// One run of tester (A) on the instance at distance θ (`alternating`).
pub struct RaceModel {
    cfg: Config,
    d1: Vec<f64>,
    d2: Vec<f64>,
    cum1: Vec<f64>,
    cum2: Vec<f64>,
    glr: Glr,
    rng: Rng,
    decision: Option<Decision>,
    batch: Option<BatchTest>,
}

impl RaceModel {
    /// The run of `seed` (one uniform per sample: D1's sample, then D2's, each round).
    pub fn new(cfg: Config, seed: u64) -> Self {
        let (d1, d2) = super::testers::alternating(cfg.n, cfg.theta);
        let batch = (cfg.n == 2).then(|| exact_batch(cfg.eps, cfg.delta));
        Self {
            cum1: cumulative(&d1),
            cum2: cumulative(&d2),
            d1,
            d2,
            glr: Glr::new(cfg.n, cfg.eps),
            rng: Rng::new(seed),
            decision: None,
            batch,
            cfg,
        }
    }

    /// The tester's answer, once it has one.
    pub fn decision(&self) -> Option<Decision> {
        self.decision
    }

    fn advance(&mut self) {
        let x = sample(&self.cum1, &mut self.rng);
        let y = sample(&self.cum2, &mut self.rng);
        self.glr.observe(x, y);
        let b = beta(self.glr.rounds(), self.cfg.delta, self.cfg.c);
        self.decision = self.glr.decide(b);
    }

    fn record(&self) -> Vec<f64> {
        vec![
            self.glr.z_same(),
            self.glr.z_far(),
            beta(self.glr.rounds(), self.cfg.delta, self.cfg.c),
        ]
    }

    fn correct(&self, d: Decision) -> Option<bool> {
        if self.cfg.theta == 0.0 {
            Some(d == Decision::Same)
        } else if self.cfg.theta >= self.cfg.eps {
            Some(d == Decision::Different)
        } else {
            None
        }
    }

    fn metrics(&self, m: &mut BTreeMap<String, f64>) {
        let t = self.glr.rounds();
        put(m, "rounds", t as f64);
        put(m, "z_same", self.glr.z_same());
        put(m, "z_far", self.glr.z_far());
        put(m, "beta", beta(t, self.cfg.delta, self.cfg.c));
        put(m, "tv", self.cfg.theta);
        if let Some(d) = self.decision {
            put(m, "tau", t as f64);
            put(m, "decision", d.code());
            if let Some(ok) = self.correct(d) {
                put(m, "correct", f64::from(u8::from(ok)));
            }
        }
        if let Some(b) = self.batch {
            put(m, "batch_n", b.n as f64);
            put(m, "batch_c", b.c as f64);
            put(m, "batch_type1", b.type1);
            put(m, "batch_type2", b.type2);
            put(
                m,
                "batch_n_normal",
                normal_batch_n(self.cfg.eps, self.cfg.delta) as f64,
            );
            if self.decision.is_some() {
                put(m, "tau_over_batch", t as f64 / b.n as f64);
            }
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let counts = |c: &[u64]| c.iter().map(|&x| x as f64).collect();
        vec![
            named("d1", self.d1.clone()),
            named("d2", self.d2.clone()),
            named("counts_a", counts(self.glr.counts_a())),
            named("counts_b", counts(self.glr.counts_b())),
        ]
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.decision.is_none() && self.glr.rounds() >= self.cfg.max_rounds {
            notes.push(format!(
                "no decision within max_rounds = {} rounds",
                self.cfg.max_rounds
            ));
        }
        if self.cfg.n != 2 {
            notes.push("the exact batch test (B) is defined for n = 2 only: no batch N".into());
        }
        if self.cfg.theta > 0.0 && self.cfg.theta < self.cfg.eps {
            notes.push(format!(
                "0 < θ = {} < ε = {}: neither hypothesis holds, either answer is allowed",
                self.cfg.theta, self.cfg.eps
            ));
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------

/// What one sample path of E1 gave at each δ of the grid.
struct PathResult {
    tau: Vec<u64>,
    decision: Vec<Option<Decision>>,
}

/// Runs tester (A) on one sample path at every δ of `deltas` (descending) at once: each round
/// draws D1's sample then D2's; δ_j is decided by the rule of [`Glr::decide`] at β(t, δ_j).
fn run_path(
    n: usize,
    eps: f64,
    c: f64,
    deltas: &[f64],
    cums: (&[f64], &[f64]),
    max_rounds: u64,
    rng: &mut Rng,
) -> PathResult {
    let mut glr = Glr::new(n, eps);
    let mut tau = vec![max_rounds; deltas.len()];
    let mut decision = vec![None; deltas.len()];
    let mut open: Vec<usize> = (0..deltas.len()).collect();
    while !open.is_empty() && glr.rounds() < max_rounds {
        glr.observe(sample(cums.0, rng), sample(cums.1, rng));
        let t = glr.rounds();
        let z_same = glr.z_same();
        // β grows as δ shrinks (along `open`): the δ that Z_same does not decide need Z_far, and
        // if Z_far does not exceed the smallest of their β it exceeds none of them, so the exact
        // Z_far is not needed (the speed-up of Glr::z_far_exceeds).
        let b_need = open
            .iter()
            .map(|&j| beta(t, deltas[j], c))
            .find(|&b| z_same <= b);
        let z_far = b_need
            .filter(|&b| glr.z_far_exceeds(b))
            .map(|_| glr.z_far());
        open.retain(|&j| {
            let b = beta(t, deltas[j], c);
            let d = if z_same > b {
                Some(Decision::Different)
            } else if z_far.is_some_and(|z| z > b) {
                Some(Decision::Same)
            } else {
                None
            };
            if d.is_some() {
                tau[j] = t;
                decision[j] = d;
            }
            d.is_none()
        });
    }
    PathResult { tau, decision }
}

/// E1 Monte-Carlo: tester (A) under H0 (D1 = D2 uniform) and H1 (TV = ε) at every δ of the grid,
/// against tester (B)'s exact N (n = 2).
pub struct SmallMc {
    cfg: Config,
    seed: u64,
    deltas: Vec<f64>,
    own: usize,
    batch: Vec<Option<BatchTest>>,
    cums: [(Vec<f64>, Vec<f64>); 2],
    sum_tau: [Vec<f64>; 2],
    errors: [Vec<u64>; 2],
    undecided: [Vec<u64>; 2],
    done: [u64; 2],
    own_taus: [Vec<f64>; 2],
}

impl SmallMc {
    /// The E1 grid with δ added, runs `seed + r` (H0) and `seed + 10⁶ + r` (H1).
    pub fn new(cfg: Config, seed: u64) -> Self {
        let mut deltas: Vec<f64> = E1_DELTAS.to_vec();
        if !deltas.iter().any(|d| (d / cfg.delta - 1.0).abs() < 1e-9) {
            deltas.push(cfg.delta);
        }
        deltas.sort_by(|a, b| b.total_cmp(a));
        let own = deltas
            .iter()
            .position(|d| (d / cfg.delta - 1.0).abs() < 1e-9)
            .unwrap_or(0);
        let batch = deltas
            .iter()
            .map(|&d| (cfg.n == 2).then(|| exact_batch(cfg.eps, d)))
            .collect();
        let inst = |theta: f64| {
            let (d1, d2) = super::testers::alternating(cfg.n, theta);
            (cumulative(&d1), cumulative(&d2))
        };
        let k = deltas.len();
        Self {
            cums: [inst(0.0), inst(cfg.eps)],
            sum_tau: [vec![0.0; k], vec![0.0; k]],
            errors: [vec![0; k], vec![0; k]],
            undecided: [vec![0; k], vec![0; k]],
            done: [0, 0],
            own_taus: [Vec::new(), Vec::new()],
            seed,
            deltas,
            own,
            batch,
            cfg,
        }
    }

    /// The δ grid (descending).
    pub fn deltas(&self) -> &[f64] {
        &self.deltas
    }

    /// E[τ | H0] and E[τ | H1] at δ index `j` over the finished runs.
    pub fn mean_tau(&self, j: usize) -> (f64, f64) {
        (
            mean(self.sum_tau[0][j], self.done[0]),
            mean(self.sum_tau[1][j], self.done[1]),
        )
    }

    /// R = N / max(E[τ | H0], E[τ | H1]) at δ index `j` (NaN without a batch N).
    pub fn ratio(&self, j: usize) -> f64 {
        let (h0, h1) = self.mean_tau(j);
        self.batch[j].map_or(f64::NAN, |b| b.n as f64 / h0.max(h1))
    }

    /// Errors (H0: "different"; H1: "same") and finished runs, per hypothesis, at δ index `j`.
    pub fn errors(&self, j: usize) -> ([u64; 2], [u64; 2]) {
        ([self.errors[0][j], self.errors[1][j]], self.done)
    }

    /// Tester (B) at δ index `j` (n = 2 only).
    pub fn batch(&self, j: usize) -> Option<BatchTest> {
        self.batch[j]
    }

    fn advance(&mut self, i: u64) {
        let (r, h) = (i / 2, (i % 2) as usize);
        let seed = self
            .seed
            .wrapping_add(r)
            .wrapping_add(h as u64 * H1_SEED_OFFSET);
        let (c1, c2) = &self.cums[h];
        let res = run_path(
            self.cfg.n,
            self.cfg.eps,
            self.cfg.c,
            &self.deltas,
            (c1, c2),
            self.cfg.max_rounds,
            &mut Rng::new(seed),
        );
        let wrong = if h == 0 {
            Decision::Different
        } else {
            Decision::Same
        };
        for j in 0..self.deltas.len() {
            self.sum_tau[h][j] += res.tau[j] as f64;
            match res.decision[j] {
                None => self.undecided[h][j] += 1,
                Some(d) if d == wrong => self.errors[h][j] += 1,
                Some(_) => {}
            }
        }
        self.own_taus[h].push(res.tau[self.own] as f64);
        self.done[h] += 1;
    }

    fn metrics(&self, m: &mut BTreeMap<String, f64>) {
        for (j, &d) in self.deltas.iter().enumerate() {
            let key = delta_key(d);
            let (h0, h1) = self.mean_tau(j);
            put(m, format!("tau_h0_{key}"), h0);
            put(m, format!("tau_h1_{key}"), h1);
            put(
                m,
                format!("error_h0_{key}"),
                mean(self.errors[0][j] as f64, self.done[0]),
            );
            put(
                m,
                format!("error_h1_{key}"),
                mean(self.errors[1][j] as f64, self.done[1]),
            );
            if let Some(b) = self.batch[j] {
                put(m, format!("batch_n_{key}"), b.n as f64);
                put(m, format!("ratio_{key}"), self.ratio(j));
            }
        }
        let j = self.own;
        let (h0, h1) = self.mean_tau(j);
        put(m, "tau_h0_mean", h0);
        put(m, "tau_h1_mean", h1);
        put(
            m,
            "error_rate_h0",
            mean(self.errors[0][j] as f64, self.done[0]),
        );
        put(
            m,
            "error_rate_h1",
            mean(self.errors[1][j] as f64, self.done[1]),
        );
        put(m, "runs_h0", self.done[0] as f64);
        put(m, "runs_h1", self.done[1] as f64);
        let undecided = self.undecided[0]
            .iter()
            .chain(&self.undecided[1])
            .sum::<u64>();
        put(m, "undecided", undecided as f64);
        if let Some(b) = self.batch[j] {
            put(m, "batch_n", b.n as f64);
            put(m, "batch_c", b.c as f64);
            put(
                m,
                "batch_n_normal",
                normal_batch_n(self.cfg.eps, self.deltas[j]) as f64,
            );
            put(m, "ratio", self.ratio(j));
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let per = |f: &dyn Fn(usize) -> f64| (0..self.deltas.len()).map(f).collect::<Vec<f64>>();
        vec![
            named("deltas", self.deltas.clone()),
            named("log10_inv_delta", per(&|j| -libm::log10(self.deltas[j]))),
            named("tau_h0_by_delta", per(&|j| self.mean_tau(j).0)),
            named("tau_h1_by_delta", per(&|j| self.mean_tau(j).1)),
            named(
                "batch_n_by_delta",
                per(&|j| self.batch[j].map_or(f64::NAN, |b| b.n as f64)),
            ),
            named("ratio_by_delta", per(&|j| self.ratio(j))),
            named("tau_h0", self.own_taus[0].clone()),
            named("tau_h1", self.own_taus[1].clone()),
        ]
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let undecided = self.undecided[0]
            .iter()
            .chain(&self.undecided[1])
            .sum::<u64>();
        if undecided > 0 {
            notes.push(format!(
                "{undecided} (run, δ) pair(s) undecided after max_rounds = {} rounds, counted with τ = max_rounds",
                self.cfg.max_rounds
            ));
        }
        if self.cfg.n != 2 {
            notes.push(
                "the exact batch test (B) is defined for n = 2 only: no batch N and no R".into(),
            );
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------

/// One instance of E2: H0 (uniform on n) or a family at θ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instance {
    /// The family (`None`: H0).
    pub family: Option<Family>,
    /// TV(D1, D2).
    pub theta: f64,
}

impl Instance {
    /// D1 and D2 on an alphabet of nominal size n.
    pub fn distributions(&self, n: usize) -> (Vec<f64>, Vec<f64>) {
        match self.family {
            Some(Family::B) if self.theta > 0.0 => family_b(n, self.theta),
            Some(_) | None => family_a(n, self.theta),
        }
    }

    /// The metric-name key: `h0`, `a_0.2`, `b_0.1`.
    pub fn key(&self) -> String {
        match self.family {
            None => "h0".into(),
            Some(Family::A) => format!("a_{}", self.theta),
            Some(Family::B) => format!("b_{}", self.theta),
        }
    }
}

/// Running sums of one E2 instance.
#[derive(Clone, Copy, Debug, Default)]
struct InstanceTally {
    runs: u64,
    grid_samples: f64,
    grid_rejects: u64,
    grid_undecided: u64,
    batch_runs: u64,
    batch_samples: f64,
    batch_rejects: u64,
}

/// E2 Monte-Carlo: tester (C) and its batch version (D) on H0 and on both families over the θ
/// grid, plus one stage timeline of (C).
pub struct LargeMc {
    cfg: Config,
    seed: u64,
    settings: GridSettings,
    instances: Vec<Instance>,
    cache: Vec<Option<(Vec<f64>, Vec<f64>)>>,
    tallies: Vec<InstanceTally>,
    timeline: Option<GridRun>,
}

impl LargeMc {
    /// Runs `seed + r`: (C) draws from stream 0 of that seed, (D) from stream 1.
    pub fn new(cfg: Config, seed: u64) -> Self {
        let settings = GridSettings {
            n: cfg.e2_n as f64,
            eps: cfg.e2_eps,
            delta: cfg.e2_delta,
            ratio: cfg.grid_ratio,
            size_c: cfg.size_c,
            max_stages: stage_cap(cfg.e2_eps, cfg.grid_ratio),
        };
        let mut instances = vec![Instance {
            family: None,
            theta: 0.0,
        }];
        for family in [Family::A, Family::B] {
            for &theta in &E2_THETAS {
                instances.push(Instance {
                    family: Some(family),
                    theta,
                });
            }
        }
        Self {
            cache: vec![None; instances.len()],
            tallies: vec![InstanceTally::default(); instances.len()],
            timeline: None,
            settings,
            instances,
            seed,
            cfg,
        }
    }

    /// The instances of the Monte-Carlo (H0 first, then family A and B over the θ grid).
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// The settings of testers (C) and (D).
    pub fn settings(&self) -> &GridSettings {
        &self.settings
    }

    /// (C)'s mean samples, its rejection rate, (D)'s mean samples and its rejection rate on
    /// instance `i`, over the finished runs (NaN for (D) when ε = 0: it has no batch version).
    pub fn summary(&self, i: usize) -> (f64, f64, f64, f64) {
        let t = &self.tallies[i];
        (
            mean(t.grid_samples, t.runs),
            mean(t.grid_rejects as f64, t.runs),
            mean(t.batch_samples, t.batch_runs),
            mean(t.batch_rejects as f64, t.batch_runs),
        )
    }

    /// Finished runs on instance `i`.
    pub fn runs(&self, i: usize) -> u64 {
        self.tallies[i].runs
    }

    /// The expected batch cost 2·m(ε, ln(1/δ)) (∞ when ε = 0).
    pub fn batch_expected(&self) -> f64 {
        let s = &self.settings;
        2.0 * stage_size(s.n, s.eps, libm::log(1.0 / s.delta), s.size_c)
    }

    /// The index of (family, θ) among the instances.
    pub fn index(&self, family: Family, theta: f64) -> Option<usize> {
        self.instances
            .iter()
            .position(|x| x.family == Some(family) && x.theta == theta)
    }

    /// OLS slope of ln(mean samples of (C)) on ln θ for `family` over [`SLOPE_WINDOW`].
    pub fn slope(&self, family: Family) -> f64 {
        let pts: Vec<(f64, f64)> = E2_THETAS
            .iter()
            .filter(|&&t| t >= SLOPE_WINDOW.0 && t <= SLOPE_WINDOW.1)
            .filter_map(|&t| {
                let y = self.summary(self.index(family, t)?).0;
                (y > 0.0).then(|| (libm::log(t), libm::log(y)))
            })
            .collect();
        ols_slope(&pts)
    }

    /// The stage timeline (after iteration 0).
    pub fn timeline(&self) -> Option<&GridRun> {
        self.timeline.as_ref()
    }

    fn distributions(&mut self, i: usize) -> &(Vec<f64>, Vec<f64>) {
        let n = self.cfg.e2_n;
        let inst = self.instances[i];
        self.cache[i].get_or_insert_with(|| inst.distributions(n))
    }

    fn advance(&mut self, i: u64) {
        let settings = self.settings;
        if i == 0 {
            let inst = Instance {
                family: (self.cfg.e2_theta > 0.0).then_some(self.cfg.family),
                theta: self.cfg.e2_theta,
            };
            let (d1, d2) = inst.distributions(self.cfg.e2_n);
            self.timeline = Some(run_grid(&d1, &d2, &settings, &mut Rng::new(self.seed)));
            return;
        }
        let cell = i - 1;
        let count = self.instances.len() as u64;
        let (r, k) = (cell / count, (cell % count) as usize);
        let seed = self.seed.wrapping_add(r);
        let (d1, d2) = self.distributions(k).clone();
        let grid = run_grid(&d1, &d2, &settings, &mut Rng::stream(seed, 0));
        // With no prior bound (ε = 0) there is no batch tester: it would need m = ∞.
        let batch =
            (settings.eps > 0.0).then(|| run_batch(&d1, &d2, &settings, &mut Rng::stream(seed, 1)));
        let t = &mut self.tallies[k];
        t.runs += 1;
        t.grid_samples += grid.samples as f64;
        match grid.decision {
            Some(Decision::Different) => t.grid_rejects += 1,
            None => t.grid_undecided += 1,
            Some(Decision::Same) => {}
        }
        if let Some(b) = batch {
            t.batch_samples += b.stat.samples as f64;
            t.batch_rejects += u64::from(b.rejected);
            t.batch_runs += 1;
        }
    }

    fn metrics(&self, m: &mut BTreeMap<String, f64>) {
        for (i, inst) in self.instances.iter().enumerate() {
            let key = inst.key();
            let (grid, rej, batch, batch_rej) = self.summary(i);
            put(m, format!("samples_{key}"), grid);
            put(m, format!("reject_{key}"), rej);
            put(m, format!("batch_samples_{key}"), batch);
            put(m, format!("batch_reject_{key}"), batch_rej);
            put(m, format!("ratio_{key}"), grid / batch);
        }
        let h0 = self.summary(0);
        put(m, "h0_samples", h0.0);
        put(m, "h0_error_rate", h0.1);
        put(m, "h0_overhead", h0.0 / h0.2);
        put(m, "batch_samples", h0.2);
        put(m, "batch_expected", self.batch_expected());
        put(m, "e2_runs_done", self.tallies[0].runs as f64);
        put(m, "slope_a", self.slope(Family::A));
        put(m, "slope_b", self.slope(Family::B));
        if let Some(run) = &self.timeline {
            put(m, "timeline_samples", run.samples as f64);
            put(m, "timeline_stages", run.stages.len() as f64);
            if let Some(d) = run.decision {
                put(m, "timeline_decision", d.code());
            }
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let n = self.cfg.e2_n as f64;
        let thetas: Vec<f64> = E2_THETAS.to_vec();
        let per_family = |family: Family, pick: fn((f64, f64, f64, f64)) -> f64| -> Vec<f64> {
            thetas
                .iter()
                .map(|&t| {
                    self.index(family, t)
                        .map_or(f64::NAN, |i| pick(self.summary(i)))
                })
                .collect()
        };
        let refs = |f: &dyn Fn(f64) -> f64| thetas.iter().map(|&t| f(t)).collect::<Vec<f64>>();
        let mut out = vec![
            named("thetas", thetas.clone()),
            named("samples_a", per_family(Family::A, |s| s.0)),
            named("samples_b", per_family(Family::B, |s| s.0)),
            named("reject_a", per_family(Family::A, |s| s.1)),
            named("reject_b", per_family(Family::B, |s| s.1)),
            named("batch_reject_a", per_family(Family::A, |s| s.3)),
            named("batch_reject_b", per_family(Family::B, |s| s.3)),
            named("batch_line", refs(&|_| self.batch_expected())),
            named("h0_line", refs(&|_| self.summary(0).0)),
            named(
                "ref_n23",
                refs(&|t| libm::pow(n, 2.0 / 3.0) * libm::pow(t, -4.0 / 3.0)),
            ),
            named("ref_sqrt", refs(&|t| libm::sqrt(n) / (t * t))),
            named("ref_lin", refs(&|t| n / (t * t))),
        ];
        let stages = self.timeline.as_ref().map_or(&[][..], |r| &r.stages[..]);
        let col =
            |f: &dyn Fn(&super::testers::Stage) -> f64| stages.iter().map(f).collect::<Vec<f64>>();
        let mut cum = 0.0;
        let cumulative: Vec<f64> = stages
            .iter()
            .map(|s| {
                cum += s.stat.samples as f64;
                cum
            })
            .collect();
        out.extend([
            named("stage_k", col(&|s| f64::from(s.k))),
            named("stage_eps", col(&|s| s.eps)),
            named("stage_m", col(&|s| s.m)),
            named("stage_samples", cumulative),
            named("stage_z", col(&|s| s.stat.z)),
            named("stage_thr", col(&|s| s.thr)),
        ]);
        out
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let undecided: u64 = self.tallies.iter().map(|t| t.grid_undecided).sum();
        if undecided > 0 {
            notes.push(format!(
                "{undecided} run(s) of (C) undecided after {} stages, where ε_k < {NO_PRIOR_FLOOR} (ε = 0: no prior bound, it never answers same)",
                self.settings.max_stages
            ));
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------

/// The model of `oufkir2022_closeness`: one of the three experiments.
pub enum ClosenessModel {
    /// One run of tester (A).
    Race(RaceModel),
    /// E1 Monte-Carlo.
    Small(SmallMc),
    /// E2 Monte-Carlo.
    Large(LargeMc),
}

impl ClosenessModel {
    /// Builds the experiment `cfg.mode` for `seed`.
    pub fn new(cfg: Config, seed: u64) -> Self {
        match cfg.mode {
            Mode::Race => Self::Race(RaceModel::new(cfg, seed)),
            Mode::Small => Self::Small(SmallMc::new(cfg, seed)),
            Mode::Large => Self::Large(LargeMc::new(cfg, seed)),
        }
    }
}

impl Stepwise for ClosenessModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Ok(Self::new(Config::from_params(params)?, seed))
    }

    fn total(&self) -> u64 {
        match self {
            Self::Race(r) => r.cfg.max_rounds,
            Self::Small(s) => 2 * s.cfg.runs,
            Self::Large(l) => 1 + l.cfg.e2_runs * l.instances.len() as u64,
        }
    }

    fn series_names(&self) -> Vec<String> {
        match self {
            Self::Race(_) => vec!["z_same".into(), "z_far".into(), "beta".into()],
            Self::Small(_) | Self::Large(_) => Vec::new(),
        }
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        match self {
            Self::Race(r) => r.advance(),
            Self::Small(s) => s.advance(t),
            Self::Large(l) => l.advance(t),
        }
        None
    }

    fn record(&self) -> Vec<f64> {
        match self {
            Self::Race(r) => r.record(),
            Self::Small(_) | Self::Large(_) => Vec::new(),
        }
    }

    fn stopped(&self) -> bool {
        matches!(self, Self::Race(r) if r.decision.is_some())
    }

    fn metrics(&self, _t: u64, _diverged: bool, m: &mut BTreeMap<String, f64>) {
        match self {
            Self::Race(r) => r.metrics(m),
            Self::Small(s) => s.metrics(m),
            Self::Large(l) => l.metrics(m),
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        match self {
            Self::Race(r) => r.vectors(),
            Self::Small(s) => s.vectors(),
            Self::Large(l) => l.vectors(),
        }
    }

    fn notes(&self) -> Vec<String> {
        match self {
            Self::Race(r) => r.notes(),
            Self::Small(s) => s.notes(),
            Self::Large(l) => l.notes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::{Experiment, Stepper};

    fn run(overrides: &[(&str, &str)], seed: u64) -> Stepper<ClosenessModel> {
        let params = SCHEMA.build(overrides.iter().copied()).unwrap();
        let mut r = Stepper::new(ClosenessModel::from_params(&params, seed).unwrap());
        r.run_to_end(u64::MAX, &mut |_| {});
        r
    }

    #[test]
    fn the_race_stops_when_the_tester_decides() {
        let r = run(&[("experiment", "race"), ("theta", "0.2")], 5);
        let m = r.metrics();
        let tau = m["tau"];
        assert_eq!(r.progress().total, tau as u64);
        assert_eq!(r.progress().done, tau as u64);
        let z = &r.series()[0];
        assert_eq!(*z.x.last().unwrap(), tau);
        // It stopped because one statistic crossed β at τ, and not before on the grid.
        let (zs, zf, b) = (m["z_same"], m["z_far"], m["beta"]);
        assert!(zs > b || zf > b, "{zs} {zf} {b}");
        assert_eq!(m["batch_n"], 1149.0);
        for w in r.series()[2].y.windows(2) {
            assert!(w[1] >= w[0], "β is non-decreasing");
        }
    }

    #[test]
    fn e1_paths_are_the_race_runs_of_their_seeds() {
        // Run r = 0 of E1 under H0 (seed s) is the race at θ = 0 on seed s; under H1 (seed
        // s + 10⁶) it is the race at θ = ε: the same τ at every δ of the grid.
        let s = 40;
        let e1 = run(&[("experiment", "e1"), ("runs", "1"), ("n", "3")], s);
        let m = e1.metrics();
        for delta in ["5e-2", "1e-4", "1e-6"] {
            for (h, theta, seed) in [("h0", "0", s), ("h1", "0.2", s + H1_SEED_OFFSET)] {
                let race = run(
                    &[
                        ("experiment", "race"),
                        ("n", "3"),
                        ("theta", theta),
                        ("delta", delta),
                    ],
                    seed,
                );
                let key = delta_key(delta.parse().unwrap());
                assert_eq!(
                    race.metrics()["tau"],
                    m[&format!("tau_{h}_{key}")],
                    "{h} δ = {delta}"
                );
            }
        }
    }

    #[test]
    fn one_path_at_every_delta_decides_like_the_rule_at_each_delta() {
        // θ = ε/2: neither hypothesis holds and both statistics grow, so rounds where Z_same
        // exceeds one δ's β while Z_far must still be checked for a smaller δ can occur.
        let deltas = [5e-2, 1e-2, 1e-4, 1e-6, 1e-8];
        for n in [2, 3] {
            let (d1, d2) = super::super::testers::alternating(n, 0.1);
            let (c1, c2) = (cumulative(&d1), cumulative(&d2));
            for seed in 0..30 {
                let all = run_path(
                    n,
                    0.2,
                    1.0,
                    &deltas,
                    (&c1, &c2),
                    100_000,
                    &mut Rng::new(seed),
                );
                for (j, &delta) in deltas.iter().enumerate() {
                    let mut rng = Rng::new(seed);
                    let mut glr = Glr::new(n, 0.2);
                    let decision = loop {
                        glr.observe(sample(&c1, &mut rng), sample(&c2, &mut rng));
                        if let Some(d) = glr.decide(beta(glr.rounds(), delta, 1.0)) {
                            break d;
                        }
                    };
                    assert_eq!(
                        (all.tau[j], all.decision[j]),
                        (glr.rounds(), Some(decision)),
                        "n = {n}, seed {seed}, δ = {delta}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_stage_cap_only_bounds_runs_without_a_prior_distance() {
        assert_eq!(stage_cap(0.05, 0.95), u32::MAX);
        // ½(2/3)^15 ≈ 1.14e-3 ≥ 1e-3 > ½(2/3)^16 ≈ 7.6e-4: stage 17.
        assert_eq!(stage_cap(0.0, 2.0 / 3.0), 17);
        // A fine grid still reaches ε: r = 0.95 needs 46 stages to get from ½ to 0.05.
        let p = [
            ("experiment", "e2"),
            ("e2_runs", "1"),
            ("e2_n", "200"),
            ("grid_ratio", "0.95"),
        ];
        let r = run(&p, 3);
        assert_eq!(r.metrics()["reject_h0"], 0.0);
        assert!(r.notes().is_empty(), "{:?}", r.notes());
    }

    #[test]
    fn ols_slope_by_hand() {
        // y = 3 − 2x exactly, and (0, 0), (1, 1), (2, 3): slope (Σ(x−1)(y−4/3))/(Σ(x−1)²) = 3/2.
        assert!((ols_slope(&[(0.0, 3.0), (1.0, 1.0), (2.0, -1.0)]) + 2.0).abs() < 1e-15);
        assert!((ols_slope(&[(0.0, 0.0), (1.0, 1.0), (2.0, 3.0)]) - 1.5).abs() < 1e-15);
        assert!(ols_slope(&[(1.0, 1.0)]).is_nan());
    }

    #[test]
    fn e2_covers_h0_and_both_families() {
        let r = run(
            &[("experiment", "e2"), ("e2_runs", "2"), ("e2_n", "200")],
            777,
        );
        let m = r.metrics();
        assert_eq!(m["e2_runs_done"], 2.0);
        assert!(m["h0_samples"] > m["samples_b_0.4"]);
        assert_eq!(m["reject_b_0.5"], 1.0);
        assert!(m.contains_key("timeline_samples"));
        let v = r.vectors();
        let get = |n: &str| v.iter().find(|x| x.name == n).unwrap().values.clone();
        assert_eq!(get("samples_b").len(), E2_THETAS.len());
        assert_eq!(get("stage_k").len() as f64, m["timeline_stages"]);
    }
}
