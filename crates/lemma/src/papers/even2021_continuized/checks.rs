//! Checks CN-1 … CN-3 and GOSSIP-1 … GOSSIP-5 (`even2021_continuized.md` §6) on the spec's
//! browser-scale setups (§5): E1 with 50 runs on seeds 900 + r (d = 100, x0 = z0 = 1; strongly
//! convex h = linspace(10⁻³, 1) to t = 30·√κ = 949, convex h_i = i⁻² to t = 2000), E2 with 20
//! runs on seeds 55 + r (initial values N(0, 1), horizon 40/η, the derived η and γ′). Decay
//! rates are least-squares slopes of the mean log against time (E1) or activations (E2) over
//! the second half of the horizon at the recording times (`common.md` §3); E1's continuized
//! rate is per unit of continuous time, which is one expected event.
//!
//! **Re-calibration with the project's own RNG** (measured 2026-12-02 by `calibration_table`
//! below; thresholds are the spec's, the spec's prototype values in brackets):
//!
//! | check | observed | threshold |
//! |---|---|---|
//! | CN-1 | κ = 10³: decay 5.91e-2 (5.92e-2) per unit time, Nesterov 6.15e-2 (6.15e-2), GD 2.00e-3 (2.00e-3), √(μ/L) 3.16e-2: ratio 0.961 (0.96), 29.5× GD (30×) | ≥ √(μ/L); in [0.8, 1.25]; ≥ 10× |
//! | CN-2 | E f(x_t) − f* over 2L‖z0 − x*‖²/t² at t = 10, 30, 100, 300, 1000, 2000: 0.036, 0.102, 0.192, 0.037, 0.012, 0.006 (0.042, 0.10, 0.19, 0.038, 0.013, 0.006) | ≤ 0.5 each |
//! | CN-3 | mean T_k/k at k = 10, 100, 1000: 1.0087, 0.9968, 0.9909 (tolerances 0.134, 0.042, 0.013) | 1 ± 3/√(k·runs) |
//! | GOSSIP-1 | cycle 40: std 6.16e-4 (6.18e-4), acc 4.84e-3 (4.96e-3), η 2.81e-3: acc/std 7.85 (8.0); √(χ₁/χ₂) = 9.13 | ≥ 4; acc ≥ η |
//! | GOSSIP-2 | acc/std 15.47 (16.1) at n = 80 over 7.85 at n = 40: 1.97 (2.0) | ≥ 1.5 |
//! | GOSSIP-3 | exponents over n ∈ {20, 40, 80}: accelerated −1.962 (−1.95), standard −2.983 (−3.0) | [−2.4, −1.6]; [−3.4, −2.6] |
//! | GOSSIP-4 | grid 100: std 5.42e-4 (5.42e-4), acc 2.69e-3 (2.71e-3): 4.96 (5.0) | ≥ 3 |
//! | GOSSIP-5 | largest drift of the mean, cycle 40 and grid 100, both algorithms: 3.3e-16 (4.4e-16) | < 1e-9 |
//!
//! The spec's §5 tables with this project's RNG (E1 κ = 10⁴: decay 1.84e-2 (1.86e-2), Nesterov
//! 1.92e-2 (1.92e-2), GD 2.00e-4: ratio 0.959, 92× GD):
//!
//! | graph | n | λ₂ | χ₂ | η (predicted) | standard rate | accelerated rate | acc/std |
//! |---|---|---|---|---|---|---|---|
//! | cycle | 20 | 4.89e-3 | 9.5 | 1.14e-2 | 4.86e-3 (4.95e-3) | 1.82e-2 (1.86e-2) | 3.75 (3.8) |
//! | cycle | 40 | 6.16e-4 | 19.5 | 2.81e-3 | 6.16e-4 (6.18e-4) | 4.84e-3 (4.96e-3) | 7.85 (8.0) |
//! | cycle | 80 | 7.71e-5 | 39.5 | 6.98e-4 | 7.76e-5 (7.73e-5) | 1.20e-3 (1.25e-3) | 15.5 (16.1) |
//! | grid | 36 | 4.47e-3 | 20.9 | 7.30e-3 | 4.51e-3 (4.40e-3) | 1.29e-2 (1.25e-2) | 2.86 (2.9) |
//! | grid | 100 | 5.44e-4 | 62.8 | 1.47e-3 | 5.43e-4 (5.42e-4) | 2.69e-3 (2.71e-3) | 4.96 (5.0) |
//! | grid | 196 | 1.38e-4 | 127 | 5.21e-4 | 1.38e-4 (1.37e-4) | 9.72e-4 (9.78e-4) | 7.05 (7.1) |
//!
//! The spectral constants are exact (cycle: χ₂ = (n − 1)/2). Both η and γ′ × √2 diverge on the
//! cycle of 40 (at activation 4757, spec §3.4 [calibrated]); × 1.2 still converges (3.0e-3).
//! The thresholds are the spec's; the slack is ≥ 25 % everywhere (the smallest: GOSSIP-2,
//! 1.97 against 1.5). The rates of randomized gossip come out at λ₂ per activation. All the
//! checks' runs take about 0.9 s natively (debug build), E1 50 × 100 coordinates over ≤ 2000
//! events, E2 at most 57 300 activations × 20 runs.

use super::config::SCHEMA;
use super::experiment::{CHECKPOINTS, CLOCK_EVENTS};
use crate::experiment::build;
use crate::series::log_log_slope;
use crate::verify::{Check, CheckKind, Evaluation, RunCache, RunOutcome, Tally, Verifier};

/// Seed of E1 (its runs are 900 + r).
pub const E1_SEED: u64 = 900;
/// Seed of E2 (its runs are 55 + r).
pub const E2_SEED: u64 = 55;
/// E1, strongly convex, κ = 10³ (the defaults).
pub const STRONG: &[(&str, &str)] = &[("experiment", "e1"), ("objective", "strong")];
/// E1, convex.
pub const CONVEX: &[(&str, &str)] = &[("experiment", "e1"), ("objective", "convex")];
/// The cycle sizes of GOSSIP-2 and GOSSIP-3.
pub const CYCLE_NS: [&str; 3] = ["20", "40", "80"];

fn gossip(runs: &mut RunCache, graph: &str, n: &str) -> RunOutcome {
    runs.get(E2_SEED, &[("experiment", "e2"), ("graph", graph), ("n", n)])
}

/// Marks the check not applicable when a run diverged (the rates are stated for stable runs).
fn stable(t: &mut Tally, what: &str, o: &RunOutcome) -> bool {
    match o.diverged_at {
        Some(step) => {
            t.not_applicable(format!("{what}: diverged at step {step}"));
            false
        }
        None => true,
    }
}

fn cn1(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let o = runs.get(E1_SEED, STRONG);
    if stable(&mut t, "E1 strongly convex", &o) {
        let (c, n, g, q) = (
            o.get("decay_cont"),
            o.get("decay_nesterov"),
            o.get("decay_gd"),
            o.get("sqrt_q"),
        );
        t.measure("continuized decay per unit time", c);
        t.measure("Nesterov decay per iteration", n);
        t.measure("GD decay per iteration", g);
        t.measure("√(μ/L)", q);
        t.measure("continuized / Nesterov", c / n);
        t.measure("continuized / GD", c / g);
        t.require(
            c >= q,
            format!("continuized decay {c:.3e} < √(μ/L) = {q:.3e}"),
        );
        t.require(
            (0.8..=1.25).contains(&(c / n)),
            format!("ratio to Nesterov {:.3} outside [0.8, 1.25]", c / n),
        );
        t.require(c >= 10.0 * g, format!("only {:.2}× GD's decay", c / g));
    }
    t.finish(
        "κ = 10³, 50 runs: fitted decay of the mean log(f − f*) over the second half ≥ √(μ/L); \
         its ratio to Nesterov's decay in [0.8, 1.25]; ≥ 10× gradient descent's",
        "",
    )
}

fn cn2(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let o = runs.get(E1_SEED, CONVEX);
    if stable(&mut t, "E1 convex", &o) {
        for c in CHECKPOINTS {
            let r = o.get(&format!("bound_ratio_t{c}"));
            t.measure(format!("E f(x_t) − f* over 2L‖z0 − x*‖²/t² at t = {c}"), r);
            t.require(
                r <= 0.5,
                format!("t = {c}: ratio {r:.3} > 0.5 (or missing)"),
            );
        }
    }
    t.finish(
        "convex, 50 runs: E f(x_t) − f* ≤ 0.5 × 2L‖z0 − x*‖²/t² at t ∈ {10, 30, 100, 300, 1000, \
         2000} (the theorem says ≤ 1)",
        "",
    )
}

fn cn3(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let o = runs.get(E1_SEED, CONVEX);
    let n_runs = 50.0;
    for k in CLOCK_EVENTS {
        let r = o.get(&format!("clock_ratio_k{k}"));
        let tol = 3.0 / (k as f64 * n_runs).sqrt();
        t.measure(format!("mean T_k/k at k = {k}"), r);
        t.measure(format!("3/√(k·runs) at k = {k}"), tol);
        t.require(
            (r - 1.0).abs() <= tol,
            format!("k = {k}: |T_k/k − 1| = {:.3e} > {tol:.3e}", (r - 1.0).abs()),
        );
    }
    t.finish(
        "convex run, 50 runs: the mean of T_k/k over runs is within 1 ± 3/√(k·runs) at \
         k = 10, 100, 1000",
        "",
    )
}

fn gossip1(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let o = gossip(runs, "cycle", "40");
    if stable(&mut t, "cycle n = 40", &o) {
        let (s, acc, eta) = (o.get("speedup"), o.get("rate_acc"), o.get("eta_pred"));
        t.measure("standard rate per activation", o.get("rate_std"));
        t.measure("accelerated rate per activation", acc);
        t.measure("η predicted", eta);
        t.measure("acc/std", s);
        t.measure("√(χ₁/χ₂)", o.get("predicted_speedup"));
        t.require(s >= 4.0, format!("speedup {s:.2} < 4"));
        t.require(
            acc >= eta,
            format!("accelerated rate {acc:.3e} < η = {eta:.3e}"),
        );
    }
    t.finish(
        "cycle, n = 40, 20 runs: accelerated/standard rate ≥ 4 and the accelerated rate ≥ η",
        "",
    )
}

fn gossip2(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let (a, b) = (gossip(runs, "cycle", "40"), gossip(runs, "cycle", "80"));
    if stable(&mut t, "cycle n = 40", &a) & stable(&mut t, "cycle n = 80", &b) {
        let (sa, sb) = (a.get("speedup"), b.get("speedup"));
        t.measure("acc/std at n = 40", sa);
        t.measure("acc/std at n = 80", sb);
        t.measure("growth", sb / sa);
        t.require(sb / sa >= 1.5, format!("growth {:.3} < 1.5", sb / sa));
    }
    t.finish(
        "cycle, 20 runs: (acc/std at n = 80) / (acc/std at n = 40) ≥ 1.5",
        "",
    )
}

fn gossip3(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let outs: Vec<RunOutcome> = CYCLE_NS.iter().map(|n| gossip(runs, "cycle", n)).collect();
    let mut ok = true;
    for (n, o) in CYCLE_NS.iter().zip(&outs) {
        ok &= stable(&mut t, &format!("cycle n = {n}"), o);
    }
    if ok {
        let ns: Vec<f64> = outs.iter().map(|o| o.get("n")).collect();
        let fit = |name: &str| {
            let y: Vec<f64> = outs.iter().map(|o| o.get(name)).collect();
            log_log_slope(&ns, &y, 0.0, f64::INFINITY).unwrap_or(f64::NAN)
        };
        let (acc, std) = (fit("rate_acc"), fit("rate_std"));
        t.measure("exponent of the accelerated rate in n", acc);
        t.measure("exponent of the standard rate in n", std);
        t.require(
            (-2.4..=-1.6).contains(&acc),
            format!("accelerated exponent {acc:.3} outside [−2.4, −1.6]"),
        );
        t.require(
            (-3.4..=-2.6).contains(&std),
            format!("standard exponent {std:.3} outside [−3.4, −2.6]"),
        );
    }
    t.finish(
        "cycle, n ∈ {20, 40, 80}, 20 runs: the fitted log–log exponent of the accelerated rate \
         in [−2.4, −1.6], of the standard rate in [−3.4, −2.6]",
        "",
    )
}

fn gossip4(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    let o = gossip(runs, "grid", "100");
    if stable(&mut t, "grid n = 100", &o) {
        let s = o.get("speedup");
        t.measure("standard rate", o.get("rate_std"));
        t.measure("accelerated rate", o.get("rate_acc"));
        t.measure("acc/std", s);
        t.require(s >= 3.0, format!("speedup {s:.2} < 3"));
    }
    t.finish("10 × 10 grid, 20 runs: accelerated/standard rate ≥ 3", "")
}

fn gossip5(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for (graph, n) in [("cycle", "40"), ("grid", "100")] {
        let o = gossip(runs, graph, n);
        for (algo, key) in [("standard", "drift_std"), ("accelerated", "drift_acc")] {
            let d = o.get(key);
            t.measure(
                format!("{graph} n = {n}, {algo}: max |mean x(t) − mean x(0)|"),
                d,
            );
            t.require(d < 1e-9, format!("{graph} {algo}: drift {d:.3e} ≥ 1e-9"));
        }
    }
    t.finish(
        "cycle n = 40 and grid n = 100, every run at every recording time: |mean x(t) − mean \
         x(0)| < 1e-9 for both algorithms (accelerated: every node flowed to t)",
        "",
    )
}

/// The check list.
pub fn checks() -> Vec<Check<RunCache>> {
    vec![
        Check {
            id: "CN-1",
            claim: "Continuized Nesterov converges at Nesterov's accelerated rate, far faster than gradient descent (strongly convex).",
            kind: CheckKind::Hard,
            run: cn1,
        },
        Check {
            id: "CN-2",
            claim: "Convex case: E f(x_t) − f* ≤ 2L‖z0 − x*‖²/t² at deterministic times.",
            kind: CheckKind::Hard,
            run: cn2,
        },
        Check {
            id: "CN-3",
            claim: "Sanity: the Poisson clock has E[T_k] = k.",
            kind: CheckKind::Hard,
            run: cn3,
        },
        Check {
            id: "GOSSIP-1",
            claim: "Accelerated gossip beats randomized gossip on a cycle, at least at the predicted rate η.",
            kind: CheckKind::Hard,
            run: gossip1,
        },
        Check {
            id: "GOSSIP-2",
            claim: "The speedup grows with the size of the cycle.",
            kind: CheckKind::Hard,
            run: gossip2,
        },
        Check {
            id: "GOSSIP-3",
            claim: "On a cycle the rate goes from about n⁻³ (randomized) to n⁻² (accelerated).",
            kind: CheckKind::Hard,
            run: gossip3,
        },
        Check {
            id: "GOSSIP-4",
            claim: "Accelerated gossip beats randomized gossip on a 2-D grid.",
            kind: CheckKind::Hard,
            run: gossip4,
        },
        Check {
            id: "GOSSIP-5",
            claim: "Both gossip algorithms conserve the mean.",
            kind: CheckKind::Hard,
            run: gossip5,
        },
    ]
}

/// A verifier over all checks with an empty run cache.
pub fn verifier() -> Verifier<RunCache> {
    Verifier::new(
        checks(),
        RunCache::new(&SCHEMA, build::<super::ContinuizedModel>),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints the calibration table of the module doc (spec §5 with this project's RNG):
    /// `cargo test -p lemma --release even2021_continuized::checks -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn calibration_table() {
        let mut runs = RunCache::new(&SCHEMA, build::<super::super::ContinuizedModel>);
        for kappa in ["1000", "10000"] {
            let o = runs.get(E1_SEED, &[("experiment", "e1"), ("kappa", kappa)]);
            println!(
                "κ = {kappa}: decay cont {:.3e}, Nesterov {:.3e}, GD {:.3e}, √q {:.3e}, ratios {:.3} / {:.1}",
                o.get("decay_cont"),
                o.get("decay_nesterov"),
                o.get("decay_gd"),
                o.get("sqrt_q"),
                o.get("ratio_to_nesterov"),
                o.get("ratio_to_gd")
            );
        }
        let o = runs.get(E1_SEED, CONVEX);
        let ratios: Vec<String> = CHECKPOINTS
            .iter()
            .map(|c| format!("{:.3}", o.get(&format!("bound_ratio_t{c}"))))
            .collect();
        println!(
            "convex bound ratios at {CHECKPOINTS:?}: {}",
            ratios.join(", ")
        );
        let clocks: Vec<String> = CLOCK_EVENTS
            .iter()
            .map(|k| format!("{:.4}", o.get(&format!("clock_ratio_k{k}"))))
            .collect();
        println!("T_k/k at {CLOCK_EVENTS:?}: {}", clocks.join(", "));
        println!("| graph | n | λ₂ | χ₂ | η | std | acc | acc/std | drift std / acc |");
        for (graph, n) in [
            ("cycle", "20"),
            ("cycle", "40"),
            ("cycle", "80"),
            ("grid", "36"),
            ("grid", "100"),
            ("grid", "196"),
        ] {
            let o = gossip(&mut runs, graph, n);
            println!(
                "| {graph} | {n} | {:.3e} | {:.3} | {:.3e} | {:.3e} | {:.3e} | {:.2} | {:.1e} / {:.1e} |",
                o.get("lambda2"),
                o.get("chi2"),
                o.get("eta_pred"),
                o.get("rate_std"),
                o.get("rate_acc"),
                o.get("speedup"),
                o.get("drift_std"),
                o.get("drift_acc")
            );
        }
        for (e, g) in [("1.4142135623730951", "1.4142135623730951"), ("1.2", "1.2")] {
            let o = runs.get(
                E2_SEED,
                &[
                    ("experiment", "e2"),
                    ("n", "40"),
                    ("eta_mult", e),
                    ("gamma_mult", g),
                ],
            );
            println!(
                "cycle 40, η and γ′ × {e}: diverged at {:?}, rate_acc {:.3e}",
                o.diverged_at,
                o.get("rate_acc")
            );
        }
    }
}
