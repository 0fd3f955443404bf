//! Parameters of the ReLU-ortho experiment (spec §5.1 defaults) and the validated [`Config`].

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::log_float(
        "lambda",
        1e-10,
        1.0,
        "1e-6",
        "Initialisation scale λ: w_j = λ·g_j/√d, a_j = s_j‖w_j‖",
    ),
    ParamSpec::int(
        "width",
        2,
        4_096,
        "64",
        "Hidden neurons m (signs alternate, m/2 per sign)",
    ),
    ParamSpec::int(
        "n",
        2,
        10,
        "6",
        "Data points x_k = e_k (d = n); the first ⌈n/2⌉ get label +y_pos, the rest −y_neg",
    ),
    ParamSpec::log_float("y_pos", 0.01, 10.0, "1", "Label of the positive group"),
    ParamSpec::log_float(
        "y_neg",
        0.01,
        10.0,
        "0.5",
        "Magnitude of the negative group's label (labels are −y_neg)",
    ),
    ParamSpec::log_float(
        "eta",
        1e-4,
        0.5,
        "0.02",
        "Euler step η of the gradient flow (η > 0.05 blurs the plateau timing)",
    ),
    ParamSpec::float(
        "horizon",
        0.0,
        100_000.0,
        "0",
        "Time horizon T; 0 = automatic, 1.6·τ_slow + 20",
    ),
];

/// The parameter schema of `boursier2022_relu_flow`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Initialisation scale λ.
    pub lambda: f64,
    /// Hidden width m.
    pub width: usize,
    /// Number of points (and dimension).
    pub n: usize,
    /// Positive label.
    pub y_pos: f64,
    /// Negative label magnitude.
    pub y_neg: f64,
    /// Euler step.
    pub eta: f64,
    /// Requested horizon (0 = automatic).
    pub horizon: f64,
}

impl Config {
    /// Builds a configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(Self {
            lambda: p.float("lambda"),
            width: p.count("width"),
            n: p.count("n"),
            y_pos: p.float("y_pos"),
            y_neg: p.float("y_neg"),
            eta: p.float("eta"),
            horizon: p.float("horizon"),
        })
    }

    /// Labels: +y_pos on the first ⌈n/2⌉ points, −y_neg on the rest.
    pub fn labels(&self) -> Vec<f64> {
        let positives = self.n.div_ceil(2);
        (0..self.n)
            .map(|k| {
                if k < positives {
                    self.y_pos
                } else {
                    -self.y_neg
                }
            })
            .collect()
    }
}
