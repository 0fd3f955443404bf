//! The step-wise ReLU-ortho run: Euler steps of the gradient flow of a one-hidden-layer ReLU
//! network on orthonormal inputs, with the theory's landmarks (escape times, plateau, V*) measured
//! along the way.

use super::config::Config;
use crate::experiment::{NamedVector, Stepper, Stepwise, divergence};
use crate::rng::Rng;
use crate::schema::{ParamError, Params};
use std::collections::BTreeMap;

const INIT_STREAM: u64 = 1;
/// Per-neuron norm curves are recorded for at most this many neurons.
pub const NORM_CURVES: usize = 32;

/// The [derived] landmarks of spec §3.2 for orthonormal inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Theory {
    /// ‖D₊‖ and ‖D₋‖.
    pub d_norm: [f64; 2],
    /// Escape times τ₊, τ₋ = (n/‖D±‖)·ln(1/λ).
    pub tau: [f64; 2],
    /// Initial loss L₀ = Σy²/(2n).
    pub l0: f64,
    /// Saddle level: the slower group's share of L₀.
    pub l_mid: f64,
    /// Minimum variation norm V* = ‖D₊‖ + ‖D₋‖ (unit inputs).
    pub v_star: f64,
}

impl Theory {
    /// Landmarks for labels `y` (orthonormal inputs) and initialisation scale λ.
    pub fn new(y: &[f64], lambda: f64) -> Self {
        let n = y.len() as f64;
        let group = |positive: bool| -> f64 {
            y.iter()
                .filter(|v| (**v > 0.0) == positive && **v != 0.0)
                .map(|v| v * v)
                .sum()
        };
        let (sp, sn) = (group(true), group(false));
        let d_norm = [libm::sqrt(sp), libm::sqrt(sn)];
        let log_inv = libm::log(1.0 / lambda);
        let tau = d_norm.map(|dn| {
            if dn > 0.0 {
                n / dn * log_inv
            } else {
                f64::INFINITY
            }
        });
        let slow_share = if d_norm[0] >= d_norm[1] { sn } else { sp };
        Self {
            d_norm,
            tau,
            l0: (sp + sn) / (2.0 * n),
            l_mid: slow_share / (2.0 * n),
            v_star: d_norm[0] + d_norm[1],
        }
    }

    /// (τ_fast, τ_slow).
    pub fn fast_slow(&self) -> (f64, f64) {
        (self.tau[0].min(self.tau[1]), self.tau[0].max(self.tau[1]))
    }
}

/// One run of the ReLU-ortho experiment.
pub type ReluRun = Stepper<ReluModel>;

/// The dynamics of one ReLU-ortho run.
pub struct ReluModel {
    cfg: Config,
    y: Vec<f64>,
    theory: Theory,
    /// Hidden weights, row-major m × n (inputs are e_k, so w_jk = ⟨w_j, x_k⟩).
    w: Vec<f64>,
    a: Vec<f64>,
    signs: Vec<f64>,
    /// Covering neurons at initialisation, per sign (indices).
    cover: [Vec<usize>; 2],
    total: u64,
    output: Vec<f64>,
    residual: Vec<f64>,
    landmarks: BTreeMap<&'static str, f64>,
    plateau_time: f64,
}

impl ReluModel {
    /// Draws the balanced initialisation for `seed`.
    pub fn new(cfg: Config, seed: u64) -> Result<Self, ParamError> {
        let (m, n) = (cfg.width, cfg.n);
        let y = cfg.labels();
        let theory = Theory::new(&y, cfg.lambda);
        let mut rng = Rng::stream(seed, INIT_STREAM);
        let scale = cfg.lambda / libm::sqrt(n as f64);
        let w: Vec<f64> = (0..m * n).map(|_| scale * rng.normal()).collect();
        let signs: Vec<f64> = (0..m)
            .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let a: Vec<f64> = (0..m)
            .map(|j| signs[j] * row_norm(&w[j * n..(j + 1) * n]))
            .collect();
        let cover = [true, false].map(|positive| {
            (0..m)
                .filter(|&j| (signs[j] > 0.0) == positive)
                .filter(|&j| {
                    (0..n)
                        .filter(|&k| (y[k] > 0.0) == positive)
                        .all(|k| w[j * n + k] > 0.0)
                })
                .collect::<Vec<usize>>()
        });
        let horizon = if cfg.horizon > 0.0 {
            cfg.horizon
        } else {
            1.6 * theory.fast_slow().1 + 20.0
        };
        let total = libm::ceil(horizon / cfg.eta) as u64;
        let mut run = Self {
            output: vec![0.0; n],
            residual: vec![0.0; n],
            landmarks: BTreeMap::new(),
            plateau_time: 0.0,
            total,
            cover,
            signs,
            a,
            w,
            theory,
            y,
            cfg,
        };
        run.forward();
        Ok(run)
    }

    /// The theory's landmarks for this configuration.
    pub fn theory(&self) -> &Theory {
        &self.theory
    }

    /// Outputs h(x_k) and residuals; returns the loss Σr²/(2n).
    fn forward(&mut self) -> f64 {
        let n = self.cfg.n;
        self.output.fill(0.0);
        for (j, aj) in self.a.iter().enumerate() {
            for (o, wjk) in self.output.iter_mut().zip(&self.w[j * n..(j + 1) * n]) {
                if *wjk > 0.0 {
                    *o += aj * wjk;
                }
            }
        }
        let mut s = 0.0;
        for ((r, o), yk) in self.residual.iter_mut().zip(&self.output).zip(&self.y) {
            *r = o - yk;
            s += *r * *r;
        }
        s / (2.0 * n as f64)
    }

    fn euler_step(&mut self) {
        let (n, eta) = (self.cfg.n, self.cfg.eta);
        let nf = n as f64;
        for j in 0..self.cfg.width {
            let row = &mut self.w[j * n..(j + 1) * n];
            let aj = self.a[j];
            let mut grad_a = 0.0;
            for (wjk, rk) in row.iter_mut().zip(&self.residual) {
                if *wjk > 0.0 {
                    grad_a += rk * *wjk;
                    *wjk -= eta * (aj * rk / nf);
                }
            }
            self.a[j] = aj - eta * (grad_a / nf);
        }
    }

    /// The flow's time after `t` Euler steps.
    fn time(&self, t: u64) -> f64 {
        t as f64 * self.cfg.eta
    }

    /// Neurons whose norm curve is recorded.
    fn norm_curves(&self) -> usize {
        self.cfg.width.min(NORM_CURVES)
    }

    fn loss_value(&self) -> f64 {
        self.residual.iter().map(|r| r * r).sum::<f64>() / (2.0 * self.cfg.n as f64)
    }

    /// Smallest cos(w_j, D_sign) over the covering neurons of `sign` (0 = +, 1 = −).
    fn min_cos_covering(&self, sign: usize) -> f64 {
        let n = self.cfg.n;
        let dir: Vec<f64> = self
            .y
            .iter()
            .map(|v| {
                if (*v > 0.0) == (sign == 0) && *v != 0.0 {
                    v.abs()
                } else {
                    0.0
                }
            })
            .collect();
        let dn = row_norm(&dir);
        self.cover[sign]
            .iter()
            .map(|&j| {
                let row = &self.w[j * n..(j + 1) * n];
                row.iter().zip(&dir).map(|(a, b)| a * b).sum::<f64>() / (row_norm(row) * dn)
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Records the landmarks crossed by the current iterate, at flow time `time`.
    fn track(&mut self, loss: f64, time: f64) {
        let th = &self.theory;
        let (tau_fast, tau_slow) = th.fast_slow();
        let (fast_level, slow_level) = ((th.l0 + th.l_mid) / 2.0, th.l_mid / 2.0);
        let mid_time = 0.5 * (tau_fast + tau_slow);
        let half_tau = [0.5 * th.tau[0], 0.5 * th.tau[1]];
        let l_mid = th.l_mid;
        if loss <= fast_level {
            self.landmarks.entry("t_fast").or_insert(time);
        }
        if loss <= slow_level {
            self.landmarks.entry("t_slow").or_insert(time);
        }
        if time >= mid_time {
            self.landmarks.entry("loss_at_mid").or_insert(loss);
        }
        for (sign, key) in [(0, "min_cos_pos"), (1, "min_cos_neg")] {
            if time >= half_tau[sign]
                && !self.landmarks.contains_key(key)
                && !self.cover[sign].is_empty()
            {
                let c = self.min_cos_covering(sign);
                self.landmarks.insert(key, c);
            }
        }
        if (loss / l_mid - 1.0).abs() <= 0.1 {
            self.plateau_time += self.cfg.eta;
        }
    }

    fn variation_norm(&self) -> f64 {
        let n = self.cfg.n;
        (0..self.cfg.width)
            .map(|j| self.a[j].abs() * row_norm(&self.w[j * n..(j + 1) * n]))
            .sum()
    }

    fn balancedness(&self) -> f64 {
        let n = self.cfg.n;
        (0..self.cfg.width)
            .map(|j| {
                let norm = row_norm(&self.w[j * n..(j + 1) * n]);
                (self.a[j] * self.a[j] - norm * norm).abs()
            })
            .fold(0.0, f64::max)
    }
}

fn row_norm(v: &[f64]) -> f64 {
    crate::linalg::norm2(v)
}

impl Stepwise for ReluModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Self::new(Config::from_params(params)?, seed)
    }

    fn total(&self) -> u64 {
        self.total
    }

    fn series_names(&self) -> Vec<String> {
        let norms = (0..self.norm_curves()).map(|j| format!("norm_{j}"));
        std::iter::once("loss".to_string()).chain(norms).collect()
    }

    fn x(&self, t: u64) -> f64 {
        self.time(t)
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        self.euler_step();
        let loss = self.forward();
        let diverged = divergence(Some(loss), self.theory.l0, true);
        if diverged.is_none() {
            self.track(loss, self.time(t + 1));
        }
        diverged
    }

    fn record(&self) -> Vec<f64> {
        let n = self.cfg.n;
        let norms = (0..self.norm_curves()).map(|j| row_norm(&self.w[j * n..(j + 1) * n]));
        std::iter::once(self.loss_value()).chain(norms).collect()
    }

    fn metrics(&self, t: u64, diverged: bool, m: &mut BTreeMap<String, f64>) {
        let th = &self.theory;
        let (tau_fast, tau_slow) = th.fast_slow();
        m.insert("time".into(), self.time(t));
        m.insert("cover_pos".into(), self.cover[0].len() as f64);
        m.insert("cover_neg".into(), self.cover[1].len() as f64);
        m.insert("tau_fast".into(), tau_fast);
        m.insert("tau_slow".into(), tau_slow);
        m.insert("l0".into(), th.l0);
        m.insert("l_mid".into(), th.l_mid);
        m.insert("v_star".into(), th.v_star);
        if diverged {
            return;
        }
        let v = self.variation_norm();
        m.insert("loss".into(), self.loss_value());
        m.insert("variation_norm".into(), v);
        m.insert("v_ratio".into(), v / th.v_star);
        m.insert("balancedness".into(), self.balancedness());
        m.insert("plateau_time".into(), self.plateau_time);
        for (k, val) in &self.landmarks {
            m.insert((*k).to_string(), *val);
        }
        if let (Some(tf), Some(ts)) = (self.landmarks.get("t_fast"), self.landmarks.get("t_slow")) {
            m.insert("t_fast_ratio".into(), tf / tau_fast);
            m.insert("t_slow_ratio".into(), ts / tau_slow);
            m.insert("t_slow_over_t_fast".into(), ts / tf);
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let n = self.cfg.n;
        let unit = |positive: bool| -> Vec<f64> {
            let dir: Vec<f64> = self
                .y
                .iter()
                .map(|v| {
                    if (*v > 0.0) == positive && *v != 0.0 {
                        v.abs()
                    } else {
                        0.0
                    }
                })
                .collect();
            let norm = row_norm(&dir);
            dir.iter()
                .map(|d| if norm > 0.0 { d / norm } else { 0.0 })
                .collect()
        };
        let (dp, dm) = (unit(true), unit(false));
        let mut proj_pos = Vec::with_capacity(self.cfg.width);
        let mut proj_neg = Vec::with_capacity(self.cfg.width);
        let mut norms = Vec::with_capacity(self.cfg.width);
        for j in 0..self.cfg.width {
            let row = &self.w[j * n..(j + 1) * n];
            let norm = row_norm(row);
            let dot = |d: &[f64]| row.iter().zip(d).map(|(a, b)| a * b).sum::<f64>() / norm;
            proj_pos.push(dot(&dp));
            proj_neg.push(dot(&dm));
            norms.push(norm);
        }
        let v = |name: &str, values: Vec<f64>| NamedVector {
            name: name.into(),
            values,
        };
        vec![
            v("proj_pos", proj_pos),
            v("proj_neg", proj_neg),
            v("neuron_norm", norms),
            v("neuron_sign", self.signs.clone()),
            v("output", self.output.clone()),
            v("labels", self.y.clone()),
        ]
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (sign, name) in [(0, "positive"), (1, "negative")] {
            if self.cover[sign].is_empty() {
                notes.push(format!(
                    "no {name} neuron covers all {name}-label points at initialisation: the theorem's assumption is not met"
                ));
            }
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::Experiment;

    #[test]
    fn theory_values_of_the_reference_setup() {
        let th = Theory::new(&[1.0, 1.0, 1.0, -0.5, -0.5, -0.5], 1e-6);
        assert!((th.l0 - 0.3125).abs() < 1e-15);
        assert!((th.l_mid - 0.0625).abs() < 1e-15);
        assert!((th.v_star - (3f64.sqrt() + 0.75f64.sqrt())).abs() < 1e-12);
        let (f, s) = th.fast_slow();
        assert!((f - 6.0 * (1e6f64).ln() / 3f64.sqrt()).abs() < 1e-9);
        assert!((s / f - 2.0).abs() < 1e-12);
    }

    #[test]
    fn euler_step_by_hand() {
        // n = 2, one positive neuron w = (0.3, −0.1), a = ‖w‖; y = (1, −1).
        let cfg = Config::from_params(
            &SCHEMA
                .build([("n", "2"), ("width", "2"), ("y_neg", "1")])
                .unwrap(),
        )
        .unwrap();
        let mut run = ReluModel::new(cfg, 0).unwrap();
        run.w = vec![0.3, -0.1, -0.2, 0.4];
        run.a = vec![0.1f64.sqrt(), -(0.2f64.sqrt())];
        let loss = run.forward();
        // h(x_1) = a_0·0.3, h(x_2) = a_1·0.4.
        let (h1, h2) = (0.1f64.sqrt() * 0.3, -(0.2f64.sqrt()) * 0.4);
        assert!((loss - ((h1 - 1.0).powi(2) + (h2 + 1.0).powi(2)) / 4.0).abs() < 1e-15);
        run.euler_step();
        let eta = 0.02;
        let expect_w0 = 0.3 - eta * (0.1f64.sqrt() * (h1 - 1.0) / 2.0);
        let expect_a0 = 0.1f64.sqrt() - eta * ((h1 - 1.0) * 0.3 / 2.0);
        assert!((run.w[0] - expect_w0).abs() < 1e-15);
        assert_eq!(run.w[1], -0.1, "inactive components stay frozen");
        assert!((run.a[0] - expect_a0).abs() < 1e-15);
    }

    #[test]
    fn small_init_converges_with_balancedness_kept() {
        let cfg = Config::from_params(&SCHEMA.build([("lambda", "1e-3")]).unwrap()).unwrap();
        let mut run = Stepper::new(ReluModel::new(cfg, 1).unwrap());
        run.run_to_end(u64::MAX, &mut |_| {});
        let m = run.metrics();
        assert!(m["loss"] < 1e-8, "{}", m["loss"]);
        assert!(m["balancedness"] < 1e-3, "{}", m["balancedness"]);
        assert!(
            m["v_ratio"] >= 1.0 - 1e-9 && m["v_ratio"] < 1.1,
            "{}",
            m["v_ratio"]
        );
    }
}
