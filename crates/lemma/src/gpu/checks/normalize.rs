//! `normalize.wgsl` against the pixel-normalisation twins (reading at an input offset).

use super::{EXACT, KernelCheck, normals, uniforms, words};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (len, offset) = (2 * 784, 784);
    let x = uniforms(rng, offset + len);
    let dy = normals(rng, len);
    let xb = ctx.buffer_from("x", &x);
    let yb = ctx.buffer::<f32>("y", len);
    let dyb = ctx.buffer_from("dy", &dy);
    let dxb = ctx.buffer::<f32>("dx", len);
    ctx.run(&[
        ctx.op(
            Kernel::NormalizeForward,
            &words(&[len, offset]),
            &[(1, &xb), (2, &yb)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::NormalizeBackward,
            &words(&[len, 0]),
            &[(1, &dyb), (2, &dxb)],
            Grid::Items(len),
        ),
    ]);
    Ok(vec![
        KernelCheck::compare(
            "normalize_forward",
            format!("[2,1,28,28] at offset {offset}"),
            &ctx.read(&yb, 0, len).await?,
            &cpu::normalize_forward(&x[offset..]),
            EXACT,
        ),
        KernelCheck::compare(
            "normalize_backward",
            "[2,1,28,28]".into(),
            &ctx.read(&dxb, 0, len).await?,
            &cpu::normalize_backward(&dy),
            EXACT,
        ),
    ])
}
