//! `split_sum.wgsl` on its own against [`crate::nn::reference::sum_splits`]: additions only, in
//! the twin's order, so the tolerance is [`EXACT`].

use super::{EXACT, KernelCheck, cpu_err, normals, words};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    // 3 splits of 5 rows of 7 weights and a bias; biases stored before the weights, after a gap.
    let (splits, rows, columns) = (3, 5, 8);
    let (b_off, w_off) = (2, 2 + rows + 3);
    let partials = normals(rng, splits * rows * columns);
    let (weights, biases) = cpu::sum_splits(&partials, splits, rows, columns).map_err(cpu_err)?;
    let pb = ctx.buffer_from("partials", &partials);
    let grads = ctx.buffer::<f32>("grads", w_off + weights.len());
    let op = ctx.op(
        Kernel::SplitSum,
        &words(&[rows, columns, splits, w_off, b_off]),
        &[(1, &pb), (3, &grads)],
        Grid::Items(rows * columns),
    );
    ctx.run([&op]);
    let shapes = format!("partials[{splits},{rows},{columns}]");
    Ok(vec![
        KernelCheck::compare(
            "split_sum weights",
            shapes.clone(),
            &ctx.read(&grads, w_off, weights.len()).await?,
            &weights,
            EXACT,
        ),
        KernelCheck::compare(
            "split_sum biases",
            shapes,
            &ctx.read(&grads, b_off, biases.len()).await?,
            &biases,
            EXACT,
        ),
    ])
}
