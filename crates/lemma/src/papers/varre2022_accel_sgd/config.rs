//! Parameters of the streaming least-squares experiment (spec §5 defaults, §7 knobs) and the
//! validated [`Config`].

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const ALGOS: &[&str] = &["acsgd", "avsgd", "sgd", "agd"];
const ALGO_LABELS: &[&str] = &[
    "AcSGD",
    "averaged SGD",
    "SGD (last iterate)",
    "stochastic Nesterov (α = β)",
];
const OUTPUTS: &[&str] = &["linear", "last", "uniform", "tail"];
const OUTPUT_LABELS: &[&str] = &[
    "linear average Σ s·x_s / Σ s",
    "last iterate",
    "uniform average",
    "tail average (last half)",
];

/// Page-level state of `varre2022_accel_sgd`: the methods run side by side on the same samples.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "algos",
        ALGOS,
        "acsgd,avsgd,sgd,agd",
        "Methods the page runs side by side on the same stream of samples",
    )
    .labelled(ALGO_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "algo",
        ALGOS,
        "acsgd",
        "Method: acsgd (three-sequence recursion with steps α and β), avsgd (SGD with step γ, \
         uniform Polyak–Ruppert average), sgd (last iterate), agd (the recursion with α = β)",
    )
    .labelled(ALGO_LABELS),
    ParamSpec::choice(
        "output",
        OUTPUTS,
        "linear",
        "What AcSGD and stochastic Nesterov report: linear (Σ s·x_s / Σ s), last, uniform or tail \
         (mean of the last half) average of x_s; averaged SGD always reports its uniform average, \
         SGD its last iterate",
    )
    .labelled(OUTPUT_LABELS),
    ParamSpec::int(
        "steps",
        1,
        10_000_000,
        "100000",
        "Horizon: iterations, one fresh sample each",
    ),
    ParamSpec::int("d", 1, 2_000, "50", "Dimension"),
    ParamSpec::float(
        "p",
        0.5,
        3.0,
        "2",
        "Spectrum exponent: H = diag(h_i) with h_i = i^(−p)",
    ),
    ParamSpec::float(
        "sigma",
        0.0,
        10.0,
        "0.1",
        "Noise σ: y = ⟨x, θ*⟩ + σ·ε with ε ~ N(0, 1)",
    ),
    ParamSpec::float(
        "init_dist",
        0.0,
        10.0,
        "1",
        "Initialisation: θ0 = θ* − init_dist·(1, …, 1) with θ* = (1, …, 1) (1: θ0 = 0; 0: θ0 = θ*, \
         variance only)",
    ),
    ParamSpec::log_float(
        "ratio",
        1e-4,
        1.0,
        "0.02",
        "α/β of AcSGD (the spec takes 1/d; 1 is stochastic Nesterov)",
    ),
    ParamSpec::log_float(
        "step_r2",
        1e-3,
        2.0,
        "0.5",
        "Step times R² = Tr H + 2·max h_i: β (AcSGD, Nesterov) and γ (SGD, averaged SGD) are \
         step_r2/R²",
    ),
];

/// The parameter schema of `varre2022_accel_sgd`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// The method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// The three-sequence recursion with α < β.
    AcSgd,
    /// SGD with its uniform (Polyak–Ruppert) average.
    AvSgd,
    /// SGD, last iterate.
    Sgd,
    /// The three-sequence recursion with α = β (stochastic Nesterov).
    Agd,
}

/// What a run reports of its sequence x_0, x_1, …, x_t.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// x_t.
    Last,
    /// Σ_{s=0}^t x_s / (t + 1).
    Uniform,
    /// Σ_{s=0}^t s·x_s / Σ_{s=0}^t s (x_0 at t = 0).
    Linear,
    /// The mean of x_s over ⌊t/2⌋ < s ≤ t (x_0 at t = 0).
    Tail,
}

impl Output {
    /// Every output, in the order of the recorded `risk_*` series.
    pub const ALL: [Output; 4] = [Output::Last, Output::Uniform, Output::Linear, Output::Tail];

    /// Its name in series and metrics (`risk_<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Output::Last => "last",
            Output::Uniform => "uniform",
            Output::Linear => "linear",
            Output::Tail => "tail",
        }
    }
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Method.
    pub algo: Algo,
    /// AcSGD's and Nesterov's output.
    pub output: Output,
    /// Iterations.
    pub steps: u64,
    /// Dimension.
    pub d: usize,
    /// Spectrum exponent.
    pub p: f64,
    /// Noise level.
    pub sigma: f64,
    /// θ0 = θ* − init_dist·1.
    pub init_dist: f64,
    /// α/β of AcSGD.
    pub ratio: f64,
    /// β·R² (= γ·R²).
    pub step_r2: f64,
}

impl Config {
    /// Builds a configuration (no rule ties the parameters together).
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let algo = match p.choice("algo") {
            "avsgd" => Algo::AvSgd,
            "sgd" => Algo::Sgd,
            "agd" => Algo::Agd,
            _ => Algo::AcSgd,
        };
        let output = match p.choice("output") {
            "last" => Output::Last,
            "uniform" => Output::Uniform,
            "tail" => Output::Tail,
            _ => Output::Linear,
        };
        Ok(Self {
            algo,
            output,
            steps: p.int("steps") as u64,
            d: p.count("d"),
            p: p.float("p"),
            sigma: p.float("sigma"),
            init_dist: p.float("init_dist"),
            ratio: p.float("ratio"),
            step_r2: p.float("step_r2"),
        })
    }

    /// The spectrum h_i = i^(−p), i = 1 … d (`libm::pow`, the same bits natively and in wasm).
    pub fn spectrum(&self) -> Vec<f64> {
        (1..=self.d).map(|i| libm::pow(i as f64, -self.p)).collect()
    }

    /// R² = Tr H + 2·λ_max, the constant with E[‖x‖²xxᵀ] = Tr(H)·H + 2H² ≼ R²·H for Gaussian x.
    pub fn r2(&self) -> f64 {
        let h = self.spectrum();
        let max = h.iter().fold(0.0_f64, |m, v| m.max(*v));
        h.iter().fold(0.0, |s, v| s + v) + 2.0 * max
    }

    /// The step β of the recursion, or γ of SGD: step_r2 / R².
    pub fn step(&self) -> f64 {
        self.step_r2 / self.r2()
    }

    /// The step α of the recursion's z-sequence: ratio·β for AcSGD, β for Nesterov; `None` for
    /// SGD.
    pub fn alpha(&self) -> Option<f64> {
        match self.algo {
            Algo::AcSgd => Some(self.ratio * self.step()),
            Algo::Agd => Some(self.step()),
            Algo::AvSgd | Algo::Sgd => None,
        }
    }

    /// The output a run reports as `excess_risk`: the `output` parameter for the recursion, the
    /// uniform average for averaged SGD, the last iterate for SGD.
    pub fn headline(&self) -> Output {
        match self.algo {
            Algo::AcSgd | Algo::Agd => self.output,
            Algo::AvSgd => Output::Uniform,
            Algo::Sgd => Output::Last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_setup() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!((cfg.d, cfg.p, cfg.steps), (50, 2.0, 100_000));
        // Spec §5: R² = Tr H + 2 = 3.625 (Σ_{i ≤ 50} i⁻² = 1.6251…), β = γ = 1/(2R²) = 0.1379,
        // α = β/d = 2.76e-3.
        assert!((cfg.r2() - 3.6251).abs() < 1e-4, "{}", cfg.r2());
        assert!((cfg.step() - 0.1379).abs() < 1e-4, "{}", cfg.step());
        assert!((cfg.alpha().unwrap() - 2.76e-3).abs() < 1e-5);
        assert_eq!(cfg.headline(), Output::Linear);
    }

    #[test]
    fn nesterov_takes_alpha_equal_to_beta_and_sgd_has_none() {
        let p = |algo| Config::from_params(&SCHEMA.build([("algo", algo)]).unwrap()).unwrap();
        let agd = p("agd");
        assert_eq!(agd.alpha(), Some(agd.step()));
        assert_eq!(p("sgd").alpha(), None);
        assert_eq!(p("avsgd").headline(), Output::Uniform);
        assert_eq!(p("sgd").headline(), Output::Last);
        // By hand: d = 2, p = 1: h = (1, 1/2), R² = 1.5 + 2 = 3.5.
        let small = SCHEMA.build([("d", "2"), ("p", "1")]).unwrap();
        let cfg = Config::from_params(&small).unwrap();
        assert_eq!(cfg.spectrum(), vec![1.0, 0.5]);
        assert_eq!(cfg.r2(), 3.5);
    }
}
