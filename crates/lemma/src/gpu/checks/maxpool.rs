//! `maxpool.wgsl` against the max-pooling twins, on inputs with many ties.

use super::{EXACT, KernelCheck, cpu_err, normals, words};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference::{self as cpu, PoolDims};
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = PoolDims {
        batch: 2,
        channels: 3,
        height: 6,
        width: 8,
    };
    // Values on a coarse grid of 4 levels, so many windows have ties.
    let x: Vec<f32> = (0..d.input_len())
        .map(|_| rng.below(4) as f32 * 0.5 - 1.0)
        .collect();
    let dy = normals(rng, d.output_len());
    let (y, arg) = cpu::maxpool2_forward(d, &x).map_err(cpu_err)?;
    let dx = cpu::maxpool2_backward(d, &arg, &dy).map_err(cpu_err)?;
    let dims = words(&[d.batch * d.channels, d.height, d.width]);
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", y.len());
    let ab = ctx.buffer::<u32>("argmax", y.len());
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer_from("dx", &vec![f32::NAN; x.len()]);
    ctx.run(&[
        ctx.op(
            Kernel::MaxPoolForward,
            &dims,
            &[(1, &xb), (2, &yb), (3, &ab)],
            Grid::Items(y.len()),
        ),
        ctx.op(
            Kernel::MaxPoolBackward,
            &dims,
            &[(1, &dyb), (2, &dxb), (3, &ab)],
            Grid::Items(y.len()),
        ),
    ]);
    let shapes = "x[2,3,6,8], 4-level ties".to_string();
    Ok(vec![
        KernelCheck::compare(
            "maxpool2_forward",
            shapes.clone(),
            &ctx.read(&yb, 0, y.len()).await?,
            &y,
            EXACT,
        ),
        KernelCheck::compare_u32(
            "maxpool2_argmax",
            shapes.clone(),
            &ctx.read(&ab, 0, arg.len()).await?,
            &arg,
        ),
        KernelCheck::compare(
            "maxpool2_backward",
            shapes,
            &ctx.read(&dxb, 0, dx.len()).await?,
            &dx,
            EXACT,
        ),
    ])
}
