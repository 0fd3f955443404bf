//! `softmax_xent.wgsl` against the fused softmax cross-entropy twin, and the running totals.

use super::{KernelCheck, TRANSCENDENTAL, cpu_err, normals, words};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (batch, classes, label_off) = (13, 10, 4);
    let mut logits: Vec<f32> = normals(rng, batch * classes)
        .iter()
        .map(|v| 3.0 * v)
        .collect();
    // A tie for the first place and very large logits.
    logits[..classes].fill(1.5);
    logits[classes] = 80.0;
    let labels: Vec<u32> = (0..label_off + batch)
        .map(|_| rng.below(classes as u64) as u32)
        .collect();
    let want = cpu::softmax_xent(classes, &logits, &labels[label_off..]).map_err(cpu_err)?;
    let lb = ctx.buffer_from("logits", &logits);
    let yb = ctx.buffer_from("labels", &labels);
    let db = ctx.buffer::<f32>("dlogits", logits.len());
    let loss = ctx.buffer::<f32>("loss", batch);
    let correct = ctx.buffer::<u32>("correct", batch);
    // Totals start at (2.5, 3, 4) so the check sees that the kernel adds to them.
    let totals = ctx.buffer_from("totals", &[2.5f32.to_bits(), 3, 4]);
    let dims = words(&[batch, classes, label_off]);
    ctx.run(&[
        ctx.op(
            Kernel::SoftmaxXent,
            &dims,
            &[(1, &lb), (2, &yb), (3, &db), (4, &loss), (5, &correct)],
            Grid::Items(batch),
        ),
        ctx.op(
            Kernel::AddTotals,
            &dims,
            &[(4, &loss), (5, &correct), (6, &totals)],
            Grid::Groups(1),
        ),
    ]);
    let shapes = format!("logits[{batch},{classes}]");
    let sum: f32 = want.loss.iter().fold(2.5, |acc, v| acc + v);
    let right = 3 + want.correct.iter().sum::<u32>();
    let got = ctx.read::<u32>(&totals, 0, 3).await?;
    Ok(vec![
        KernelCheck::compare(
            "softmax_xent_loss",
            shapes.clone(),
            &ctx.read(&loss, 0, batch).await?,
            &want.loss,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare(
            "softmax_xent_gradient",
            shapes.clone(),
            &ctx.read(&db, 0, logits.len()).await?,
            &want.dlogits,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare_u32(
            "softmax_xent_correct",
            shapes.clone(),
            &ctx.read(&correct, 0, batch).await?,
            &want.correct,
        ),
        KernelCheck::compare(
            "softmax_xent_loss_total",
            shapes.clone(),
            &[f32::from_bits(got[0])],
            &[sum],
            TRANSCENDENTAL,
        ),
        KernelCheck::compare_u32(
            "softmax_xent_counts",
            shapes,
            &got[1..],
            &[right, 4 + batch as u32],
        ),
    ])
}
