//! The two experiments as [`Stepwise`] models behind one [`ContinuizedModel`]:
//!
//! * **e1** ([`QuadraticMc`]): `runs` independent continuized Nesterov processes (run r uses
//!   seed + r) on f = ½·Σ h_i x_i², beside discrete Nesterov and gradient descent. An iteration
//!   is one unit of continuous time: every process takes the gradient jumps of its Poisson
//!   events in (t − 1, t] (the exact discretisation, [`Continuized::event`]) and is evaluated at
//!   the deterministic time t by flowing its ODE from the last event (`common.md` §6); the
//!   baselines take one step each (time t ↔ iteration t, since E[T_k] = k).
//! * **e2** ([`GossipMc`]): `gossip_runs` runs (run r: seed + r draws the initial values and the
//!   edge clocks) of standard randomized gossip and continuized accelerated gossip on the same
//!   activations (common random numbers). An iteration is one activation in every run: a
//!   uniform edge at the next event of a rate-1 Poisson clock (each edge at rate 1/|E|).
//!
//! Both record geometric means over runs (exp of the mean log) with a ±1σ band of the log, and
//! fit decay rates as least-squares slopes of the mean log against t over the second half of the
//! horizon, at the recording times (`common.md` §3).

use super::config::{Config, Mode, Objective, Signal};
use super::dynamics::{Accelerated, Baseline, Continuized, average, quadratic};
use super::graph::{GEOMETRIC_TRIES, Graph, Spectrum};
use crate::experiment::{NamedVector, Stepwise, divergence, record_grid};
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use std::collections::BTreeMap;

/// The deterministic times at which E1 compares E f(x_t) − f* with 2L‖z0 − x*‖²/t² (CN-2).
pub const CHECKPOINTS: [u64; 6] = [10, 30, 100, 300, 1000, 2000];
/// Event counts k at which E1 keeps T_k of every run (CN-3).
pub const CLOCK_EVENTS: [u64; 3] = [10, 100, 1000];
/// Events of every run whose τ_k E1 keeps (the τ distribution).
pub const TAU_EVENTS: usize = 100;
/// Events of run 0 drawn in the event raster.
pub const RASTER_EVENTS: u64 = 25;
/// Points of the ODE flow drawn per interval between two events of the raster.
pub const RASTER_POINTS: usize = 12;
/// Values of f below this are floored in the logarithms (never reached by the spec's runs).
pub const F_FLOOR: f64 = 1e-300;
/// Stream of the random geometric graph (the runs use seed + r).
const GRAPH_STREAM: u64 = 7;

/// Inserts `value` under `key` when it is finite (metrics hold finite values only).
fn put(m: &mut BTreeMap<String, f64>, key: impl Into<String>, value: f64) {
    if value.is_finite() {
        m.insert(key.into(), value);
    }
}

fn named(name: &str, values: Vec<f64>) -> NamedVector {
    NamedVector {
        name: name.into(),
        values,
    }
}

/// An exponential(1) draw, −ln(1 − U) with U uniform in [0, 1).
fn exponential(rng: &mut Rng) -> f64 {
    -libm::log(1.0 - rng.uniform())
}

/// Mean and standard deviation (over n, not n − 1) of `v`, summed left to right.
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().fold(0.0, |s, x| s + x) / n;
    let var = v.iter().fold(0.0, |s, x| s + (x - mean) * (x - mean)) / n;
    (mean, libm::sqrt(var))
}

/// The least-squares slope of y on x (NaN below two distinct x).
pub fn linear_slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return f64::NAN;
    }
    let mx = x.iter().fold(0.0, |s, v| s + v) / n;
    let my = y.iter().fold(0.0, |s, v| s + v) / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (u, v) in x.iter().zip(y) {
        sxy += (u - mx) * (v - my);
        sxx += (u - mx) * (u - mx);
    }
    if sxx > 0.0 { sxy / sxx } else { f64::NAN }
}

/// The recording times of a horizon and which of them fall in the fit window (second half).
struct Schedule {
    grid: Vec<u64>,
    next: usize,
    fit_from: u64,
}

impl Schedule {
    fn new(total: u64) -> Self {
        Self {
            grid: record_grid(total),
            next: 1,
            fit_from: total.div_ceil(2),
        }
    }

    /// Whether `t` is the next recording time (and moves past it).
    fn due(&mut self, t: u64) -> bool {
        if self.grid.get(self.next) == Some(&t) {
            self.next += 1;
            true
        } else {
            false
        }
    }
}

/// The statistic of a set of runs at one time: mean and σ of the log, arithmetic mean.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Mean of ln(value) over runs.
    pub mean_log: f64,
    /// Standard deviation of ln(value) over runs.
    pub sd_log: f64,
    /// Arithmetic mean of the values.
    pub mean: f64,
}

impl Spread {
    fn of(values: &[f64], floored: &mut bool) -> Self {
        let logs: Vec<f64> = values
            .iter()
            .map(|v| {
                if *v < F_FLOOR {
                    *floored = true;
                }
                libm::log(v.max(F_FLOOR))
            })
            .collect();
        let (mean_log, sd_log) = mean_sd(&logs);
        Self {
            mean_log,
            sd_log,
            mean: values.iter().fold(0.0, |s, v| s + v) / values.len() as f64,
        }
    }

    /// exp(mean log), exp(mean − σ), exp(mean + σ).
    fn band(&self) -> [f64; 3] {
        [
            libm::exp(self.mean_log),
            libm::exp(self.mean_log - self.sd_log),
            libm::exp(self.mean_log + self.sd_log),
        ]
    }
}

// ---------------------------------------------------------------------------------------------

/// One continuized Nesterov process of E1.
struct ContinuizedRun {
    x: Vec<f64>,
    z: Vec<f64>,
    /// Time of the last event (0 before the first).
    s: f64,
    /// Time of the next event.
    next: f64,
    /// Events so far.
    k: u64,
    rng: Rng,
    /// τ_k of the first [`TAU_EVENTS`] events.
    taus: Vec<f64>,
    /// T_k at the event counts of [`CLOCK_EVENTS`] reached so far.
    clock: Vec<f64>,
}

/// Run 0's path for the event raster: event times and one coordinate of x and z along the ODE
/// (before and after each jump).
#[derive(Clone, Debug, Default)]
struct Raster {
    events: Vec<f64>,
    t: Vec<f64>,
    x: Vec<f64>,
    z: Vec<f64>,
}

/// E1: continuized Nesterov (Monte-Carlo), Nesterov and gradient descent on one quadratic.
pub struct QuadraticMc {
    cfg: Config,
    h: Vec<f64>,
    l: f64,
    mu: f64,
    method: Continuized,
    runs: Vec<ContinuizedRun>,
    nesterov: Baseline,
    gd: Baseline,
    f0: f64,
    t: u64,
    schedule: Schedule,
    /// The continuized spread at the last recording time (or t = 0).
    now: Spread,
    fit_t: Vec<f64>,
    fit_cont: Vec<f64>,
    fit_nesterov: Vec<f64>,
    fit_gd: Vec<f64>,
    /// (t, E f(x_t) − f*) at the checkpoints reached.
    checkpoints: Vec<(u64, f64)>,
    raster: Raster,
    /// The coordinate the raster draws: the one of smallest curvature.
    coord: usize,
    floored: bool,
}

impl QuadraticMc {
    /// E1 for `cfg` on seeds seed + r.
    pub fn new(cfg: Config, seed: u64) -> Self {
        let h = cfg.curvatures();
        let l = h.iter().fold(0.0_f64, |m, v| m.max(*v));
        let mu = h.iter().fold(f64::INFINITY, |m, v| m.min(*v));
        let method = match cfg.objective {
            Objective::Strong => Continuized::Strong { mu, l },
            Objective::Convex => Continuized::Convex { l },
        };
        let x0 = vec![1.0; cfg.d];
        let runs = (0..cfg.runs as u64)
            .map(|r| {
                let mut rng = Rng::new(seed + r);
                ContinuizedRun {
                    x: x0.clone(),
                    z: x0.clone(),
                    s: 0.0,
                    next: exponential(&mut rng),
                    k: 0,
                    rng,
                    taus: Vec::with_capacity(TAU_EVENTS),
                    clock: Vec::new(),
                }
            })
            .collect();
        let nesterov = match cfg.objective {
            Objective::Strong => {
                let q = libm::sqrt(mu / l);
                Baseline::NesterovStrong {
                    x: x0.clone(),
                    y: x0.clone(),
                    momentum: (1.0 - q) / (1.0 + q),
                }
            }
            Objective::Convex => Baseline::NesterovConvex {
                x: x0.clone(),
                z: x0.clone(),
            },
        };
        let coord = (0..cfg.d).fold(0, |best, i| if h[i] < h[best] { i } else { best });
        let f0 = quadratic(&h, &x0);
        let raster = Raster {
            events: Vec::new(),
            t: vec![0.0],
            x: vec![1.0],
            z: vec![1.0],
        };
        let mut floored = false;
        let now = Spread::of(&vec![f0; cfg.runs], &mut floored);
        Self {
            schedule: Schedule::new(cfg.horizon_time),
            gd: Baseline::Gd { x: x0 },
            h,
            l,
            mu,
            method,
            runs,
            nesterov,
            f0,
            t: 0,
            now,
            fit_t: Vec::new(),
            fit_cont: Vec::new(),
            fit_nesterov: Vec::new(),
            fit_gd: Vec::new(),
            checkpoints: Vec::new(),
            raster,
            coord,
            floored,
            cfg,
        }
    }

    /// f(x(t)) − f* of every run at the current time, each flowed from its last event.
    fn values(&self) -> Vec<f64> {
        let t = self.t as f64;
        self.runs
            .iter()
            .map(|r| {
                let c = self.method.decay(r.s, t);
                let mut s = 0.0;
                for ((h, x), z) in self.h.iter().zip(&r.x).zip(&r.z) {
                    let v = self.method.flow_x(*x, *z, c);
                    s += h * v * v;
                }
                0.5 * s
            })
            .collect()
    }

    /// The guarantee at time t (spec §3.1): 2L‖z0 − x*‖²/t² (convex, NaN at t = 0) or
    /// (f(x0) − f* + (μ/2)‖z0 − x*‖²)·e^{−√(μ/L)·t}.
    pub fn bound(&self, t: f64) -> f64 {
        let z0 = self.cfg.d as f64;
        match self.cfg.objective {
            Objective::Convex if t > 0.0 => 2.0 * self.l * z0 / (t * t),
            Objective::Convex => f64::NAN,
            Objective::Strong => {
                (self.f0 + 0.5 * self.mu * z0) * libm::exp(-libm::sqrt(self.mu / self.l) * t)
            }
        }
    }

    fn event(&mut self, r: usize) {
        let run = &mut self.runs[r];
        let t = run.next;
        let (c, s) = (self.coord, run.s);
        let (x0, z0) = (run.x[c], run.z[c]);
        let tau = self.method.event(&self.h, &mut run.x, &mut run.z, s, t);
        run.k += 1;
        if run.taus.len() < TAU_EVENTS {
            run.taus.push(tau);
        }
        if CLOCK_EVENTS.contains(&run.k) {
            run.clock.push(t);
        }
        run.s = t;
        run.next = t + exponential(&mut run.rng);
        if r == 0 && run.k <= RASTER_EVENTS {
            let (x1, z1) = (run.x[c], run.z[c]);
            let raster = &mut self.raster;
            raster.events.push(t);
            for j in 1..=RASTER_POINTS {
                let u = s + (t - s) * j as f64 / RASTER_POINTS as f64;
                let c = self.method.decay(s, u);
                raster.t.push(u);
                raster.x.push(self.method.flow_x(x0, z0, c));
                raster.z.push(self.method.flow_z(x0, z0, c));
            }
            raster.t.push(t);
            raster.x.push(x1);
            raster.z.push(z1);
        }
    }

    fn advance(&mut self, i: u64) -> Option<String> {
        let t = (i + 1) as f64;
        for r in 0..self.runs.len() {
            while self.runs[r].next <= t {
                self.event(r);
            }
        }
        self.nesterov.step(&self.h, self.l, i);
        self.gd.step(&self.h, self.l, i);
        self.t = i + 1;
        let checkpoint = CHECKPOINTS.contains(&self.t);
        if self.schedule.due(self.t) || checkpoint {
            let values = self.values();
            self.now = Spread::of(&values, &mut self.floored);
            if checkpoint {
                self.checkpoints.push((self.t, self.now.mean));
            }
            if self.t >= self.schedule.fit_from {
                let log = |v: f64| libm::log(v.max(F_FLOOR));
                self.fit_t.push(t);
                self.fit_cont.push(self.now.mean_log);
                self.fit_nesterov
                    .push(log(quadratic(&self.h, self.nesterov.x())));
                self.fit_gd.push(log(quadratic(&self.h, self.gd.x())));
            }
            let finite = self.now.mean.is_finite();
            return divergence(Some(self.now.mean), self.f0, finite);
        }
        None
    }

    fn record(&self) -> Vec<f64> {
        let mut v = self.now.band().to_vec();
        v.extend([
            quadratic(&self.h, self.nesterov.x()),
            quadratic(&self.h, self.gd.x()),
            self.bound(self.t as f64),
        ]);
        v
    }

    /// Per-unit-time decay rates −d(mean log f)/dt over the second half: continuized, Nesterov
    /// and gradient descent.
    pub fn decays(&self) -> [f64; 3] {
        [&self.fit_cont, &self.fit_nesterov, &self.fit_gd].map(|y| -linear_slope(&self.fit_t, y))
    }

    fn metrics(&self, m: &mut BTreeMap<String, f64>) {
        let [cont, nest, gd] = self.decays();
        let [geo, _, _] = self.now.band();
        put(m, "f_cont", geo);
        put(m, "f_cont_mean", self.now.mean);
        put(m, "f_nesterov", quadratic(&self.h, self.nesterov.x()));
        put(m, "f_gd", quadratic(&self.h, self.gd.x()));
        put(m, "f0", self.f0);
        put(m, "mu", self.mu);
        put(m, "sqrt_q", libm::sqrt(self.mu / self.l));
        put(m, "decay_cont", cont);
        put(m, "decay_nesterov", nest);
        put(m, "decay_gd", gd);
        put(m, "ratio_to_nesterov", cont / nest);
        put(m, "ratio_to_gd", cont / gd);
        put(m, "bound", self.bound(self.t as f64));
        put(m, "raster_coord", self.coord as f64);
        let events: Vec<f64> = self.runs.iter().map(|r| r.k as f64).collect();
        put(m, "events_mean", mean_sd(&events).0);
        for (t, f) in &self.checkpoints {
            put(m, format!("cont_mean_t{t}"), *f);
            if self.cfg.objective == Objective::Convex {
                put(m, format!("bound_ratio_t{t}"), f / self.bound(*t as f64));
            }
        }
        for (j, k) in CLOCK_EVENTS.iter().enumerate() {
            let ratios: Option<Vec<f64>> = self
                .runs
                .iter()
                .map(|r| r.clock.get(j).map(|t| t / *k as f64))
                .collect();
            if let Some(ratios) = ratios {
                put(m, format!("clock_ratio_k{k}"), mean_sd(&ratios).0);
            }
        }
    }

    /// The τ_k distribution over runs: k, mean, 10 % and 90 % quantiles, for the events every
    /// run has reached.
    fn tau_quantiles(&self) -> [Vec<f64>; 4] {
        let reached = self.runs.iter().map(|r| r.taus.len()).min().unwrap_or(0);
        let mut out: [Vec<f64>; 4] = Default::default();
        for k in 0..reached {
            let mut v: Vec<f64> = self.runs.iter().map(|r| r.taus[k]).collect();
            v.sort_by(f64::total_cmp);
            let last = (v.len() - 1) as f64;
            out[0].push(k as f64);
            out[1].push(mean_sd(&v).0);
            out[2].push(v[libm::floor(0.1 * last) as usize]);
            out[3].push(v[libm::ceil(0.9 * last) as usize]);
        }
        out
    }

    /// The deterministic coefficient τ_k beside the random one: Nesterov's 2/(k + 2) (convex)
    /// or the constant √q/(1 + √q) of constant-momentum Nesterov (strongly convex).
    pub fn nesterov_tau(&self, k: f64) -> f64 {
        match self.cfg.objective {
            Objective::Convex => 2.0 / (k + 2.0),
            Objective::Strong => {
                let q = libm::sqrt(self.mu / self.l);
                q / (1.0 + q)
            }
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let [k, mean, lo, hi] = self.tau_quantiles();
        let det = k.iter().map(|k| self.nesterov_tau(*k)).collect();
        vec![
            named("tau_k", k),
            named("tau_mean", mean),
            named("tau_lo", lo),
            named("tau_hi", hi),
            named("tau_nesterov", det),
            named("raster_events", self.raster.events.clone()),
            named("raster_t", self.raster.t.clone()),
            named("raster_x", self.raster.x.clone()),
            named("raster_z", self.raster.z.clone()),
            named("curvatures", self.h.clone()),
        ]
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.floored {
            notes.push(format!(
                "f − f* fell below {F_FLOOR:e} in a run; its logarithm is floored there"
            ));
        }
        if self.cfg.objective == Objective::Convex {
            notes.push(
                "convex parameters (η_t = 2/t, γ′_t = t/(2L)); κ is unused, μ = 1/d² only sets \
                 the spectrum's floor"
                    .into(),
            );
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------

/// One run of E2: standard gossip's values and accelerated gossip's (x, z, last update).
struct GossipRun {
    standard: Vec<f64>,
    x: Vec<f64>,
    z: Vec<f64>,
    last: Vec<f64>,
    t: f64,
    rng: Rng,
    mean0: f64,
    err0: f64,
}

/// The spread of the relative errors of E2's runs at one time, and their mean drift.
#[derive(Clone, Copy, Debug)]
struct GossipState {
    standard: Spread,
    accelerated: Spread,
    drift_standard: f64,
    drift_accelerated: f64,
}

/// E2: standard randomized gossip against continuized accelerated gossip on one graph.
pub struct GossipMc {
    graph: Graph,
    spectrum: Spectrum,
    acc: Accelerated,
    eta_derived: f64,
    total: u64,
    runs: Vec<GossipRun>,
    schedule: Schedule,
    now: GossipState,
    /// The largest drifts seen at the recording times.
    max_drift: [f64; 2],
    fit_t: Vec<f64>,
    fit_standard: Vec<f64>,
    fit_accelerated: Vec<f64>,
    activations: u64,
    floored: bool,
}

impl GossipMc {
    /// E2 for `cfg` on seeds seed + r; `None` when no connected random geometric graph was
    /// drawn.
    pub fn new(cfg: Config, seed: u64) -> Option<Self> {
        let graph = Graph::of(cfg.graph, cfg.n, &mut Rng::stream(seed, GRAPH_STREAM))?;
        let spectrum = Spectrum::of(&graph);
        let eta_derived = spectrum.eta();
        let acc = Accelerated {
            eta: cfg.eta_mult * eta_derived,
            gamma: 0.5,
            gamma_p: cfg.gamma_mult * spectrum.gamma_prime(),
        };
        let total = libm::ceil(cfg.horizon / eta_derived) as u64;
        let n = graph.n;
        let runs = (0..cfg.gossip_runs as u64)
            .map(|r| {
                let mut rng = Rng::new(seed + r);
                let x0: Vec<f64> = match cfg.signal {
                    Signal::Random => (0..n).map(|_| rng.normal()).collect(),
                    Signal::Spike => (0..n).map(|v| if v == 0 { 1.0 } else { 0.0 }).collect(),
                };
                let mean0 = x0.iter().fold(0.0, |s, v| s + v) / n as f64;
                let err0 = x0.iter().fold(0.0, |s, v| s + (v - mean0) * (v - mean0));
                GossipRun {
                    standard: x0.clone(),
                    z: x0.clone(),
                    x: x0,
                    last: vec![0.0; n],
                    t: 0.0,
                    rng,
                    mean0,
                    err0,
                }
            })
            .collect();
        let mut model = Self {
            graph,
            spectrum,
            acc,
            eta_derived,
            total,
            runs,
            schedule: Schedule::new(total),
            now: GossipState {
                standard: Spread {
                    mean_log: 0.0,
                    sd_log: 0.0,
                    mean: 1.0,
                },
                accelerated: Spread {
                    mean_log: 0.0,
                    sd_log: 0.0,
                    mean: 1.0,
                },
                drift_standard: 0.0,
                drift_accelerated: 0.0,
            },
            max_drift: [0.0; 2],
            fit_t: Vec::new(),
            fit_standard: Vec::new(),
            fit_accelerated: Vec::new(),
            activations: 0,
            floored: false,
        };
        model.now = model.state();
        Some(model)
    }

    /// Accelerated gossip's x of run `r`, every node flowed to the run's current time.
    fn flowed(&self, r: usize) -> Vec<f64> {
        let run = &self.runs[r];
        (0..self.graph.n)
            .map(|v| self.acc.flow(run.x[v], run.z[v], run.t - run.last[v]).0)
            .collect()
    }

    fn state(&mut self) -> GossipState {
        let mut errs = [Vec::new(), Vec::new()];
        let mut drift = [0.0_f64; 2];
        for r in 0..self.runs.len() {
            let flowed = self.flowed(r);
            let run = &self.runs[r];
            for (j, values) in [&run.standard, &flowed].into_iter().enumerate() {
                let (mut err, mut sum) = (0.0, 0.0);
                for v in values {
                    err += (v - run.mean0) * (v - run.mean0);
                    sum += v;
                }
                errs[j].push(err / run.err0);
                drift[j] = drift[j].max((sum / values.len() as f64 - run.mean0).abs());
            }
        }
        GossipState {
            standard: Spread::of(&errs[0], &mut self.floored),
            accelerated: Spread::of(&errs[1], &mut self.floored),
            drift_standard: drift[0],
            drift_accelerated: drift[1],
        }
    }

    fn advance(&mut self, i: u64) -> Option<String> {
        let edges = self.graph.edges.len() as u64;
        for run in &mut self.runs {
            run.t += exponential(&mut run.rng);
            let (v, w) = self.graph.edges[run.rng.below(edges) as usize];
            average(&mut run.standard, v, w);
            self.acc
                .activate(&mut run.x, &mut run.z, &mut run.last, v, w, run.t);
        }
        self.activations = i + 1;
        if !self.schedule.due(i + 1) {
            return None;
        }
        self.now = self.state();
        for (m, d) in self
            .max_drift
            .iter_mut()
            .zip([self.now.drift_standard, self.now.drift_accelerated])
        {
            *m = m.max(d);
        }
        if i + 1 >= self.schedule.fit_from {
            self.fit_t.push((i + 1) as f64);
            self.fit_standard.push(self.now.standard.mean_log);
            self.fit_accelerated.push(self.now.accelerated.mean_log);
        }
        let worst = self.now.accelerated.mean.max(self.now.standard.mean);
        divergence(Some(worst), 1.0, worst.is_finite())
    }

    fn record(&self) -> Vec<f64> {
        let t = self.activations as f64;
        let mut v = self.now.standard.band().to_vec();
        v.extend(self.now.accelerated.band());
        v.extend([
            libm::exp(-self.spectrum.lambda2 * t),
            libm::exp(-self.eta_derived * t),
        ]);
        v
    }

    /// Fitted decay rates per activation of the mean log relative error over the second half:
    /// standard and accelerated gossip.
    pub fn rates(&self) -> [f64; 2] {
        [&self.fit_standard, &self.fit_accelerated].map(|y| -linear_slope(&self.fit_t, y))
    }

    fn metrics(&self, m: &mut BTreeMap<String, f64>) {
        let [std, acc] = self.rates();
        let s = &self.spectrum;
        put(m, "n", self.graph.n as f64);
        put(m, "edges", self.graph.edges.len() as f64);
        put(m, "lambda2", s.lambda2);
        put(m, "chi1", s.chi1);
        put(m, "chi2", s.chi2);
        put(m, "eta_pred", self.eta_derived);
        put(m, "eta", self.acc.eta);
        put(m, "gamma_prime", self.acc.gamma_p);
        put(m, "rate_std", std);
        put(m, "rate_acc", acc);
        put(m, "speedup", acc / std);
        put(m, "rate_acc_over_eta", acc / self.eta_derived);
        put(m, "predicted_speedup", libm::sqrt(s.chi1 / s.chi2));
        put(m, "err_std", libm::exp(self.now.standard.mean_log));
        put(m, "err_acc", libm::exp(self.now.accelerated.mean_log));
        put(m, "drift_std", self.max_drift[0]);
        put(m, "drift_acc", self.max_drift[1]);
        put(m, "activations", self.activations as f64);
        let times: Vec<f64> = self.runs.iter().map(|r| r.t).collect();
        put(m, "time_mean", mean_sd(&times).0);
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let edges = self
            .graph
            .edges
            .iter()
            .flat_map(|(v, w)| [*v as f64, *w as f64])
            .collect();
        vec![
            named("positions", self.graph.positions.clone()),
            named("edges", edges),
            named("values_std", self.runs[0].standard.clone()),
            named("values_acc", self.flowed(0)),
            named("eigenvalues", self.spectrum.eigenvalues.clone()),
        ]
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.floored {
            notes.push(format!(
                "a relative error fell below {F_FLOOR:e}; its logarithm is floored there"
            ));
        }
        if self.acc.eta * self.acc.gamma_p > 1.0 / (4.0 * self.spectrum.chi2) * 1.000_001 {
            notes.push(
                "η·γ′ exceeds 1/(R²κ̃) = 1/(4χ₂): the derived condition of accelerated gossip is \
                 violated and it may diverge"
                    .into(),
            );
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------

/// The experiment of a configuration.
pub enum ContinuizedModel {
    /// E1.
    Quadratic(Box<QuadraticMc>),
    /// E2.
    Gossip(Box<GossipMc>),
}

impl ContinuizedModel {
    /// Builds the experiment `cfg.mode` for `seed`.
    pub fn new(cfg: Config, seed: u64) -> Result<Self, ParamError> {
        Ok(match cfg.mode {
            Mode::Quadratic => Self::Quadratic(Box::new(QuadraticMc::new(cfg, seed))),
            Mode::Gossip => {
                let n = cfg.n;
                Self::Gossip(Box::new(GossipMc::new(cfg, seed).ok_or_else(|| ParamError {
                    name: "n".into(),
                    value: n.to_string(),
                    allowed: format!(
                        "a node count for which one of {GEOMETRIC_TRIES} random geometric draws \
                         is connected (try another seed or n)"
                    ),
                })?))
            }
        })
    }
}

impl Stepwise for ContinuizedModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Self::new(Config::from_params(params)?, seed)
    }

    fn total(&self) -> u64 {
        match self {
            Self::Quadratic(q) => q.cfg.horizon_time,
            Self::Gossip(g) => g.total,
        }
    }

    fn series_names(&self) -> Vec<String> {
        let names: &[&str] = match self {
            Self::Quadratic(_) => &["cont", "cont_lo", "cont_hi", "nesterov", "gd", "bound"],
            Self::Gossip(_) => &[
                "err_std",
                "err_std_lo",
                "err_std_hi",
                "err_acc",
                "err_acc_lo",
                "err_acc_hi",
                "ref_lambda2",
                "ref_eta",
            ],
        };
        names.iter().map(|s| s.to_string()).collect()
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        match self {
            Self::Quadratic(q) => q.advance(t),
            Self::Gossip(g) => g.advance(t),
        }
    }

    fn record(&self) -> Vec<f64> {
        match self {
            Self::Quadratic(q) => q.record(),
            Self::Gossip(g) => g.record(),
        }
    }

    fn metrics(&self, _t: u64, _diverged: bool, m: &mut BTreeMap<String, f64>) {
        match self {
            Self::Quadratic(q) => q.metrics(m),
            Self::Gossip(g) => g.metrics(m),
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        match self {
            Self::Quadratic(q) => q.vectors(),
            Self::Gossip(g) => g.vectors(),
        }
    }

    fn notes(&self) -> Vec<String> {
        match self {
            Self::Quadratic(q) => q.notes(),
            Self::Gossip(g) => g.notes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::{Experiment, Status, Stepper};

    fn run(overrides: &[(&str, &str)], seed: u64) -> Stepper<ContinuizedModel> {
        let p = SCHEMA.build(overrides.iter().copied()).unwrap();
        let mut r = Stepper::new(ContinuizedModel::from_params(&p, seed).unwrap());
        r.run_to_end(u64::MAX, &mut |_| {});
        r
    }

    #[test]
    fn slopes_and_spreads_by_hand() {
        // y = 3 − 2x: slope −2; (0, 1), (1, 1), (2, 4): x̄ = 1, ȳ = 2, Σ(x − x̄)(y − ȳ) = 1 + 2,
        // Σ(x − x̄)² = 2: slope 1.5.
        assert_eq!(linear_slope(&[0.0, 1.0, 2.0], &[3.0, 1.0, -1.0]), -2.0);
        assert_eq!(linear_slope(&[0.0, 1.0, 2.0], &[1.0, 1.0, 4.0]), 1.5);
        assert!(linear_slope(&[1.0], &[1.0]).is_nan());
        assert_eq!(mean_sd(&[1.0, 3.0]), (2.0, 1.0));
        let mut floored = false;
        let e = std::f64::consts::E;
        let s = Spread::of(&[1.0, e * e], &mut floored);
        assert!((s.mean_log - 1.0).abs() < 1e-15 && (s.sd_log - 1.0).abs() < 1e-15);
        assert!(!floored);
        let [g, lo, hi] = s.band();
        assert!((g - e).abs() < 1e-14 && (lo - 1.0).abs() < 1e-14 && (hi - e * e).abs() < 1e-13);
    }

    #[test]
    fn a_quadratic_run_is_its_processes_replayed_by_hand() {
        // One run, d = 3, convex: replay its events from the same stream and flow to t = 5.
        let set = [
            ("objective", "convex"),
            ("d", "3"),
            ("runs", "1"),
            ("events", "5"),
        ];
        let r = run(&set, 8);
        let cfg = Config::from_params(&SCHEMA.build(set).unwrap()).unwrap();
        let h = cfg.curvatures();
        let c = Continuized::Convex { l: 1.0 };
        let mut rng = Rng::new(8);
        let (mut x, mut z, mut s) = (vec![1.0; 3], vec![1.0; 3], 0.0);
        let mut next = exponential(&mut rng);
        while next <= 5.0 {
            c.event(&h, &mut x, &mut z, s, next);
            s = next;
            next += exponential(&mut rng);
        }
        let k = c.decay(s, 5.0);
        let at5: Vec<f64> = (0..3).map(|i| c.flow_x(x[i], z[i], k)).collect();
        let f = quadratic(&h, &at5);
        let m = r.metrics();
        assert!(
            (m["f_cont"] / f - 1.0).abs() < 1e-12,
            "{} vs {f}",
            m["f_cont"]
        );
        // The bound at t = 5: 2L·d/t² = 6/25.
        assert!((m["bound"] - 0.24).abs() < 1e-15);
        // The raster starts at (0, 1, 1) and ends each event with the post-jump point.
        let raster_t = r
            .vectors()
            .into_iter()
            .find(|v| v.name == "raster_t")
            .unwrap();
        assert_eq!(raster_t.values[0], 0.0);
    }

    #[test]
    fn convex_tau_has_mean_two_over_k_plus_two() {
        // T_k/T_{k+1} ~ Beta(k, 1), so E[1 − (T_k/T_{k+1})²] = 1 − k/(k + 2) = 2/(k + 2)
        // exactly; over 400 runs the mean τ_k is within a few standard errors of it.
        let r = run(
            &[
                ("objective", "convex"),
                ("d", "2"),
                ("runs", "400"),
                ("events", "150"),
            ],
            3,
        );
        let v = r.vectors();
        let get = |n: &str| v.iter().find(|x| x.name == n).unwrap().values.clone();
        let (k, mean, det) = (get("tau_k"), get("tau_mean"), get("tau_nesterov"));
        assert_eq!(k.len(), TAU_EVENTS);
        assert_eq!((mean[0], det[0]), (1.0, 1.0));
        for j in [1, 5, 20, 60] {
            // Var τ_k ≤ E τ_k² ≤ 2/(k + 2)·… < (2/(k + 2))²·3, SE ≤ √3·(2/(k + 2))/20.
            let tol = 4.0 * 1.8 * det[j] / 20.0;
            assert!(
                (mean[j] - det[j]).abs() < tol,
                "k = {j}: {} vs {}",
                mean[j],
                det[j]
            );
        }
        assert!((r.metrics()["clock_ratio_k10"] - 1.0).abs() < 3.0 * 3.0 / (4000.0_f64).sqrt());
    }

    #[test]
    fn strongly_convex_runs_accelerate_and_gossip_conserves_the_mean() {
        let r = run(&[("kappa", "100"), ("runs", "5"), ("d", "20")], 1);
        assert_eq!(r.progress().status, Status::Finished);
        let m = r.metrics();
        assert!(m["decay_cont"] > 3.0 * m["decay_gd"], "{m:?}");
        assert!(m["f_cont"] < m["f_gd"]);
        let g = run(
            &[("experiment", "e2"), ("n", "12"), ("gossip_runs", "3")],
            2,
        );
        assert_eq!(g.progress().status, Status::Finished);
        let m = g.metrics();
        assert!(m["drift_std"] < 1e-12 && m["drift_acc"] < 1e-12, "{m:?}");
        assert!(m["rate_acc"] > 0.0 && m["rate_std"] > 0.0);
        for s in g.series() {
            assert!(s.y.iter().all(|y| y.is_finite()), "{}", s.name);
        }
        // Every graph builds; the spike starts at relative error 1.
        for graph in ["grid", "geometric", "complete"] {
            let g = run(
                &[
                    ("experiment", "e2"),
                    ("graph", graph),
                    ("n", "16"),
                    ("gossip_runs", "2"),
                    ("signal", "spike"),
                    ("horizon", "5"),
                ],
                4,
            );
            assert_eq!(g.series()[0].y[0], 1.0, "{graph}");
            assert_eq!(g.progress().status, Status::Finished, "{graph}");
        }
    }

    #[test]
    fn accelerated_gossip_with_both_constants_too_large_diverges() {
        // Spec §3.4 [calibrated]: η and γ′ both × √2 (and more) violate ηγ′ ≤ 1/(R²κ̃).
        let g = run(
            &[
                ("experiment", "e2"),
                ("n", "40"),
                ("gossip_runs", "4"),
                ("eta_mult", "3"),
                ("gamma_mult", "3"),
            ],
            5,
        );
        assert!(
            matches!(g.progress().status, Status::Diverged { .. }),
            "{:?}",
            g.metrics()
        );
        assert!(g.notes().iter().any(|n| n.contains("violated")));
    }
}
