//! `linear.wgsl` against [`crate::nn::reference`]'s fully connected twins.

use super::{KernelCheck, ParamLayer, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::GpuContext;
use crate::gpu::kernels::LINEAR_KERNELS;
use crate::nn::reference::{self as cpu, LinearDims};
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = LinearDims {
        batch: 5,
        inputs: 37,
        outputs: 11,
    };
    let shapes = "x[5,37] w[11,37]".to_string();
    let x = normals(rng, d.batch * d.inputs);
    let w = normals(rng, d.outputs * d.inputs);
    let b = normals(rng, d.outputs);
    let dy = normals(rng, d.batch * d.outputs);
    let y = cpu::linear_forward(d, &x, &w, &b).map_err(cpu_err)?;
    let dx = cpu::linear_backward_data(d, &dy, &w).map_err(cpu_err)?;
    let (dw, db) = cpu::linear_backward_weight(d, &x, &dy).map_err(cpu_err)?;
    let layer = ParamLayer {
        kernels: LINEAR_KERNELS,
        names: [
            "linear_forward",
            "linear_backward_data",
            "linear_backward_weight",
            "linear_backward_bias",
        ],
        dims: vec![d.batch, d.inputs, d.outputs],
        offset: 3,
    };
    layer
        .check(ctx, shapes, [&x, &w, &b, &dy], [y, dx, dw, db])
        .await
}
