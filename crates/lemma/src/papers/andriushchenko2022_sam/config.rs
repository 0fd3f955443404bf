//! Parameters of the SAM diagonal-network experiment: the schema (defaults = the spec's SAM-diag
//! setup, §5.1) and the validated [`Config`].

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const ALGOS: &[&str] = &["gd", "sgd", "nsam", "1sam", "msam"];
const ALGO_LABELS: &[&str] = &[
    "GD",
    "SGD (batch 1)",
    "n-SAM (ascent ρ∇L)",
    "1-SAM (notebook: ascent 2ρ∇ℓₖ)",
    "m-SAM (unified: ascent ρ∇L_G)",
];

/// Page-level state of `andriushchenko2022_sam`: the algorithms run side by side.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "algos",
        ALGOS,
        "gd,nsam,1sam",
        "Algorithms the page runs side by side on the same data draw",
    )
    .labelled(ALGO_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "preset",
        &["paper", "notebook"],
        "paper",
        "Data source: `paper` = the project's portable RNG (any seed); `notebook` = numpy's legacy \
              generator seeded like np.random.seed(seed), drawing exactly the official notebook's data",
    ),
    ParamSpec::choice(
        "algo",
        ALGOS,
        "gd",
        "Algorithm: gd, sgd (batch 1), nsam (notebook n-SAM, ascent ρ∇L), 1sam (notebook 1-SAM, \
              ascent 2ρ∇ℓ_k), msam (unified m-SAM, ascent ρ∇L_G for groups of m examples)",
    )
    .labelled(ALGO_LABELS),
    ParamSpec::log_float(
        "gamma",
        1e-6,
        10.0,
        "0.3333333333333333",
        "Step size γ (the spec's default is 10/d for d = 30)",
    ),
    ParamSpec::log_float(
        "alpha",
        1e-6,
        10.0,
        "0.1",
        "Initialisation scale α: u₀ = α·1, v₀ = 0",
    ),
    ParamSpec::log_float(
        "rho",
        0.0,
        10.0,
        "0.1",
        "SAM radius ρ, in the convention of the chosen algorithm (1sam: notebook, ascent 2ρ; \
              nsam and msam: ascent ρ)",
    ),
    ParamSpec::int(
        "m",
        1,
        10_000,
        "1",
        "m-SAM group size (must divide n); used by algo=msam only",
    ),
    ParamSpec::int(
        "steps",
        1,
        10_000_000,
        "10001",
        "Iterations of the algorithm (the notebook runs 10⁴ + 1)",
    ),
    ParamSpec::int(
        "erm_steps",
        0,
        10_000_000,
        "0",
        "GD iterations before switching to `algo` (ERM→SAM fine-tuning); 0 = no warm start",
    ),
    ParamSpec::int("n", 1, 2_000, "20", "Training examples"),
    ParamSpec::int("d", 1, 2_000, "30", "Dimension"),
    ParamSpec::int(
        "k",
        1,
        2_000,
        "3",
        "Non-zeros of β* (the first k coordinates); must be ≤ d",
    ),
    ParamSpec::int("n_test", 1, 100_000, "1000", "Test examples"),
];

/// The parameter schema of `andriushchenko2022_sam`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// Where the data come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The project's portable RNG.
    Paper,
    /// numpy's legacy generator, replaying the official notebook.
    Notebook,
}

/// Training algorithm, in the conventions of the notebook (nsam, 1sam) or the unified one (msam).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// Gradient descent.
    Gd,
    /// SGD with batch 1.
    Sgd,
    /// n-SAM, ascent ρ∇L.
    NSam,
    /// 1-SAM, ascent 2ρ∇ℓ_k (the notebook's convention).
    OneSam,
    /// m-SAM, ascent ρ∇L_G (unified convention).
    MSam,
}

impl Algo {
    /// Display label with the ρ convention spelled out.
    pub fn label(self) -> &'static str {
        match self {
            Algo::Gd => "GD",
            Algo::Sgd => "SGD (batch 1)",
            Algo::NSam => "n-SAM (ascent ρ∇L)",
            Algo::OneSam => "1-SAM (notebook: ascent 2ρ∇ℓₖ)",
            Algo::MSam => "m-SAM (unified: ascent ρ∇L_G)",
        }
    }
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Data source.
    pub preset: Preset,
    /// Algorithm after the warm start.
    pub algo: Algo,
    /// Step size γ.
    pub gamma: f64,
    /// Initialisation scale α.
    pub alpha: f64,
    /// SAM radius in the algorithm's own convention.
    pub rho: f64,
    /// m-SAM group size.
    pub m: usize,
    /// Iterations of `algo`.
    pub steps: u64,
    /// GD iterations before `algo`.
    pub erm_steps: u64,
    /// Training examples.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Sparsity.
    pub k: usize,
    /// Test examples.
    pub n_test: usize,
}

fn invalid(name: &str, value: impl ToString, allowed: impl Into<String>) -> ParamError {
    ParamError {
        name: name.to_string(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

impl Config {
    /// Builds and cross-validates a configuration from schema-checked parameters.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let algo = match p.choice("algo") {
            "gd" => Algo::Gd,
            "sgd" => Algo::Sgd,
            "nsam" => Algo::NSam,
            "1sam" => Algo::OneSam,
            _ => Algo::MSam,
        };
        let preset = if p.choice("preset") == "notebook" {
            Preset::Notebook
        } else {
            Preset::Paper
        };
        let cfg = Self {
            preset,
            algo,
            gamma: p.float("gamma"),
            alpha: p.float("alpha"),
            rho: p.float("rho"),
            m: p.count("m"),
            steps: p.int("steps") as u64,
            erm_steps: p.int("erm_steps") as u64,
            n: p.count("n"),
            d: p.count("d"),
            k: p.count("k"),
            n_test: p.count("n_test"),
        };
        if cfg.k > cfg.d {
            return Err(invalid("k", cfg.k, format!("1 ≤ k ≤ d = {}", cfg.d)));
        }
        if cfg.algo == Algo::MSam && !cfg.n.is_multiple_of(cfg.m) {
            return Err(invalid("m", cfg.m, format!("a divisor of n = {}", cfg.n)));
        }
        Ok(cfg)
    }

    /// Total iterations (warm start + algorithm).
    pub fn total_steps(&self) -> u64 {
        self.erm_steps + self.steps
    }
}

/// Checks that a seed is usable with the preset (numpy seeds are 32-bit).
pub fn validate_seed(preset: Preset, seed: u64) -> Result<(), ParamError> {
    if preset == Preset::Notebook && seed > u64::from(u32::MAX) {
        return Err(invalid(
            "seed",
            seed,
            "0 ≤ seed ≤ 4294967295 with preset=notebook",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_setup() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!(
            (cfg.n, cfg.d, cfg.k, cfg.n_test, cfg.steps),
            (20, 30, 3, 1000, 10_001)
        );
        assert_eq!(cfg.gamma, 10.0 / 30.0);
        assert_eq!(cfg.alpha, 0.1);
    }

    #[test]
    fn cross_parameter_errors_name_the_parameter() {
        let e = Config::from_params(&SCHEMA.build([("k", "40")]).unwrap()).unwrap_err();
        assert_eq!(e.name, "k");
        let p = SCHEMA.build([("algo", "msam"), ("m", "3")]).unwrap();
        assert_eq!(Config::from_params(&p).unwrap_err().name, "m");
        assert_eq!(
            validate_seed(Preset::Notebook, 1 << 40).unwrap_err().name,
            "seed"
        );
        assert!(validate_seed(Preset::Paper, 1 << 40).is_ok());
    }
}
