//! Native GPU tests (lavapipe in CI). Without an adapter they print `SKIPPED` and pass, unless
//! `LEMMA_REQUIRE_GPU=1`. Set `XDG_RUNTIME_DIR` to a temporary directory to silence Mesa's
//! warning about it.

use super::GpuContext;
use super::checks::{
    TRAIN, TRAIN_TOLERANCE, TrainingComparison, compare_training, run_all, test_step,
};
use super::trainer::{AttackNorm, GpuTrainer};
use crate::nn::reference as cpu;
use crate::nn::spec::Arch;
use crate::nn::train::StepRule;
use crate::rng::Rng;
use crate::tol::Tol;
use std::sync::Arc;

/// The native adapter (lavapipe in CI), or `None` with `SKIPPED` printed; a missing adapter
/// fails instead under `LEMMA_REQUIRE_GPU=1`. Other modules' GPU tests use it too.
pub(crate) fn context() -> Option<Arc<GpuContext>> {
    match pollster::block_on(GpuContext::request()) {
        Ok(ctx) => {
            eprintln!("GPU adapter: {}", ctx.describe());
            Some(Arc::new(ctx))
        }
        Err(e) => {
            assert!(
                std::env::var("LEMMA_REQUIRE_GPU").as_deref() != Ok("1"),
                "LEMMA_REQUIRE_GPU=1 but {e}"
            );
            eprintln!("SKIPPED: no GPU adapter ({e})");
            None
        }
    }
}

#[test]
fn every_kernel_matches_its_twin() {
    let Some(ctx) = context() else { return };
    let checks = pollster::block_on(run_all(&ctx));
    for check in &checks {
        eprintln!("{}", check.line());
    }
    assert!(checks.len() >= 30, "{} checks", checks.len());
    let failed: Vec<_> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}");
}

/// A batch of seeded pixels in [0, 1] and labels.
fn batch(seed: u64, n: usize) -> (Vec<f32>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let x = (0..n * 784).map(|_| rng.uniform() as f32).collect();
    let y = (0..n).map(|_| rng.below(10) as u8).collect();
    (x, y)
}

#[test]
fn erm_and_sam_steps_match_the_reference() {
    let Some(ctx) = context() else { return };
    let arch = Arch::cnn_s();
    let init = arch.init_params(5);
    let n = 4;
    let erm = test_step(StepRule::Erm);
    let msam = test_step(StepRule::Sam {
        rho: 0.05,
        chunk: 2,
    });
    let sam = test_step(StepRule::Sam { rho: 0.1, chunk: 4 });
    let configs = [erm, erm, msam, sam, erm];
    let run = compare_training(ctx, &arch, &init, n, &configs, |step| batch(step as u64, n));
    let TrainingComparison {
        trainer: gpu,
        param_diffs,
        params,
        loss_sum,
    } = pollster::block_on(run).unwrap();
    for ((step, config), diff) in configs.iter().enumerate().zip(param_diffs) {
        eprintln!(
            "step {step} ({:?}): max rel param diff {diff:.3e}",
            config.rule
        );
        assert!(diff <= TRAIN_TOLERANCE, "step {step}: {diff:e}");
    }
    assert_ne!(params, init);
    let stats = pollster::block_on(gpu.read_stats()).unwrap();
    assert_eq!(stats.train.examples, 5 * n as u32);
    let rel = Tol::of_max(1e-5)
        .compare(&[stats.train.loss_sum], &[loss_sum])
        .rel;
    eprintln!(
        "train loss sum {} vs {loss_sum} (rel {rel:.2e})",
        stats.train.loss_sum
    );
    assert!(rel < 1e-5);
    assert_eq!(
        pollster::block_on(gpu.read_stats()).unwrap().train.examples,
        0
    );
}

#[test]
fn sam_with_zero_rho_is_exactly_erm() {
    let Some(ctx) = context() else { return };
    let arch = Arch::cnn_s();
    let init = arch.init_params(9);
    let n = 4;
    let mut a = GpuTrainer::new(ctx.clone(), &arch, &init, n).unwrap();
    let mut b = GpuTrainer::new(ctx, &arch, &init, n).unwrap();
    let erm = test_step(StepRule::Erm);
    let sam = test_step(StepRule::Sam { rho: 0.0, chunk: n });
    for step in 0..3 {
        let (x, y) = batch(100 + step, n);
        a.train_step(&x, &y, &erm).unwrap();
        b.train_step(&x, &y, &sam).unwrap();
    }
    let pa = pollster::block_on(a.read_params()).unwrap();
    let pb = pollster::block_on(b.read_params()).unwrap();
    assert_ne!(pa, init);
    assert!(pa.iter().zip(&pb).all(|(x, y)| x.to_bits() == y.to_bits()));
    let (sa, sb) = (
        pollster::block_on(a.read_stats()).unwrap(),
        pollster::block_on(b.read_stats()).unwrap(),
    );
    assert_eq!(sa, sb);
}

#[test]
fn evaluation_input_gradient_and_pgd_match_the_reference() {
    let Some(ctx) = context() else { return };
    let arch = Arch::cnn_s();
    let params = arch.init_params(3);
    let n = 3;
    let mut gpu = GpuTrainer::new(ctx, &arch, &params, n).unwrap();
    let (x, y) = batch(7, 2 * n + 1);
    // Seven examples through a trainer of batch 3: three uploads.
    gpu.evaluate(&x, &y).unwrap();
    let pass = cpu::network_pass(&arch, &params, &x, &y).unwrap();
    let stats = pollster::block_on(gpu.read_stats()).unwrap();
    assert_eq!(stats.eval.examples, 7);
    assert_eq!(stats.eval.correct, pass.correct.iter().sum::<u32>());
    let want: f32 = pass.loss.iter().sum();
    let rel = Tol::of_max(1e-5)
        .compare(&[stats.eval.loss_sum], &[want])
        .rel;
    assert!(
        rel < 1e-5,
        "eval loss sum {} vs {want}",
        stats.eval.loss_sum
    );

    let (x, y) = (&x[..n * 784], &y[..n]);
    gpu.input_gradient(x, y).unwrap();
    let got = pollster::block_on(gpu.read_input_gradient(n)).unwrap();
    let want = cpu::network_pass(&arch, &params, x, y).unwrap().input_grad;
    let diff = TRAIN.compare(&got, &want).rel;
    eprintln!("input gradient: max rel diff {diff:.3e}");
    assert!(diff < TRAIN_TOLERANCE);

    for norm in [AttackNorm::Linf, AttackNorm::L2] {
        let (alpha, eps) = match norm {
            AttackNorm::Linf => (0.01, 0.03),
            AttackNorm::L2 => (0.3, 1.0),
        };
        gpu.attack_begin(x, y, None).unwrap();
        let mut delta = vec![0f32; x.len()];
        for _ in 0..2 {
            gpu.pgd_step(n, norm, alpha, eps).unwrap();
            let adv: Vec<f32> = x.iter().zip(&delta).map(|(a, b)| a + b).collect();
            let g = cpu::network_pass(&arch, &params, &adv, y)
                .unwrap()
                .input_grad;
            match norm {
                AttackNorm::Linf => cpu::pgd_linf_update(&mut delta, x, &g, alpha, eps),
                AttackNorm::L2 => cpu::pgd_l2_update(&mut delta, x, &g, alpha, eps, 784),
            }
            .unwrap();
        }
        let got = pollster::block_on(gpu.read_delta(n)).unwrap();
        // ℓ∞ steps are ±α: a sign flip of a near-zero gradient would show as 2α, so the bound
        // must be far below α; the ℓ2 step scales the gradient, so it inherits its tolerance.
        let diff = Tol::of_max(1e-4).compare(&got, &delta).rel;
        eprintln!("{norm:?} PGD δ after 2 steps: max rel diff {diff:.3e}");
        assert!(diff < 1e-4, "{norm:?}: {diff:e}");
        assert!(delta.iter().any(|&d| d != 0.0));
    }
}
