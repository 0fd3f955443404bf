//! Parameters of the multi-task experiment (spec §5 defaults, §7 knobs) and the validated
//! [`Config`] with its cross-parameter rules.

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const FEATURES: &[&str] = &["normal", "uniform", "adversarial"];
const FEATURE_LABELS: &[&str] = &[
    "normal N(0, I_d)",
    "uniform U(−√3, √3)^d",
    "adversarial (cos θ_j·uniform + sin θ_j·normal)",
];
const TASK_PARAMS: &[&str] = &["normal", "adversarial"];
const TASK_PARAM_LABELS: &[&str] = &[
    "normal a_t ~ N(0, I_k)",
    "adversarial (rows after the first k repeat them)",
];
/// The estimators computed beside the trace-norm one.
pub const BASELINES: &[&str] = &["single", "oracle", "mom"];
const BASELINE_LABELS: &[&str] = &[
    "single-task least squares",
    "oracle (true subspace)",
    "method of moments",
];

/// Largest T·m·d (the designs held in memory: 8 bytes each, 160 MB at the limit).
pub const MAX_DESIGN_ENTRIES: usize = 20_000_000;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::int("d", 2, 200, "30", "Dimension d of the features"),
    ParamSpec::int(
        "k",
        1,
        50,
        "3",
        "Rank k of the shared representation B* (k ≤ d)",
    ),
    ParamSpec::int("m", 1, 500, "10", "Samples per task m"),
    ParamSpec::int("tasks", 1, 10_000, "100", "Number of tasks T"),
    ParamSpec::float(
        "sigma",
        0.0,
        10.0,
        "1",
        "Label noise σ: y = ⟨w*_t, x⟩ + σ·N(0, 1) (also sets λ)",
    ),
    ParamSpec::choice("features", FEATURES, "normal", "Feature distribution")
        .labelled(FEATURE_LABELS),
    ParamSpec::choice(
        "task_params",
        TASK_PARAMS,
        "normal",
        "Task parameters a_t: Gaussian, or the first k Gaussian and the rest copies of them",
    )
    .labelled(TASK_PARAM_LABELS),
    ParamSpec::log_float(
        "lambda_mult",
        0.01,
        100.0,
        "1",
        "λ as a multiple of the theoretical λ = σ·√(T + d²/m)/√(Tm)",
    ),
    ParamSpec::int(
        "iters",
        1,
        5_000,
        "300",
        "FISTA iterations of the trace-norm estimator",
    ),
    ParamSpec::subset(
        "baselines",
        BASELINES,
        "single,oracle,mom",
        "Estimators computed beside the trace-norm one on the same data",
    )
    .labelled(BASELINE_LABELS),
    ParamSpec::int(
        "meta_m",
        1,
        200,
        "20",
        "Meta-learning: largest number m′ of samples of a new task (m′ = 1 … meta_m)",
    ),
    ParamSpec::int(
        "meta_tasks",
        0,
        1_000,
        "50",
        "Meta-learning: new tasks averaged per m′ (0: no meta-learning evaluation)",
    ),
];

/// The parameter schema of `boursier2022_trace_norm`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// The feature distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Features {
    /// x ~ N(0, I_d).
    Normal,
    /// x ~ U(−√3, √3)^d.
    Uniform,
    /// x_j = cos θ_j·U(−√3, √3) + sin θ_j·N(0, 1), θ_j = linspace(0, π/2, d).
    Adversarial,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Dimension.
    pub d: usize,
    /// Rank.
    pub k: usize,
    /// Samples per task.
    pub m: usize,
    /// Tasks.
    pub tasks: usize,
    /// Noise level.
    pub sigma: f64,
    /// Feature distribution.
    pub features: Features,
    /// Whether rows k.. of A repeat the first k.
    pub adversarial_params: bool,
    /// λ / λ_theory.
    pub lambda_mult: f64,
    /// FISTA iterations.
    pub iters: u64,
    /// Per-task least squares.
    pub single: bool,
    /// Least squares in the true subspace.
    pub oracle: bool,
    /// Method of moments.
    pub mom: bool,
    /// Largest m′ of the meta-learning evaluation.
    pub meta_m: usize,
    /// New tasks per m′.
    pub meta_tasks: usize,
}

impl Config {
    /// Builds and cross-validates a configuration: k ≤ d, and T·m·d ≤ [`MAX_DESIGN_ENTRIES`].
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let baselines = p.subset("baselines");
        let cfg = Self {
            d: p.count("d"),
            k: p.count("k"),
            m: p.count("m"),
            tasks: p.count("tasks"),
            sigma: p.float("sigma"),
            features: match p.choice("features") {
                "uniform" => Features::Uniform,
                "adversarial" => Features::Adversarial,
                _ => Features::Normal,
            },
            adversarial_params: p.choice("task_params") == "adversarial",
            lambda_mult: p.float("lambda_mult"),
            iters: p.int("iters") as u64,
            single: baselines.contains(&"single"),
            oracle: baselines.contains(&"oracle"),
            mom: baselines.contains(&"mom"),
            meta_m: p.count("meta_m"),
            meta_tasks: p.count("meta_tasks"),
        };
        if cfg.k > cfg.d {
            return Err(ParamError {
                name: "k".into(),
                value: cfg.k.to_string(),
                allowed: format!(
                    "an integer 1 ≤ k ≤ d = {} (the rank of B* ∈ R^(d×k))",
                    cfg.d
                ),
            });
        }
        let entries = cfg.tasks * cfg.m * cfg.d;
        if entries > MAX_DESIGN_ENTRIES {
            return Err(ParamError {
                name: "tasks".into(),
                value: cfg.tasks.to_string(),
                allowed: format!(
                    "T·m·d ≤ {MAX_DESIGN_ENTRIES} (the designs held in memory): here \
                     T ≤ {} with m = {} and d = {}",
                    MAX_DESIGN_ENTRIES / (cfg.m * cfg.d),
                    cfg.m,
                    cfg.d
                ),
            });
        }
        Ok(cfg)
    }

    /// The theoretical λ = σ·√(T + d²/m)/√(Tm) (spec §3.2, with the true σ).
    pub fn lambda_theory(&self) -> f64 {
        let (t, d, m) = (self.tasks as f64, self.d as f64, self.m as f64);
        self.sigma * libm::sqrt(t + d * d / m) / libm::sqrt(t * m)
    }

    /// The λ of the run: `lambda_mult` × the theoretical λ.
    pub fn lambda(&self) -> f64 {
        self.lambda_mult * self.lambda_theory()
    }

    /// σ·√(k/(m − k − 1)): E‖â − a‖² of least squares on m Gaussian k-dimensional samples is
    /// σ²k/(m − k − 1) (the mean trace of an inverse Wishart); `None` when m ≤ k + 1.
    pub fn oracle_reference(&self) -> Option<f64> {
        let (k, m) = (self.k as f64, self.m as f64);
        (m > k + 1.0).then(|| self.sigma * libm::sqrt(k / (m - k - 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_browser_scale_setup_and_lambda_is_the_formula() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!((cfg.d, cfg.k, cfg.m, cfg.tasks), (30, 3, 10, 100));
        assert!(cfg.single && cfg.oracle && cfg.mom);
        // λ = 1·√(100 + 900/10)/√(100·10) = √190/√1000 = 0.43589.
        assert!((cfg.lambda_theory() - 0.435_889_894).abs() < 1e-9);
        // σ√(3/6) = 0.70711.
        assert!((cfg.oracle_reference().unwrap() - libm::sqrt(0.5)).abs() < 1e-15);
        let small = SCHEMA.build([("m", "4"), ("k", "3")]).unwrap();
        assert_eq!(
            Config::from_params(&small).unwrap().oracle_reference(),
            None
        );
    }

    #[test]
    fn cross_rules_name_the_parameter() {
        let e = Config::from_params(&SCHEMA.build([("d", "5"), ("k", "6")]).unwrap()).unwrap_err();
        assert_eq!(e.name, "k");
        assert!(e.allowed.contains("d = 5"), "{}", e.allowed);
        let big = SCHEMA
            .build([("tasks", "10000"), ("m", "500"), ("d", "200")])
            .unwrap();
        let e = Config::from_params(&big).unwrap_err();
        assert_eq!(e.name, "tasks");
        let only = SCHEMA.build([("baselines", "mom")]).unwrap();
        let cfg = Config::from_params(&only).unwrap();
        assert!(!cfg.single && !cfg.oracle && cfg.mom);
    }
}
