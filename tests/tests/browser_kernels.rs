//! In-browser GPU tests (wasm-pack test --headless --chrome tests, WebGPU on SwiftShader via
//! `--enable-unsafe-webgpu` in tests/webdriver.json): every WGSL kernel against its CPU twin, and
//! GPU training steps against the reference step. Without a WebGPU adapter they log `SKIPPED` and
//! pass, unless the build had `LEMMA_REQUIRE_GPU=1` in its environment.
#![cfg(target_arch = "wasm32")]

use lemma::gpu::{GpuContext, checks};
use lemma::nn::spec::Arch;
use lemma::nn::train::StepRule;
use lemma::rng::Rng;
use std::sync::Arc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn context() -> Option<GpuContext> {
    match GpuContext::request().await {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            assert!(
                option_env!("LEMMA_REQUIRE_GPU") != Some("1"),
                "LEMMA_REQUIRE_GPU=1 but {e}"
            );
            console_log!("SKIPPED: no WebGPU adapter ({e})");
            None
        }
    }
}

#[wasm_bindgen_test]
async fn every_kernel_matches_its_twin_in_webgpu() {
    let Some(ctx) = context().await else { return };
    let results = checks::run_all(&ctx).await;
    for check in &results {
        console_log!("{}", check.line());
    }
    assert!(results.len() >= 30);
    let failed: Vec<_> = results
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}");
}

/// `n` seeded 28×28 images with pixels in [0, 1] and their labels.
fn random_batch(seed: u64, n: usize) -> (Vec<f32>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let x = (0..n * 784).map(|_| rng.uniform() as f32).collect();
    let y = (0..n).map(|_| rng.below(10) as u8).collect();
    (x, y)
}

/// The context as the trainer takes it. wasm32 is single-threaded: wgpu's WebGPU handles are not
/// Send, and need not be.
#[allow(clippy::arc_with_non_send_sync)]
fn shared(ctx: GpuContext) -> Arc<GpuContext> {
    Arc::new(ctx)
}

#[wasm_bindgen_test]
async fn webgpu_training_steps_match_the_reference() {
    let Some(ctx) = context().await else { return };
    let arch = Arch::cnn_s();
    let init = arch.init_params(5);
    let n = 2;
    let (x, y) = random_batch(3, n);
    let ctx = shared(ctx);
    let erm = checks::test_step(StepRule::Erm);
    let sam = checks::test_step(StepRule::Sam {
        rho: 0.05,
        chunk: 1,
    });
    let configs = [erm, sam];
    let run = checks::compare_training(ctx, &arch, &init, n, &configs, |_| (x.clone(), y.clone()));
    let diff = *run.await.unwrap().param_diffs.last().unwrap();
    console_log!("ERM + m-SAM steps: max rel param diff {diff:e}");
    assert!(diff <= checks::TRAIN_TOLERANCE, "{diff:e}");
}

/// Partial batches (the last batch of an epoch): a trainer sized for 3 examples takes batches of
/// 3 and 1, and m-SAM with m = 2 cuts the batch of 3 into chunks of 2 and 1 weighted 2/3 and 1/3,
/// as the reference step (and the CPU trainer) do.
#[wasm_bindgen_test]
async fn webgpu_partial_batches_match_the_reference() {
    let Some(ctx) = context().await else { return };
    let arch = Arch::cnn_s();
    let init = arch.init_params(8);
    let n = 3;
    let (x, y) = random_batch(11, n);
    let ctx = shared(ctx);
    let msam = checks::test_step(StepRule::Sam {
        rho: 0.05,
        chunk: 2,
    });
    let configs = [msam, msam];
    let sizes = [3, 1];
    let run = checks::compare_training(ctx, &arch, &init, n, &configs, |step| {
        let k = sizes[step];
        (x[..k * 784].to_vec(), y[..k].to_vec())
    });
    let diffs = run.await.unwrap().param_diffs;
    console_log!("m-SAM on batches of 3 and 1: max rel param diffs {diffs:?}");
    assert!(
        diffs.iter().all(|&d| d <= checks::TRAIN_TOLERANCE),
        "{diffs:?}"
    );
}
