//! `lemma bench --cnn`: training throughput of the CPU backend (images/s) for one full SGD step and
//! one SAM step at batch 128, for CNN-S and CNN-M, on fixed synthetic inputs (data loading is not
//! part of the step). `benches/compare_torch.py` runs the same steps in PyTorch and prints ratios.

use lemma::nn::spec::Arch;
use lemma::nn::train::{StepConfig, StepRule, Trainer};
use serde_json::json;
use std::time::Instant;

const BATCH: usize = 128;
/// Best-of-`repeats` seconds per step (after one warm-up step).
fn time_step(trainer: &mut Trainer, x: &[f32], y: &[u8], rule: StepRule, repeats: usize) -> f64 {
    let step = StepConfig {
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 5e-4,
        rule,
    };
    trainer.step(x, y, &step);
    (0..repeats)
        .map(|_| {
            let start = Instant::now();
            trainer.step(x, y, &step);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Prints images/s per architecture and step kind.
pub fn run(json_out: bool, repeats: usize) -> Result<(), super::Failure> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();
    for arch in [Arch::cnn_s(), Arch::cnn_m()] {
        let per = arch.input.len();
        let x: Vec<f32> = (0..BATCH * per)
            .map(|i| ((i * 7919) % 256) as f32 / 255.0)
            .collect();
        let y: Vec<u8> = (0..BATCH).map(|i| (i % 10) as u8).collect();
        let mut trainer = Trainer::new(&arch, arch.init_params(0))
            .map_err(|e| super::Failure::Runtime(e.to_string()))?;
        for (kind, rule) in [
            ("sgd", StepRule::Erm),
            (
                "sam",
                StepRule::Sam {
                    rho: 0.05,
                    chunk: BATCH,
                },
            ),
        ] {
            let seconds = time_step(&mut trainer, &x, &y, rule, repeats);
            let images_per_s = BATCH as f64 / seconds;
            if !json_out {
                println!(
                    "{:<6} {kind:<4} batch {BATCH}: {:>8.1} ms/step {:>8.0} images/s",
                    arch.name,
                    seconds * 1e3,
                    images_per_s
                );
            }
            rows.push(json!({"arch": arch.name, "step": kind, "batch": BATCH, "ms_per_step": seconds * 1e3,
                             "images_per_s": images_per_s, "threads": threads}));
        }
    }
    if json_out {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(())
}
