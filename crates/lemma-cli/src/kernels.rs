//! `lemma verify --kernels` and `lemma bench --kernels`: the GPU kernels on the native adapter
//! (lavapipe in CI). Without an adapter both print a loud `SKIPPED` and succeed, unless
//! `LEMMA_REQUIRE_GPU=1`, which turns that into a failure.

use super::Failure;
use lemma::gpu::context::{LayerBuffers, Op, ParamLayerKind, ParamLayerShape};
use lemma::gpu::trainer::GpuTrainer;
use lemma::gpu::{GpuContext, checks};
use lemma::nn::reference::{ConvDims, LinearDims};
use lemma::nn::spec::Arch;
use lemma::nn::train::{StepConfig, StepRule, Trainer};
use lemma::rng::Rng;
use std::sync::Arc;
use std::time::Instant;

/// The native adapter's context, or `None` after printing why it is skipped.
fn context() -> Result<Option<GpuContext>, Failure> {
    match pollster::block_on(GpuContext::request()) {
        Ok(ctx) => {
            println!("adapter: {}", ctx.describe());
            Ok(Some(ctx))
        }
        Err(e) if std::env::var("LEMMA_REQUIRE_GPU").as_deref() == Ok("1") => {
            Err(Failure::Runtime(format!("LEMMA_REQUIRE_GPU=1 but {e}")))
        }
        Err(e) => {
            println!("SKIPPED: no GPU adapter ({e}); set LEMMA_REQUIRE_GPU=1 to fail instead");
            Ok(None)
        }
    }
}

/// Runs every kernel check; `Ok(false)` when one fails.
pub fn verify() -> Result<bool, Failure> {
    let Some(ctx) = context()? else {
        return Ok(true);
    };
    let start = Instant::now();
    let results = pollster::block_on(checks::run_all(&ctx));
    for check in &results {
        println!("{}", check.line());
    }
    let failed = results.iter().filter(|c| !c.passed).count();
    println!(
        "{} kernel checks, {failed} failed, {:.2} s",
        results.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(failed == 0)
}

fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.normal() as f32).collect()
}

/// Timed repetitions of every measurement; the best is reported (the machine may be shared).
const REPEATS: usize = 5;

/// Seconds per repetition of `ops` (best of [`REPEATS`] timed submits of `reps` repetitions, after
/// one warm-up submit).
fn time_ops(ctx: &GpuContext, ops: &[Op], reps: usize) -> Result<f64, Failure> {
    let runtime = |e: lemma::gpu::GpuError| Failure::Runtime(e.to_string());
    ctx.run(ops);
    ctx.wait().map_err(runtime)?;
    let mut best = f64::INFINITY;
    for _ in 0..REPEATS {
        let start = Instant::now();
        let mut encoder = ctx.encoder();
        for _ in 0..reps {
            ctx.encode(&mut encoder, ops);
        }
        ctx.queue.submit([encoder.finish()]);
        ctx.wait().map_err(runtime)?;
        best = best.min(start.elapsed().as_secs_f64() / reps as f64);
    }
    Ok(best)
}

/// GFLOP/s of the convolution and linear kernels at CNN-M's shapes, and images/s of a full CNN-M
/// training step at batch `batch` on the GPU and on the CPU backend in the same process, with
/// their ratio.
pub fn bench(batch: usize) -> Result<bool, Failure> {
    if batch == 0 {
        return Err(Failure::Input("--batch must be positive".into()));
    }
    let Some(ctx) = context()? else {
        return Ok(true);
    };
    let mut rng = Rng::new(1);
    // CNN-M's second convolution (32→64 on 14×14) and first linear layer (3136→128).
    let (c, o, h) = (32usize, 64usize, 14usize);
    let conv = ParamLayerShape {
        kind: ParamLayerKind::Conv(ConvDims {
            batch,
            inputs: c,
            outputs: o,
            height: h,
            width: h,
        }),
        w_off: 0,
        b_off: o * c * 9,
    };
    let (i, f) = (3136usize, 128usize);
    let linear = ParamLayerShape {
        kind: ParamLayerKind::Linear(LinearDims {
            batch,
            inputs: i,
            outputs: f,
        }),
        w_off: 0,
        b_off: f * i,
    };
    let runtime = |e: lemma::gpu::GpuError| Failure::Runtime(e.to_string());
    conv.check_grid().map_err(runtime)?;
    linear.check_grid().map_err(runtime)?;
    let mut layer_ops = |shape: &ParamLayerShape, inputs: usize, outputs: usize, params: usize| {
        let x = ctx.buffer_from("x", &random(&mut rng, batch * inputs));
        let dy = ctx.buffer_from("dy", &random(&mut rng, batch * outputs));
        let p = ctx.buffer_from("params", &random(&mut rng, params));
        let y = ctx.buffer::<f32>("y", batch * outputs);
        let dx = ctx.buffer::<f32>("dx", batch * inputs);
        let grads = ctx.buffer::<f32>("grads", params);
        let partials = ctx.buffer::<f32>("partials", shape.partials_len());
        let bufs = LayerBuffers {
            x: &x,
            y: &y,
            dx: &dx,
            dy: &dy,
            params: &p,
            grads: &grads,
            partials: &partials,
        };
        ctx.param_layer_ops(shape, &bufs)
    };
    let conv_ops = layer_ops(&conv, c * h * h, o * h * h, o * c * 9 + o);
    let lin_ops = layer_ops(&linear, i, f, f * i + f);
    let conv_flops = 2.0 * (batch * o * c * 9 * h * h) as f64;
    let lin_flops = 2.0 * (batch * i * f) as f64;
    let cases = [
        (
            "conv3x3_forward 32→64 @14×14",
            conv_flops,
            vec![conv_ops.forward],
        ),
        (
            "conv3x3_backward_data",
            conv_flops,
            vec![conv_ops.backward_data],
        ),
        (
            "conv3x3_backward_weight+bias",
            conv_flops,
            conv_ops.backward_weight.to_vec(),
        ),
        ("linear_forward 3136→128", lin_flops, vec![lin_ops.forward]),
        (
            "linear_backward_data",
            lin_flops,
            vec![lin_ops.backward_data],
        ),
        (
            "linear_backward_weight+bias",
            lin_flops,
            lin_ops.backward_weight.to_vec(),
        ),
    ];
    println!("batch {batch}");
    for (name, flops, ops) in cases {
        let s = time_ops(&ctx, &ops, 3)?;
        println!(
            "{name:<30} {:>9.3} ms {:>8.2} GFLOP/s",
            s * 1e3,
            flops / s / 1e9
        );
    }
    // A full CNN-M ERM step (forward, backward, SGD), 25 MFLOP per image (common.md §11).
    let arch = Arch::cnn_m();
    let ctx = Arc::new(ctx);
    let mut trainer =
        GpuTrainer::new(ctx.clone(), &arch, &arch.init_params(0), batch).map_err(runtime)?;
    let xs: Vec<f32> = (0..batch * 784).map(|_| rng.uniform() as f32).collect();
    let labels: Vec<u8> = (0..batch).map(|_| rng.below(10) as u8).collect();
    let config = StepConfig {
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 5e-4,
        rule: StepRule::Erm,
    };
    trainer.train_step(&xs, &labels, &config).map_err(runtime)?;
    ctx.wait().map_err(runtime)?;
    let mut gpu_step = f64::INFINITY;
    for _ in 0..REPEATS {
        let start = Instant::now();
        trainer.train_step(&xs, &labels, &config).map_err(runtime)?;
        ctx.wait().map_err(runtime)?;
        gpu_step = gpu_step.min(start.elapsed().as_secs_f64());
    }
    // The CPU backend on the same step, in the same process (lavapipe runs on the same cores).
    let mut cpu =
        Trainer::new(&arch, arch.init_params(0)).map_err(|e| Failure::Runtime(e.to_string()))?;
    cpu.step(&xs, &labels, &config);
    let mut cpu_step = f64::INFINITY;
    for _ in 0..REPEATS {
        let start = Instant::now();
        cpu.step(&xs, &labels, &config);
        cpu_step = cpu_step.min(start.elapsed().as_secs_f64());
    }
    for (name, seconds) in [
        ("cnn-m ERM step, GPU", gpu_step),
        ("cnn-m ERM step, CPU backend", cpu_step),
    ] {
        println!(
            "{name:<30} {:>9.3} ms {:>8.1} images/s (≈{:.2} GFLOP/s at 25 MFLOP/image)",
            seconds * 1e3,
            batch as f64 / seconds,
            batch as f64 * 25e6 / seconds / 1e9
        );
    }
    println!(
        "GPU/CPU training throughput: {:.3} (best of {REPEATS} each)",
        cpu_step / gpu_step
    );
    Ok(true)
}
