//! The CPU network: forward, fused softmax-cross-entropy and backward over an [`Arch`], with all
//! activations kept for the backward pass and every buffer reused between batches. Convolutions and
//! linear layers go through [`crate::nn::gemm`]; the cheap layers are written in place here.
//!
//! A batch is cut into [`SHARDS`] fixed halves, each with its own activations, run on a thread of
//! its own natively and one after the other in wasm; parameter gradients are summed in shard
//! order. The cut depends only on the batch size, so results do not depend on the number of
//! threads, and every GEMM is single-threaded (no oversubscription of the two cores).
//!
//! Feature taps ([`Tap`]) serve feature-space perturbations (RLAT): a forward pass can add
//! per-example perturbations at the input or at conv/linear outputs
//! ([`CpuNet::perturbed_gradient`]), and a backward pass can return the loss gradient at each tap
//! without weight gradients ([`CpuNet::tap_gradients`]). Both stay inside the shards: each shard
//! takes its examples' slice of every tap.

use super::gemm;
use super::reference::{ConvDims, LinearDims};
use super::spec::{Arch, Layer, ParamSlot, Shape, ShapeError};

/// Loss and accuracy of one batch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchStats {
    /// Sum over the batch of the per-example cross-entropy.
    pub loss_sum: f64,
    /// Examples whose arg-max logit is the label (first maximum on ties).
    pub correct: usize,
    /// Examples in the batch.
    pub count: usize,
}

impl BatchStats {
    /// Adds another batch's statistics.
    pub fn add(&mut self, other: BatchStats) {
        self.loss_sum += other.loss_sum;
        self.correct += other.correct;
        self.count += other.count;
    }

    /// Mean loss (NaN for an empty set).
    pub fn mean_loss(&self) -> f64 {
        self.loss_sum / self.count as f64
    }

    /// Accuracy in [0, 1] (NaN for an empty set).
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.count as f64
    }
}

/// Per-example softmax cross-entropy of `logits: [N, K]` against `labels`, written as the loss
/// gradient `(softmax − onehot)/N` into `dlogits`. The loss is `logsumexp − logit[label]` with the
/// row maximum subtracted first.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    dlogits: &mut [f32],
) -> BatchStats {
    softmax_cross_entropy_of(logits, labels, classes, labels.len(), dlogits)
}

/// [`softmax_cross_entropy`] for `labels`, a part of a batch of `batch` examples: the gradient is
/// that of the whole batch's mean loss, `(softmax − onehot)/batch`.
fn softmax_cross_entropy_of(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    batch: usize,
    dlogits: &mut [f32],
) -> BatchStats {
    let mut stats = BatchStats {
        count: labels.len(),
        ..BatchStats::default()
    };
    for (n, &label) in labels.iter().enumerate() {
        let row = &logits[n * classes..][..classes];
        let grad = &mut dlogits[n * classes..][..classes];
        let (mut best, mut best_at) = (row[0], 0);
        for (k, &v) in row.iter().enumerate().skip(1) {
            if v > best {
                best = v;
                best_at = k;
            }
        }
        let mut total = 0f32;
        for (g, &v) in grad.iter_mut().zip(row) {
            *g = (v - best).exp();
            total += *g;
        }
        let label = usize::from(label);
        stats.loss_sum += f64::from(total.ln() - (row[label] - best));
        stats.correct += usize::from(best_at == label);
        let scale = 1.0 / (total * batch as f32);
        for g in grad.iter_mut() {
            *g *= scale;
        }
        grad[label] -= 1.0 / batch as f32;
    }
    stats
}

/// Shards a batch is cut into (see the module doc).
pub const SHARDS: usize = 2;

/// The examples of shard `k` of a batch of `n`: consecutive parts, the earlier ones rounded up
/// (for two shards, the first half rounded up, then the rest).
fn shard_range(k: usize, n: usize) -> std::ops::Range<usize> {
    let bound = |k: usize| (k * n).div_ceil(SHARDS);
    bound(k)..bound(k + 1)
}

/// Whether shards run on threads of their own (natively; see [`set_parallel`]).
static PARALLEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Natively, runs the shards on threads of their own (`true`, the default) or one after the other
/// on the calling thread (`false`, e.g. to time one core). Results are the same bits either way.
pub fn set_parallel(parallel: bool) {
    PARALLEL.store(parallel, std::sync::atomic::Ordering::Relaxed);
}

/// Runs `work` on every shard with its examples (skipping empty ones) and returns the results in
/// shard order: on threads of their own natively, one after the other in wasm.
fn on_shards<R: Default + Send>(
    shards: &mut [Shard],
    n: usize,
    work: impl Fn(&mut Shard, std::ops::Range<usize>) -> R + Sync,
) -> Vec<R> {
    let work = &work;
    let run = move |(k, shard): (usize, &mut Shard)| {
        let range = shard_range(k, n);
        if range.is_empty() {
            R::default()
        } else {
            work(shard, range)
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    if PARALLEL.load(std::sync::atomic::Ordering::Relaxed) {
        return std::thread::scope(|scope| {
            let (first, rest) = shards.split_at_mut(1);
            let others: Vec<_> = rest
                .iter_mut()
                .enumerate()
                .map(|(k, shard)| scope.spawn(move || run((k + 1, shard))))
                .collect();
            let mut out = vec![run((0, &mut first[0]))];
            out.extend(
                others
                    .into_iter()
                    .map(|h| h.join().expect("a shard's pass does not panic")),
            );
            out
        });
    }
    shards.iter_mut().enumerate().map(run).collect()
}

/// A CNN on the CPU: [`SHARDS`] passes over parts of each batch, and the summed results.
#[derive(Clone)]
pub struct CpuNet {
    shards: Vec<Shard>,
    input_grad: Vec<f32>,
    tap_grads: Vec<Vec<f32>>,
}

impl CpuNet {
    /// A network for `arch` (its shapes must chain).
    pub fn new(arch: &Arch) -> Result<Self, ShapeError> {
        let shard = Shard::new(arch)?;
        Ok(Self {
            shards: vec![shard; SHARDS],
            input_grad: Vec::new(),
            tap_grads: Vec::new(),
        })
    }

    /// The architecture.
    pub fn arch(&self) -> &Arch {
        &self.shards[0].arch
    }

    /// Values per input example.
    pub fn input_len(&self) -> usize {
        self.shards[0].input_len()
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.shards[0].classes()
    }

    /// Forward, loss and backward: overwrites `grads` with the gradient of the batch's mean loss
    /// at `params` (each shard's part of it, summed in shard order).
    pub fn gradient(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        grads: &mut [f32],
    ) -> BatchStats {
        self.gradient_with(params, x, labels, &[], grads)
    }

    /// [`Self::gradient`] with the perturbations `adds` (activation index, whole-batch values)
    /// added during the forward pass.
    fn gradient_with(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        adds: &[(usize, &[f32])],
        grads: &mut [f32],
    ) -> BatchStats {
        let (n, per) = (labels.len(), self.input_len());
        let parts = on_shards(&mut self.shards, n, |shard, r| {
            let own_adds = shard_adds(&shard.shapes, adds, &r);
            let stats = shard.forward_loss_with(
                params,
                &x[r.start * per..r.end * per],
                &labels[r],
                n,
                &own_adds,
            );
            let mut own = std::mem::take(&mut shard.param_grads);
            own.resize(params.len(), 0.0);
            shard.backward(params, Some(&mut own), false);
            shard.param_grads = own;
            stats
        });
        let mut filled = false;
        for (k, shard) in self.shards.iter().enumerate() {
            if shard_range(k, n).is_empty() {
                continue;
            }
            if filled {
                for (g, &s) in grads.iter_mut().zip(&shard.param_grads) {
                    *g += s;
                }
            } else {
                grads.copy_from_slice(&shard.param_grads);
                filled = true;
            }
        }
        if !filled {
            grads.fill(0.0);
        }
        sum_stats(parts)
    }

    /// Forward, loss and backward-data only: the gradient of the batch's *mean* loss with respect
    /// to the input pixels `x` (no weight gradients), with the batch's loss and accuracy.
    pub fn input_gradient(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
    ) -> (BatchStats, &[f32]) {
        let (n, per) = (labels.len(), self.input_len());
        let parts = on_shards(&mut self.shards, n, |shard, r| {
            let stats = shard.forward_loss(params, &x[r.start * per..r.end * per], &labels[r], n);
            shard.backward(params, None, true);
            stats
        });
        self.input_grad.clear();
        for (k, shard) in self.shards.iter().enumerate() {
            if !shard_range(k, n).is_empty() {
                self.input_grad.extend_from_slice(&shard.grad);
            }
        }
        (sum_stats(parts), &self.input_grad)
    }

    /// Loss and accuracy without gradients.
    pub fn evaluate(&mut self, params: &[f32], x: &[f32], labels: &[u8]) -> BatchStats {
        let (n, per) = (labels.len(), self.input_len());
        sum_stats(on_shards(&mut self.shards, n, |shard, r| {
            shard.forward_loss(params, &x[r.start * per..r.end * per], &labels[r], n)
        }))
    }

    /// Values per example at `tap` (the input's or the layer output's size); errors on a tap this
    /// network does not have.
    pub fn tap_len(&self, tap: Tap) -> Result<usize, NetError> {
        self.check_taps(&[tap])?;
        Ok(self.shards[0].shapes[tap.activation()].len())
    }

    /// Forward, loss and backward-data only, down to the lowest tap: the gradient of the batch's
    /// *mean* loss with respect to the value at each of `taps` (whole batch, example-major, one
    /// vector per tap in the order given), with the batch's loss and accuracy. No weight gradients
    /// are formed. The input tap's gradient is [`Self::input_gradient`]'s, bit for bit. Errors when
    /// a tap is not valid for this network ([`Tap`]) or `x` does not match `labels`.
    pub fn tap_gradients(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        taps: &[Tap],
    ) -> Result<(BatchStats, &[Vec<f32>]), NetError> {
        self.check_taps(taps)?;
        self.check_batch(x, labels)?;
        let activations: Vec<usize> = taps.iter().map(|t| t.activation()).collect();
        let (n, per) = (labels.len(), self.input_len());
        let parts = on_shards(&mut self.shards, n, |shard, r| {
            let stats = shard.forward_loss(params, &x[r.start * per..r.end * per], &labels[r], n);
            shard.backward_to_taps(params, &activations);
            stats
        });
        self.tap_grads.resize(taps.len(), Vec::new());
        for (t, out) in self.tap_grads.iter_mut().enumerate() {
            out.clear();
            for (k, shard) in self.shards.iter().enumerate() {
                if !shard_range(k, n).is_empty() {
                    out.extend_from_slice(&shard.tap_grads[t]);
                }
            }
        }
        Ok((sum_stats(parts), &self.tap_grads))
    }

    /// [`Self::gradient`] with `deltas[t]` (whole batch, example-major) added at `taps[t]` during
    /// the forward pass: at a layer tap, to the layer's output before the next layer reads it; at
    /// the input tap, to the pixels, which are then clamped to `[0, 1]`. Overwrites `grads` with the
    /// weight gradient of the batch's mean loss at the perturbed features and returns that loss and
    /// accuracy. Errors on an invalid tap or on lengths that do not match.
    pub fn perturbed_gradient(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        taps: &[Tap],
        deltas: &[Vec<f32>],
        grads: &mut [f32],
    ) -> Result<BatchStats, NetError> {
        self.check_taps(taps)?;
        self.check_batch(x, labels)?;
        let n = labels.len();
        self.check_len("parameter gradient", grads.len(), params.len())?;
        self.check_len("perturbations (one per tap)", deltas.len(), taps.len())?;
        for (&tap, delta) in taps.iter().zip(deltas) {
            self.check_len("tap perturbation", delta.len(), n * self.tap_len(tap)?)?;
        }
        let adds: Vec<(usize, &[f32])> = taps
            .iter()
            .zip(deltas)
            .map(|(t, d)| (t.activation(), &d[..]))
            .collect();
        Ok(self.gradient_with(params, x, labels, &adds, grads))
    }

    /// Taps must be valid for this network and strictly increasing (see [`Tap`]).
    fn check_taps(&self, taps: &[Tap]) -> Result<(), NetError> {
        let layers = &self.arch().layers;
        let mut last = None;
        for &tap in taps {
            if let Tap::Output(i) = tap {
                let reason = match layers.get(i) {
                    None => Some("there is no such layer"),
                    Some(_) if i + 1 == layers.len() => {
                        Some("the last layer's output (the logits) is not a tap")
                    }
                    Some(Layer::Conv3x3 { .. } | Layer::Linear { .. }) => None,
                    Some(_) => Some("only conv and linear outputs are taps"),
                };
                if let Some(reason) = reason {
                    return Err(NetError::Tap { tap, reason });
                }
            }
            if last.is_some_and(|l| l >= tap.activation()) {
                return Err(NetError::Tap {
                    tap,
                    reason: "taps must be given once each, in network order",
                });
            }
            last = Some(tap.activation());
        }
        Ok(())
    }

    /// Checks that `x` holds one input per label and that every label is below the class count.
    pub fn check_batch(&self, x: &[f32], labels: &[u8]) -> Result<(), NetError> {
        self.check_len("batch pixels", x.len(), labels.len() * self.input_len())?;
        let classes = self.classes();
        match labels.iter().position(|&l| usize::from(l) >= classes) {
            Some(example) => Err(NetError::Label {
                example,
                label: labels[example],
                classes,
            }),
            None => Ok(()),
        }
    }

    fn check_len(&self, what: &'static str, got: usize, expected: usize) -> Result<(), NetError> {
        if got == expected {
            Ok(())
        } else {
            Err(NetError::Length {
                what,
                expected,
                got,
            })
        }
    }
}

/// Where a feature perturbation is added and a tap gradient read: the input pixels, or the output
/// of layer `i` of [`Arch::layers`] (a conv or linear layer other than the last, i.e. a
/// pre-activation). Taps are given in network order, each once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tap {
    /// The input pixels (in `[0, 1]`, before the in-model normalisation).
    Input,
    /// The output of layer `i`.
    Output(usize),
}

impl Tap {
    /// Index into the activations: 0 is the input, `i + 1` the output of layer `i`.
    fn activation(self) -> usize {
        match self {
            Tap::Input => 0,
            Tap::Output(i) => i + 1,
        }
    }
}

/// Taps, perturbations or batches a tap pass cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// A tap that this network does not have, or taps out of order.
    #[error("tap {tap:?}: {reason}")]
    Tap {
        /// The offending tap.
        tap: Tap,
        /// What is wrong.
        reason: &'static str,
    },
    /// A buffer of the wrong length.
    #[error("{what}: expected {expected} values, got {got}")]
    Length {
        /// Which buffer.
        what: &'static str,
        /// Length implied by the network and batch.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} of example {example} is not below the class count {classes}")]
    Label {
        /// Example index.
        example: usize,
        /// The label.
        label: u8,
        /// Number of classes.
        classes: usize,
    },
}

/// The part of each whole-batch perturbation in `adds` that belongs to the examples `range`.
fn shard_adds<'a>(
    shapes: &[Shape],
    adds: &[(usize, &'a [f32])],
    range: &std::ops::Range<usize>,
) -> Vec<(usize, &'a [f32])> {
    adds.iter()
        .map(|&(at, values)| {
            let len = shapes[at].len();
            (at, &values[range.start * len..range.end * len])
        })
        .collect()
}

fn sum_stats(parts: Vec<BatchStats>) -> BatchStats {
    let mut total = BatchStats::default();
    for part in parts {
        total.add(part);
    }
    total
}

/// One pass over a batch (or a shard of one) with its activation buffers.
#[derive(Clone)]
struct Shard {
    arch: Arch,
    shapes: Vec<Shape>,
    slots: Vec<Option<ParamSlot>>,
    batch: usize,
    /// `acts[0]` is the input, `acts[i + 1]` the output of layer `i`.
    acts: Vec<Vec<f32>>,
    argmax: Vec<Vec<u32>>,
    cols: Vec<Vec<f32>>,
    dcols: Vec<f32>,
    grad: Vec<f32>,
    grad_next: Vec<f32>,
    param_grads: Vec<f32>,
    /// Loss gradients at the taps of the last [`Self::backward_to_taps`].
    tap_grads: Vec<Vec<f32>>,
}

impl Shard {
    fn new(arch: &Arch) -> Result<Self, ShapeError> {
        let shapes = arch.shapes()?;
        let mut slots = vec![None; arch.layers.len()];
        for slot in arch.param_slots() {
            let layer = slot.layer;
            slots[layer] = Some(slot);
        }
        let layers = arch.layers.len();
        Ok(Self {
            arch: arch.clone(),
            shapes,
            slots,
            batch: 0,
            acts: vec![Vec::new(); layers + 1],
            argmax: vec![Vec::new(); layers],
            cols: vec![Vec::new(); layers],
            dcols: Vec::new(),
            grad: Vec::new(),
            grad_next: Vec::new(),
            param_grads: Vec::new(),
            tap_grads: Vec::new(),
        })
    }

    fn input_len(&self) -> usize {
        self.shapes[0].len()
    }

    fn classes(&self) -> usize {
        self.shapes.last().map_or(0, Shape::len)
    }

    /// Runs the forward pass on `x` (`batch` examples, pixels in [0, 1]), adding each of `adds`
    /// (activation index, this shard's values) to that activation as soon as it is formed; an
    /// addition at the input is clamped to `[0, 1]`.
    fn forward(&mut self, params: &[f32], x: &[f32], adds: &[(usize, &[f32])]) {
        let batch = x.len() / self.input_len();
        self.batch = batch;
        self.acts[0].clear();
        self.acts[0].extend_from_slice(x);
        add_at(0, adds, &mut self.acts[0], Some((0.0, 1.0)));
        for (i, layer) in self.arch.layers.iter().enumerate() {
            let (done, rest) = self.acts.split_at_mut(i + 1);
            let input = &done[i];
            let out = &mut rest[0];
            let (from, to) = (self.shapes[i], self.shapes[i + 1]);
            out.resize(batch * to.len(), 0.0);
            match *layer {
                Layer::Normalize => {
                    for (o, v) in out.iter_mut().zip(input) {
                        *o = (v - 0.5) / 0.5;
                    }
                }
                Layer::Relu => {
                    for (o, &v) in out.iter_mut().zip(input) {
                        *o = v.max(0.0);
                    }
                }
                Layer::Flatten => out.copy_from_slice(input),
                Layer::MaxPool2 => maxpool_forward(from, batch, input, out, &mut self.argmax[i]),
                Layer::Conv3x3 { inputs, outputs } => {
                    let slot = self.slots[i].as_ref().expect("conv has parameters");
                    let g = conv_dims(batch, inputs, outputs, from);
                    gemm::conv_forward(
                        g,
                        input,
                        &params[slot.weight.clone()],
                        &params[slot.bias.clone()],
                        &mut self.cols[i],
                        out,
                    );
                }
                Layer::Linear { inputs, outputs } => {
                    let slot = self.slots[i].as_ref().expect("linear has parameters");
                    gemm::linear_forward(
                        LinearDims {
                            batch,
                            inputs,
                            outputs,
                        },
                        input,
                        &params[slot.weight.clone()],
                        &params[slot.bias.clone()],
                        out,
                    );
                }
            }
            add_at(i + 1, adds, out, None);
        }
    }

    /// Forward pass plus the loss of `labels`, part of a batch of `batch`; leaves the gradient
    /// of that batch's mean loss with respect to the logits ready for [`Self::backward`].
    fn forward_loss(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        batch: usize,
    ) -> BatchStats {
        self.forward_loss_with(params, x, labels, batch, &[])
    }

    /// [`Self::forward_loss`] with the perturbations `adds` of [`Self::forward`].
    fn forward_loss_with(
        &mut self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        batch: usize,
        adds: &[(usize, &[f32])],
    ) -> BatchStats {
        self.forward(params, x, adds);
        let classes = self.classes();
        self.grad.resize(labels.len() * classes, 0.0);
        softmax_cross_entropy_of(
            self.acts.last().expect("output"),
            labels,
            classes,
            batch,
            &mut self.grad,
        )
    }

    /// Backward pass after [`Self::forward_loss`]. `param_grads` (if given) is **overwritten** with
    /// the gradient of the mean loss; with `input_grad` the gradient with respect to the input
    /// pixels is left in `self.grad`. Weight gradients are skipped when `param_grads` is `None`
    /// (attack passes).
    fn backward(&mut self, params: &[f32], param_grads: Option<&mut [f32]>, input_grad: bool) {
        let first_needed = if input_grad {
            0
        } else {
            self.first_param_layer()
        };
        self.backward_through(params, param_grads, first_needed, input_grad, &[]);
    }

    /// Backward-data pass after [`Self::forward_loss`] down to the lowest of `taps` (activation
    /// indices, increasing), leaving the loss gradient at each tap in `self.tap_grads`; no weight
    /// gradients.
    fn backward_to_taps(&mut self, params: &[f32], taps: &[usize]) {
        self.tap_grads.resize(taps.len(), Vec::new());
        let lowest = taps.first().copied().unwrap_or(self.arch.layers.len());
        self.backward_through(params, None, lowest, true, taps);
    }

    /// The backward pass through layers `first_needed..` (last to first): weight gradients into
    /// `param_grads` when given, the data gradient of layer `first_needed` only when `bottom_dx`,
    /// and a copy of the gradient at each activation index of `record` into `self.tap_grads`.
    fn backward_through(
        &mut self,
        params: &[f32],
        mut param_grads: Option<&mut [f32]>,
        first_needed: usize,
        bottom_dx: bool,
        record: &[usize],
    ) {
        let batch = self.batch;
        for i in (first_needed..self.arch.layers.len()).rev() {
            let (from, to) = (self.shapes[i], self.shapes[i + 1]);
            let need_dx = i > first_needed || bottom_dx;
            let dy = &self.grad;
            let dx = &mut self.grad_next;
            dx.resize(batch * from.len(), 0.0);
            match self.arch.layers[i] {
                Layer::Normalize => {
                    for (d, g) in dx.iter_mut().zip(dy) {
                        *d = g / 0.5;
                    }
                }
                Layer::Relu => {
                    for ((d, &g), &y) in dx.iter_mut().zip(dy).zip(&self.acts[i + 1]) {
                        *d = if y > 0.0 { g } else { 0.0 };
                    }
                }
                Layer::Flatten => dx.copy_from_slice(dy),
                Layer::MaxPool2 => maxpool_backward(from, to, batch, &self.argmax[i], dy, dx),
                Layer::Conv3x3 { inputs, outputs } => {
                    let slot = self.slots[i].as_ref().expect("conv has parameters");
                    let g = conv_dims(batch, inputs, outputs, from);
                    let grads = param_grads.as_deref_mut().map(|pg| split_slot(pg, slot));
                    gemm::conv_backward(
                        g,
                        dy,
                        &params[slot.weight.clone()],
                        &self.cols[i],
                        grads,
                        need_dx.then_some((&mut dx[..], &mut self.dcols)),
                    );
                }
                Layer::Linear { inputs, outputs } => {
                    let slot = self.slots[i].as_ref().expect("linear has parameters");
                    let grads = param_grads.as_deref_mut().map(|pg| split_slot(pg, slot));
                    gemm::linear_backward(
                        LinearDims {
                            batch,
                            inputs,
                            outputs,
                        },
                        &self.acts[i],
                        dy,
                        &params[slot.weight.clone()],
                        grads,
                        need_dx.then_some(&mut dx[..]),
                    );
                }
            }
            std::mem::swap(&mut self.grad, &mut self.grad_next);
            if let Some(t) = record.iter().position(|&a| a == i) {
                self.tap_grads[t].clear();
                self.tap_grads[t].extend_from_slice(&self.grad);
            }
        }
    }

    fn first_param_layer(&self) -> usize {
        self.slots.iter().position(Option::is_some).unwrap_or(0)
    }
}

/// Adds the values of `adds` at activation `at` (if any) to `values`, then clamps to `bounds`.
fn add_at(at: usize, adds: &[(usize, &[f32])], values: &mut [f32], bounds: Option<(f32, f32)>) {
    for &(_, delta) in adds.iter().filter(|(a, _)| *a == at) {
        for (v, &d) in values.iter_mut().zip(delta) {
            let sum = *v + d;
            *v = bounds.map_or(sum, |(lo, hi)| sum.clamp(lo, hi));
        }
    }
}

fn conv_dims(batch: usize, inputs: usize, outputs: usize, from: Shape) -> ConvDims {
    ConvDims {
        batch,
        inputs,
        outputs,
        height: from.height,
        width: from.width,
    }
}

fn split_slot<'a>(grads: &'a mut [f32], slot: &ParamSlot) -> (&'a mut [f32], &'a mut [f32]) {
    let (weight, bias) = grads[slot.weight.start..slot.bias.end].split_at_mut(slot.weight.len());
    (weight, bias)
}

fn maxpool_forward(from: Shape, batch: usize, x: &[f32], y: &mut [f32], argmax: &mut Vec<u32>) {
    let (h, w) = (from.height, from.width);
    let (ho, wo) = (h / 2, w / 2);
    argmax.resize(batch * from.channels * ho * wo, 0);
    for plane in 0..batch * from.channels {
        let src = &x[plane * h * w..][..h * w];
        for i in 0..ho {
            for j in 0..wo {
                let mut best_at = (2 * i) * w + 2 * j;
                for at in [
                    (2 * i) * w + 2 * j + 1,
                    (2 * i + 1) * w + 2 * j,
                    (2 * i + 1) * w + 2 * j + 1,
                ] {
                    if src[at] > src[best_at] {
                        best_at = at;
                    }
                }
                let out = plane * ho * wo + i * wo + j;
                y[out] = src[best_at];
                argmax[out] = best_at as u32;
            }
        }
    }
}

fn maxpool_backward(
    from: Shape,
    to: Shape,
    batch: usize,
    argmax: &[u32],
    dy: &[f32],
    dx: &mut [f32],
) {
    let (plane_in, plane_out) = (from.height * from.width, to.height * to.width);
    dx.fill(0.0);
    for plane in 0..batch * from.channels {
        for k in 0..plane_out {
            let at = plane * plane_out + k;
            dx[plane * plane_in + argmax[at] as usize] = dy[at];
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A small net with every layer kind on 1×8×8 inputs and 3 classes.
    pub(crate) fn tiny() -> Arch {
        Arch {
            name: "tiny",
            input: Shape {
                channels: 1,
                height: 8,
                width: 8,
            },
            layers: vec![
                Layer::Normalize,
                Layer::Conv3x3 {
                    inputs: 1,
                    outputs: 3,
                },
                Layer::Relu,
                Layer::MaxPool2,
                Layer::Conv3x3 {
                    inputs: 3,
                    outputs: 4,
                },
                Layer::Relu,
                Layer::MaxPool2,
                Layer::Flatten,
                Layer::Linear {
                    inputs: 16,
                    outputs: 5,
                },
                Layer::Relu,
                Layer::Linear {
                    inputs: 5,
                    outputs: 3,
                },
            ],
        }
    }

    pub(crate) fn batch(seed: u64, n: usize, per: usize, classes: u8) -> (Vec<f32>, Vec<u8>) {
        let mut rng = Rng::new(seed);
        let x = (0..n * per).map(|_| rng.uniform() as f32).collect();
        let y = (0..n)
            .map(|_| rng.below(u64::from(classes)) as u8)
            .collect();
        (x, y)
    }

    #[test]
    fn softmax_cross_entropy_by_hand() {
        // logits (0, ln 3): p = (1/4, 3/4); label 1 ⇒ loss = ln(4/3); grad = (1/4, −1/4).
        let mut g = [0f32; 2];
        let s = softmax_cross_entropy(&[0.0, 3f32.ln()], &[1], 2, &mut g);
        assert!((s.loss_sum - (4.0f64 / 3.0).ln()).abs() < 1e-6);
        assert_eq!(s.correct, 1);
        assert!((g[0] - 0.25).abs() < 1e-7 && (g[1] + 0.25).abs() < 1e-7);
        // A tie picks the first class.
        let s = softmax_cross_entropy(&[1.0, 1.0], &[1], 2, &mut g);
        assert_eq!(s.correct, 0);
    }

    #[test]
    fn whole_model_gradient_matches_finite_differences() {
        let arch = tiny();
        let mut net = CpuNet::new(&arch).unwrap();
        let params = arch.init_params(5);
        let (x, y) = batch(1, 4, 64, 3);
        let mut grads = vec![0f32; params.len()];
        net.gradient(&params, &x, &y, &mut grads);
        let mut rng = Rng::new(9);
        let mut worst = 0f32;
        for _ in 0..60 {
            let k = rng.below(params.len() as u64) as usize;
            let eps = 1e-2;
            let mut p = params.clone();
            p[k] += eps;
            let up = net.evaluate(&p, &x, &y).mean_loss();
            p[k] -= 2.0 * eps;
            let down = net.evaluate(&p, &x, &y).mean_loss();
            let fd = ((up - down) / (2.0 * f64::from(eps))) as f32;
            let err = (fd - grads[k]).abs() / (1e-2 + grads[k].abs());
            worst = worst.max(err);
        }
        assert!(worst < 2e-2, "worst relative difference {worst}");
    }

    #[test]
    fn results_do_not_depend_on_threads_and_shards_split_odd_batches() {
        let arch = tiny();
        let params = arch.init_params(4);
        let mut net = CpuNet::new(&arch).unwrap();
        for n in [1, 2, 5] {
            let (x, y) = batch(11, n, 64, 3);
            let mut by_thread = Vec::new();
            for parallel in [true, false] {
                set_parallel(parallel);
                let mut g = vec![0f32; params.len()];
                let stats = net.gradient(&params, &x, &y, &mut g);
                let (_, dx) = net.input_gradient(&params, &x, &y);
                by_thread.push((stats, g, dx.to_vec(), net.evaluate(&params, &x, &y)));
            }
            set_parallel(true);
            assert_eq!(by_thread[0], by_thread[1], "batch {n}");
            let (stats, g, dx, eval) = &by_thread[0];
            assert_eq!((stats.count, dx.len()), (n, n * 64));
            assert_eq!(stats, eval);
            // The gradient of the mean is the size-weighted mean of the two halves' gradients.
            let cut = n.div_ceil(2);
            let mut expected = vec![0f64; params.len()];
            for range in [0..cut, cut..n] {
                if range.is_empty() {
                    continue;
                }
                let mut part = vec![0f32; params.len()];
                let (xs, ys) = (&x[range.start * 64..range.end * 64], &y[range.clone()]);
                net.gradient(&params, xs, ys, &mut part);
                for (e, p) in expected.iter_mut().zip(&part) {
                    *e += f64::from(*p) * range.len() as f64 / n as f64;
                }
            }
            for (a, e) in g.iter().zip(&expected) {
                assert!(
                    (f64::from(*a) - e).abs() <= 1e-6 * (1.0 + e.abs()),
                    "{a} vs {e}"
                );
            }
        }
    }

    #[test]
    fn input_gradient_matches_finite_differences() {
        let arch = tiny();
        let mut net = CpuNet::new(&arch).unwrap();
        let params = arch.init_params(2);
        let (x, y) = batch(3, 2, 64, 3);
        let dx = net.input_gradient(&params, &x, &y).1.to_vec();
        let mut worst = 0f32;
        for k in (0..x.len()).step_by(7) {
            let mut xp = x.clone();
            xp[k] += 1e-2;
            let up = net.evaluate(&params, &xp, &y).loss_sum;
            xp[k] -= 2e-2;
            let down = net.evaluate(&params, &xp, &y).loss_sum;
            // dx is the gradient of the *mean* loss.
            let fd = ((up - down) / 2e-2 / y.len() as f64) as f32;
            worst = worst.max((fd - dx[k]).abs() / (1e-2 + dx[k].abs()));
        }
        assert!(worst < 2e-2, "worst relative difference {worst}");
    }
}

#[cfg(test)]
mod twin_tests {
    use super::*;
    use crate::nn::reference::{self as twin, PoolDims};

    #[test]
    fn cheap_layers_match_the_reference_twins() {
        let (x, labels) = tests::batch(21, 3, 2 * 6 * 4, 10);
        let from = Shape {
            channels: 2,
            height: 6,
            width: 4,
        };
        let mut y = vec![0f32; 3 * 2 * 3 * 2];
        let mut argmax = Vec::new();
        maxpool_forward(from, 3, &x, &mut y, &mut argmax);
        let (ty, targ) = twin::maxpool2_forward(
            PoolDims {
                batch: 3,
                channels: 2,
                height: 6,
                width: 4,
            },
            &x,
        )
        .unwrap();
        assert_eq!((y.clone(), argmax.clone()), (ty, targ.clone()));
        let mut dx = vec![0f32; x.len()];
        let to = Shape {
            channels: 2,
            height: 3,
            width: 2,
        };
        maxpool_backward(from, to, 3, &argmax, &y, &mut dx);
        assert_eq!(
            dx,
            twin::maxpool2_backward(
                PoolDims {
                    batch: 3,
                    channels: 2,
                    height: 6,
                    width: 4
                },
                &targ,
                &y
            )
            .unwrap()
        );

        let logits: Vec<f32> = x[..3 * 10].iter().map(|v| 4.0 * v).collect();
        let mut grad = vec![0f32; 30];
        let stats = softmax_cross_entropy(&logits, &labels, 10, &mut grad);
        let labels32: Vec<u32> = labels.iter().map(|&l| u32::from(l)).collect();
        let t = twin::softmax_xent(10, &logits, &labels32).unwrap();
        let loss: f64 = t.loss.iter().map(|&l| f64::from(l)).sum();
        assert!(
            (stats.loss_sum - loss).abs() < 1e-5,
            "{} vs {loss}",
            stats.loss_sum
        );
        assert_eq!(stats.correct as u32, t.correct.iter().sum::<u32>());
        assert!(
            grad.iter()
                .zip(&t.dlogits)
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
    }
}
