//! Checks CLOSE-1 … CLOSE-7 (`oufkir2022_closeness.md` §6). CLOSE-1 … 3 read one E1 run (n = 2,
//! ε = 0.2, c = 1, 300 runs per hypothesis, seeds 12345 + r, H1 seeds + 10⁶, δ ∈ {5e-2, 1e-2,
//! 1e-4, 1e-6, 1e-8}); CLOSE-4 … 7 one E2 run (n = 1000, prior ε = 0.05, δ = 0.05, r = 2/3,
//! C = 1, 100 runs per instance, seeds 777 + r). Both at the spec's full size: natively about
//! 0.15 s and 0.7 s, so the browser's verify panel (wasm, one thread) runs them as they are.
//!
//! **Re-calibration with the project's own RNG** (exact Poisson draws; measured 2026-12-02;
//! thresholds are the spec's):
//!
//! | check | observed | prototype [calibrated] | threshold |
//! |---|---|---|---|
//! | CLOSE-1 | R = 0.742, 1.121, 1.743, 2.096, 2.356 at δ = 5e-2 … 1e-8 (N = 167, 304, 721, 1149, 1593) | 0.77, 1.13, 1.79, 2.15, 2.36 | increasing over 1e-2 → 1e-6; R(1e-6) ≥ 1.8; R(1e-2) ≥ 0.9 |
//! | CLOSE-2 | errors at δ = 0.05: 4/300 under H0, 1/300 under H1 | 6/300, 0/300 | ≤ δ + 3√(δ(1 − δ)/300) = 0.0878 |
//! | CLOSE-3 | E[τ \| H0] = 225.1, 271.1, 413.7, 548.2, 676.2; E[τ \| H1] = 141.3, 181.9, 305.7, 420.9, 535.5 | 218/140 … 675/531 | H1 < H0 at every δ |
//! | CLOSE-4 | E[τ_seq]/batch at θ = 0.2: family A 0.185, family B 0.086 | 0.19, 0.09 | ≤ 0.25 |
//! | CLOSE-5 | E[τ_seq \| H0]/batch = 203 982/61 834 = 3.30 | 3.3 | ≤ 4 |
//! | CLOSE-6 | family B: 48 138, 17 670, 5 345, 1 294 at θ = .05, .1, .2, .4; slope over [0.1, 0.4] −1.85 (family A −2.81) | −1.71 over [0.1, 0.5] | decreasing; slope ∈ [−2.2, −1.2] |
//! | CLOSE-7 | false rejections under H0: 0/100 | 0/100 | ≤ δ |
//!
//! Under H1 of E2 every run of (C) rejected for θ ≥ 0.1; (D) rejected at θ = 0.05 in 12 % of the
//! runs of family A (its power at θ = ε is not part of any claim).

use super::config::{Family, SCHEMA};
use super::experiment::{ClosenessModel, LargeMc, SmallMc, delta_key};
use crate::experiment::{Experiment, Stepper, Stepwise};
use crate::verify::{Check, CheckKind, Evaluation, Tally, Verifier};

/// Seed base of E1 (run r: 12345 + r under H0, 12345 + 10⁶ + r under H1).
pub const E1_SEED: u64 = 12_345;
/// Runs per hypothesis of E1.
pub const E1_RUNS: &str = "300";
/// Seed base of E2 (run r: 777 + r).
pub const E2_SEED: u64 = 777;
/// Runs per instance of E2.
pub const E2_RUNS: &str = "100";
/// The δ of CLOSE-1's trend.
const TREND: [f64; 3] = [1e-2, 1e-4, 1e-6];
/// The error-control δ of CLOSE-2.
const ERROR_DELTA: f64 = 5e-2;

/// The two Monte-Carlo runs the checks read, each made once.
#[derive(Default)]
pub struct Runs {
    e1: Option<Stepper<ClosenessModel>>,
    e2: Option<Stepper<ClosenessModel>>,
}

fn finished(overrides: &[(&str, &str)], seed: u64) -> Stepper<ClosenessModel> {
    let params = SCHEMA
        .build(overrides.iter().copied())
        .expect("check configurations are valid");
    let model = ClosenessModel::from_params(&params, seed).expect("check configurations are valid");
    let mut run = Stepper::new(model);
    run.run_to_end(u64::MAX, &mut |_| {});
    run
}

impl Runs {
    /// The E1 run of CLOSE-1 … 3.
    pub fn e1(&mut self) -> &SmallMc {
        let run = self.e1.get_or_insert_with(|| {
            finished(
                &[
                    ("experiment", "e1"),
                    ("n", "2"),
                    ("eps", "0.2"),
                    ("c", "1"),
                    ("delta", "1e-6"),
                    ("runs", E1_RUNS),
                ],
                E1_SEED,
            )
        });
        match run.model() {
            ClosenessModel::Small(s) => s,
            _ => unreachable!("an e1 run"),
        }
    }

    /// The E2 run of CLOSE-4 … 7.
    pub fn e2(&mut self) -> &LargeMc {
        let run = self.e2.get_or_insert_with(|| {
            finished(
                &[
                    ("experiment", "e2"),
                    ("e2_n", "1000"),
                    ("e2_eps", "0.05"),
                    ("e2_delta", "0.05"),
                    ("e2_runs", E2_RUNS),
                ],
                E2_SEED,
            )
        });
        match run.model() {
            ClosenessModel::Large(l) => l,
            _ => unreachable!("an e2 run"),
        }
    }
}

fn index_of(s: &SmallMc, delta: f64) -> usize {
    s.deltas()
        .iter()
        .position(|&d| d == delta)
        .expect("δ is on the E1 grid")
}

fn close1(runs: &mut Runs) -> Evaluation {
    let s = runs.e1();
    let mut t = Tally::default();
    for (j, &d) in s.deltas().iter().enumerate() {
        t.measure(format!("R(δ={})", delta_key(d)), s.ratio(j));
        if let Some(b) = s.batch(j) {
            t.measure(format!("batch N(δ={})", delta_key(d)), b.n as f64);
        }
    }
    let r: Vec<f64> = TREND.iter().map(|&d| s.ratio(index_of(s, d))).collect();
    t.require(
        r.windows(2).all(|w| w[1] > w[0]),
        format!("R not strictly increasing over 1e-2 → 1e-4 → 1e-6: {r:.3?}"),
    );
    t.require(r[2] >= 1.8, format!("R(1e-6) = {:.3} < 1.8", r[2]));
    t.require(r[0] >= 0.9, format!("R(1e-2) = {:.3} < 0.9", r[0]));
    t.finish(
        "R = N/max(E[τ|H0], E[τ|H1]) strictly increasing over δ = 1e-2 → 1e-4 → 1e-6; R(1e-6) ≥ 1.8; R(1e-2) ≥ 0.9",
        "The factor 4 is the δ → 0 limit (KL ε²/2 against the Chernoff information ε²/8); at practical δ \
         the log-log term of β eats part of the gain, so the runs show a trend towards it. N is tester \
         (B)'s exact batch size.",
    )
}

fn close2(runs: &mut Runs) -> Evaluation {
    let s = runs.e1();
    let j = index_of(s, ERROR_DELTA);
    let (errors, done) = s.errors(j);
    let mut t = Tally::default();
    let bound =
        |runs: u64| ERROR_DELTA + 3.0 * libm::sqrt(ERROR_DELTA * (1.0 - ERROR_DELTA) / runs as f64);
    for (h, name) in [(0, "H0 (answers different)"), (1, "H1 (answers same)")] {
        let rate = errors[h] as f64 / done[h] as f64;
        t.measure(format!("error rate under {name}"), rate);
        t.measure(format!("errors under {name}"), errors[h] as f64);
        t.require(
            rate <= bound(done[h]),
            format!("{name}: {rate:.4} > {:.4}", bound(done[h])),
        );
    }
    t.finish(
        "δ = 0.05: the empirical error under each hypothesis ≤ δ + 3·√(δ(1 − δ)/runs) (0.0878 at 300 runs)",
        "",
    )
}

fn close3(runs: &mut Runs) -> Evaluation {
    let s = runs.e1();
    let mut t = Tally::default();
    for (j, &d) in s.deltas().iter().enumerate() {
        let (h0, h1) = s.mean_tau(j);
        t.measure(format!("E[τ|H0] (δ={})", delta_key(d)), h0);
        t.measure(format!("E[τ|H1] (δ={})", delta_key(d)), h1);
        t.require(
            h1 < h0,
            format!(
                "δ = {}: E[τ|H1] = {h1:.1} ≥ E[τ|H0] = {h0:.1}",
                delta_key(d)
            ),
        );
    }
    t.finish("E[τ | H1] < E[τ | H0] at every δ of the E1 grid", "")
}

fn close4(runs: &mut Runs) -> Evaluation {
    let l = runs.e2();
    let mut t = Tally::default();
    for (family, name) in [(Family::A, "A"), (Family::B, "B")] {
        let i = l.index(family, 0.2).expect("θ = 0.2 is on the grid");
        let (seq, _, batch, _) = l.summary(i);
        t.measure(format!("family {name}: E[τ_seq]"), seq);
        t.measure(format!("family {name}: batch samples"), batch);
        t.measure(format!("family {name}: E[τ_seq]/batch"), seq / batch);
        t.require(
            seq <= 0.25 * batch,
            format!("family {name}: ratio {:.3} > 0.25", seq / batch),
        );
    }
    t.finish(
        "θ = 4ε = 0.2: E[τ_seq] ≤ 0.25 × the batch tester's samples, for both families",
        "Batch samples: tester (D)'s mean Σ S_i on the same instance (≈ 2·m(ε, ln(1/δ)) = 61 835).",
    )
}

fn close5(runs: &mut Runs) -> Evaluation {
    let l = runs.e2();
    let (seq, _, batch, _) = l.summary(0);
    let mut t = Tally::default();
    t.measure("E[τ_seq | H0]", seq);
    t.measure("batch samples", batch);
    t.measure("E[τ_seq | H0]/batch", seq / batch);
    t.require(
        seq <= 4.0 * batch,
        format!("overhead {:.3} > 4", seq / batch),
    );
    t.finish(
        "E[τ_seq | H0] ≤ 4 × the batch tester's samples",
        "The constant comes from the geometric grid (ratio 2/3: the stages before the last add up) and \
         from δ_k = δ/(2k²).",
    )
}

fn close6(runs: &mut Runs) -> Evaluation {
    let l = runs.e2();
    let mut t = Tally::default();
    let thetas = [0.05, 0.1, 0.2, 0.4];
    let means: Vec<f64> = thetas
        .iter()
        .map(|&th| l.summary(l.index(Family::B, th).expect("on the grid")).0)
        .collect();
    for (th, m) in thetas.iter().zip(&means) {
        t.measure(format!("family B: E[τ] at θ={th}"), *m);
    }
    t.require(
        means.windows(2).all(|w| w[1] < w[0]),
        "E[τ] not strictly decreasing over θ = .05, .1, .2, .4",
    );
    let slope = l.slope(Family::B);
    t.measure("family B: log–log slope over [0.1, 0.4]", slope);
    t.measure(
        "family A: log–log slope over [0.1, 0.4] (not asserted)",
        l.slope(Family::A),
    );
    t.require(
        (-2.2..=-1.2).contains(&slope),
        format!("slope {slope:.3} outside [−2.2, −1.2]"),
    );
    t.finish(
        "family B: E[τ] strictly decreasing over θ ∈ {.05, .1, .2, .4}; OLS slope of ln E[τ] on ln θ over θ ∈ [0.1, 0.4] in [−2.2, −1.2]",
        "The theory's worst-case exponents are −4/3 (n^{2/3}/θ^{4/3}) and −2 (√n/θ²); the slope is fitted \
         on the check's own window [0.1, 0.4] (the spec calibrated [0.1, 0.5], where the stage-1 floor \
         flattens the curve). Family A's steeper slope comes from the detection-threshold region.",
    )
}

fn close7(runs: &mut Runs) -> Evaluation {
    let l = runs.e2();
    let (_, rate, _, _) = l.summary(0);
    let mut t = Tally::default();
    t.measure("false rejections under H0", rate * l.runs(0) as f64);
    t.measure("error rate under H0", rate);
    let delta = l.settings().delta;
    t.require(rate <= delta, format!("rate {rate:.3} > δ = {delta}"));
    t.finish(
        "tester (C)'s error under H0 ≤ δ = 0.05 (the conditional Bernstein threshold is conservative: expect 0/100)",
        "",
    )
}

/// The check list.
pub fn checks() -> Vec<Check<Runs>> {
    vec![
        Check {
            id: "CLOSE-1",
            claim: "For a small alphabet the sequential tester beats the best batch tester, by a factor growing towards 4 as δ → 0.",
            kind: CheckKind::Hard,
            run: close1,
        },
        Check {
            id: "CLOSE-2",
            claim: "The sequential tester's errors stay within δ under both hypotheses.",
            kind: CheckKind::Hard,
            run: close2,
        },
        Check {
            id: "CLOSE-3",
            claim: "Answering \"different\" is cheaper than answering \"same\".",
            kind: CheckKind::Hard,
            run: close3,
        },
        Check {
            id: "CLOSE-4",
            claim: "For a large alphabet the sequential tester adapts: at four times the prior distance it needs a small fraction of the batch samples.",
            kind: CheckKind::Hard,
            run: close4,
        },
        Check {
            id: "CLOSE-5",
            claim: "When the distributions are equal the sequential tester costs no more than the batch tester, up to a constant.",
            kind: CheckKind::Hard,
            run: close5,
        },
        Check {
            id: "CLOSE-6",
            claim: "The sequential tester's cost falls with the true distance at a rate between θ^{-4/3} and θ^{-2}.",
            kind: CheckKind::Hard,
            run: close6,
        },
        Check {
            id: "CLOSE-7",
            claim: "The large-alphabet sequential tester's error under H0 stays within δ.",
            kind: CheckKind::Hard,
            run: close7,
        },
    ]
}

/// A verifier over all checks with no run made yet.
pub fn verifier() -> Verifier<Runs> {
    Verifier::new(checks(), Runs::default())
}
