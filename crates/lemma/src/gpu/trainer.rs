//! [`GpuTrainer`]: one model on the GPU — flat parameters (layout of [`crate::nn::spec`]),
//! gradients, momentum, SAM buffers and activations for a fixed maximum batch — driven by
//! ERM, SAM/m-SAM, evaluation, input-gradient and PGD steps. Each step is one submit of many
//! dispatches; nothing is read back unless the host asks ([`GpuTrainer::read_stats`],
//! [`GpuTrainer::read_params`], …).

use super::GpuError;
use super::context::{GpuContext, Grid, LayerBuffers, Op, ParamLayerKind, ParamLayerShape};
use super::kernels::{Kernel, SUM_SQUARES_GROUPS};
use crate::nn::reference::{ConvDims, LinearDims};
use crate::nn::spec::{Arch, Layer, Shape};
use crate::nn::train::{StepConfig, StepRule, sam_chunks};
use std::collections::HashMap;
use std::sync::Arc;

/// Running totals kept on the GPU.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Sum of per-example losses (accumulated in `f32`).
    pub loss_sum: f32,
    /// Correct predictions.
    pub correct: u32,
    /// Examples seen.
    pub examples: u32,
}

/// Totals since the last [`GpuTrainer::read_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// From the training steps (SAM: the first pass of each chunk, at the unperturbed weights).
    pub train: Totals,
    /// From [`GpuTrainer::evaluate`].
    pub eval: Totals,
}

/// Which attack update [`GpuTrainer::pgd_step`] applies (shared with the CPU trainer's
/// [`crate::nn::train::Trainer::pgd`]).
pub use crate::nn::train::AttackNorm;

/// The launches for one batch size and input offset.
struct Plan {
    forward: Vec<Op>,
    loss: Op,
    train_totals: Op,
    eval_totals: Op,
    /// Backward with weight gradients (training); data gradients only where a lower layer needs
    /// them.
    train_backward: Vec<Op>,
    /// Backward-data only, down to the input pixels (attacks).
    input_backward: Vec<Op>,
}

/// The PGD launches for one batch size.
struct AttackOps {
    apply: Op,
    linf: Op,
    l2: Op,
}

/// A small CNN on the GPU.
pub struct GpuTrainer {
    ctx: Arc<GpuContext>,
    arch: Arch,
    shapes: Vec<Shape>,
    max_batch: usize,
    params: wgpu::Buffer,
    grads: wgpu::Buffer,
    velocity: wgpu::Buffer,
    accumulated: wgpu::Buffer,
    input: wgpu::Buffer,
    labels: wgpu::Buffer,
    clean: wgpu::Buffer,
    delta: wgpu::Buffer,
    input_grad: wgpu::Buffer,
    /// Scratch for the per-split partial weight gradients of one layer at a time.
    weight_partials: wgpu::Buffer,
    acts: Vec<wgpu::Buffer>,
    dacts: Vec<wgpu::Buffer>,
    argmax: Vec<Option<wgpu::Buffer>>,
    loss: wgpu::Buffer,
    correct: wgpu::Buffer,
    totals: wgpu::Buffer,
    eval_totals: wgpu::Buffer,
    sgd_erm: Op,
    sgd_sam: Op,
    sum_sq_ops: [Op; 2],
    perturb: Op,
    restore: Op,
    /// `acc += weight·g` for the full chunks of an m-SAM step, and for a short last chunk (a
    /// partial batch), each with its own uniform so both weights fit in one submit.
    accumulate: [Op; 2],
    plans: HashMap<(usize, usize), Plan>,
    attacks: HashMap<usize, AttackOps>,
}

fn words(values: &[usize]) -> Vec<u32> {
    values.iter().map(|&v| v as u32).collect()
}

/// The kernels' view of every conv and linear layer of `arch` at batch `batch`, by layer index.
fn param_layer_shapes(
    arch: &Arch,
    shapes: &[Shape],
    batch: usize,
) -> Vec<(usize, ParamLayerShape)> {
    arch.param_slots()
        .iter()
        .filter_map(|slot| {
            let s = shapes[slot.layer];
            let kind = match arch.layers[slot.layer] {
                Layer::Conv3x3 { inputs, outputs } => ParamLayerKind::Conv(ConvDims {
                    batch,
                    inputs,
                    outputs,
                    height: s.height,
                    width: s.width,
                }),
                Layer::Linear { inputs, outputs } => ParamLayerKind::Linear(LinearDims {
                    batch,
                    inputs,
                    outputs,
                }),
                _ => return None,
            };
            let shape = ParamLayerShape {
                kind,
                w_off: slot.weight.start,
                b_off: slot.bias.start,
            };
            Some((slot.layer, shape))
        })
        .collect()
}

impl GpuTrainer {
    /// Uploads `params` (flat layout of [`Arch::param_slots`]) and allocates every buffer for
    /// batches of up to `max_batch`. The first layer must be [`Layer::Normalize`] (it reads the
    /// raw pixels at an offset, which m-SAM chunks need).
    pub fn new(
        ctx: Arc<GpuContext>,
        arch: &Arch,
        params: &[f32],
        max_batch: usize,
    ) -> Result<Self, GpuError> {
        let shapes = arch.shapes().map_err(|e| GpuError::Input(e.to_string()))?;
        if arch.layers.first() != Some(&Layer::Normalize) {
            return Err(GpuError::Input(
                "the GPU trainer needs a Normalize first layer".into(),
            ));
        }
        if max_batch == 0 {
            return Err(GpuError::Input("the batch must hold an example".into()));
        }
        let count = arch.param_count();
        if params.len() != count {
            return Err(GpuError::Input(format!(
                "{} parameters given, {} expected for {}",
                params.len(),
                count,
                arch.name
            )));
        }
        let per = arch.input.len();
        let layer_shapes = param_layer_shapes(arch, &shapes, max_batch);
        let mut partials_len = 0;
        for (_, shape) in &layer_shapes {
            shape.check_grid()?;
            partials_len = partials_len.max(shape.partials_len());
        }
        let c = &*ctx;
        let weight_partials = c.buffer::<f32>("partial weight gradients", partials_len);
        let params = c.buffer_from("params", params);
        let grads = c.buffer::<f32>("grads", count);
        let velocity = c.buffer::<f32>("velocity", count);
        let perturbation = c.buffer::<f32>("sam e", count);
        let accumulated = c.buffer::<f32>("sam accumulated", count);
        let partials = c.buffer::<f32>("partials", SUM_SQUARES_GROUPS as usize);
        let sum_sq = c.buffer::<f32>("sum of squares", 1);
        let batch_buffer = |label| c.buffer::<f32>(label, max_batch * per);
        let (input, clean, delta, input_grad) = (
            batch_buffer("input"),
            batch_buffer("clean input"),
            batch_buffer("delta"),
            batch_buffer("input gradient"),
        );
        let labels = c.buffer::<u32>("labels", max_batch);
        // acts[i] is the input of layer i (acts[0] is unused: layer 0 reads `input`).
        let mut acts = vec![input.clone()];
        let mut argmax = Vec::new();
        for (i, layer) in arch.layers.iter().enumerate() {
            let next = match layer {
                Layer::Flatten => acts[i].clone(),
                _ => c.buffer::<f32>("activation", max_batch * shapes[i + 1].len()),
            };
            acts.push(next);
            argmax.push(
                (*layer == Layer::MaxPool2)
                    .then(|| c.buffer::<u32>("argmax", max_batch * shapes[i + 1].len())),
            );
        }
        let layers = arch.layers.len();
        let mut dacts = vec![c.buffer::<f32>("logit gradient", max_batch * shapes[layers].len())];
        for i in (1..layers).rev() {
            let next = match arch.layers[i] {
                Layer::Flatten => dacts[0].clone(),
                _ => c.buffer::<f32>("activation gradient", max_batch * shapes[i].len()),
            };
            dacts.insert(0, next);
        }
        dacts.insert(0, input_grad.clone());
        let n = count as u32;
        let sgd_params = [n, 0, 0, 0];
        let sgd_erm = c.op(
            Kernel::Sgd,
            &sgd_params,
            &[(1, &grads), (2, &params), (3, &velocity)],
            Grid::Items(count),
        );
        let sgd_sam = c.op(
            Kernel::Sgd,
            &sgd_params,
            &[(1, &accumulated), (2, &params), (3, &velocity)],
            Grid::Items(count),
        );
        let ss = words(&[count, 0, 0]);
        let sum_sq_ops = c.sum_of_squares_ops(&ss, &grads, &partials, &sum_sq);
        let perturb = c.op(
            Kernel::SamPerturb,
            &[n, 0],
            &[(1, &grads), (2, &params), (3, &perturbation), (4, &sum_sq)],
            Grid::Items(count),
        );
        let restore = c.op(
            Kernel::SamRestore,
            &[n, 0],
            &[(2, &params), (3, &perturbation)],
            Grid::Items(count),
        );
        let accumulate = [(); 2].map(|()| {
            c.op(
                Kernel::Accumulate,
                &[n, 0],
                &[(1, &grads), (5, &accumulated)],
                Grid::Items(count),
            )
        });
        Ok(Self {
            loss: c.buffer::<f32>("loss", max_batch),
            correct: c.buffer::<u32>("correct", max_batch),
            totals: c.buffer::<u32>("train totals", 3),
            eval_totals: c.buffer::<u32>("eval totals", 3),
            arch: arch.clone(),
            shapes,
            max_batch,
            params,
            grads,
            velocity,
            accumulated,
            input,
            labels,
            clean,
            delta,
            input_grad,
            weight_partials,
            acts,
            dacts,
            argmax,
            sgd_erm,
            sgd_sam,
            sum_sq_ops,
            perturb,
            restore,
            accumulate,
            plans: HashMap::new(),
            attacks: HashMap::new(),
            ctx,
        })
    }

    /// The architecture.
    pub fn arch(&self) -> &Arch {
        &self.arch
    }

    /// The largest batch the buffers hold.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// Replaces the parameters and zeroes the momentum buffer.
    pub fn set_params(&mut self, params: &[f32]) -> Result<(), GpuError> {
        if params.len() != self.arch.param_count() {
            return Err(GpuError::Input(format!(
                "{} parameters given, {} expected",
                params.len(),
                self.arch.param_count()
            )));
        }
        let q = &self.ctx.queue;
        q.write_buffer(&self.params, 0, bytemuck::cast_slice(params));
        let mut encoder = self.ctx.encoder();
        encoder.clear_buffer(&self.velocity, 0, None);
        q.submit([encoder.finish()]);
        Ok(())
    }

    /// Reads the flat parameters back.
    pub async fn read_params(&self) -> Result<Vec<f32>, GpuError> {
        self.ctx
            .read(&self.params, 0, self.arch.param_count())
            .await
    }

    /// Reads the last computed parameter gradient (the chunk gradient at the perturbed weights
    /// after a SAM step).
    pub async fn read_grads(&self) -> Result<Vec<f32>, GpuError> {
        self.ctx.read(&self.grads, 0, self.arch.param_count()).await
    }

    /// Reads the train and eval totals and resets them.
    pub async fn read_stats(&self) -> Result<Stats, GpuError> {
        let train = self.ctx.read::<u32>(&self.totals, 0, 3).await?;
        let eval = self.ctx.read::<u32>(&self.eval_totals, 0, 3).await?;
        let mut encoder = self.ctx.encoder();
        encoder.clear_buffer(&self.totals, 0, None);
        encoder.clear_buffer(&self.eval_totals, 0, None);
        self.ctx.queue.submit([encoder.finish()]);
        let totals = |t: &[u32]| Totals {
            loss_sum: f32::from_bits(t[0]),
            correct: t[1],
            examples: t[2],
        };
        Ok(Stats {
            train: totals(&train),
            eval: totals(&eval),
        })
    }

    /// Resolves once every step queued so far has run on the device (a one-word readback), so a
    /// host that times steps measures the GPU's work, not the time to queue it.
    pub async fn finish_queued(&self) -> Result<(), GpuError> {
        self.ctx.read::<u32>(&self.totals, 0, 1).await.map(|_| ())
    }

    /// Checks a batch and uploads its pixels (to `target`) and labels (widened to the kernels'
    /// `u32` words).
    fn upload(&self, x: &[f32], labels: &[u8], target: &wgpu::Buffer) -> Result<(), GpuError> {
        let batch = labels.len();
        let per = self.arch.input.len();
        if batch == 0 || batch > self.max_batch {
            return Err(GpuError::Input(format!(
                "batch of {batch}, the trainer holds 1..={}",
                self.max_batch
            )));
        }
        if x.len() != batch * per {
            return Err(GpuError::Input(format!(
                "{} input values for {batch} examples of {per}",
                x.len()
            )));
        }
        let classes = self.arch.classes();
        if let Some((n, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, l)| usize::from(**l) >= classes)
        {
            return Err(GpuError::Input(format!(
                "label {label} of example {n} is not below {classes}"
            )));
        }
        let words: Vec<u32> = labels.iter().map(|&l| u32::from(l)).collect();
        let q = &self.ctx.queue;
        q.write_buffer(target, 0, bytemuck::cast_slice(x));
        q.write_buffer(&self.labels, 0, bytemuck::cast_slice(&words));
        Ok(())
    }

    /// The launches for `batch` examples starting at example `offset` of the input buffer.
    fn plan(&mut self, batch: usize, offset: usize) -> &Plan {
        if !self.plans.contains_key(&(batch, offset)) {
            let plan = self.build_plan(batch, offset);
            self.plans.insert((batch, offset), plan);
        }
        &self.plans[&(batch, offset)]
    }

    fn build_plan(&self, batch: usize, offset: usize) -> Plan {
        let c = &*self.ctx;
        let slots = self.arch.param_slots();
        let layer_shapes = param_layer_shapes(&self.arch, &self.shapes, batch);
        let (acts, dacts, shapes) = (&self.acts, &self.dacts, &self.shapes);
        let layers = self.arch.layers.len();
        let mut forward = Vec::new();
        let mut train_backward = Vec::new();
        let mut input_backward = Vec::new();
        // The lowest layer with parameters: training needs no data gradient below it.
        let lowest = slots.first().map_or(layers, |s| s.layer);
        for (i, layer) in self.arch.layers.iter().enumerate() {
            let (s, out) = (shapes[i], shapes[i + 1]);
            let layer_shape = layer_shapes.iter().find(|(l, _)| *l == i).map(|(_, s)| s);
            let items_in = batch * s.len();
            let items_out = batch * out.len();
            let (x, y, dx, dy) = (&acts[i], &acts[i + 1], &dacts[i], &dacts[i + 1]);
            let mut data = Vec::new();
            let mut weight = Vec::new();
            match (*layer, layer_shape) {
                (Layer::Normalize, _) => {
                    let per = self.arch.input.len();
                    forward.push(c.op(
                        Kernel::NormalizeForward,
                        &words(&[items_out, offset * per]),
                        &[(1, &self.input), (2, y)],
                        Grid::Items(items_out),
                    ));
                    data.push(c.op(
                        Kernel::NormalizeBackward,
                        &words(&[items_in, 0]),
                        &[(1, dy), (2, dx)],
                        Grid::Items(items_in),
                    ));
                }
                (Layer::Relu, _) => {
                    let n = words(&[items_out]);
                    forward.push(c.op(
                        Kernel::ReluForward,
                        &n,
                        &[(1, x), (3, y)],
                        Grid::Items(items_out),
                    ));
                    data.push(c.op(
                        Kernel::ReluBackward,
                        &n,
                        &[(1, y), (2, dy), (3, dx)],
                        Grid::Items(items_in),
                    ));
                }
                (Layer::Flatten, _) => {}
                (Layer::MaxPool2, _) => {
                    let arg = self.argmax[i].as_ref().expect("pool layers have argmax");
                    let dims = words(&[batch * s.channels, s.height, s.width]);
                    forward.push(c.op(
                        Kernel::MaxPoolForward,
                        &dims,
                        &[(1, x), (2, y), (3, arg)],
                        Grid::Items(items_out),
                    ));
                    data.push(c.op(
                        Kernel::MaxPoolBackward,
                        &dims,
                        &[(1, dy), (2, dx), (3, arg)],
                        Grid::Items(items_out),
                    ));
                }
                (Layer::Conv3x3 { .. } | Layer::Linear { .. }, Some(shape)) => {
                    let bufs = LayerBuffers {
                        x,
                        y,
                        dx,
                        dy,
                        params: &self.params,
                        grads: &self.grads,
                        partials: &self.weight_partials,
                    };
                    let ops = c.param_layer_ops(shape, &bufs);
                    forward.push(ops.forward);
                    data.push(ops.backward_data);
                    weight.extend(ops.backward_weight);
                }
                (Layer::Conv3x3 { .. } | Layer::Linear { .. }, None) => {
                    unreachable!("param_slots lists every conv and linear layer")
                }
            }
            // Backward runs top-down: prepend this layer's launches.
            let mut train = weight;
            if i > lowest {
                train.extend(data.iter().cloned());
            }
            train.append(&mut train_backward);
            train_backward = train;
            data.append(&mut input_backward);
            input_backward = data;
        }
        let classes = shapes[layers].len();
        let dims = words(&[batch, classes, offset]);
        let loss = c.op(
            Kernel::SoftmaxXent,
            &dims,
            &[
                (1, &acts[layers]),
                (2, &self.labels),
                (3, &dacts[layers]),
                (4, &self.loss),
                (5, &self.correct),
            ],
            Grid::Items(batch),
        );
        let totals = |t| {
            c.op(
                Kernel::AddTotals,
                &dims,
                &[(4, &self.loss), (5, &self.correct), (6, t)],
                Grid::Groups(1),
            )
        };
        Plan {
            forward,
            loss,
            train_totals: totals(&self.totals),
            eval_totals: totals(&self.eval_totals),
            train_backward,
            input_backward,
        }
    }

    fn write_words(&self, op: &Op, values: &[u32]) {
        self.ctx
            .queue
            .write_buffer(op.uniform(), 0, bytemuck::cast_slice(values));
    }

    /// One optimisation step on `x` (`[batch, input]` pixels in `[0, 1]`) with `labels`: ERM or
    /// SAM/m-SAM as `config.rule` says (see [`crate::nn::reference::train_step`], which it
    /// reproduces). One submit, no readback.
    pub fn train_step(
        &mut self,
        x: &[f32],
        labels: &[u8],
        config: &StepConfig,
    ) -> Result<(), GpuError> {
        self.upload(x, labels, &self.input.clone())?;
        self.train_step_uploaded(labels.len(), config)
    }

    /// [`Self::train_step`] on the batch already in the input buffer (e.g. after
    /// [`Self::pgd_step`], to train on adversarial examples).
    pub fn train_step_uploaded(
        &mut self,
        batch: usize,
        config: &StepConfig,
    ) -> Result<(), GpuError> {
        if batch == 0 || batch > self.max_batch {
            return Err(GpuError::Input(format!(
                "batch of {batch}, the trainer holds 1..={}",
                self.max_batch
            )));
        }
        let n = self.arch.param_count() as u32;
        let sgd = [
            n,
            config.lr.to_bits(),
            config.momentum.to_bits(),
            config.weight_decay.to_bits(),
        ];
        let mut encoder = self.ctx.encoder();
        match config.rule {
            StepRule::Erm => {
                self.write_words(&self.sgd_erm, &sgd);
                self.plan(batch, 0);
                let plan = &self.plans[&(batch, 0)];
                let ops = plan
                    .forward
                    .iter()
                    .chain([&plan.loss, &plan.train_totals])
                    .chain(&plan.train_backward)
                    .chain([&self.sgd_erm]);
                self.ctx.encode(&mut encoder, ops);
            }
            StepRule::Sam { rho, chunk } => {
                // The chunks and weights of `nn::train::sam_chunks`: full chunks use the first
                // accumulate op, a short last chunk the second.
                let chunks: Vec<_> = sam_chunks(batch, chunk).collect();
                let full = chunks[0].0.len();
                self.write_words(&self.sgd_sam, &sgd);
                self.write_words(&self.perturb, &[n, rho.to_bits()]);
                for (range, weight) in &chunks {
                    let which = usize::from(range.len() != full);
                    self.write_words(&self.accumulate[which], &[n, weight.to_bits()]);
                    self.plan(range.len(), range.start);
                }
                encoder.clear_buffer(&self.accumulated, 0, None);
                let mut ops: Vec<&Op> = Vec::new();
                for (range, _) in &chunks {
                    let accumulate = &self.accumulate[usize::from(range.len() != full)];
                    let plan = &self.plans[&(range.len(), range.start)];
                    ops.extend(&plan.forward);
                    ops.extend([&plan.loss, &plan.train_totals]);
                    ops.extend(&plan.train_backward);
                    ops.extend(&self.sum_sq_ops);
                    ops.push(&self.perturb);
                    ops.extend(&plan.forward);
                    ops.push(&plan.loss);
                    ops.extend(&plan.train_backward);
                    ops.extend([&self.restore, accumulate]);
                }
                ops.push(&self.sgd_sam);
                self.ctx.encode(&mut encoder, ops);
            }
        }
        self.ctx.queue.submit([encoder.finish()]);
        Ok(())
    }

    /// Forward only on `x` with `labels`, in batches of at most `max_batch`, adding the loss and
    /// correct count to the eval totals.
    pub fn evaluate(&mut self, x: &[f32], labels: &[u8]) -> Result<(), GpuError> {
        let per = self.arch.input.len();
        if x.len() != labels.len() * per {
            return Err(GpuError::Input(format!(
                "{} input values for {} examples of {per}",
                x.len(),
                labels.len()
            )));
        }
        for (xs, ys) in x
            .chunks(self.max_batch * per)
            .zip(labels.chunks(self.max_batch))
        {
            self.upload(xs, ys, &self.input.clone())?;
            let batch = ys.len();
            self.plan(batch, 0);
            let plan = &self.plans[&(batch, 0)];
            self.ctx
                .run(plan.forward.iter().chain([&plan.loss, &plan.eval_totals]));
        }
        Ok(())
    }

    /// Gradient of the batch-mean loss with respect to the input pixels (forward and
    /// backward-data only, no weight gradients); read it with [`Self::read_input_gradient`].
    pub fn input_gradient(&mut self, x: &[f32], labels: &[u8]) -> Result<(), GpuError> {
        self.upload(x, labels, &self.input.clone())?;
        let batch = labels.len();
        self.plan(batch, 0);
        let plan = &self.plans[&(batch, 0)];
        self.ctx.run(
            plan.forward
                .iter()
                .chain([&plan.loss])
                .chain(&plan.input_backward),
        );
        Ok(())
    }

    /// Reads the input gradient of the first `batch` examples.
    pub async fn read_input_gradient(&self, batch: usize) -> Result<Vec<f32>, GpuError> {
        self.ctx
            .read(&self.input_grad, 0, batch * self.arch.input.len())
            .await
    }

    /// Starts an attack on clean inputs `x` with `labels` from the perturbation `delta`
    /// (zeros when `None`).
    pub fn attack_begin(
        &mut self,
        x: &[f32],
        labels: &[u8],
        delta: Option<&[f32]>,
    ) -> Result<(), GpuError> {
        self.upload(x, labels, &self.clean.clone())?;
        match delta {
            Some(d) if d.len() == x.len() => {
                self.ctx
                    .queue
                    .write_buffer(&self.delta, 0, bytemuck::cast_slice(d));
            }
            Some(d) => {
                return Err(GpuError::Input(format!(
                    "{} perturbation values for {} inputs",
                    d.len(),
                    x.len()
                )));
            }
            None => {
                let mut encoder = self.ctx.encoder();
                encoder.clear_buffer(&self.delta, 0, None);
                self.ctx.queue.submit([encoder.finish()]);
            }
        }
        Ok(())
    }

    /// One attack step on the batch given to [`Self::attack_begin`]: input = x + δ, forward,
    /// backward-data to the pixels, then the ℓ∞ or ℓ2 update of δ. Afterwards the input buffer
    /// holds x + δ of the *previous* δ; call [`Self::attack_finish`] to load the final x + δ.
    pub fn pgd_step(
        &mut self,
        batch: usize,
        norm: AttackNorm,
        alpha: f32,
        eps: f32,
    ) -> Result<(), GpuError> {
        if batch == 0 || batch > self.max_batch {
            return Err(GpuError::Input(format!(
                "batch of {batch}, the trainer holds 1..={}",
                self.max_batch
            )));
        }
        self.attack_ops(batch);
        let per = self.arch.input.len();
        let words = [
            (batch * per) as u32,
            per as u32,
            alpha.to_bits(),
            eps.to_bits(),
        ];
        self.plan(batch, 0);
        let plan = &self.plans[&(batch, 0)];
        let attack = &self.attacks[&batch];
        let update = match norm {
            AttackNorm::Linf => &attack.linf,
            AttackNorm::L2 => &attack.l2,
        };
        self.ctx
            .queue
            .write_buffer(update.uniform(), 0, bytemuck::cast_slice(&words));
        self.ctx.run(
            [&attack.apply]
                .into_iter()
                .chain(&plan.forward)
                .chain([&plan.loss])
                .chain(&plan.input_backward)
                .chain([update]),
        );
        Ok(())
    }

    /// Loads x + δ into the input buffer (for [`Self::train_step_uploaded`]).
    pub fn attack_finish(&mut self, batch: usize) -> Result<(), GpuError> {
        if batch == 0 || batch > self.max_batch {
            return Err(GpuError::Input(format!(
                "batch of {batch}, the trainer holds 1..={}",
                self.max_batch
            )));
        }
        self.attack_ops(batch);
        self.ctx.run([&self.attacks[&batch].apply]);
        Ok(())
    }

    /// Reads the perturbation δ of the first `batch` examples.
    pub async fn read_delta(&self, batch: usize) -> Result<Vec<f32>, GpuError> {
        self.ctx
            .read(&self.delta, 0, batch * self.arch.input.len())
            .await
    }

    fn attack_ops(&mut self, batch: usize) {
        if !self.attacks.contains_key(&batch) {
            let c = &*self.ctx;
            let per = self.arch.input.len();
            let len = batch * per;
            let w = [len as u32, per as u32, 0, 0];
            let bind = [(1, &self.input_grad), (2, &self.clean), (3, &self.delta)];
            let ops = AttackOps {
                apply: c.op(
                    Kernel::PgdApply,
                    &w,
                    &[(2, &self.clean), (3, &self.delta), (4, &self.input)],
                    Grid::Items(len),
                ),
                linf: c.op(Kernel::PgdLinf, &w, &bind, Grid::Items(len)),
                l2: c.op(Kernel::PgdL2, &w, &bind, Grid::Groups(batch as u32)),
            };
            self.attacks.insert(batch, ops);
        }
    }
}
