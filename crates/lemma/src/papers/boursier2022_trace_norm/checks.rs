//! Checks TN-1 … TN-5 (`boursier2022_trace_norm.md` §6) on the spec's browser-scale setup:
//! d = 30, k = 3, m = 10, σ = 1, Gaussian features and parameters, 300 FISTA iterations at the
//! theoretical λ, T ∈ {25, 50, 100, 200, 400}, 3 repetitions with seeds 31 + 1000·rep + T. Every
//! statistic is the mean over the 3 repetitions. The meta-learning evaluation is off in these
//! runs (it does not enter any check).
//!
//! **Re-calibration with the project's own RNG** (measured 2026-12-02 by `calibration_table`
//! below; thresholds are the spec's, unchanged; the spec's prototype values in brackets):
//!
//! | check | observed, 3-run means | threshold |
//! |---|---|---|
//! | TN-1 | T = 400: nuc 0.871 (0.883), single 1.598 (1.596), oracle 0.689 (0.704): nuc/single 0.545, nuc/oracle 1.264 | ≤ 0.65; ≤ 1.5 |
//! | TN-2 | sine_nuc 0.539 at T = 50, 0.149 at T = 400: ratio 0.276 (0.30); nuc < mom at every T (0.833 vs 0.990 at T = 25 is the closest) | ≤ 0.5; < |
//! | TN-3 | frob_nuc 1.285, 1.176, 1.063, 0.923, 0.871 over T = 25 … 400 (strictly falling) | each ≤ 1.05 × the previous |
//! | TN-4 | frob_oracle 0.797, 0.708, 0.679, 0.721, 0.689 against 0.707: +12.7 % at T = 25 (75 tasks in all), within 4 % elsewhere | ±15 % |
//! | TN-5 | T = 200, single: 1.640, 1.624, 1.605, 1.590, 1.576, 1.611, 1.721, 2.282, 195.6 over m = 5 … 30; nuc 1.274 … 0.538, falling | report only |
//!
//! The spec's §5 table with this project's RNG (3 runs, 300 FISTA iterations):
//!
//! | T | frob single | oracle | mom | nuc | sine single | mom | nuc | rank of Ŵ |
//! |---|---|---|---|---|---|---|---|---|
//! | 25 | 1.622 (1.626) | 0.797 (0.747) | 1.878 (1.836) | 1.285 (1.317) | 0.949 (0.833) | 0.990 (0.961) | 0.833 (0.751) | 7.3 |
//! | 50 | 1.575 (1.632) | 0.708 (0.681) | 1.897 (1.866) | 1.176 (1.143) | 0.706 (0.709) | 0.976 (0.969) | 0.539 (0.537) | 11.0 |
//! | 100 | 1.645 (1.562) | 0.679 (0.658) | 1.682 (1.779) | 1.063 (0.950) | 0.544 (0.515) | 0.960 (0.996) | 0.326 (0.331) | 14.3 |
//! | 200 | 1.590 (1.602) | 0.721 (0.683) | 1.474 (1.449) | 0.923 (0.914) | 0.377 (0.366) | 0.765 (0.761) | 0.217 (0.215) | 17.7 |
//! | 400 | 1.598 (1.596) | 0.689 (0.704) | 1.215 (1.198) | 0.871 (0.883) | 0.262 (0.255) | 0.618 (0.583) | 0.149 (0.161) | 22.0 |
//! | 800 | 1.601 (1.582) | 0.699 (0.709) | 1.011 (0.997) | 0.846 (0.839) | 0.151 (0.182) | 0.410 (0.406) | 0.093 (0.104) | 25.0 |
//!
//! Findings: at the theoretical λ the rank of Ŵ is 7 … 25, not k = 3 (the soft-threshold keeps
//! many small directions; the subspace is still the top-k of Ŵ). TN-4's slack at T = 25 is thin
//! (+12.7 % against ±15 %), a Monte-Carlo effect of 75 tasks. TN-5 does not reproduce as
//! phrased: single-task least squares is flat near √k ≈ 1.7 for m ≤ d/2 and blows up as m → d
//! (the interpolation peak of minimum-norm least squares), so it is report-only with that reason.
//! Verify takes about 13 s in a debug build, the m sweep of TN-5 being the larger part.

use super::config::SCHEMA;
use crate::experiment::build;
use crate::verify::{Check, CheckKind, Evaluation, RunCache, RunOutcome, Tally, Verifier};

/// Repetitions per setting.
pub const REPS: u64 = 3;
/// The task counts of the grid.
pub const TASKS: &[u64] = &[25, 50, 100, 200, 400];
/// The m grid of TN-5 (the paper's Fig. 3 grid, here with d = 30), at T = 200.
pub const M_GRID: &[u64] = &[5, 6, 8, 10, 12, 15, 19, 24, 30];
/// T of TN-5.
pub const M_SWEEP_TASKS: u64 = 200;

/// Seed 31 + 1000·rep + T.
fn seed(rep: u64, tasks: u64) -> u64 {
    31 + 1000 * rep + tasks
}

/// The 3 runs at (T, m).
fn runs_at(runs: &mut RunCache, tasks: u64, m: u64) -> Vec<RunOutcome> {
    let (t, m) = (tasks.to_string(), m.to_string());
    let overrides = [
        ("tasks", t.as_str()),
        ("m", m.as_str()),
        ("meta_tasks", "0"),
    ];
    (0..REPS)
        .map(|r| runs.get(seed(r, tasks), &overrides))
        .collect()
}

/// The mean of the final metric `name` over `outs`.
fn mean(outs: &[RunOutcome], name: &str) -> f64 {
    outs.iter().map(|o| o.get(name)).sum::<f64>() / outs.len() as f64
}

/// Mean of `name` at every T of the grid (m = 10).
fn over_tasks(runs: &mut RunCache, name: &str) -> Vec<f64> {
    TASKS
        .iter()
        .map(|t| mean(&runs_at(runs, *t, 10), name))
        .collect()
}

fn tn1(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let outs = runs_at(runs, 400, 10);
    let (nuc, single, oracle) = (
        mean(&outs, "frob_nuc"),
        mean(&outs, "frob_single"),
        mean(&outs, "frob_oracle"),
    );
    t.measure("T = 400: ‖Ŵ − W*‖_F/√T, trace norm", nuc);
    t.measure("single-task least squares", single);
    t.measure("oracle", oracle);
    t.measure("trace norm / single", nuc / single);
    t.measure("trace norm / oracle", nuc / oracle);
    t.require(
        nuc <= 0.65 * single,
        format!("trace norm {:.3} × single > 0.65", nuc / single),
    );
    t.require(
        nuc <= 1.5 * oracle,
        format!("trace norm {:.3} × oracle > 1.5", nuc / oracle),
    );
    t.finish(
        "T = 400, mean of 3 runs: frob_nuc ≤ 0.65·frob_single and ≤ 1.5·frob_oracle",
        "",
    )
}

fn tn2(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let nuc = over_tasks(runs, "sine_nuc");
    let mom = over_tasks(runs, "sine_mom");
    for ((tasks, n), m) in TASKS.iter().zip(&nuc).zip(&mom) {
        t.measure(format!("T = {tasks}: sine, trace norm"), *n);
        t.measure(format!("T = {tasks}: sine, method of moments"), *m);
        t.require(
            n < m,
            format!("T = {tasks}: trace norm {n:.3} ≥ method of moments {m:.3}"),
        );
    }
    let (at50, at400) = (nuc[1], nuc[4]);
    t.measure("sine(400)/sine(50), trace norm", at400 / at50);
    t.require(
        at400 <= 0.5 * at50,
        format!("sine(400) = {:.3} × sine(50) > 0.5", at400 / at50),
    );
    t.finish(
        "means of 3 runs: sine_nuc(400) ≤ 0.5·sine_nuc(50), and sine_nuc(T) < sine_mom(T) at every \
         T ∈ {25, 50, 100, 200, 400}",
        "",
    )
}

fn tn3(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let nuc = over_tasks(runs, "frob_nuc");
    for (tasks, v) in TASKS.iter().zip(&nuc) {
        t.measure(format!("T = {tasks}: frob, trace norm"), *v);
    }
    for (w, tasks) in nuc.windows(2).zip(TASKS.windows(2)) {
        t.require(
            w[1] <= 1.05 * w[0],
            format!(
                "frob_nuc rises from {:.3} at T = {} to {:.3} at T = {}",
                w[0], tasks[0], w[1], tasks[1]
            ),
        );
    }
    t.finish(
        "means of 3 runs: frob_nuc(T) ≤ 1.05·frob_nuc(T′) for consecutive T′ < T of the grid",
        "",
    )
}

fn tn4(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let oracle = over_tasks(runs, "frob_oracle");
    let reference = runs_at(runs, 25, 10)[0].get("oracle_reference");
    t.measure("σ·√(k/(m − k − 1))", reference);
    for (tasks, v) in TASKS.iter().zip(&oracle) {
        t.measure(format!("T = {tasks}: frob, oracle"), *v);
        t.require(
            (v / reference - 1.0).abs() <= 0.15,
            format!(
                "T = {tasks}: oracle {v:.3} is {:+.1} % off",
                100.0 * (v / reference - 1.0)
            ),
        );
    }
    t.finish(
        "means of 3 runs, every T of the grid: frob_oracle within ±15 % of σ·√(k/(m − k − 1)) = \
         0.707",
        "",
    )
}

fn tn5(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let mut single = Vec::new();
    let mut nuc = Vec::new();
    for m in M_GRID {
        let outs = runs_at(runs, M_SWEEP_TASKS, *m);
        single.push(mean(&outs, "frob_single"));
        nuc.push(mean(&outs, "frob_nuc"));
        t.measure(format!("m = {m}: frob, single"), *single.last().unwrap());
        t.measure(format!("m = {m}: frob, trace norm"), *nuc.last().unwrap());
    }
    let rising = single.windows(2).all(|w| w[1] <= w[0]);
    t.measure(
        "single falls (weakly) as m grows, every step (1 = yes)",
        f64::from(u8::from(rising)),
    );
    t.require(
        rising,
        "single-task error does not rise steadily as m falls below d",
    );
    for ((m, s), n) in M_GRID.iter().zip(&single).zip(&nuc) {
        t.require(n < s, format!("m = {m}: trace norm {n:.3} ≥ single {s:.3}"));
    }
    t.finish(
        "T = 200, means of 3 runs over m ∈ {5, …, 30}: frob_single non-increasing in m (rising \
         towards ‖w‖ ≈ √k as m falls below d), and frob_nuc below frob_single at every m",
        "Report only (the spec asks to calibrate before asserting). Measured: single-task least \
         squares is flat near √k ≈ 1.7 for m ≤ d/2 and blows up as m approaches d = 30 (minimum-norm \
         least squares on an almost square Gaussian system), so the 'rising steadily as m falls' \
         reading does not reproduce; the trace norm degrades gracefully (its error falls \
         monotonically in m).",
    )
}

/// The check list.
pub fn checks() -> Vec<Check<RunCache>> {
    vec![
        Check {
            id: "TN-1",
            claim: "Trace-norm regularisation beats single-task learning and comes close to the oracle.",
            kind: CheckKind::Hard,
            run: tn1,
        },
        Check {
            id: "TN-2",
            claim: "The trace-norm estimate recovers the shared subspace, better than the method of moments.",
            kind: CheckKind::Hard,
            run: tn2,
        },
        Check {
            id: "TN-3",
            claim: "More tasks help: the trace-norm error does not grow with T.",
            kind: CheckKind::Hard,
            run: tn3,
        },
        Check {
            id: "TN-4",
            claim: "Generator sanity: the oracle's error matches σ·√(k/(m − k − 1)).",
            kind: CheckKind::Hard,
            run: tn4,
        },
        Check {
            id: "TN-5",
            claim: "Single-task error rises as m falls below d while the trace norm degrades gracefully.",
            kind: CheckKind::ReportOnly,
            run: tn5,
        },
    ]
}

/// A verifier over all checks with an empty run cache.
pub fn verifier() -> Verifier<RunCache> {
    Verifier::new(
        checks(),
        RunCache::new(&SCHEMA, build::<super::TraceNormModel>),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints the calibration table of the module doc:
    /// `cargo test -p lemma --release boursier2022_trace_norm::checks -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn calibration_table() {
        let mut runs = RunCache::new(&SCHEMA, build::<super::super::TraceNormModel>);
        println!("| T | frob single | oracle | mom | nuc | sine single | mom | nuc | rank nuc |");
        for tasks in TASKS.iter().chain(&[800]) {
            let o = runs_at(&mut runs, *tasks, 10);
            println!(
                "| {tasks} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
                mean(&o, "frob_single"),
                mean(&o, "frob_oracle"),
                mean(&o, "frob_mom"),
                mean(&o, "frob_nuc"),
                mean(&o, "sine_single"),
                mean(&o, "sine_mom"),
                mean(&o, "sine_nuc"),
                mean(&o, "rank_nuc"),
            );
        }
        println!("m sweep, T = 200: | m | frob single | nuc | oracle |");
        for m in M_GRID {
            let o = runs_at(&mut runs, M_SWEEP_TASKS, *m);
            println!(
                "| {m} | {:.3} | {:.3} | {:.3} |",
                mean(&o, "frob_single"),
                mean(&o, "frob_nuc"),
                mean(&o, "frob_oracle")
            );
        }
    }
}
