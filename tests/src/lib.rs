//! Cross-host test helpers: the golden traces of every registered paper (its registry's golden
//! runs), shared by the native tests and the in-browser (wasm-pack) tests, so both compare the very
//! same numbers against one checked-in file per paper.

pub mod corruptions;

use lemma::registry::{self, Overrides, Paper};
use serde_json::{Value, json};

include!(concat!(env!("OUT_DIR"), "/golden_files.rs"));

/// The checked-in trace file of `paper` (`golden/<slug>.json`), if there is one.
pub fn golden_file(paper: &Paper) -> Option<&'static str> {
    GOLDEN_FILES
        .iter()
        .find(|(stem, _)| *stem == paper.slug)
        .map(|(_, text)| *text)
}

fn bits(v: &[f64]) -> Vec<String> {
    v.iter().map(|x| format!("{:016x}", x.to_bits())).collect()
}

/// Runs one configuration and returns its full trace: every recorded series value and every final
/// metric and vector, as exact bit patterns (hex) so equality is bit-for-bit.
pub fn trace(paper: &Paper, seed: u64, overrides: Overrides) -> Value {
    let params = paper
        .schema
        .build(overrides.iter().copied())
        .expect("valid golden parameters");
    let mut exp = paper.experiment(&params, seed).expect("valid golden run");
    exp.run_to_end(u64::MAX, &mut |_| {});
    let series: Vec<Value> = exp
        .series()
        .iter()
        .map(|s| json!({"name": s.name, "x": bits(&s.x), "y": bits(&s.y)}))
        .collect();
    let metrics: serde_json::Map<String, Value> = exp
        .metrics()
        .into_iter()
        .map(|(k, v)| (k, json!(format!("{:016x}", v.to_bits()))))
        .collect();
    let vectors: Vec<Value> = exp
        .vectors()
        .into_iter()
        .map(|v| json!({"name": v.name, "values": bits(&v.values)}))
        .collect();
    json!({"params": overrides, "series": series, "metrics": metrics, "vectors": vectors})
}

/// All golden traces of one paper (its registry's golden runs).
pub fn traces(paper: &Paper) -> Value {
    let goldens = &paper.goldens;
    Value::Array(
        goldens
            .runs
            .iter()
            .map(|o| trace(paper, goldens.seed, o))
            .collect(),
    )
}

/// Compares fresh traces of every registered paper with its golden file; returns the first
/// difference (or missing file), if any.
pub fn mismatch() -> Option<String> {
    registry::papers().iter().find_map(paper_mismatch)
}

fn paper_mismatch(paper: &Paper) -> Option<String> {
    let slug = paper.slug;
    let Some(file) = golden_file(paper) else {
        return Some(format!(
            "{slug}: no golden/{slug}.json (record it with \
             `LEMMA_BLESS=1 cargo test -p lemma-tests --test golden`)"
        ));
    };
    let golden: Value = match serde_json::from_str(file) {
        Ok(v) => v,
        Err(e) => return Some(format!("{slug}: golden file unreadable: {e}")),
    };
    let fresh = traces(paper);
    let (Some(old), Some(new)) = (golden.as_array(), fresh.as_array()) else {
        return Some(format!("{slug}: golden file is not an array"));
    };
    if old.len() != new.len() {
        return Some(format!(
            "{slug}: {} golden runs, {} fresh",
            old.len(),
            new.len()
        ));
    }
    for (i, (a, b)) in old.iter().zip(new).enumerate() {
        if a != b {
            return Some(format!(
                "{slug} run {i} ({}) differs from the golden trace",
                b["params"]
            ));
        }
    }
    None
}

/// A short CNN training run on the CPU backend (CNN-S, seeded synthetic 28×28 images with a
/// learnable class pattern, batch 64, 2 epochs), for ERM and for SAM (ρ = 0.05): the per-epoch
/// training losses and test accuracies, `[erm…, sam…]`. Natively and in the browser (wasm CPU
/// fallback) the same numbers must come out, up to the GEMM's different SIMD summation order.
pub fn cnn_cpu_run() -> Vec<f64> {
    use lemma::data::images::{Dataset, ImageSet};
    use lemma::experiment::Experiment;
    use lemma::papers::andriushchenko2022_sam::cnn::{CNN_SCHEMA, CnnConfig, CnnRun};
    use lemma::rng::Rng;
    use std::sync::Arc;
    let mut rng = Rng::new(11);
    // Class c brightens column block c; noise elsewhere.
    let mut set = |n: usize| {
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let mut pixels = Vec::with_capacity(n * 784);
        for &label in &labels {
            for k in 0..784 {
                let column_block = (k % 28) / 3;
                let base = if column_block == usize::from(label) {
                    160
                } else {
                    0
                };
                pixels.push((base + rng.below(96)) as u8);
            }
        }
        ImageSet {
            rows: 28,
            cols: 28,
            labels,
            pixels,
        }
    };
    let (train, test) = (set(256), set(128));
    let data = Arc::new(Dataset {
        name: "synthetic".into(),
        classes: 10,
        seed: 0,
        train,
        test,
    });
    let mut out = Vec::new();
    for method in ["erm", "sam"] {
        let params = CNN_SCHEMA
            .build([
                ("arch", "cnn-s"),
                ("train_size", "256"),
                ("test_size", "128"),
                ("batch", "64"),
                ("m", "64"),
                ("epochs", "2"),
                ("method", method),
                ("sharpness_images", "0"),
            ])
            .expect("valid parameters");
        let config = CnnConfig::from_params(&params).expect("valid configuration");
        let mut run = CnnRun::new(config, 1, Arc::clone(&data)).expect("dataset fits");
        run.run_to_end(u64::MAX, &mut |_| {});
        let series = run.series();
        out.extend(&series[0].y);
        out.extend(&series[3].y);
    }
    out
}

/// What [`cnn_cpu_run`] gives natively (recorded once): ERM train loss per epoch, ERM test
/// accuracy per epoch, then the same for SAM.
pub const CNN_CPU_RUN: [f64; 8] = [
    2.7317415563738905,
    2.0025295559316874,
    0.5,
    0.5,
    2.8181855343282223,
    2.0988448224961758,
    0.21875,
    0.25,
];

/// Largest relative difference between [`cnn_cpu_run`] and [`CNN_CPU_RUN`]: each value against its
/// recorded one, scaled by max(|recorded|, 1e-3) ([`lemma::tol::Tol::per_element`]); 1e-4 is the
/// bound the tests assert.
pub fn cnn_cpu_run_difference(values: &[f64]) -> f64 {
    lemma::tol::Tol::per_element(1e-4, 1e-3)
        .compare(values, &CNN_CPU_RUN[..])
        .rel
}
