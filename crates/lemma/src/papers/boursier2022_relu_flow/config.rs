//! Parameters of the ReLU-ortho experiment (spec §5.1 defaults) and the validated [`Config`].

use crate::schema::{ParamError, ParamKind, ParamSpec, Params, Schema};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "lambda",
        kind: ParamKind::Float {
            min: 1e-10,
            max: 1.0,
            log: true,
        },
        default: "1e-6",
        doc: "Initialisation scale λ: w_j = λ·g_j/√d, a_j = s_j‖w_j‖",
    },
    ParamSpec {
        name: "width",
        kind: ParamKind::Int { min: 2, max: 4_096 },
        default: "64",
        doc: "Hidden neurons m (signs alternate, m/2 per sign)",
    },
    ParamSpec {
        name: "n",
        kind: ParamKind::Int { min: 2, max: 10 },
        default: "6",
        doc: "Data points x_k = e_k (d = n); the first ⌈n/2⌉ get label +y_pos, the rest −y_neg",
    },
    ParamSpec {
        name: "y_pos",
        kind: ParamKind::Float {
            min: 0.01,
            max: 10.0,
            log: true,
        },
        default: "1",
        doc: "Label of the positive group",
    },
    ParamSpec {
        name: "y_neg",
        kind: ParamKind::Float {
            min: 0.01,
            max: 10.0,
            log: true,
        },
        default: "0.5",
        doc: "Magnitude of the negative group's label (labels are −y_neg)",
    },
    ParamSpec {
        name: "eta",
        kind: ParamKind::Float {
            min: 1e-4,
            max: 0.5,
            log: true,
        },
        default: "0.02",
        doc: "Euler step η of the gradient flow (η > 0.05 blurs the plateau timing)",
    },
    ParamSpec {
        name: "horizon",
        kind: ParamKind::Float {
            min: 0.0,
            max: 100_000.0,
            log: false,
        },
        default: "0",
        doc: "Time horizon T; 0 = automatic, 1.6·τ_slow + 20",
    },
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
