//! `conv.wgsl` against [`crate::nn::reference`]'s convolution twins.

use super::{KernelCheck, ParamLayer, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::GpuContext;
use crate::gpu::kernels::CONV_KERNELS;
use crate::nn::reference::{self as cpu, ConvDims};
use crate::rng::Rng;

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let d = ConvDims {
        batch: 2,
        inputs: 3,
        outputs: 5,
        height: 7,
        width: 6,
    };
    let shapes = "x[2,3,7,6] w[5,3,3,3]".to_string();
    let x = normals(rng, d.input_len());
    let w = normals(rng, d.weight_len());
    let b = normals(rng, d.outputs);
    let dy = normals(rng, d.output_len());
    let y = cpu::conv3x3_forward(d, &x, &w, &b).map_err(cpu_err)?;
    let dx = cpu::conv3x3_backward_data(d, &dy, &w).map_err(cpu_err)?;
    let (dw, db) = cpu::conv3x3_backward_weight(d, &x, &dy).map_err(cpu_err)?;
    let layer = ParamLayer {
        kernels: CONV_KERNELS,
        names: [
            "conv3x3_forward",
            "conv3x3_backward_data",
            "conv3x3_backward_weight",
            "conv3x3_backward_bias",
        ],
        dims: vec![d.batch, d.inputs, d.outputs, d.height, d.width],
        // Parameters sit after an offset, as in the trainer's flat vector.
        offset: 7,
    };
    layer
        .check(ctx, shapes, [&x, &w, &b, &dy], [y, dx, dw, db])
        .await
}
