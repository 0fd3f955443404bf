//! `relu.wgsl` against the ReLU twins (signed zeros included).

use super::{EXACT, KernelCheck, cpu_err, normals, words};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 1000;
    let mut x = normals(rng, len);
    x[0] = -0.0;
    x[1] = 0.0;
    let dy = normals(rng, len);
    let y = cpu::relu_forward(&x);
    let dx = cpu::relu_backward(&y, &dy).map_err(cpu_err)?;
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", len);
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer::<f32>("dx", len);
    let n = words(&[len]);
    ctx.run(&[
        ctx.op(
            Kernel::ReluForward,
            &n,
            &[(1, &xb), (3, &yb)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::ReluBackward,
            &n,
            &[(1, &yb), (2, &dyb), (3, &dxb)],
            Grid::Items(len),
        ),
    ]);
    let shapes = format!("[{len}]");
    Ok(vec![
        KernelCheck::compare(
            "relu_forward",
            shapes.clone(),
            &ctx.read(&yb, 0, len).await?,
            &y,
            EXACT,
        ),
        KernelCheck::compare(
            "relu_backward",
            shapes,
            &ctx.read(&dxb, 0, len).await?,
            &dx,
            EXACT,
        ),
    ])
}
