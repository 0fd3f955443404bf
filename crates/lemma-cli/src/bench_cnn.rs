//! `lemma bench --cnn`: training throughput of the CPU backend (images/s) for one full SGD step and
//! one SAM step at batch 128, for CNN-S and CNN-M, on fixed synthetic inputs (data loading is not
//! part of the step). `benches/compare_torch.py` runs the same steps in PyTorch and prints ratios.

use lemma::nn::spec::Arch;
use lemma::nn::train::{BenchStep, StepRule};
use serde_json::json;
use std::time::Instant;

const BATCH: usize = BenchStep::BATCH;

/// Best-of-`repeats` seconds per step (after one warm-up step).
fn time_step(bench: &mut BenchStep, repeats: usize) -> f64 {
    bench.run();
    (0..repeats)
        .map(|_| {
            let start = Instant::now();
            bench.run();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Prints images/s per architecture and step kind, on the backend's two threads or on one.
pub fn run(json_out: bool, repeats: usize, one_thread: bool) -> Result<(), super::Failure> {
    lemma::nn::net::set_parallel(!one_thread);
    let threads = if one_thread {
        1
    } else {
        lemma::nn::net::SHARDS
    };
    let mut rows = Vec::new();
    for arch in [Arch::cnn_s(), Arch::cnn_m()] {
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
            let mut bench =
                BenchStep::new(&arch, rule).map_err(|e| super::Failure::Runtime(e.to_string()))?;
            let seconds = time_step(&mut bench, repeats);
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
