//! `sum_squares.wgsl`'s two-stage reduction against the `f64` sum of squares.

use super::{KernelCheck, TRANSCENDENTAL, normals, words};
use crate::gpu::GpuError;
use crate::gpu::context::GpuContext;
use crate::gpu::kernels::SUM_SQUARES_GROUPS;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (len, offset) = (100_003, 5);
    let v = normals(rng, offset + len);
    let vb = ctx.buffer_from("v", &v);
    let partials = ctx.buffer::<f32>("partials", SUM_SQUARES_GROUPS as usize);
    let out = ctx.buffer::<f32>("sum", 2);
    let params = words(&[len, offset, 1]);
    ctx.run(&ctx.sum_of_squares_ops(&params, &vb, &partials, &out));
    Ok(vec![KernelCheck::compare(
        "sum_of_squares",
        format!("[{len}] at offset {offset}"),
        &ctx.read(&out, 1, 1).await?,
        &[cpu::sum_of_squares(&v[offset..]) as f32],
        TRANSCENDENTAL,
    )])
}
