//! `linear.wgsl` (with `split_sum.wgsl` for the weight gradients) against
//! [`crate::nn::reference`]'s fully connected twins, on a shape inside one tile and on one that
//! spans several tiles and gradient splits with remainders in every dimension.

use super::{KernelCheck, check_param_layer, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, ParamLayerKind};
use crate::nn::reference::{self as cpu, LinearDims};
use crate::rng::Rng;

/// Inside one 32 × 32 tile (but a depth of 37, not a multiple of 16); several tiles with
/// remainders: 35 examples (2 row tiles, splits of 16, 16 and 3), 70 inputs (3 column tiles of dx,
/// 71 weight-gradient columns), 45 outputs (2 tiles of y and of the weight gradient).
const SHAPES: [LinearDims; 2] = [
    LinearDims {
        batch: 5,
        inputs: 37,
        outputs: 11,
    },
    LinearDims {
        batch: 35,
        inputs: 70,
        outputs: 45,
    },
];

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let mut checks = Vec::new();
    for d in SHAPES {
        let x = normals(rng, d.batch * d.inputs);
        let w = normals(rng, d.outputs * d.inputs);
        let b = normals(rng, d.outputs);
        let dy = normals(rng, d.batch * d.outputs);
        let y = cpu::linear_forward(d, &x, &w, &b).map_err(cpu_err)?;
        let dx = cpu::linear_backward_data(d, &dy, &w).map_err(cpu_err)?;
        let (dw, db) = cpu::linear_backward_weight(d, &x, &dy).map_err(cpu_err)?;
        let names = [
            "linear_forward",
            "linear_backward_data",
            "linear_backward_weight",
            "linear_backward_bias",
        ];
        let layer = check_param_layer(
            ctx,
            names,
            ParamLayerKind::Linear(d),
            3,
            [&x, &w, &b, &dy],
            [y, dx, dw, db],
        );
        checks.extend(layer.await?);
    }
    Ok(checks)
}
