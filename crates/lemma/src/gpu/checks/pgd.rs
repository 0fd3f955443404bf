//! `pgd.wgsl` against the ℓ∞ and ℓ2 PGD update twins and `x + δ`.

use super::{EXACT, KernelCheck, TRANSCENDENTAL, cpu_err, normals, uniforms};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, Grid};
use crate::gpu::kernels::Kernel;
use crate::nn::reference as cpu;
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let (examples, per_example) = (3, 784);
    let len = examples * per_example;
    let (alpha, eps_inf, eps_2) = (0.02f32, 0.05f32, 1.5f32);
    let x: Vec<f32> = uniforms(rng, len);
    let mut g = normals(rng, len);
    g[..10].fill(0.0);
    let delta0: Vec<f32> = normals(rng, len).iter().map(|v| 0.03 * v).collect();
    let xb = ctx.buffer_from("x", &x);
    let gb = ctx.buffer_from("g", &g);
    let linf = ctx.buffer_from("delta_linf", &delta0);
    let l2 = ctx.buffer_from("delta_l2", &delta0);
    // Example 1 starts outside the ε-ball so the projection is exercised.
    let mut delta_l2 = delta0.clone();
    for v in &mut delta_l2[per_example..2 * per_example] {
        *v *= 10.0;
    }
    ctx.queue
        .write_buffer(&l2, 0, bytemuck::cast_slice(&delta_l2));
    let adv = ctx.buffer::<f32>("adversarial", len);
    let linf_params = [
        len as u32,
        per_example as u32,
        alpha.to_bits(),
        eps_inf.to_bits(),
    ];
    let l2_params = [
        len as u32,
        per_example as u32,
        alpha.to_bits(),
        eps_2.to_bits(),
    ];
    ctx.run(&[
        ctx.op(
            Kernel::PgdLinf,
            &linf_params,
            &[(1, &gb), (2, &xb), (3, &linf)],
            Grid::Items(len),
        ),
        ctx.op(
            Kernel::PgdL2,
            &l2_params,
            &[(1, &gb), (2, &xb), (3, &l2)],
            Grid::Groups(examples as u32),
        ),
        ctx.op(
            Kernel::PgdApply,
            &linf_params,
            &[(2, &xb), (3, &linf), (4, &adv)],
            Grid::Items(len),
        ),
    ]);
    let mut want_inf = delta0;
    cpu::pgd_linf_update(&mut want_inf, &x, &g, alpha, eps_inf).map_err(cpu_err)?;
    let mut want_2 = delta_l2;
    cpu::pgd_l2_update(&mut want_2, &x, &g, alpha, eps_2, per_example).map_err(cpu_err)?;
    let want_adv: Vec<f32> = x.iter().zip(&want_inf).map(|(a, b)| a + b).collect();
    Ok(vec![
        KernelCheck::compare(
            "pgd_linf_update",
            format!("[3,1,28,28] α {alpha} ε {eps_inf}"),
            &ctx.read(&linf, 0, len).await?,
            &want_inf,
            EXACT,
        ),
        KernelCheck::compare(
            "pgd_l2_update",
            format!("[3,1,28,28] α {alpha} ε {eps_2}"),
            &ctx.read(&l2, 0, len).await?,
            &want_2,
            TRANSCENDENTAL,
        ),
        KernelCheck::compare(
            "pgd_apply",
            "[3,1,28,28]".into(),
            &ctx.read(&adv, 0, len).await?,
            &want_adv,
            EXACT,
        ),
    ])
}
