//! `sam.wgsl` against the SAM perturb, restore and accumulate twins.

use super::{EXACT, KernelCheck, ONE_ROUNDING, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let len = 3001;
    let (rho, scale) = (0.05f32, 0.25f32);
    let w0 = normals(rng, len);
    let g = normals(rng, len);
    let acc0 = normals(rng, len);
    let sum_sq = cpu::sum_of_squares(&g) as f32;
    let wb = ctx.buffer_from("w", &w0);
    let gb = ctx.buffer_from("g", &g);
    let eb = ctx.buffer::<f32>("e", len);
    let sb = ctx.buffer_from("sum_sq", &[sum_sq]);
    let ab = ctx.buffer_from("acc", &acc0);
    let perturb = ctx.op(
        Kernel::SamPerturb,
        &[len as u32, rho.to_bits()],
        &[(1, &gb), (2, &wb), (3, &eb), (4, &sb)],
        Grid::Items(len),
    );
    ctx.run([&perturb]);
    let (mut w, mut e) = (w0.clone(), vec![0f32; len]);
    cpu::sam_perturb(&mut w, &g, &mut e, rho, sum_sq).map_err(cpu_err)?;
    let shapes = format!("[{len}] rho {rho}");
    let mut checks = vec![
        KernelCheck::compare(
            "sam_perturb_weights",
            shapes.clone(),
            &ctx.read(&wb, 0, len).await?,
            &w,
            ONE_ROUNDING,
        ),
        KernelCheck::compare(
            "sam_perturb_e",
            shapes.clone(),
            &ctx.read(&eb, 0, len).await?,
            &e,
            ONE_ROUNDING,
        ),
    ];
    // Restore from the GPU's own perturbed state, so the check isolates the restore kernel.
    let mut w = ctx.read::<f32>(&wb, 0, len).await?;
    let e = ctx.read::<f32>(&eb, 0, len).await?;
    ctx.run([
        &ctx.op(
            Kernel::SamRestore,
            &[len as u32],
            &[(2, &wb), (3, &eb)],
            Grid::Items(len),
        ),
        &ctx.op(
            Kernel::Accumulate,
            &[len as u32, scale.to_bits()],
            &[(1, &gb), (5, &ab)],
            Grid::Items(len),
        ),
    ]);
    cpu::sam_restore(&mut w, &e).map_err(cpu_err)?;
    let mut acc = acc0;
    cpu::accumulate(&mut acc, &g, scale).map_err(cpu_err)?;
    checks.push(KernelCheck::compare(
        "sam_restore",
        shapes,
        &ctx.read(&wb, 0, len).await?,
        &w,
        EXACT,
    ));
    checks.push(KernelCheck::compare(
        "accumulate",
        format!("[{len}] scale {scale}"),
        &ctx.read(&ab, 0, len).await?,
        &acc,
        ONE_ROUNDING,
    ));
    Ok(checks)
}
