//! The twins chained through an [`Arch`]: [`network_pass`] (forward and backward of a whole
//! network) and [`train_step`] (one ERM or SAM/m-SAM step), the reference of the CPU and GPU
//! trainers.

use super::{
    ConvDims, LinearDims, PoolDims, ReferenceError, Result, accumulate, conv3x3_backward_data,
    conv3x3_backward_weight, conv3x3_forward, expect_len, linear_backward_data,
    linear_backward_weight, linear_forward, maxpool2_backward, maxpool2_forward,
    normalize_backward, normalize_forward, relu_backward, relu_forward, sam_perturb, sam_restore,
    sgd_momentum, softmax_xent, sum_of_squares,
};
use crate::nn::spec::{Arch, Layer, ParamSlot};
use crate::nn::train::{StepConfig, StepRule, sam_chunks};

/// Result of [`network_pass`]: per-example loss and correct flags, the gradient of the *mean*
/// loss with respect to the flat parameters, and with respect to the `[0, 1]` input pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkPass {
    /// Per-example cross-entropy.
    pub loss: Vec<f32>,
    /// Per-example correct flags.
    pub correct: Vec<u32>,
    /// Gradient of the mean loss in the flat parameter layout of [`Arch::param_slots`].
    pub grads: Vec<f32>,
    /// Gradient of the mean loss with respect to the input `x`.
    pub input_grad: Vec<f32>,
}

/// One layer of an [`Arch`] as the twin that runs it, with this batch's dimensions and, for
/// layers with parameters, their slot.
enum Op<'a> {
    Normalize,
    Relu,
    Flatten,
    Conv(ConvDims, &'a ParamSlot),
    Linear(LinearDims, &'a ParamSlot),
    MaxPool(PoolDims),
}

/// The twin for each of `arch`'s layers at batch size `batch`.
fn layer_ops<'a>(arch: &Arch, slots: &'a [ParamSlot], batch: usize) -> Result<Vec<Op<'a>>> {
    let shapes = arch
        .shapes()
        .map_err(|_| ReferenceError::Shape("the architecture's shapes do not chain"))?;
    let slot = |layer: usize, what: &'static str| {
        slots
            .iter()
            .find(|s| s.layer == layer)
            .ok_or(ReferenceError::Shape(what))
    };
    let ops = arch.layers.iter().zip(shapes).enumerate();
    ops.map(|(i, (layer, s))| {
        Ok(match *layer {
            Layer::Normalize => Op::Normalize,
            Layer::Relu => Op::Relu,
            Layer::Flatten => Op::Flatten,
            Layer::Conv3x3 { inputs, outputs } => {
                let d = ConvDims {
                    batch,
                    inputs,
                    outputs,
                    height: s.height,
                    width: s.width,
                };
                Op::Conv(d, slot(i, "conv layer without parameters")?)
            }
            Layer::Linear { inputs, outputs } => {
                let d = LinearDims {
                    batch,
                    inputs,
                    outputs,
                };
                Op::Linear(d, slot(i, "linear layer without parameters")?)
            }
            Layer::MaxPool2 => Op::MaxPool(PoolDims {
                batch,
                channels: s.channels,
                height: s.height,
                width: s.width,
            }),
        })
    })
    .collect()
}

/// Forward and backward through `arch` with the twins above: the reference that the GPU trainer
/// (and the fast CPU backend) must reproduce. `x` is `[batch, input]` pixels in `[0, 1]`; the
/// labels are bytes, as the trainers take them (the loss twin reads them as the kernel's `u32`
/// words).
pub fn network_pass(arch: &Arch, params: &[f32], x: &[f32], labels: &[u8]) -> Result<NetworkPass> {
    let slots = arch.param_slots();
    let batch = labels.len();
    let ops = layer_ops(arch, &slots, batch)?;
    expect_len("parameters", params, arch.param_count())?;
    expect_len("input", x, batch * arch.input.len())?;
    // acts[i] is the input of layer i; argmax[i] the pooling indices of layer i.
    let mut acts = vec![x.to_vec()];
    let mut argmax = vec![Vec::new(); ops.len()];
    for (i, op) in ops.iter().enumerate() {
        let a = &acts[i];
        let next = match *op {
            Op::Normalize => normalize_forward(a),
            Op::Relu => relu_forward(a),
            Op::Flatten => a.clone(),
            Op::Conv(d, p) => {
                conv3x3_forward(d, a, &params[p.weight.clone()], &params[p.bias.clone()])?
            }
            Op::Linear(d, p) => {
                linear_forward(d, a, &params[p.weight.clone()], &params[p.bias.clone()])?
            }
            Op::MaxPool(d) => {
                let (y, arg) = maxpool2_forward(d, a)?;
                argmax[i] = arg;
                y
            }
        };
        acts.push(next);
    }
    let words: Vec<u32> = labels.iter().map(|&l| u32::from(l)).collect();
    let out = softmax_xent(arch.classes(), &acts[ops.len()], &words)?;
    let mut grads = vec![0f32; params.len()];
    let mut dy = out.dlogits;
    for (i, op) in ops.iter().enumerate().rev() {
        dy = match *op {
            Op::Normalize => normalize_backward(&dy),
            Op::Relu => relu_backward(&acts[i + 1], &dy)?,
            Op::Flatten => dy,
            Op::MaxPool(d) => maxpool2_backward(d, &argmax[i], &dy)?,
            Op::Conv(d, p) => {
                let (dw, db) = conv3x3_backward_weight(d, &acts[i], &dy)?;
                grads[p.weight.clone()].copy_from_slice(&dw);
                grads[p.bias.clone()].copy_from_slice(&db);
                conv3x3_backward_data(d, &dy, &params[p.weight.clone()])?
            }
            Op::Linear(d, p) => {
                let (dw, db) = linear_backward_weight(d, &acts[i], &dy)?;
                grads[p.weight.clone()].copy_from_slice(&dw);
                grads[p.bias.clone()].copy_from_slice(&db);
                linear_backward_data(d, &dy, &params[p.weight.clone()])?
            }
        };
    }
    Ok(NetworkPass {
        loss: out.loss,
        correct: out.correct,
        grads,
        input_grad: dy,
    })
}

/// One training step from the twins, in place, returning the first pass's per-example losses.
///
/// ERM: gradient of the batch mean, then [`sgd_momentum`]. SAM: for each chunk, the chunk-mean
/// gradient `g` at `w`, `e = ρ g/(‖g‖ + 1e-12)` ([`sum_of_squares`], [`sam_perturb`]), the
/// gradient at `w + e`, [`sam_restore`], and [`accumulate`] of it with the chunk's weight
/// `len/batch` (chunks cut by [`crate::nn::train::sam_chunks`]: a short last chunk when `m` does
/// not divide the batch); then
/// [`sgd_momentum`] with the accumulated gradient (weight decay at the restored `w`). The sum of
/// squares is rounded to `f32` before [`sam_perturb`], as the kernel reads it from an `f32` buffer.
pub fn train_step(
    arch: &Arch,
    params: &mut [f32],
    velocity: &mut [f32],
    x: &[f32],
    labels: &[u8],
    config: &StepConfig,
) -> Result<Vec<f32>> {
    let (grads, losses) = match config.rule {
        StepRule::Erm => {
            let pass = network_pass(arch, params, x, labels)?;
            (pass.grads, pass.loss)
        }
        StepRule::Sam { rho, chunk } => sam_gradient(arch, params, x, labels, rho, chunk)?,
    };
    sgd_momentum(
        params,
        velocity,
        &grads,
        config.lr,
        config.momentum,
        config.weight_decay,
    )?;
    Ok(losses)
}

/// The SAM / m-SAM gradient of [`train_step`] (accumulated over chunks, `params` restored) and
/// the first pass's per-example losses.
fn sam_gradient(
    arch: &Arch,
    params: &mut [f32],
    x: &[f32],
    labels: &[u8],
    rho: f32,
    chunk: usize,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let batch = labels.len();
    let per = arch.input.len();
    let mut acc = vec![0f32; params.len()];
    let mut e = vec![0f32; params.len()];
    let mut losses = Vec::with_capacity(batch);
    for (range, weight) in sam_chunks(batch, chunk) {
        let xs = &x[range.start * per..range.end * per];
        let ys = &labels[range];
        let first = network_pass(arch, params, xs, ys)?;
        losses.extend(first.loss);
        sam_perturb(
            params,
            &first.grads,
            &mut e,
            rho,
            sum_of_squares(&first.grads) as f32,
        )?;
        let second = network_pass(arch, params, xs, ys)?;
        sam_restore(params, &e)?;
        accumulate(&mut acc, &second.grads, weight)?;
    }
    Ok((acc, losses))
}
