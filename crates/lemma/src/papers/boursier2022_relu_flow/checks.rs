//! Checks ReLU-0 … ReLU-5 (`boursier2022_relu_flow.md` §6): ReLU-ortho setup (n = d = 6,
//! y = (1, 1, 1, −0.5, −0.5, −0.5), m = 64, η = 0.02, T = 1.6·τ_slow + 20), seeds 0–4, λ = 1e-6
//! unless stated. Half-drop times: t_fast is the first time the loss is ≤ (L₀ + L_mid)/2, t_slow
//! the first time it is ≤ L_mid/2.
//!
//! **Re-calibration with the project's own RNG** (measured 2026-11-27; thresholds are the spec's):
//!
//! | check | observed, seeds 0–4 | threshold |
//! |---|---|---|
//! | ReLU-0 | covering neurons 2 … 6 (+), 3 … 5 (−) | ≥ 1 per sign |
//! | ReLU-1 | final loss 7e-18 … 3.5e-15; balancedness ≤ 3.2e-8 | ≤ 1e-10; ≤ 1e-4 |
//! | ReLU-2 | mid loss/L_mid 0.993 … 0.997; t_fast/τ 0.926 … 0.986; t_slow/τ 0.921 … 0.962; ratio 1.87 … 2.05 | ±3 %; [0.85, 1.05]; [1.75, 2.25] |
//! | ReLU-3 | min cos of covering neurons at ½τ: 1.0000 (to 4 decimals) | ≥ 0.9999 |
//! | ReLU-4 | V/V* at λ = 1e-2, 1e-4, 1e-6, 1e-8: 1.07–1.11, 1.012–1.024, 1.0022–1.0047, 1.0004–1.0009 | ≤ 1.02 at 1e-6, monotone |
//! | ReLU-5 | V/V* at λ = 0.3: 2.38 … 2.65; time near L_mid 0.18–0.24 vs 29–35 at λ = 1e-6 | ≥ 2; ≤ 10 % |

use super::config::SCHEMA;
use crate::experiment::build;
use crate::verify::{Check, CheckKind, Evaluation, RunCache, RunOutcome, Tally, Verifier};

/// Initialisation seeds of every check.
pub const SEEDS: [u64; 5] = [0, 1, 2, 3, 4];
/// The λ sweep of ReLU-4.
pub const LAMBDAS: [&str; 4] = ["1e-2", "1e-4", "1e-6", "1e-8"];

fn at(runs: &mut RunCache, seed: u64, lambda: &str) -> RunOutcome {
    runs.get(seed, &[("lambda", lambda)])
}

fn covered(o: &RunOutcome) -> bool {
    o.get("cover_pos") >= 1.0 && o.get("cover_neg") >= 1.0
}

/// The λ = 1e-6 run of `seed`, or `None` (marked not applicable) when no neuron covers a sign.
fn covered_run(t: &mut Tally, runs: &mut RunCache, seed: u64) -> Option<RunOutcome> {
    let o = at(runs, seed, "1e-6");
    if !covered(&o) {
        t.not_applicable(format!(
            "seed {seed}: no covering neuron for some sign (assumption not met)"
        ));
        return None;
    }
    Some(o)
}

fn relu0(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        let o = at(runs, s, "1e-6");
        t.measure(format!("seed {s}: covering neurons +"), o.get("cover_pos"));
        t.measure(format!("seed {s}: covering neurons −"), o.get("cover_neg"));
        if !covered(&o) {
            t.not_applicable(format!("seed {s}: assumption not met"));
        }
    }
    t.finish(
        "every seed: at least one positive and one negative neuron active on all points of its label sign at initialisation",
        "A precondition: a seed without cover is reported as assumption not met, never as a failure.",
    )
}

fn relu1(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        let Some(o) = covered_run(&mut t, runs, s) else {
            continue;
        };
        let (loss, bal) = (o.get("loss"), o.get("balancedness"));
        t.measure(format!("seed {s}: final loss"), loss);
        t.measure(format!("seed {s}: max |a_j² − ‖w_j‖²|"), bal);
        t.require(loss <= 1e-10, format!("seed {s}: loss {loss:.2e} > 1e-10"));
        t.require(
            bal <= 1e-4,
            format!("seed {s}: balancedness {bal:.2e} > 1e-4"),
        );
    }
    t.finish(
        "λ = 1e-6: final loss ≤ 1e-10 and |a_j² − ‖w_j‖²| ≤ 1e-4 for all j",
        "",
    )
}

fn relu2(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        let Some(o) = covered_run(&mut t, runs, s) else {
            continue;
        };
        let mid = o.get("loss_at_mid") / o.get("l_mid");
        let (rf, rs, ratio) = (
            o.get("t_fast_ratio"),
            o.get("t_slow_ratio"),
            o.get("t_slow_over_t_fast"),
        );
        t.measure(format!("seed {s}: loss(½(τ_fast+τ_slow))/L_mid"), mid);
        t.measure(format!("seed {s}: t_fast/τ_fast"), rf);
        t.measure(format!("seed {s}: t_slow/τ_slow"), rs);
        t.measure(format!("seed {s}: t_slow/t_fast"), ratio);
        t.require(
            (mid - 1.0).abs() <= 0.03,
            format!("seed {s}: mid-plateau loss off by {:.3}", mid - 1.0),
        );
        t.require(
            (0.85..=1.05).contains(&rf),
            format!("seed {s}: t_fast/τ_fast = {rf:.3}"),
        );
        t.require(
            (0.85..=1.05).contains(&rs),
            format!("seed {s}: t_slow/τ_slow = {rs:.3}"),
        );
        t.require(
            (1.75..=2.25).contains(&ratio),
            format!("seed {s}: t_slow/t_fast = {ratio:.3}"),
        );
    }
    t.finish(
        "λ = 1e-6: loss at ½(τ_fast + τ_slow) within 3 % of L_mid; t_fast ∈ [0.85, 1.05]·τ_fast; t_slow ∈ [0.85, 1.05]·τ_slow; t_slow/t_fast ∈ [1.75, 2.25]",
        "",
    )
}

fn relu3(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        let Some(o) = covered_run(&mut t, runs, s) else {
            continue;
        };
        for (key, sign) in [("min_cos_pos", "+"), ("min_cos_neg", "−")] {
            let c = o.get(key);
            t.measure(
                format!("seed {s}: min cos(w_j, D{sign}) over covering neurons at ½τ"),
                c,
            );
            t.require(
                c >= 0.9999,
                format!("seed {s}: covering {sign} neuron cos {c:.6} < 0.9999"),
            );
        }
    }
    t.finish(
        "λ = 1e-6: every covering neuron has cos(w_j, D_{s_j}) ≥ 0.9999 at t = ½·τ of its group",
        "",
    )
}

fn relu4(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        if covered_run(&mut t, runs, s).is_none() {
            continue;
        }
        let ratios: Vec<f64> = LAMBDAS
            .iter()
            .map(|l| at(runs, s, l).get("v_ratio"))
            .collect();
        for (l, r) in LAMBDAS.iter().zip(&ratios) {
            t.measure(format!("seed {s}: V/V* at λ={l}"), *r);
        }
        t.require(
            ratios[2] <= 1.02,
            format!("seed {s}: V/V* = {:.4} > 1.02 at λ = 1e-6", ratios[2]),
        );
        t.require(
            ratios.windows(2).all(|w| w[1] <= w[0]),
            format!("seed {s}: V/V* not non-increasing in λ"),
        );
    }
    t.finish(
        "V/V* ≤ 1.02 at λ = 1e-6, and non-increasing along λ = 1e-2 → 1e-4 → 1e-6 → 1e-8",
        "",
    )
}

fn relu5(runs: &mut RunCache) -> Evaluation {
    let mut t = Tally::default();
    for s in SEEDS {
        let Some(small) = covered_run(&mut t, runs, s) else {
            continue;
        };
        let large = at(runs, s, "0.3");
        let ratio = large.get("v_ratio");
        let (p_large, p_small) = (large.get("plateau_time"), small.get("plateau_time"));
        t.measure(format!("seed {s}: V/V* at λ=0.3"), ratio);
        t.measure(
            format!("seed {s}: time within ±10 % of L_mid, λ=0.3"),
            p_large,
        );
        t.measure(
            format!("seed {s}: time within ±10 % of L_mid, λ=1e-6"),
            p_small,
        );
        t.require(
            ratio >= 2.0,
            format!("seed {s}: V/V* = {ratio:.3} < 2 at λ = 0.3"),
        );
        t.require(
            p_large <= 0.1 * p_small,
            format!("seed {s}: λ = 0.3 lingers at L_mid"),
        );
    }
    t.finish(
        "every seed: V/V* ≥ 2 at λ = 0.3, and its loss spends ≤ 10 % of the λ = 1e-6 plateau time within ±10 % of L_mid (no plateau)",
        "",
    )
}

/// The check list.
pub fn checks() -> Vec<Check<RunCache>> {
    vec![
        Check {
            id: "ReLU-0",
            claim: "Precondition: some neuron of each sign covers its label group at initialisation.",
            kind: CheckKind::Hard,
            run: relu0,
        },
        Check {
            id: "ReLU-1",
            claim: "Gradient flow reaches zero loss and keeps the network balanced.",
            kind: CheckKind::Hard,
            run: relu1,
        },
        Check {
            id: "ReLU-2",
            claim: "The loss descends saddle to saddle: a plateau at L_mid between the predicted escape times.",
            kind: CheckKind::Hard,
            run: relu2,
        },
        Check {
            id: "ReLU-3",
            claim: "Covering neurons align early with their key direction D±.",
            kind: CheckKind::Hard,
            run: relu3,
        },
        Check {
            id: "ReLU-4",
            claim: "The limit has the minimum variation norm V* as λ → 0.",
            kind: CheckKind::Hard,
            run: relu4,
        },
        Check {
            id: "ReLU-5",
            claim: "A large initialisation loses the plateau and the minimum-norm bias.",
            kind: CheckKind::Hard,
            run: relu5,
        },
    ]
}

/// A verifier over all checks with an empty run cache.
pub fn verifier() -> Verifier<RunCache> {
    Verifier::new(checks(), RunCache::new(&SCHEMA, build::<super::ReluModel>))
}
