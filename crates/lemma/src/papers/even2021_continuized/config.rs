//! Parameters of the two experiments (spec §5 defaults, §7 knobs) and the validated [`Config`].
//!
//! One schema for both, because the page runs them side by side (`experiments`, the page-level
//! state in [`VIEW`]): E1 (continuized Nesterov on quadratics) reads `objective`, `kappa`, `d`,
//! `runs` and `events`; E2 (gossip) reads `graph`, `n`, `gossip_runs`, `eta_mult`, `gamma_mult`,
//! `signal` and `horizon`.

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const EXPERIMENTS: &[&str] = &["e1", "e2"];
const EXPERIMENT_LABELS: &[&str] = &[
    "E1: continuized Nesterov on a quadratic",
    "E2: randomized against accelerated gossip",
];

/// Page-level state of `even2021_continuized`: the experiments the page runs side by side.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "experiments",
        EXPERIMENTS,
        "e1,e2",
        "Experiments the page runs side by side (each with the knobs it reads)",
    )
    .labelled(EXPERIMENT_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "experiment",
        EXPERIMENTS,
        "e1",
        "e1: continuized Nesterov against discrete Nesterov and gradient descent on a quadratic \
         (Monte-Carlo over the Poisson clock); e2: standard randomized gossip against continuized \
         accelerated gossip on a graph (Monte-Carlo over the edge clocks)",
    )
    .labelled(EXPERIMENT_LABELS),
    ParamSpec::choice(
        "objective",
        &["strong", "convex"],
        "strong",
        "E1 objective f = ½·Σ h_i x_i²: strong (h_i = linspace(1/κ, 1), μ-strongly convex \
         parameters) or convex (h_i = i⁻², the convex parameters η_t = 2/t, γ′_t = t/(2L))",
    )
    .labelled(&[
        "μ-strongly convex (h = linspace(1/κ, 1))",
        "convex (h_i = i⁻²)",
    ]),
    ParamSpec::log_float(
        "kappa",
        2.0,
        1e6,
        "1000",
        "E1 condition number κ = L/μ of the strongly convex quadratic (L = 1; unused when convex)",
    ),
    ParamSpec::int("d", 2, 2000, "100", "E1 dimension"),
    ParamSpec::int(
        "runs",
        1,
        1000,
        "50",
        "E1 Monte-Carlo runs of the continuized method (run r: seed + r)",
    ),
    ParamSpec::int(
        "events",
        0,
        1_000_000,
        "0",
        "E1 horizon in units of continuous time (expected events; Nesterov and GD take one step \
         per unit); 0: 30·√κ (strongly convex) or 2000 (convex)",
    ),
    ParamSpec::choice(
        "graph",
        &["cycle", "grid", "geometric", "complete"],
        "cycle",
        "E2 graph: cycle, 2-D grid (n a perfect square), random geometric (n uniform points in \
         the unit square, radius 2·√(ln n/(πn)), redrawn until connected) or complete",
    )
    .labelled(&["cycle", "2-D grid", "random geometric", "complete"]),
    ParamSpec::int("n", 4, 400, "40", "E2 number of nodes"),
    ParamSpec::int(
        "gossip_runs",
        1,
        500,
        "20",
        "E2 Monte-Carlo runs (run r: seed + r draws the initial values and the edge clocks)",
    ),
    ParamSpec::log_float(
        "eta_mult",
        0.1,
        10.0,
        "1",
        "E2 multiplier on the accelerated gossip's mixing rate η = 1/(2√(χ₁χ₂))",
    ),
    ParamSpec::log_float(
        "gamma_mult",
        0.1,
        10.0,
        "1",
        "E2 multiplier on the accelerated gossip's second step γ′ = 1/(2√(λ₂χ₂)) (both × √2 \
         breaks the derived condition ηγ′ ≤ 1/(R²κ̃))",
    ),
    ParamSpec::choice(
        "signal",
        &["random", "spike"],
        "random",
        "E2 initial values: random (i.i.d. N(0, 1)) or spike (1 at node 0, 0 elsewhere)",
    )
    .labelled(&["random N(0, 1)", "spike at node 0"]),
    ParamSpec::float(
        "horizon",
        1.0,
        200.0,
        "40",
        "E2 horizon in units of 1/η (η at its derived value): ⌈horizon/η⌉ activations",
    ),
];

/// The parameter schema of `even2021_continuized`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// Which experiment a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// E1: continuized Nesterov, Nesterov and GD on a quadratic.
    Quadratic,
    /// E2: randomized and accelerated gossip.
    Gossip,
}

/// E1's objective and parameter set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// μ-strongly convex: constant η = √(μ/L).
    Strong,
    /// Convex: η_t = 2/t.
    Convex,
}

/// E2's graph family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphKind {
    /// The cycle on n nodes.
    Cycle,
    /// The √n × √n grid.
    Grid,
    /// A random geometric graph in the unit square.
    Geometric,
    /// The complete graph.
    Complete,
}

/// E2's initial values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// i.i.d. N(0, 1).
    Random,
    /// 1 at node 0, 0 elsewhere.
    Spike,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The experiment.
    pub mode: Mode,
    /// E1 objective.
    pub objective: Objective,
    /// E1 condition number (strongly convex).
    pub kappa: f64,
    /// E1 dimension.
    pub d: usize,
    /// E1 Monte-Carlo runs.
    pub runs: usize,
    /// E1 horizon (time units), resolved from `events` (0: the spec's default).
    pub horizon_time: u64,
    /// E2 graph family.
    pub graph: GraphKind,
    /// E2 nodes.
    pub n: usize,
    /// E2 Monte-Carlo runs.
    pub gossip_runs: usize,
    /// E2 multiplier on η.
    pub eta_mult: f64,
    /// E2 multiplier on γ′.
    pub gamma_mult: f64,
    /// E2 initial values.
    pub signal: Signal,
    /// E2 horizon in units of 1/η.
    pub horizon: f64,
}

/// The side of the grid on `n` nodes, if `n` is a perfect square.
pub fn grid_side(n: usize) -> Option<usize> {
    let s = libm::round(libm::sqrt(n as f64)) as usize;
    (s * s == n).then_some(s)
}

impl Config {
    /// Builds and cross-validates a configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let objective = if p.choice("objective") == "convex" {
            Objective::Convex
        } else {
            Objective::Strong
        };
        let kappa = p.float("kappa");
        let events = p.int("events") as u64;
        let horizon_time = match (events, objective) {
            (0, Objective::Strong) => libm::ceil(30.0 * libm::sqrt(kappa)) as u64,
            (0, Objective::Convex) => 2000,
            (e, _) => e,
        };
        let graph = match p.choice("graph") {
            "grid" => GraphKind::Grid,
            "geometric" => GraphKind::Geometric,
            "complete" => GraphKind::Complete,
            _ => GraphKind::Cycle,
        };
        let cfg = Self {
            mode: if p.choice("experiment") == "e2" {
                Mode::Gossip
            } else {
                Mode::Quadratic
            },
            objective,
            kappa,
            d: p.count("d"),
            runs: p.count("runs"),
            horizon_time,
            graph,
            n: p.count("n"),
            gossip_runs: p.count("gossip_runs"),
            eta_mult: p.float("eta_mult"),
            gamma_mult: p.float("gamma_mult"),
            signal: if p.choice("signal") == "spike" {
                Signal::Spike
            } else {
                Signal::Random
            },
            horizon: p.float("horizon"),
        };
        if graph == GraphKind::Grid && grid_side(cfg.n).is_none() {
            return Err(ParamError {
                name: "n".into(),
                value: cfg.n.to_string(),
                allowed: "a perfect square 4 ≤ n ≤ 400 for the grid (its side is √n)".into(),
            });
        }
        Ok(cfg)
    }

    /// E1's curvatures h_i (L = max h = 1): linspace(1/κ, 1) when strongly convex, i⁻² when
    /// convex.
    pub fn curvatures(&self) -> Vec<f64> {
        let d = self.d;
        match self.objective {
            Objective::Strong => {
                let mu = 1.0 / self.kappa;
                (0..d)
                    .map(|i| mu + (1.0 - mu) * i as f64 / (d - 1) as f64)
                    .collect()
            }
            Objective::Convex => (1..=d).map(|i| 1.0 / (i as f64 * i as f64)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_setup_and_grids_need_a_square() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!(
            (cfg.mode, cfg.objective),
            (Mode::Quadratic, Objective::Strong)
        );
        // 30·√1000 = 948.68… → 949 time units.
        assert_eq!((cfg.d, cfg.runs, cfg.horizon_time), (100, 50, 949));
        let h = cfg.curvatures();
        assert_eq!((h[0], h[99]), (1e-3, 1.0));
        assert!((h[1] - (1e-3 + 0.999 / 99.0)).abs() < 1e-15);
        let convex = SCHEMA.build([("objective", "convex")]).unwrap();
        let cfg = Config::from_params(&convex).unwrap();
        assert_eq!(cfg.horizon_time, 2000);
        assert_eq!(cfg.curvatures()[1], 0.25);
        let e = Config::from_params(&SCHEMA.build([("graph", "grid"), ("n", "40")]).unwrap())
            .unwrap_err();
        assert_eq!(e.name, "n");
        assert!(
            Config::from_params(&SCHEMA.build([("graph", "grid"), ("n", "36")]).unwrap()).is_ok()
        );
        assert_eq!((grid_side(100), grid_side(99)), (Some(10), None));
    }
}
