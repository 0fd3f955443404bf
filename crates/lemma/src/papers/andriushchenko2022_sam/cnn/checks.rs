//! Checks SAM-8 … SAM-13 (spec §6.2): the scaled CNN part, on Fashion-MNIST, on the CPU backend.
//!
//! Three tiers. **Smoke** (CI, a few minutes on 2 cores): CNN-S on the first 4,000 training images
//! of `fashion-mnist-small`, 6 epochs (+3 fine-tuning), label noise over 10 epochs, seed 0.
//! **Full** (`lemma verify --tier full`, about an hour on 2 idle cores): CNN-M on 8,000 images,
//! 30 epochs (+10), label noise over 40 epochs, seeds 0–2, as the spec's §5.2 setting.
//! **Medium** (`--tier medium`): the full setting on seed 0 only, a third of the full tier's work.
//!
//! **Calibration (common.md §3), from the one full-tier run** (natively, CPU backend, seeds 0–2;
//! its runs are kept in `benches/results/sam-cnn-full-tier.jsonl`). A claim that held on every seed
//! is asserted in the full and medium tiers at about half its smallest observed effect; one that
//! did not is report-only there, with the reason. The spec's proposed margins did not reproduce:
//!
//! | check | spec's proposal | full tier, seeds 0 / 1 / 2 | calibrated rule |
//! |---|---|---|---|
//! | SAM-8 sharpness SAM(0.05) / ERM | ≤ 0.5 | 0.827 / 0.767 / 0.810 | ≤ 0.91 (hard) |
//! | SAM-9 sharpness cut by ERM→SAM fine-tuning | ≥ 30 % | 7.5 % / 9.9 % / 7.6 % | ≥ 3.5 % (hard) |
//! | SAM-10 best acc. SAM(0.1) − ERM, 40 % label noise | ≥ +3 pts | −1.45 / −1.15 / −2.75 pts | report-only |
//! | SAM-11 acc. ERM→SAM − ERM→ERM (mean) | ≥ +0.2 pts | +0.10 / −0.20 / +0.30 (mean +0.07) | report-only |
//! | SAM-12 acc. m = 8 − m = 128 | ≥ −0.2 pts | −1.25 / −0.05 / −0.40 pts | report-only |
//!
//! SAM does find flatter minima than ERM on every seed, and fine-tuning with SAM flattens an ERM
//! solution on every seed, but both by far less than the spec proposes; SAM's accuracy gains
//! (label noise, fine-tuning) did not appear. In the smoke tier (CNN-S, 6 epochs, one seed)
//! SAM-8 … SAM-12 are report-only: the rules are calibrated for CNN-M at full length, and one
//! smoke seed (SAM-8's ratio 0.852, SAM-9's cut 4.5 %) is no calibration of its own.

use super::CnnConfig;
use super::config::CNN_SCHEMA;
use super::experiment::{CnnRun, SHARPNESS_STEPS};
use crate::experiment::Experiment;
use crate::nn::train::StepRule;
use crate::verify::{
    Check, CheckKind, DataRunCache, Evaluation, Metrics, Tally, Tier, Verifier, VerifyEnv,
};

/// One tier's setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TierSetting {
    /// Architecture name.
    pub arch: &'static str,
    /// Dataset file name given to the host's source.
    pub dataset: &'static str,
    /// Training images.
    pub train_size: usize,
    /// Test images.
    pub test_size: usize,
    /// Main-phase epochs.
    pub epochs: usize,
    /// Fine-tuning epochs (SAM-9, SAM-11).
    pub finetune_epochs: usize,
    /// Epochs of the label-noise runs (SAM-10).
    pub noise_epochs: usize,
    /// Seeds.
    pub seeds: &'static [u64],
}

/// The smoke tier (CI).
pub const SMOKE: TierSetting = TierSetting {
    arch: "cnn-s",
    dataset: "fashion-mnist-small",
    train_size: 4000,
    test_size: 2000,
    epochs: 6,
    finetune_epochs: 3,
    noise_epochs: 10,
    seeds: &[0],
};

/// The full tier (on demand).
pub const FULL: TierSetting = TierSetting {
    arch: "cnn-m",
    dataset: "fashion-mnist-small",
    train_size: 8000,
    test_size: 2000,
    epochs: 30,
    finetune_epochs: 10,
    noise_epochs: 40,
    seeds: &[0, 1, 2],
};

/// The medium tier (on demand): the full tier's setting on its first seed, so that its runs are
/// a subset of the full tier's and share its calibration.
pub const MEDIUM: TierSetting = TierSetting {
    seeds: &[0],
    ..FULL
};

/// The checks' shared state: the environment and every finished run's metrics.
pub struct CnnChecks {
    env: VerifyEnv,
    setting: TierSetting,
    runs: DataRunCache,
}

impl CnnChecks {
    /// A run of the tier's setting with `overrides`, built but not trained.
    fn start(&self, seed: u64, overrides: &[(&str, String)]) -> Result<CnnRun, String> {
        let data = self.runs.data(&self.env)?;
        let config = CnnConfig::from_params(&self.runs.params(overrides))
            .expect("check configurations are valid");
        CnnRun::new(config, seed, data).map_err(|e| e.0)
    }

    /// Trains `run` to the end, reporting its progress to the host.
    fn train(&self, run: &mut CnnRun, what: &str) {
        let what = format!("{} {what}", self.setting.arch);
        DataRunCache::train(&self.env, run, &what);
    }

    /// Runs (or recalls) a run to the end and returns its metrics.
    fn get(&mut self, seed: u64, overrides: &[(&str, String)]) -> Result<Metrics, String> {
        let what = format!("{} seed {seed} {overrides:?}", self.setting.arch);
        self.runs.get(&self.env, seed, overrides, &what)
    }

    /// ERM for the main phase, then the fine-tuning phase with ERM and with SAM(0.05), branched
    /// from the same ERM weights. Returns (ERM→ERM, ERM→SAM) metrics.
    fn finetune(&mut self, seed: u64) -> Result<(Metrics, Metrics), String> {
        let key = format!("{seed}|finetune");
        if let (Some(a), Some(b)) = (
            self.runs.recall(&format!("{key}|erm")),
            self.runs.recall(&format!("{key}|sam")),
        ) {
            return Ok((a, b));
        }
        let overrides = [
            ("method", "erm".to_string()),
            ("finetune_epochs", self.setting.finetune_epochs.to_string()),
            ("finetune", "erm".to_string()),
        ];
        let mut base = self.start(seed, &overrides)?;
        base.run_until_phase(1);
        let mut with_sam = base.clone();
        with_sam.set_phase_rule(
            1,
            StepRule::Sam {
                rho: 0.05,
                chunk: 128,
            },
        );
        let mut out = Vec::new();
        for (name, mut run) in [("erm", base), ("sam", with_sam)] {
            self.train(&mut run, &format!("seed {seed} fine-tuning with {name}"));
            let m = run.metrics();
            self.runs.remember(format!("{key}|{name}"), m.clone());
            out.push(m);
        }
        let sam = out.pop().expect("two runs");
        Ok((out.pop().expect("two runs"), sam))
    }
}

fn o(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_string())).collect()
}

/// Runs `body` per seed; a missing dataset ends the check as not applicable (no datasets in this
/// host) or as a failure naming the file (a host that should have had it).
fn per_seed(
    c: &mut CnnChecks,
    t: &mut Tally,
    mut body: impl FnMut(&mut CnnChecks, &mut Tally, u64) -> Result<(), String>,
) {
    for &seed in c.setting.seeds {
        if let Err(why) = body(c, t, seed) {
            if c.env.datasets.is_none() {
                t.not_applicable(why);
            } else {
                t.require(false, format!("seed {seed}: {why}"));
            }
            return;
        }
    }
}

/// What the full tier observed for a check and how the full and medium tiers assert it (the
/// calibration table in the module doc).
struct Calibration {
    /// The observed values on seeds 0–2, shown with the check.
    observed: &'static str,
    /// The kind in the full and medium tiers.
    kind: CheckKind,
    /// Why the check is report-only there (empty when it is asserted).
    reason: &'static str,
}

/// SAM-8: SAM's sharpness over ERM's at most this (spec's proposal 0.5).
const SAM8_MAX_RATIO: f64 = 0.91;
const SAM8: Calibration = Calibration {
    observed: "ratios 0.827, 0.767, 0.810",
    kind: CheckKind::Hard,
    reason: "",
};

/// SAM-9: ERM→SAM fine-tuning cuts the sharpness by at least this fraction (spec's 30 %).
const SAM9_MIN_CUT: f64 = 0.035;
const SAM9: Calibration = Calibration {
    observed: "cuts 7.5 %, 9.9 %, 7.6 %",
    kind: CheckKind::Hard,
    reason: "",
};

/// SAM-10: SAM's best-epoch accuracy gain under label noise, points (the spec's proposal).
const SAM10_MIN_GAIN: f64 = 3.0;
const SAM10: Calibration = Calibration {
    observed: "gains −1.45, −1.15, −2.75 points",
    kind: CheckKind::ReportOnly,
    reason: "SAM is below ERM on every seed",
};

/// SAM-11: mean accuracy gain of ERM→SAM over ERM→ERM, points (the spec's proposal).
const SAM11_MIN_GAIN: f64 = 0.2;
const SAM11: Calibration = Calibration {
    observed: "gains +0.10, −0.20, +0.30 points (mean +0.07)",
    kind: CheckKind::ReportOnly,
    reason: "the gain has no consistent sign over the seeds",
};

/// SAM-12: m = 8 may be at most this many points below m = 128 (the spec's proposal).
const SAM12_MAX_LOSS: f64 = 0.2;
const SAM12: Calibration = Calibration {
    observed: "m = 8 minus m = 128: −1.25, −0.05, −0.40 points",
    kind: CheckKind::ReportOnly,
    reason: "m = 8 is below m = 128 on every seed, beyond the margin on two",
};

/// The check's setting and how this tier treats it, for the result's note.
fn describe(c: &CnnChecks, cal: &Calibration) -> String {
    let s = c.setting;
    let how = if c.env.tier == Tier::Smoke {
        "Report-only in the smoke tier: the rule is calibrated for the full tier (CNN-M, 8k images), \
         and one smoke seed is no calibration of its own."
            .to_string()
    } else if cal.kind == CheckKind::ReportOnly {
        format!("Report-only: {}.", cal.reason)
    } else {
        "Threshold set from the full tier's values (about half the smallest effect).".to_string()
    };
    format!(
        "{} on {} of {} ({} epochs), seeds {:?}. {how} Full tier, seeds 0–2: {}.",
        s.arch, s.train_size, s.dataset, s.epochs, s.seeds, cal.observed
    )
}

fn sam8(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    per_seed(c, &mut t, |c, t, seed| {
        let erm = c.get(seed, &o(&[("method", "erm")]))?;
        let sam = c.get(seed, &o(&[("method", "sam"), ("rho", "0.05")]))?;
        let (e, s) = (erm["sharpness_20step"], sam["sharpness_20step"]);
        t.measure(format!("seed {seed}: sharpness ERM"), e);
        t.measure(format!("seed {seed}: sharpness SAM(0.05)"), s);
        t.measure(format!("seed {seed}: ratio"), s / e);
        t.require(
            s <= SAM8_MAX_RATIO * e,
            format!("seed {seed}: ratio {:.3} > {SAM8_MAX_RATIO}", s / e),
        );
        Ok(())
    });
    t.finish(
        format!(
            "every seed: {SHARPNESS_STEPS}-step sharpness (ρ_e = 0.05) of SAM(ρ = 0.05) ≤ \
             {SAM8_MAX_RATIO} × ERM's (spec's proposal 0.5)"
        ),
        describe(c, &SAM8),
    )
}

fn sam9(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    per_seed(c, &mut t, |c, t, seed| {
        let (erm, sam) = c.finetune(seed)?;
        let (e, s) = (erm["sharpness_20step"], sam["sharpness_20step"]);
        t.measure(format!("seed {seed}: sharpness ERM→ERM"), e);
        t.measure(format!("seed {seed}: sharpness ERM→SAM"), s);
        t.measure(format!("seed {seed}: reduction"), 1.0 - s / e);
        t.require(
            s <= (1.0 - SAM9_MIN_CUT) * e,
            format!(
                "seed {seed}: reduction {:.1} % < {:.1} %",
                100.0 * (1.0 - s / e),
                100.0 * SAM9_MIN_CUT
            ),
        );
        Ok(())
    });
    t.finish(
        format!(
            "every seed: ERM→SAM(0.05) fine-tuning lowers the 20-step sharpness by ≥ {:.1} % vs \
             ERM→ERM (spec's proposal 30 %)",
            100.0 * SAM9_MIN_CUT
        ),
        describe(c, &SAM9),
    )
}

fn sam10(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    let epochs = c.setting.noise_epochs.to_string();
    per_seed(c, &mut t, |c, t, seed| {
        let common = [
            ("label_noise", "0.4"),
            ("epochs", epochs.as_str()),
            ("sharpness_images", "0"),
        ];
        let erm = c.get(seed, &o(&[&common[..], &[("method", "erm")]].concat()))?;
        let sam = c.get(
            seed,
            &o(&[&common[..], &[("method", "sam"), ("rho", "0.1")]].concat()),
        )?;
        let (e, s) = (
            100.0 * erm["best_test_accuracy"],
            100.0 * sam["best_test_accuracy"],
        );
        t.measure(format!("seed {seed}: best test accuracy ERM (%)"), e);
        t.measure(format!("seed {seed}: best test accuracy SAM(0.1) (%)"), s);
        t.measure(
            format!("seed {seed}: final test accuracy ERM (%)"),
            100.0 * erm["test_accuracy"],
        );
        t.measure(
            format!("seed {seed}: final test accuracy SAM (%)"),
            100.0 * sam["test_accuracy"],
        );
        t.measure(format!("seed {seed}: best-accuracy gain (points)"), s - e);
        t.require(
            s >= e + SAM10_MIN_GAIN,
            format!("seed {seed}: gain {:.2} points < {SAM10_MIN_GAIN}", s - e),
        );
        Ok(())
    });
    t.finish(
        format!(
            "every seed: with 40 % label noise, best-epoch test accuracy of SAM(ρ = 0.1) ≥ ERM + \
             {SAM10_MIN_GAIN} points"
        ),
        describe(c, &SAM10),
    )
}

fn sam11(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    let mut gains = Vec::new();
    per_seed(c, &mut t, |c, t, seed| {
        let (erm, sam) = c.finetune(seed)?;
        let gain = 100.0 * (sam["test_accuracy"] - erm["test_accuracy"]);
        t.measure(
            format!("seed {seed}: accuracy ERM→ERM (%)"),
            100.0 * erm["test_accuracy"],
        );
        t.measure(
            format!("seed {seed}: accuracy ERM→SAM (%)"),
            100.0 * sam["test_accuracy"],
        );
        gains.push(gain);
        Ok(())
    });
    if !gains.is_empty() {
        let mean = gains.iter().sum::<f64>() / gains.len() as f64;
        t.measure("mean gain (points)", mean);
        t.require(
            mean >= SAM11_MIN_GAIN,
            format!("mean gain {mean:.2} points < {SAM11_MIN_GAIN}"),
        );
    }
    t.finish(
        format!("mean over seeds: ERM→SAM test accuracy ≥ ERM→ERM + {SAM11_MIN_GAIN} points"),
        describe(c, &SAM11),
    )
}

fn sam12(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    per_seed(c, &mut t, |c, t, seed| {
        let m128 = c.get(seed, &o(&[("method", "sam"), ("rho", "0.05")]))?;
        let m8 = c.get(
            seed,
            &o(&[
                ("method", "sam"),
                ("rho", "0.05"),
                ("m", "8"),
                ("sharpness_images", "0"),
            ]),
        )?;
        let (a, b) = (100.0 * m8["test_accuracy"], 100.0 * m128["test_accuracy"]);
        t.measure(format!("seed {seed}: accuracy m = 8 (%)"), a);
        t.measure(format!("seed {seed}: accuracy m = 128 (%)"), b);
        t.require(
            a >= b - SAM12_MAX_LOSS,
            format!("seed {seed}: m = 8 is {:.2} points below m = 128", b - a),
        );
        Ok(())
    });
    t.finish(
        format!(
            "every seed: m-SAM with m = 8 reaches at least the accuracy of m = 128 minus \
             {SAM12_MAX_LOSS} points (ρ = 0.05)"
        ),
        describe(c, &SAM12),
    )
}

fn sam13(c: &mut CnnChecks) -> Evaluation {
    let mut t = Tally::default();
    per_seed(c, &mut t, |c, t, seed| {
        let short = [
            ("train_size", "512"),
            ("epochs", "1"),
            ("sharpness_images", "0"),
            ("m", "128"),
        ];
        let mut erm = c.start(seed, &o(&[&short[..], &[("method", "erm")]].concat()))?;
        let mut sam = c.start(
            seed,
            &o(&[&short[..], &[("method", "sam"), ("rho", "0")]].concat()),
        )?;
        c.train(&mut erm, &format!("seed {seed} ERM"));
        c.train(&mut sam, &format!("seed {seed} SAM ρ = 0"));
        let differing = erm
            .params()
            .iter()
            .zip(sam.params())
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        t.measure(
            format!("seed {seed}: parameters that differ"),
            differing as f64,
        );
        t.require(
            differing == 0,
            format!("seed {seed}: {differing} parameters differ"),
        );
        Ok(())
    });
    t.finish(
        "SAM with ρ = 0 (m = batch = 128, one epoch on 512 images) equals ERM bit for bit",
        "Natively, CPU backend.",
    )
}

/// The CNN checks. In the full and medium tiers each of SAM-8 … SAM-12 has the kind its
/// calibration earned (SAM-8 and SAM-9 hard, SAM-10 … SAM-12 report-only); in the
/// smoke tier they are report-only (see the module doc). SAM-13 is hard everywhere.
pub fn checks(tier: Tier) -> Vec<Check<CnnChecks>> {
    let kind = |cal: &Calibration| match tier {
        Tier::Full | Tier::Medium => cal.kind,
        Tier::Smoke => CheckKind::ReportOnly,
    };
    vec![
        Check {
            id: "SAM-8",
            claim: "SAM converges to flatter minima than ERM on a CNN.",
            kind: kind(&SAM8),
            run: sam8,
        },
        Check {
            id: "SAM-9",
            claim: "Fine-tuning an ERM solution with SAM makes it flatter.",
            kind: kind(&SAM9),
            run: sam9,
        },
        Check {
            id: "SAM-10",
            claim: "With 40 % label noise SAM's best test accuracy beats ERM's.",
            kind: kind(&SAM10),
            run: sam10,
        },
        Check {
            id: "SAM-11",
            claim: "SAM fine-tuning improves test accuracy over ERM fine-tuning.",
            kind: kind(&SAM11),
            run: sam11,
        },
        Check {
            id: "SAM-12",
            claim: "Smaller m in m-SAM does not hurt (small gain expected at this scale).",
            kind: kind(&SAM12),
            run: sam12,
        },
        Check {
            id: "SAM-13",
            claim: "SAM with ρ = 0 is ERM exactly (tests perturb/restore).",
            kind: CheckKind::Hard,
            run: sam13,
        },
    ]
}

/// A verifier over the CNN checks.
pub fn verifier(env: &VerifyEnv) -> Verifier<CnnChecks> {
    let setting = match env.tier {
        Tier::Smoke => SMOKE,
        Tier::Medium => MEDIUM,
        Tier::Full => FULL,
    };
    let base = vec![
        ("arch", setting.arch.to_string()),
        ("train_size", setting.train_size.to_string()),
        ("test_size", setting.test_size.to_string()),
        ("epochs", setting.epochs.to_string()),
    ];
    Verifier::new(
        checks(env.tier),
        CnnChecks {
            env: env.clone(),
            setting,
            runs: DataRunCache::new(
                env,
                "andriushchenko2022_sam/cnn",
                &CNN_SCHEMA,
                super::build,
                setting.dataset,
                base,
            ),
        },
    )
}
