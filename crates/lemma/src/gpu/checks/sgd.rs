//! `sgd.wgsl` against the SGD-momentum twin.

use super::{KernelCheck, ONE_ROUNDING, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 4099;
    let (lr, momentum, wd) = (0.05f32, 0.9f32, 5e-4f32);
    let mut w = normals(rng, len);
    let mut v = normals(rng, len);
    let g = normals(rng, len);
    let wb = ctx.buffer_from("w", &w);
    let vb = ctx.buffer_from("v", &v);
    let gb = ctx.buffer_from("g", &g);
    ctx.run(&[ctx.op(
        Kernel::Sgd,
        &[len as u32, lr.to_bits(), momentum.to_bits(), wd.to_bits()],
        &[(1, &gb), (2, &wb), (3, &vb)],
        Grid::Items(len),
    )]);
    cpu::sgd_momentum(&mut w, &mut v, &g, lr, momentum, wd).map_err(cpu_err)?;
    let shapes = format!("[{len}] lr {lr} m {momentum} wd {wd}");
    Ok(vec![
        KernelCheck::compare(
            "sgd_momentum_weights",
            shapes.clone(),
            &ctx.read(&wb, 0, len).await?,
            &w,
            ONE_ROUNDING,
        ),
        KernelCheck::compare(
            "sgd_momentum_velocity",
            shapes,
            &ctx.read(&vb, 0, len).await?,
            &v,
            ONE_ROUNDING,
        ),
    ])
}
