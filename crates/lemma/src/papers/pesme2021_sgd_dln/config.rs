//! Parameters of the SGD-diag experiment (spec §5.1 defaults) and the validated [`Config`].

use crate::schema::{ParamError, ParamKind, ParamSpec, Params, Schema};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "algo",
        kind: ParamKind::Choice {
            options: &["gd", "sgd", "sgf"],
        },
        default: "sgd",
        doc: "Algorithm: gd (full batch), sgd (batch b), sgf (stochastic gradient flow, \
              Euler–Maruyama with sub-step γ/10)",
    },
    ParamSpec {
        name: "gamma",
        kind: ParamKind::Float {
            min: 1e-4,
            max: 1.0,
            log: true,
        },
        default: "0.08",
        doc: "Step size γ",
    },
    ParamSpec {
        name: "alpha",
        kind: ParamKind::Float {
            min: 1e-6,
            max: 10.0,
            log: true,
        },
        default: "0.01",
        doc: "Initialisation scale α: w₊ = w₋ = α·1",
    },
    ParamSpec {
        name: "batch",
        kind: ParamKind::Int { min: 1, max: 2_000 },
        default: "1",
        doc: "SGD batch size b (examples drawn uniformly with replacement); must be ≤ n",
    },
    ParamSpec {
        name: "steps",
        kind: ParamKind::Int {
            min: 1,
            max: 10_000_000,
        },
        default: "40000",
        doc: "Iterations (for sgf: the same time horizon γ·steps)",
    },
    ParamSpec {
        name: "algo_seed",
        kind: ParamKind::Int {
            min: 0,
            max: 1_000_000,
        },
        default: "0",
        doc: "Seed of the algorithm's own stream (SGD sampling, SGF noise); the run seed fixes the data",
    },
    ParamSpec {
        name: "n",
        kind: ParamKind::Int { min: 1, max: 2_000 },
        default: "40",
        doc: "Training examples",
    },
    ParamSpec {
        name: "d",
        kind: ParamKind::Int { min: 1, max: 2_000 },
        default: "100",
        doc: "Dimension",
    },
    ParamSpec {
        name: "k",
        kind: ParamKind::Int { min: 1, max: 2_000 },
        default: "5",
        doc: "Non-zeros of β* (±1/√k on random coordinates); must be ≤ d",
    },
    ParamSpec {
        name: "anisotropy",
        kind: ParamKind::Float {
            min: 0.0,
            max: 3.0,
            log: false,
        },
        default: "0",
        doc: "Feature anisotropy a: feature j is scaled by exp(a·(j/d − 1/2))",
    },
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
