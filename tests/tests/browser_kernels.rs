//! In-browser GPU tests (wasm-pack test --headless --chrome tests, WebGPU on SwiftShader via
//! `--enable-unsafe-webgpu` in tests/webdriver.json): every WGSL kernel against its CPU twin, and
//! GPU training steps against the reference step. Without a WebGPU adapter they log `SKIPPED` and
//! pass, unless the build had `LEMMA_REQUIRE_GPU=1` in its environment.
#![cfg(target_arch = "wasm32")]

use lemma::gpu::trainer::GpuTrainer;
use lemma::gpu::{GpuContext, checks};
use lemma::nn::reference::{self as cpu, SamConfig, StepConfig};
use lemma::nn::spec::Arch;
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

#[wasm_bindgen_test]
async fn webgpu_training_steps_match_the_reference() {
    let Some(ctx) = context().await else { return };
    let arch = Arch::cnn_s();
    let init = arch.init_params(5);
    let n = 2;
    let mut rng = Rng::new(3);
    let x: Vec<f32> = (0..n * 784).map(|_| rng.uniform() as f32).collect();
    let y: Vec<u32> = (0..n).map(|_| rng.below(10) as u32).collect();
    // wasm32 is single-threaded: wgpu's WebGPU handles are not Send, and need not be.
    #[allow(clippy::arc_with_non_send_sync)]
    let ctx = Arc::new(ctx);
    let mut gpu = GpuTrainer::new(ctx, &arch, &init, n).unwrap();
    let mut params = init.clone();
    let mut velocity = vec![0f32; init.len()];
    let erm = StepConfig {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        sam: None,
    };
    let sam = StepConfig {
        sam: Some(SamConfig {
            rho: 0.05,
            chunk: 1,
        }),
        ..erm
    };
    for config in [erm, sam] {
        gpu.train_step(&x, &y, &config).unwrap();
        cpu::train_step(&arch, &mut params, &mut velocity, &x, &y, &config).unwrap();
    }
    let got = gpu.read_params().await.unwrap();
    let scale = params.iter().map(|v| v.abs()).fold(0f32, f32::max);
    let diff = got
        .iter()
        .zip(&params)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max)
        / scale;
    console_log!("ERM + m-SAM steps: max rel param diff {diff:e}");
    // Same bound as the native trainer test (crates/lemma/src/gpu/tests.rs).
    assert!(diff <= 1e-5, "{diff:e}");
}
