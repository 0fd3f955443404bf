//! Checks ACSGD-1 … ACSGD-5 (`varre2022_accel_sgd.md` §6) on the spec's browser-scale setup (§5):
//! d = 50, H = diag(i⁻²), θ* = 1, β = γ = 1/(2R²), α = β/d, 10 runs. The last-iterate and
//! averaged-SGD runs use seeds 1000 + r, the linearly averaged AcSGD runs and the variance-only
//! runs seeds 5 + r (r = 0 … 9). Curves are Monte-Carlo means over the 10 runs; slopes are
//! least-squares fits of ln(mean) on ln t over the recorded points of the window (`common.md`
//! §3). One run gives every output of its sequence, so "AcSGD last" and "AcSGD lin-avg" on one
//! seed are one run.
//!
//! **Re-calibration with the project's own RNG** (measured 2026-12-02 by `calibration_table`
//! below; thresholds are the spec's, the spec's prototype values in brackets):
//!
//! | check | observed, 10-run means | threshold |
//! |---|---|---|
//! | ACSGD-1 | slope over [300, 3000]: AcSGD last −2.09 (−1.83), averaged SGD −0.652 (−0.64); AcSGD lin-avg −1.92 | ≤ −1.6; ≥ −1.0 |
//! | ACSGD-2 | t = 3162: AcSGD last 3.42e-4 (3.0e-4), lin-avg 2.69e-4 (2.7e-4), averaged SGD 1.43e-2 (1.4e-2): ratios 0.024, 0.019 | both ≤ 0.05 |
//! | ACSGD-3 | every run blows past 10⁸·f(θ0) and stops, at steps 343 … 496 (6.7e26 at t = 1000) | diverged, or f(x_1000) > 10³·f(θ0) |
//! | ACSGD-4 | lin-avg f(x̂_{10⁵}) = 7.77e-4 (7.7e-4) = 3.11·σ²d/(2t); slope over [10⁴, 10⁵] −0.949 (−0.93) | ≤ 6·σ²d/(2t); in [−1.3, −0.7] |
//! | ACSGD-5 | last iterate 0.624 (≈ 0.6) at t = 10⁵ | ≥ 0.05 (report only) |
//!
//! The spec's §5 table, noiseless (σ = 0), mean excess risk of 10 runs, each run to horizon t:
//!
//! | t | AcSGD last | AcSGD lin-avg | averaged SGD | SGD last | Nesterov (α = β) |
//! |---|---|---|---|---|---|
//! | 316 | 3.32e-2 (3.2e-2) | 4.37e-2 (4.4e-2) | 6.61e-2 (6.5e-2) | 4.37e-2 (4.3e-2) | 5.2e5 (2.4e6) |
//! | 1000 | 6.63e-3 (5.9e-3) | 9.64e-3 (9.8e-3) | 3.22e-2 (3.2e-2) | 1.94e-2 (1.9e-2) | diverged at 343 … 496 (6.7e26) |
//! | 3162 | 3.42e-4 (3.0e-4) | 2.69e-4 (2.7e-4) | 1.43e-2 (1.4e-2) | 6.95e-3 (7.0e-3) | diverged (∞) |
//! | 10⁴ | 2.20e-5 (2.5e-5) | 1.84e-6 (1.9e-6) | 4.87e-3 (4.8e-3) | 1.35e-3 (1.4e-3) | diverged (∞) |
//!
//! Slopes over [10³, 10⁴]: AcSGD last −2.41 (−2.30), lin-avg −4.02 (the finite-d strong convexity,
//! μ = 1/2500, takes over), averaged SGD −0.81 (−0.87). Variance only (σ = 1, θ0 = θ*, seeds
//! 5 + r): AcSGD lin-avg 6.58e-3 at t = 10 116 (6.5e-3 at 10⁴), uniform average 5.0e-4 and tail
//! average 1.15e-3 at 10⁵; averaged SGD 2.75e-4 (2.45e-4), slope −0.72; SGD's last iterate 6.0e-2.
//!
//! The spec's setting is kept whole (10 runs, horizon 10⁵ for the variance checks): each step is
//! O(d) (diagonal H, the bias and variance parts on the same d + 1 normal draws), 1.1·10⁶ steps in
//! all, about 1.7 s natively and 5 s in the page's Worker (wasm, one thread). The slack is ≥ 2×
//! everywhere except ACSGD-1's AcSGD slope (−2.09 against −1.6, 23 %).

use super::config::SCHEMA;
use crate::experiment::build;
use crate::series::{Series, log_log_slope};
use crate::verify::{Check, CheckKind, Evaluation, RunCache, RunOutcome, Tally, Verifier};

/// Monte-Carlo runs per configuration.
pub const RUNS: u64 = 10;
/// Seeds 1000 + r: the last-iterate columns, averaged SGD and Nesterov.
pub const LAST_SEEDS: u64 = 1000;
/// Seeds 5 + r: the linearly averaged AcSGD column and the variance-only runs.
pub const AVERAGE_SEEDS: u64 = 5;
/// Noiseless runs (bias only), to the horizon of ACSGD-2.
pub const NOISELESS: &[(&str, &str)] = &[("sigma", "0"), ("steps", "3162")];
/// Variance-only runs: σ = 1, θ0 = θ*, horizon 10⁵.
pub const VARIANCE: &[(&str, &str)] = &[("sigma", "1"), ("init_dist", "0"), ("steps", "100000")];
/// Nesterov's runs (ACSGD-3): noiseless, horizon 1000.
pub const NESTEROV: &[(&str, &str)] = &[("algo", "agd"), ("sigma", "0"), ("steps", "1000")];

fn seeds(base: u64) -> impl Iterator<Item = u64> {
    (0..RUNS).map(move |r| base + r)
}

/// The runs of `algo` in `setting` on seeds `base + r`.
fn runs_of(
    runs: &mut RunCache,
    base: u64,
    setting: &[(&str, &str)],
    algo: &str,
) -> Vec<RunOutcome> {
    let overrides: Vec<(&str, &str)> = setting.iter().copied().chain([("algo", algo)]).collect();
    seeds(base).map(|s| runs.get(s, &overrides)).collect()
}

/// Marks the check not applicable when a run diverged (the rates are stated for stable runs);
/// returns whether every run is usable.
fn stable(t: &mut Tally, what: &str, base: u64, outs: &[RunOutcome]) -> bool {
    let mut ok = true;
    for (s, o) in seeds(base).zip(outs) {
        if let Some(step) = o.diverged_at {
            t.not_applicable(format!("{what}, seed {s}: diverged at step {step}"));
            ok = false;
        }
    }
    ok
}

/// The Monte-Carlo mean of the curve `name` over `outs`.
fn mean_curve(outs: &[RunOutcome], name: &str) -> Option<Series> {
    let curves: Option<Vec<&Series>> = outs.iter().map(|o| o.series(name)).collect();
    Series::mean(name, &curves?)
}

/// The Monte-Carlo mean of the final metric `name` over `outs`.
fn mean_final(outs: &[RunOutcome], name: &str) -> f64 {
    outs.iter().map(|o| o.get(name)).sum::<f64>() / outs.len() as f64
}

/// The fitted slope of the mean curve `name` over `[lo, hi]` (NaN when there is none).
fn slope(outs: &[RunOutcome], name: &str, lo: f64, hi: f64) -> f64 {
    mean_curve(outs, name)
        .and_then(|m| log_log_slope(&m.x, &m.y, lo, hi))
        .unwrap_or(f64::NAN)
}

fn acsgd1(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let acc = runs_of(runs, LAST_SEEDS, NOISELESS, "acsgd");
    let av = runs_of(runs, LAST_SEEDS, NOISELESS, "avsgd");
    let lin = runs_of(runs, AVERAGE_SEEDS, NOISELESS, "acsgd");
    if stable(&mut t, "AcSGD", LAST_SEEDS, &acc)
        & stable(&mut t, "averaged SGD", LAST_SEEDS, &av)
        & stable(&mut t, "AcSGD (seeds 5 + r)", AVERAGE_SEEDS, &lin)
    {
        let s_acc = slope(&acc, "risk_last", 300.0, 3000.0);
        let s_av = slope(&av, "risk_uniform", 300.0, 3000.0);
        t.measure("AcSGD last iterate: slope over [300, 3000]", s_acc);
        t.measure("averaged SGD: slope over [300, 3000]", s_av);
        t.measure(
            "AcSGD linear average (seeds 5 + r): slope over [300, 3000]",
            slope(&lin, "risk_linear", 300.0, 3000.0),
        );
        t.require(s_acc <= -1.6, format!("AcSGD slope {s_acc:.3} > −1.6"));
        t.require(s_av >= -1.0, format!("averaged SGD slope {s_av:.3} < −1.0"));
    }
    t.finish(
        "σ = 0, mean of 10 runs: fitted log–log slope over t ∈ [300, 3000] ≤ −1.6 for AcSGD's last \
         iterate and ≥ −1.0 for averaged SGD",
        "",
    )
}

fn acsgd2(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let acc = runs_of(runs, LAST_SEEDS, NOISELESS, "acsgd");
    let av = runs_of(runs, LAST_SEEDS, NOISELESS, "avsgd");
    let lin = runs_of(runs, AVERAGE_SEEDS, NOISELESS, "acsgd");
    if stable(&mut t, "AcSGD", LAST_SEEDS, &acc)
        & stable(&mut t, "averaged SGD", LAST_SEEDS, &av)
        & stable(&mut t, "AcSGD (seeds 5 + r)", AVERAGE_SEEDS, &lin)
    {
        let (last, linear) = (
            mean_final(&acc, "risk_last"),
            mean_final(&lin, "risk_linear"),
        );
        let averaged = mean_final(&av, "risk_uniform");
        t.measure("AcSGD last iterate: mean f(x_t) − f* at t = 3162", last);
        t.measure(
            "AcSGD linear average (seeds 5 + r): mean at t = 3162",
            linear,
        );
        t.measure("averaged SGD: mean at t = 3162", averaged);
        t.measure("last / averaged SGD", last / averaged);
        t.measure("linear average / averaged SGD", linear / averaged);
        t.require(
            last <= 0.05 * averaged,
            format!("last iterate {:.3} × averaged SGD > 0.05", last / averaged),
        );
        t.require(
            linear <= 0.05 * averaged,
            format!(
                "linear average {:.3} × averaged SGD > 0.05",
                linear / averaged
            ),
        );
    }
    t.finish(
        "σ = 0, t = 3162, means of 10 runs: AcSGD's last iterate and its linear average are both \
         ≤ 0.05 × averaged SGD",
        "",
    )
}

fn acsgd3(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in seeds(LAST_SEEDS) {
        let o = runs.get(s, NESTEROV);
        match o.diverged_at {
            Some(step) => t.measure(format!("seed {s}: diverged at step"), step as f64),
            None => {
                let ratio = o.get("risk_last") / o.get("risk_initial");
                t.measure(format!("seed {s}: f(x_1000)/f(θ0)"), ratio);
                t.require(
                    ratio.is_nan() || ratio > 1e3,
                    format!("seed {s}: f(x_1000) = {ratio:.3e}·f(θ0) ≤ 10³·f(θ0)"),
                );
            }
        }
    }
    t.finish(
        "σ = 0, every run (seeds 1000 … 1009): stochastic Nesterov (α = β) has f(x_1000) − f* > \
         10³·(f(θ0) − f*), is non-finite, or diverged before (risk above 10⁸ × the initial one)",
        "Divergence is the claim here: a diverged run passes. The run stops when the risk exceeds \
         10⁸ × the initial risk (experiment::divergence), so it never reaches t = 1000 with \
         non-finite values.",
    )
}

/// The variance-only AcSGD runs (seeds 5 + r), or `None` (not applicable) if one diverged.
fn variance_runs(t: &mut Tally, runs: &mut RunCache) -> Option<Vec<RunOutcome>> {
    let outs = runs_of(runs, AVERAGE_SEEDS, VARIANCE, "acsgd");
    stable(t, "AcSGD", AVERAGE_SEEDS, &outs).then_some(outs)
}

fn acsgd4(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    if let Some(outs) = variance_runs(&mut t, runs) {
        let (f, reference) = (
            mean_final(&outs, "risk_linear"),
            outs[0].get("variance_reference"),
        );
        let s = slope(&outs, "risk_linear", 1e4, 1e5);
        t.measure("AcSGD linear average: mean f(x̂_t) − f* at t = 10⁵", f);
        t.measure("σ²d/(2t) at t = 10⁵", reference);
        t.measure("ratio to σ²d/(2t)", f / reference);
        t.measure("slope over [10⁴, 10⁵]", s);
        t.require(
            f <= 6.0 * reference,
            format!("{f:.3e} > 6·σ²d/(2t) = {:.3e}", 6.0 * reference),
        );
        t.require(
            (-1.3..=-0.7).contains(&s),
            format!("slope {s:.3} outside [−1.3, −0.7]"),
        );
    }
    t.finish(
        "σ = 1, θ0 = θ*, mean of 10 runs: AcSGD's linear average has f(x̂_t) − f* ≤ 6·σ²d/(2t) at \
         t = 10⁵ and a fitted slope in [−1.3, −0.7] over [10⁴, 10⁵]",
        "",
    )
}

fn acsgd5(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    if let Some(outs) = variance_runs(&mut t, runs) {
        let f = mean_final(&outs, "risk_last");
        t.measure("AcSGD last iterate: mean f(x_t) − f* at t = 10⁵", f);
        t.require(
            f >= 0.05,
            format!("{f:.3e} < 0.05: the noise floor is gone"),
        );
    }
    t.finish(
        "σ = 1, θ0 = θ*, mean of 10 runs: the last iterate of the recursion with a constant α stays \
         ≥ 0.05 at t = 10⁵",
        "Report only: a fidelity diagnostic, not a claim of the paper. It marks which recursion is \
         implemented (the reconstructed three-sequence form with constant steps, whose last \
         iterate keeps a noise floor); it should flip if the paper's Algorithm 1 and its \
         last-iterate theorem are implemented.",
    )
}

/// The check list.
pub fn checks() -> Vec<Check<RunCache>> {
    vec![
        Check {
            id: "ACSGD-1",
            claim: "AcSGD forgets the initial condition at the accelerated rate (slope ≈ −2); averaged SGD only at ≈ −1.",
            kind: CheckKind::Hard,
            run: acsgd1,
        },
        Check {
            id: "ACSGD-2",
            claim: "Without noise, AcSGD is far below averaged SGD at a fixed horizon.",
            kind: CheckKind::Hard,
            run: acsgd2,
        },
        Check {
            id: "ACSGD-3",
            claim: "Plain stochastic acceleration (α = β) diverges with one sample per step.",
            kind: CheckKind::Hard,
            run: acsgd3,
        },
        Check {
            id: "ACSGD-4",
            claim: "AcSGD's averaged iterate keeps the optimal noise term ∝ σ²d/t.",
            kind: CheckKind::Hard,
            run: acsgd4,
        },
        Check {
            id: "ACSGD-5",
            claim: "Fidelity diagnostic: the constant-step last iterate keeps a noise floor.",
            kind: CheckKind::ReportOnly,
            run: acsgd5,
        },
    ]
}

/// A verifier over all checks with an empty run cache.
pub fn verifier() -> Verifier<RunCache> {
    Verifier::new(checks(), RunCache::new(&SCHEMA, build::<super::AcsgdModel>))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints the calibration table of the module doc (spec §5 with this project's RNG):
    /// `cargo test -p lemma --release varre2022_accel_sgd::checks -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn calibration_table() {
        let mut runs = RunCache::new(&SCHEMA, build::<super::super::AcsgdModel>);
        println!("noiseless, mean of 10 runs:");
        println!("| t | AcSGD last | AcSGD lin-avg | AvSGD | SGD last | AGD (α = β) |");
        for steps in ["316", "1000", "3162", "10000"] {
            let set = [("sigma", "0"), ("steps", steps)];
            let acc = runs_of(&mut runs, LAST_SEEDS, &set, "acsgd");
            let lin = runs_of(&mut runs, AVERAGE_SEEDS, &set, "acsgd");
            let av = runs_of(&mut runs, LAST_SEEDS, &set, "avsgd");
            let agd = runs_of(&mut runs, LAST_SEEDS, &set, "agd");
            let agd_text = if agd.iter().any(|o| o.diverged_at.is_some()) {
                let steps: Vec<String> = agd
                    .iter()
                    .map(|o| o.diverged_at.map_or("-".into(), |s| s.to_string()))
                    .collect();
                format!("diverged at {}", steps.join(","))
            } else {
                format!("{:.2e}", mean_final(&agd, "risk_last"))
            };
            println!(
                "| {steps} | {:.2e} | {:.2e} | {:.2e} | {:.2e} | {agd_text} |",
                mean_final(&acc, "risk_last"),
                mean_final(&lin, "risk_linear"),
                mean_final(&av, "risk_uniform"),
                mean_final(&av, "risk_last"),
            );
        }
        let set = [("sigma", "0"), ("steps", "10000")];
        let acc = runs_of(&mut runs, LAST_SEEDS, &set, "acsgd");
        let lin = runs_of(&mut runs, AVERAGE_SEEDS, &set, "acsgd");
        let av = runs_of(&mut runs, LAST_SEEDS, &set, "avsgd");
        for (lo, hi) in [(300.0, 3000.0), (1e3, 1e4)] {
            println!(
                "slopes over [{lo}, {hi}]: AcSGD last {:.3}, lin-avg {:.3}, AvSGD {:.3}",
                slope(&acc, "risk_last", lo, hi),
                slope(&lin, "risk_linear", lo, hi),
                slope(&av, "risk_uniform", lo, hi)
            );
        }
        let acc = runs_of(&mut runs, AVERAGE_SEEDS, VARIANCE, "acsgd");
        let av = runs_of(&mut runs, AVERAGE_SEEDS, VARIANCE, "avsgd");
        let at = |outs: &[RunOutcome], name: &str, x: f64| {
            let m = mean_curve(outs, name).unwrap();
            let i = m.x.iter().position(|v| *v >= x).unwrap();
            (m.x[i], m.y[i])
        };
        println!("variance only (σ = 1, θ0 = θ*), mean of 10 runs (seeds 5 + r):");
        println!(
            "AcSGD lin-avg at t≈1e4 {:?}, at 1e5 {:.3e}, slope [1e4, 1e5] {:.3}; last iterate {:.3e}; \
             uniform {:.3e}; tail {:.3e}",
            at(&acc, "risk_linear", 1e4),
            mean_final(&acc, "risk_linear"),
            slope(&acc, "risk_linear", 1e4, 1e5),
            mean_final(&acc, "risk_last"),
            mean_final(&acc, "risk_uniform"),
            mean_final(&acc, "risk_tail"),
        );
        println!(
            "AvSGD at 1e5 {:.3e}, slope [1e4, 1e5] {:.3}; SGD last {:.3e}; σ²d/(2t) {:.3e}",
            mean_final(&av, "risk_uniform"),
            slope(&av, "risk_uniform", 1e4, 1e5),
            mean_final(&av, "risk_last"),
            acc[0].get("variance_reference"),
        );
    }
}
