//! Parameters of the SGD-diag experiment (spec §5.1 defaults) and the validated [`Config`].

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const ALGOS: &[&str] = &["gd", "sgd", "sgf"];
const ALGO_LABELS: &[&str] = &["GD", "SGD", "SGF (Euler–Maruyama)"];

/// Page-level state of `pesme2021_sgd_dln`: the algorithms run side by side.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "algos",
        ALGOS,
        "gd,sgd",
        "Algorithms the page runs side by side on the same data draw",
    )
    .labelled(ALGO_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "algo",
        ALGOS,
        "sgd",
        "Algorithm: gd (full batch), sgd (batch b), sgf (stochastic gradient flow, \
              Euler–Maruyama with sub-step γ/10)",
    )
    .labelled(ALGO_LABELS),
    ParamSpec::log_float("gamma", 1e-4, 1.0, "0.08", "Step size γ"),
    ParamSpec::log_float(
        "alpha",
        1e-6,
        10.0,
        "0.01",
        "Initialisation scale α: w₊ = w₋ = α·1",
    ),
    ParamSpec::int(
        "batch",
        1,
        2_000,
        "1",
        "SGD batch size b (examples drawn uniformly with replacement); must be ≤ n",
    ),
    ParamSpec::int(
        "steps",
        1,
        10_000_000,
        "40000",
        "Iterations (for sgf: the same time horizon γ·steps)",
    ),
    ParamSpec::int(
        "algo_seed",
        0,
        1_000_000,
        "0",
        "Seed of the algorithm's own stream (SGD sampling, SGF noise); the run seed fixes the data",
    ),
    ParamSpec::int("n", 1, 2_000, "40", "Training examples"),
    ParamSpec::int("d", 1, 2_000, "100", "Dimension"),
    ParamSpec::int(
        "k",
        1,
        2_000,
        "5",
        "Non-zeros of β* (±1/√k on random coordinates); must be ≤ d",
    ),
    ParamSpec::float(
        "anisotropy",
        0.0,
        3.0,
        "0",
        "Feature anisotropy a: feature j is scaled by exp(a·(j/d − 1/2))",
    ),
];

/// The parameter schema of `pesme2021_sgd_dln`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// Training algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// Gradient descent.
    Gd,
    /// Minibatch SGD.
    Sgd,
    /// Stochastic gradient flow by Euler–Maruyama.
    Sgf,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Algorithm.
    pub algo: Algo,
    /// Step size γ.
    pub gamma: f64,
    /// Initialisation scale α.
    pub alpha: f64,
    /// SGD batch size.
    pub batch: usize,
    /// Iterations.
    pub steps: u64,
    /// Seed of the algorithm's stream, independent of the data seed.
    pub algo_seed: u64,
    /// Training examples.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Sparsity.
    pub k: usize,
    /// Feature anisotropy.
    pub anisotropy: f64,
}

impl Config {
    /// Builds and cross-validates a configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let algo = match p.choice("algo") {
            "gd" => Algo::Gd,
            "sgf" => Algo::Sgf,
            _ => Algo::Sgd,
        };
        let cfg = Self {
            algo,
            gamma: p.float("gamma"),
            alpha: p.float("alpha"),
            batch: p.count("batch"),
            steps: p.int("steps") as u64,
            algo_seed: p.int("algo_seed") as u64,
            n: p.count("n"),
            d: p.count("d"),
            k: p.count("k"),
            anisotropy: p.float("anisotropy"),
        };
        let invalid = |name: &str, value: usize, allowed: String| ParamError {
            name: name.into(),
            value: value.to_string(),
            allowed,
        };
        if cfg.k > cfg.d {
            return Err(invalid("k", cfg.k, format!("1 ≤ k ≤ d = {}", cfg.d)));
        }
        if cfg.batch > cfg.n {
            return Err(invalid(
                "batch",
                cfg.batch,
                format!("1 ≤ batch ≤ n = {}", cfg.n),
            ));
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_sgd_diag_setup_and_errors_name_parameters() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!(
            (cfg.n, cfg.d, cfg.k, cfg.steps, cfg.alpha, cfg.gamma),
            (40, 100, 5, 40_000, 0.01, 0.08)
        );
        let e = Config::from_params(&SCHEMA.build([("batch", "41")]).unwrap()).unwrap_err();
        assert_eq!(e.name, "batch");
        let e = Config::from_params(&SCHEMA.build([("k", "101")]).unwrap()).unwrap_err();
        assert_eq!(e.name, "k");
    }
}
