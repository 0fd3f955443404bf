//! Parameters of the three experiments (spec §5 and §7) and the validated [`Config`].
//!
//! One schema for all three, because the page runs them side by side (`experiments`, the
//! page-level state in [`VIEW`]): the live race and E1 read the small-alphabet knobs (`n`, `eps`,
//! `delta`, `theta`, `c`, `runs`, `max_rounds`), E2 reads the `e2_*` knobs and `family`.

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const EXPERIMENTS: &[&str] = &["race", "e1", "e2"];
const EXPERIMENT_LABELS: &[&str] = &[
    "Live race (A)",
    "E1: (A) vs batch (B)",
    "E2: (C) vs batch (D)",
];

/// Page-level state of `oufkir2022_closeness`: the experiments the page runs side by side.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "experiments",
        EXPERIMENTS,
        "race,e1,e2",
        "Experiments the page runs side by side (each with the knobs it reads)",
    )
    .labelled(EXPERIMENT_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "experiment",
        EXPERIMENTS,
        "e1",
        "race: one run of tester (A), stopping when it decides; e1: E1 Monte-Carlo, (A) against \
         the exact batch N of (B) at δ = 5e-2 … 1e-8 and δ; e2: E2 Monte-Carlo, (C) against (D) \
         over the θ grid, both families",
    )
    .labelled(EXPERIMENT_LABELS),
    ParamSpec::int(
        "n",
        2,
        6,
        "2",
        "Alphabet size of the race and E1 (tester (A) minimises over the 2ⁿ − 2 subsets; the \
         batch test (B) exists for n = 2 only)",
    ),
    ParamSpec::float(
        "eps",
        0.05,
        0.5,
        "0.2",
        "Distance ε of the race and E1: H1 is TV(D1, D2) ≥ ε",
    ),
    ParamSpec::log_float(
        "delta",
        1e-10,
        0.2,
        "1e-6",
        "Error probability δ of the race (E1 adds it to its δ grid and shows its τ histograms)",
    ),
    ParamSpec::float(
        "theta",
        0.0,
        0.5,
        "0.2",
        "Distance TV(D1, D2) of the race's instance (0: H0, D1 = D2 uniform); E1 uses θ = 0 and θ = ε",
    ),
    ParamSpec::float(
        "c",
        0.0,
        10.0,
        "1",
        "Threshold constant c of β(t, δ) = ln(1/δ) + c·2·ln(1 + ln(1 + t))",
    ),
    ParamSpec::int(
        "runs",
        1,
        100_000,
        "200",
        "E1 Monte-Carlo runs per hypothesis (run r: seed + r under H0, seed + 10⁶ + r under H1)",
    ),
    ParamSpec::int(
        "max_rounds",
        100,
        10_000_000,
        "1000000",
        "Rounds after which tester (A) gives up undecided (a safety cap; it stops far earlier)",
    ),
    ParamSpec::int(
        "e2_n",
        100,
        10_000,
        "1000",
        "E2 alphabet size n (even): family A lives on n atoms, family B on k + n",
    ),
    ParamSpec::float(
        "e2_eps",
        0.0,
        0.5,
        "0.05",
        "E2 prior distance ε of testers (C) and (D); 0: no prior bound, (C) never answers same",
    ),
    ParamSpec::log_float("e2_delta", 1e-6, 0.2, "0.05", "E2 error probability δ"),
    ParamSpec::choice(
        "family",
        &["a", "b"],
        "b",
        "E2 instance family of the stage timeline: a (uniform ± 2θ/n) or b (heavy + disjoint light)",
    )
    .labelled(&["A: uniform ± perturbation", "B: heavy + disjoint light"]),
    ParamSpec::float(
        "e2_theta",
        0.0,
        0.5,
        "0.2",
        "Distance θ of the E2 stage timeline's instance (0: H0); the Monte-Carlo covers the θ grid",
    ),
    ParamSpec::float(
        "grid_ratio",
        0.3,
        0.95,
        "0.6666666666666666",
        "Ratio r of tester (C)'s geometric grid ε_k = max(ε, ½·r^{k−1})",
    ),
    ParamSpec::log_float(
        "size_c",
        0.1,
        10.0,
        "1",
        "Sample-size constant C of m(ε, L) = C·(n^{2/3}L^{1/3}/ε^{4/3} + √(nL)/ε² + L/ε²)",
    ),
    ParamSpec::int(
        "e2_runs",
        1,
        10_000,
        "100",
        "E2 Monte-Carlo runs per instance (run r: seed + r)",
    ),
];

/// The parameter schema of `oufkir2022_closeness`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// Which experiment a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One run of tester (A).
    Race,
    /// E1 Monte-Carlo.
    Small,
    /// E2 Monte-Carlo.
    Large,
}

/// E2's instance family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Uniform ± perturbation.
    A,
    /// Heavy + disjoint light.
    B,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The experiment.
    pub mode: Mode,
    /// Alphabet size of the race and E1.
    pub n: usize,
    /// ε of the race and E1.
    pub eps: f64,
    /// δ of the race (and E1's extra δ).
    pub delta: f64,
    /// The race's instance distance.
    pub theta: f64,
    /// Threshold constant c.
    pub c: f64,
    /// E1 runs per hypothesis.
    pub runs: u64,
    /// Round cap of tester (A).
    pub max_rounds: u64,
    /// E2 alphabet size.
    pub e2_n: usize,
    /// E2 prior ε.
    pub e2_eps: f64,
    /// E2 δ.
    pub e2_delta: f64,
    /// The stage timeline's family.
    pub family: Family,
    /// The stage timeline's θ.
    pub e2_theta: f64,
    /// Grid ratio r.
    pub grid_ratio: f64,
    /// Sample-size constant C.
    pub size_c: f64,
    /// E2 runs per instance.
    pub e2_runs: u64,
}

impl Config {
    /// Builds and cross-validates a configuration.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let mode = match p.choice("experiment") {
            "race" => Mode::Race,
            "e2" => Mode::Large,
            _ => Mode::Small,
        };
        let cfg = Self {
            mode,
            n: p.count("n"),
            eps: p.float("eps"),
            delta: p.float("delta"),
            theta: p.float("theta"),
            c: p.float("c"),
            runs: p.int("runs") as u64,
            max_rounds: p.int("max_rounds") as u64,
            e2_n: p.count("e2_n"),
            e2_eps: p.float("e2_eps"),
            e2_delta: p.float("e2_delta"),
            family: if p.choice("family") == "a" {
                Family::A
            } else {
                Family::B
            },
            e2_theta: p.float("e2_theta"),
            grid_ratio: p.float("grid_ratio"),
            size_c: p.float("size_c"),
            e2_runs: p.int("e2_runs") as u64,
        };
        if !cfg.e2_n.is_multiple_of(2) {
            return Err(ParamError {
                name: "e2_n".into(),
                value: cfg.e2_n.to_string(),
                allowed: "an even integer 100 ≤ e2_n ≤ 10000 (the families split n in halves)"
                    .into(),
            });
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_settings_and_odd_n_is_refused() {
        let cfg = Config::from_params(&SCHEMA.defaults()).unwrap();
        assert_eq!(
            (cfg.mode, cfg.n, cfg.eps, cfg.c),
            (Mode::Small, 2, 0.2, 1.0)
        );
        assert_eq!((cfg.e2_n, cfg.e2_eps, cfg.e2_delta), (1000, 0.05, 0.05));
        assert_eq!(cfg.grid_ratio, 2.0 / 3.0);
        let e = Config::from_params(&SCHEMA.build([("e2_n", "1001")]).unwrap()).unwrap_err();
        assert_eq!(e.name, "e2_n");
    }
}
