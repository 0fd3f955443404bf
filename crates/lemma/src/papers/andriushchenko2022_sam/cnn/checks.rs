//! Checks SAM-8 … SAM-13 (spec §6.2): the scaled CNN part, on Fashion-MNIST, on the CPU backend.
//!
//! Two tiers. **Smoke** (CI, a few minutes on 2 cores): CNN-S on the first 4,000 training images of
//! `fashion-mnist-small`, 6 epochs (+3 fine-tuning), label noise over 10 epochs, seed 0.
//! **Full** (`lemma verify --tier full`, hours on a CPU): CNN-M on 8,000 images, 30 epochs (+10),
//! label noise over 40 epochs, seeds 0–2, as the spec's §5.2 setting.
//!
//! **Calibration (common.md §3).** The thresholds are the spec's proposals (§6.2). The effects did
//! not reproduce at smoke scale, so in the smoke tier SAM-8 … SAM-12 are report-only (values
//! printed, never failing CI) and only SAM-13 is hard; the full tier uses the spec's kinds but has
//! not been calibrated (it takes hours on 2 cores). Observed natively on the CPU backend (CNN-S,
//! `fashion-mnist-small`, seed 0):
//!
//! | check | smoke (4k images, 6 ep.) | 2k images, 20 ep., no augm. | 1k images, 40 ep., no augm. |
//! |---|---|---|---|
//! | SAM-8 sharpness SAM(0.05)/ERM (≤ 0.5) | 0.852 | 0.831 | 0.756 |
//! | SAM-9 sharpness cut by ERM→SAM (≥ 30 %) | 4.5 % (+3 ep. at lr/100) | – | – |
//! | SAM-10 best acc. SAM(0.1) − ERM, 40 % noise (≥ +3) | −3.25 pts (10 ep.) | – | −1.45 pts (final: +9.85) |
//! | SAM-11 acc. ERM→SAM − ERM→ERM (≥ +0.2, soft) | +0.05 pts | – | – |
//! | SAM-12 acc. m=8 − m=128 (≥ −0.2, soft) | −1.05 pts | – | – |
//!
//! SAM does find flatter solutions (ratio < 1 throughout, falling with longer training) and keeps
//! far more of its accuracy under label noise at the end of training (+9.85 points), but not by the
//! proposed margins at these budgets, and its best-epoch accuracy is not higher.

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

fn describe(c: &CnnChecks) -> String {
    let s = c.setting;
    let scale = if c.env.tier == Tier::Smoke {
        " Report-only in the smoke tier: at this budget the effect is smaller than the spec's \
         margin (calibration table in cnn/checks.rs); `--tier full` asserts it at the spec's scale."
    } else {
        " Full tier: thresholds are the spec's proposals, not yet calibrated on 5 seeds."
    };
    format!(
        "{} on {} of {} ({} epochs), seeds {:?}.{scale}",
        s.arch, s.train_size, s.dataset, s.epochs, s.seeds
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
            s <= 0.5 * e,
            format!("seed {seed}: ratio {:.3} > 0.5", s / e),
        );
        Ok(())
    });
    t.finish(
        format!("every seed: {SHARPNESS_STEPS}-step sharpness (ρ_e = 0.05) of SAM(ρ = 0.05) ≤ 0.5 × ERM's"),
        describe(c),
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
            s <= 0.7 * e,
            format!(
                "seed {seed}: reduction {:.1} % < 30 %",
                100.0 * (1.0 - s / e)
            ),
        );
        Ok(())
    });
    t.finish(
        "every seed: ERM→SAM(0.05) fine-tuning lowers the 20-step sharpness by ≥ 30 % vs ERM→ERM",
        describe(c),
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
        t.require(
            s >= e + 3.0,
            format!("seed {seed}: gain {:.2} points < 3", s - e),
        );
        Ok(())
    });
    t.finish("every seed: with 40 % label noise, best-epoch test accuracy of SAM(ρ = 0.1) ≥ ERM + 3 points", describe(c))
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
        t.require(mean >= 0.2, format!("mean gain {mean:.2} points < 0.2"));
    }
    t.finish(
        "mean over seeds: ERM→SAM test accuracy ≥ ERM→ERM + 0.2 points",
        describe(c),
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
            a >= b - 0.2,
            format!("seed {seed}: m = 8 is {:.2} points below m = 128", b - a),
        );
        Ok(())
    });
    t.finish("every seed: m-SAM with m = 8 reaches at least the accuracy of m = 128 minus 0.2 points (ρ = 0.05)", describe(c))
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

/// The CNN checks. In the full tier the kinds are the spec's (SAM-8/9/10/13 hard, SAM-11/12
/// soft). In the smoke tier only SAM-13 is hard: the effects SAM-8 … SAM-12 need the spec's
/// training length and did not reproduce at smoke scale (see the calibration table above), so
/// they are reported with their values but cannot fail CI.
pub fn checks(tier: Tier) -> Vec<Check<CnnChecks>> {
    let (hard, soft) = match tier {
        Tier::Full | Tier::Medium => (CheckKind::Hard, CheckKind::Soft),
        Tier::Smoke => (CheckKind::ReportOnly, CheckKind::ReportOnly),
    };
    vec![
        Check {
            id: "SAM-8",
            claim: "SAM converges to flatter minima than ERM on a CNN.",
            kind: hard,
            run: sam8,
        },
        Check {
            id: "SAM-9",
            claim: "Fine-tuning an ERM solution with SAM makes it flatter.",
            kind: hard,
            run: sam9,
        },
        Check {
            id: "SAM-10",
            claim: "With 40 % label noise SAM's best test accuracy beats ERM's.",
            kind: hard,
            run: sam10,
        },
        Check {
            id: "SAM-11",
            claim: "SAM fine-tuning improves test accuracy over ERM fine-tuning.",
            kind: soft,
            run: sam11,
        },
        Check {
            id: "SAM-12",
            claim: "Smaller m in m-SAM does not hurt (small gain expected at this scale).",
            kind: soft,
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
