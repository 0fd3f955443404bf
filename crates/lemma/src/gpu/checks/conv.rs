//! `conv.wgsl` (with `split_sum.wgsl` for the weight gradients) against
//! [`crate::nn::reference`]'s convolution twins, on a shape inside one tile and on one that spans
//! several tiles and gradient splits with remainders in every dimension.

use super::{KernelCheck, check_param_layer, cpu_err, normals};
use crate::gpu::GpuError;
use crate::gpu::context::{GpuContext, ParamLayerKind};
use crate::nn::reference::{self as cpu, ConvDims};
use crate::rng::Rng;

/// Smaller than one 32 × 32 tile everywhere; several tiles with remainders: 37 output channels
/// (2 row tiles), 19·9·7 = 1197 pixels (38 column tiles), depth 5·9 = 45 and 37·9 = 333 (not
/// multiples of 16), 46 weight-gradient columns, 19 examples (a full and a short split).
const SHAPES: [ConvDims; 2] = [
    ConvDims {
        batch: 2,
        inputs: 3,
        outputs: 5,
        height: 7,
        width: 6,
    },
    ConvDims {
        batch: 19,
        inputs: 5,
        outputs: 37,
        height: 9,
        width: 7,
    },
];

pub(super) async fn check(ctx: &GpuContext, rng: &mut Rng) -> Result<Vec<KernelCheck>, GpuError> {
    let mut checks = Vec::new();
    for d in SHAPES {
        let x = normals(rng, d.input_len());
        let w = normals(rng, d.weight_len());
        let b = normals(rng, d.outputs);
        let dy = normals(rng, d.output_len());
        let y = cpu::conv3x3_forward(d, &x, &w, &b).map_err(cpu_err)?;
        let dx = cpu::conv3x3_backward_data(d, &dy, &w).map_err(cpu_err)?;
        let (dw, db) = cpu::conv3x3_backward_weight(d, &x, &dy).map_err(cpu_err)?;
        let names = [
            "conv3x3_forward",
            "conv3x3_backward_data",
            "conv3x3_backward_weight",
            "conv3x3_backward_bias",
        ];
        // Parameters sit after an offset, as in the trainer's flat vector.
        let layer = check_param_layer(
            ctx,
            names,
            ParamLayerKind::Conv(d),
            7,
            [&x, &w, &b, &dy],
            [y, dx, dw, db],
        );
        checks.extend(layer.await?);
    }
    Ok(checks)
}
