//! The step-wise SAM diagonal-network run: one algorithm (after an optional GD warm start) on one
//! data draw, recorded on the log grid, with divergence detection and, at the end, the effective
//! initialisation and the interpolator it predicts.

use super::config::{Algo, Config, Preset, validate_seed};
use crate::data::sparse::Regression;
use crate::diagonal::{DiagNet, Parametrisation, Update, Workspace, apply};
use crate::experiment::{NamedVector, Stepper, Stepwise, divergence};
use crate::linalg::{median, norm1, norm2};
use crate::rng::{NumpyLegacy, Rng};
use crate::schema::{ParamError, Params};
use crate::solver::hyperbolic_interpolator;
use std::collections::BTreeMap;

/// Portable-RNG stream ids (data and algorithm are seeded separately, `common.md` §2).
const DATA_STREAM: u64 = 1;
const ALGO_STREAM: u64 = 2;

/// Example sampler for SGD: the portable stream, or numpy's global stream continued after the data
/// draws (as the notebook's `np.random.randint(n)` does).
#[derive(Clone, Debug)]
enum Sampler {
    Portable(Rng),
    Numpy(Box<NumpyLegacy>),
}

impl Sampler {
    fn index(&mut self, n: usize) -> usize {
        match self {
            Sampler::Portable(r) => r.below(n as u64) as usize,
            Sampler::Numpy(r) => r.randint(n as u64) as usize,
        }
    }
}

/// What the end-of-run interpolator prediction found.
#[derive(Clone, Debug, PartialEq)]
enum Prediction {
    /// argmin φ_κ for the measured κ = (u² − v²)/2.
    Solved { beta: Vec<f64>, rel_err: f64 },
    /// The characterisation does not apply or the solver failed (reason).
    Unavailable(String),
}

/// The update of iteration `t`: GD during the warm start, then the configured algorithm (SGD
/// draws its example into `batch`).
fn update_rule<'b>(
    cfg: &Config,
    t: u64,
    sampler: &mut Sampler,
    batch: &'b mut [usize; 1],
) -> Update<'b> {
    let algo = if t < cfg.erm_steps {
        Algo::Gd
    } else {
        cfg.algo
    };
    match algo {
        Algo::Gd => Update::Gd,
        Algo::Sgd => {
            batch[0] = sampler.index(cfg.n);
            Update::Sgd { batch }
        }
        Algo::NSam => Update::Sam {
            m: cfg.n,
            rho: cfg.rho,
        },
        Algo::OneSam => Update::Sam {
            m: 1,
            rho: 2.0 * cfg.rho,
        },
        Algo::MSam => Update::Sam {
            m: cfg.m,
            rho: cfg.rho,
        },
    }
}

/// One run of the SAM diagonal-network experiment.
pub type SamRun = Stepper<SamModel>;

/// The dynamics of one SAM diagonal-network run.
pub struct SamModel {
    cfg: Config,
    data: Regression,
    net: DiagNet,
    ws: Workspace,
    sampler: Sampler,
    batch: [usize; 1],
    initial_loss: f64,
    positive_c: Vec<bool>,
    sign_flips: u64,
    prediction: Option<Prediction>,
}

impl SamModel {
    /// Draws the data for `seed` and initialises the network.
    pub fn new(cfg: Config, seed: u64) -> Result<Self, ParamError> {
        validate_seed(cfg.preset, seed)?;
        let (data, sampler) = match cfg.preset {
            Preset::Paper => {
                let mut rng = Rng::stream(seed, DATA_STREAM);
                let data = Regression::generate(&mut rng, cfg.n, cfg.d, cfg.k, cfg.n_test);
                (data, Sampler::Portable(Rng::stream(seed, ALGO_STREAM)))
            }
            Preset::Notebook => {
                let mut np = NumpyLegacy::new(seed as u32);
                let data = Regression::generate(&mut np, cfg.n, cfg.d, cfg.k, cfg.n_test);
                (data, Sampler::Numpy(Box::new(np)))
            }
        };
        let net = DiagNet::new(cfg.alpha, cfg.d);
        let initial_loss = data.train_loss(&net.beta());
        Ok(Self {
            ws: Workspace::new(cfg.n, cfg.d),
            initial_loss,
            positive_c: net.conserved().iter().map(|c| *c > 0.0).collect(),
            sign_flips: 0,
            prediction: None,
            sampler,
            batch: [0],
            net,
            data,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The data draw.
    pub fn data(&self) -> &Regression {
        &self.data
    }

    /// The current weights.
    pub fn net(&self) -> &DiagNet {
        &self.net
    }

    fn count_sign_flips(&mut self) {
        for (j, (u, v)) in self.net.u.iter().zip(&self.net.v).enumerate() {
            let positive = u * u - v * v > 0.0;
            if positive != self.positive_c[j] {
                self.positive_c[j] = positive;
                self.sign_flips += 1;
            }
        }
    }

    fn predict(&mut self) {
        let c = self.net.conserved();
        self.prediction = Some(match c.iter().position(|c| *c <= 0.0) {
            Some(j) => Prediction::Unavailable(format!(
                "u² − v² ≤ 0 at coordinate {j}: the hyperbolic characterisation does not apply"
            )),
            None => {
                let kappa: Vec<f64> = c.iter().map(|c| c / 2.0).collect();
                match hyperbolic_interpolator(&self.data.x, &self.data.y, &kappa) {
                    Ok(sol) => {
                        let beta = self.net.beta();
                        let diff: Vec<f64> =
                            beta.iter().zip(&sol.beta).map(|(a, b)| a - b).collect();
                        let rel_err = norm2(&diff) / norm2(&beta);
                        Prediction::Solved {
                            beta: sol.beta,
                            rel_err,
                        }
                    }
                    Err(e) => Prediction::Unavailable(format!("interpolator solver: {e}")),
                }
            }
        });
    }

    /// ln(α∞,j/α) = ½·ln(c_j/α²) for every coordinate with c_j > 0 (NaN elsewhere).
    pub fn log_alpha_ratio(&self) -> Vec<f64> {
        let a2 = self.cfg.alpha * self.cfg.alpha;
        self.net
            .conserved()
            .iter()
            .map(|c| {
                if *c > 0.0 {
                    0.5 * libm::log(c / a2)
                } else {
                    f64::NAN
                }
            })
            .collect()
    }
}

impl Stepwise for SamModel {
    fn from_params(params: &Params, seed: u64) -> Result<Self, ParamError> {
        Self::new(Config::from_params(params)?, seed)
    }

    fn total(&self) -> u64 {
        self.cfg.total_steps()
    }

    fn series_names(&self) -> Vec<String> {
        vec!["train_loss".into(), "test_loss".into()]
    }

    fn advance(&mut self, t: u64) -> Option<String> {
        let update = update_rule(&self.cfg, t, &mut self.sampler, &mut self.batch);
        let step = apply(
            &mut self.net,
            &self.data,
            update,
            self.cfg.gamma,
            &mut self.ws,
            false,
        );
        let diverged = divergence(step.loss, self.initial_loss, self.net.is_finite());
        if diverged.is_none() {
            self.count_sign_flips();
        }
        diverged
    }

    fn record(&self) -> Vec<f64> {
        let beta = self.net.beta();
        vec![self.data.train_loss(&beta), self.data.test_loss(&beta)]
    }

    fn finish(&mut self) {
        self.predict();
    }

    fn metrics(&self, _t: u64, diverged: bool, m: &mut BTreeMap<String, f64>) {
        if diverged {
            return;
        }
        let beta = self.net.beta();
        m.insert("train_loss".into(), self.data.train_loss(&beta));
        m.insert("test_loss".into(), self.data.test_loss(&beta));
        m.insert("test_error".into(), self.data.test_error(&beta));
        m.insert("l1_norm".into(), norm1(&beta));
        m.insert("l1_norm_star".into(), norm1(&self.data.beta_star));
        m.insert("sign_flips".into(), self.sign_flips as f64);
        let non_positive = self.net.conserved().iter().filter(|c| **c <= 0.0).count();
        m.insert("coords_nonpositive_c".into(), non_positive as f64);
        if let Some(med) = median(&self.log_alpha_ratio()) {
            m.insert("median_log_alpha_ratio".into(), med);
        }
        if let Some(Prediction::Solved { rel_err, .. }) = &self.prediction {
            m.insert("prediction_rel_err".into(), *rel_err);
        }
    }

    fn vectors(&self) -> Vec<NamedVector> {
        let v = |name: &str, values: Vec<f64>| NamedVector {
            name: name.into(),
            values,
        };
        let alpha_eff: Vec<f64> = self
            .net
            .conserved()
            .iter()
            .map(|c| if *c > 0.0 { libm::sqrt(*c) } else { 0.0 })
            .collect();
        let mut out = vec![
            v("beta", self.net.beta()),
            v("beta_star", self.data.beta_star.clone()),
            v("alpha_eff", alpha_eff),
        ];
        if let Some(Prediction::Solved { beta, .. }) = &self.prediction {
            out.push(v("beta_pred", beta.clone()));
        }
        out
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.sign_flips > 0 {
            notes.push(format!(
                "{} sign flip(s) of u² − v² during training: the hyperbolic-entropy characterisation is void",
                self.sign_flips
            ));
        }
        if let Some(Prediction::Unavailable(why)) = &self.prediction {
            notes.push(format!("no interpolator prediction: {why}"));
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SCHEMA;
    use super::*;
    use crate::experiment::{Experiment, Status};

    fn run(overrides: &[(&str, &str)], seed: u64) -> SamRun {
        let cfg = Config::from_params(&SCHEMA.build(overrides.iter().copied()).unwrap()).unwrap();
        let mut r = Stepper::new(SamModel::new(cfg, seed).unwrap());
        r.run_to_end(1000, &mut |_| {});
        r
    }

    #[test]
    fn msam_reproduces_notebook_nsam_and_1sam_exactly() {
        let base = [("steps", "300")];
        let nsam = run(&[base[0], ("algo", "nsam"), ("rho", "0.2")], 1);
        let m_n = run(&[base[0], ("algo", "msam"), ("m", "20"), ("rho", "0.2")], 1);
        assert_eq!(nsam.model().net(), m_n.model().net());
        let one = run(&[base[0], ("algo", "1sam"), ("rho", "0.1")], 1);
        let m_1 = run(&[base[0], ("algo", "msam"), ("m", "1"), ("rho", "0.2")], 1);
        assert_eq!(one.model().net(), m_1.model().net());
        assert_eq!(one.series(), m_1.series());
    }

    #[test]
    fn divergence_reports_the_step() {
        let r = run(&[("gamma", "10"), ("alpha", "1")], 0);
        match r.progress().status {
            Status::Diverged { step, .. } => assert!(step > 0 && step < 100, "step {step}"),
            s => panic!("expected divergence, got {s:?}"),
        }
        assert!(r.metrics().contains_key("diverged_at"));
        assert!(!r.metrics().contains_key("test_loss"));
    }

    #[test]
    fn gd_prediction_matches_the_iterate() {
        let r = run(&[], 0);
        let m = r.metrics();
        assert!(m["train_loss"] < 1e-5);
        assert!(
            m["prediction_rel_err"] < 0.03,
            "{}",
            m["prediction_rel_err"]
        );
        assert_eq!(r.series()[0].x.last(), Some(&10_001.0));
    }

    #[test]
    fn warm_start_runs_gd_first() {
        let erm = run(&[("steps", "200")], 2);
        let warm = run(
            &[
                ("erm_steps", "200"),
                ("steps", "1"),
                ("algo", "1sam"),
                ("rho", "0"),
            ],
            2,
        );
        // 1-SAM with ρ = 0 after 200 GD steps equals 201 GD steps' first 200 — compare the loss at 200.
        let at = |r: &SamRun| {
            let s = &r.series()[0];
            s.y[s.x.iter().position(|x| *x == 200.0).unwrap()]
        };
        assert_eq!(at(&erm), at(&warm));
    }
}
