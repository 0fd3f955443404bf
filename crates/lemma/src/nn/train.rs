//! Training procedures on the CPU backend: SGD with momentum and coupled weight decay, the
//! piecewise learning-rate schedule, m-SAM (per-chunk perturbation ρ·g/‖g‖), sharpness
//! measurement by normalised gradient ascent, and PGD-ℓ∞ / PGD-ℓ2 attacks on a batch ([`Pgd`]). [`StepConfig`] is the one description of a training
//! step, taken by this trainer, the reference step ([`crate::nn::reference::train_step`]) and the
//! GPU trainer (`crate::gpu`), whose checks compare the three.

use super::net::{BatchStats, CpuNet};
use super::reference::{
    ReferenceError, pgd_l2_update, pgd_linf_update, sgd_momentum, sum_of_squares,
};
use super::spec::{Arch, ShapeError};

/// One optimisation step: SGD with heavy-ball momentum (PyTorch semantics, no dampening) and
/// coupled weight decay at learning rate `lr`, on the gradient that `rule` forms (common.md §12
/// defaults: lr 0.05, momentum 0.9, weight decay 5e-4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepConfig {
    /// Learning rate of this step (after the schedule).
    pub lr: f32,
    /// Heavy-ball momentum μ.
    pub momentum: f32,
    /// Coupled weight decay λ (adds λ·w to the gradient).
    pub weight_decay: f32,
    /// ERM or (m-)SAM.
    pub rule: StepRule,
}

/// How a step's gradient is formed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepRule {
    /// Plain empirical-risk minimisation: the gradient at `w`.
    Erm,
    /// m-SAM: the batch is cut into chunks of `chunk` examples; each chunk's gradient is taken at
    /// `w + ρ·g_k/(‖g_k‖ + 1e-12)` where `g_k` is that chunk's gradient at `w`; the chunk gradients
    /// are averaged. `chunk` = batch size is plain SAM.
    Sam {
        /// Perturbation radius ρ.
        rho: f32,
        /// Examples per chunk (m).
        chunk: usize,
    },
}

/// Which update a PGD step applies to the perturbation δ (the same on both backends: the updates
/// of [`crate::nn::reference::pgd_linf_update`] and [`crate::nn::reference::pgd_l2_update`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttackNorm {
    /// `δ = clamp(δ + α·sign(g), −ε, ε)`, then the `[0, 1]` box.
    Linf,
    /// `δ += α·g/‖g‖`, the box, then projection onto the ε-ball (per example).
    L2,
}

/// A PGD attack: `steps` updates of δ, each from the input gradient of the batch-mean loss at
/// `x + δ`, with step size `alpha` inside the ε-ball of `norm`. There is no random start: δ starts
/// where the caller puts it (zeros for the plain attack), as in the GPU trainer's `attack_begin`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pgd {
    /// ℓ∞ or ℓ2.
    pub norm: AttackNorm,
    /// Step size α.
    pub alpha: f32,
    /// Radius ε.
    pub eps: f32,
    /// Number of updates.
    pub steps: usize,
}

/// The m-SAM chunks of a batch of `batch` examples for chunk size `m`, with the weight of each
/// chunk's gradient in the batch mean: consecutive runs of `m` examples, the last one shorter when
/// `m` does not divide the batch (a partial last batch of an epoch), each weighted by its share
/// `len/batch`. An `m` above the batch is the whole batch (plain SAM); an `m` of 0 counts as 1.
/// Every backend (the CPU trainer, the reference twins, the GPU trainer) cuts batches with this
/// one rule. When `m` divides the batch, every weight is `1/chunks`, bit for bit.
pub fn sam_chunks(batch: usize, m: usize) -> impl Iterator<Item = (std::ops::Range<usize>, f32)> {
    let m = m.clamp(1, batch.max(1));
    (0..batch.div_ceil(m)).map(move |k| {
        let range = k * m..((k + 1) * m).min(batch);
        let weight = range.len() as f32 / batch as f32;
        (range, weight)
    })
}

/// `lr` scaled by the piecewise schedule: ÷10 at 50 % and again at 75 % of `total` steps.
pub fn piecewise_lr(base: f32, step: usize, total: usize) -> f32 {
    if 4 * step >= 3 * total {
        base / 100.0
    } else if 2 * step >= total {
        base / 10.0
    } else {
        base
    }
}

/// The SAM scale `ρ/(‖g‖ + 1e-12)` of the CPU trainer, from the `f64` [`sum_of_squares`]: the square
/// root is taken in `f64` and rounded once. (The reference twin [`crate::nn::reference::sam_perturb`]
/// mirrors the kernel instead, which gets the sum rounded to `f32` and takes an `f32` root; the two
/// can differ by an ulp, and the recorded CPU runs use this one.)
pub fn sam_scale(rho: f32, sum_sq: f64) -> f32 {
    rho / ((sum_sq.sqrt() as f32) + 1e-12)
}

/// The training step every host's CNN bench times (`lemma bench --cnn` natively,
/// `benches/cnn_wasm.mjs` on the wasm build): one SGD-momentum or m-SAM step at batch
/// [`BenchStep::BATCH`] on a fixed synthetic batch, so that data loading is not part of it.
pub struct BenchStep {
    trainer: Trainer,
    x: Vec<f32>,
    labels: Vec<u8>,
    step: StepConfig,
}

impl BenchStep {
    /// Images per step.
    pub const BATCH: usize = 128;

    /// `arch` at its seed-0 initialisation, stepping with `rule`.
    pub fn new(arch: &Arch, rule: StepRule) -> Result<Self, ShapeError> {
        let per = arch.input.len();
        let x = (0..Self::BATCH * per)
            .map(|i| ((i * 7919) % 256) as f32 / 255.0)
            .collect();
        let labels = (0..Self::BATCH).map(|i| (i % 10) as u8).collect();
        Ok(Self {
            trainer: Trainer::new(arch, arch.init_params(0))?,
            x,
            labels,
            step: StepConfig {
                lr: 0.01,
                momentum: 0.9,
                weight_decay: 5e-4,
                rule,
            },
        })
    }

    /// One step; returns the batch's loss and accuracy.
    pub fn run(&mut self) -> BatchStats {
        self.trainer.step(&self.x, &self.labels, &self.step)
    }
}

/// Parameters, optimiser state and work buffers of one CPU training run.
#[derive(Clone)]
pub struct Trainer {
    net: CpuNet,
    /// The flat parameter vector (layout of [`Arch::param_slots`]).
    pub params: Vec<f32>,
    velocity: Vec<f32>,
    grads: Vec<f32>,
    chunk_grads: Vec<f32>,
    saved: Vec<f32>,
}

impl Trainer {
    /// A trainer for `arch` starting from `params`.
    pub fn new(arch: &Arch, params: Vec<f32>) -> Result<Self, ShapeError> {
        let n = params.len();
        Ok(Self {
            net: CpuNet::new(arch)?,
            params,
            velocity: vec![0.0; n],
            grads: vec![0.0; n],
            chunk_grads: vec![0.0; n],
            saved: vec![0.0; n],
        })
    }

    /// The network (for evaluation and input gradients).
    pub fn net(&mut self) -> &mut CpuNet {
        &mut self.net
    }

    /// The gradient of the last step (after SAM's averaging, before weight decay).
    pub fn last_gradient(&self) -> &[f32] {
        &self.grads
    }

    /// One optimiser step `step` on the batch `x` (pixels in [0, 1]) with `labels`: the gradient of
    /// `step.rule`, then [`sgd_momentum`]. Returns the loss and accuracy of the batch at the
    /// **unperturbed** weights (chunk by chunk for m-SAM).
    pub fn step(&mut self, x: &[f32], labels: &[u8], step: &StepConfig) -> BatchStats {
        let stats = match step.rule {
            StepRule::Erm => self.net.gradient(&self.params, x, labels, &mut self.grads),
            StepRule::Sam { rho, chunk } => self.sam_gradient(x, labels, rho, chunk),
        };
        self.descend(step);
        stats
    }

    /// One SGD-momentum step (the rates of `step`; its rule is not used) on the gradient that
    /// `gradient` writes: it is handed the network, the current weights and the gradient buffer to
    /// overwrite, and returns the batch's statistics, which this returns.
    pub(super) fn step_on_gradient<E>(
        &mut self,
        step: &StepConfig,
        gradient: impl FnOnce(&mut CpuNet, &[f32], &mut [f32]) -> Result<BatchStats, E>,
    ) -> Result<BatchStats, E> {
        let stats = gradient(&mut self.net, &self.params, &mut self.grads)?;
        self.descend(step);
        Ok(stats)
    }

    /// [`sgd_momentum`] at the rates of `step` on the gradient in `self.grads`.
    fn descend(&mut self, step: &StepConfig) {
        sgd_momentum(
            &mut self.params,
            &mut self.velocity,
            &self.grads,
            step.lr,
            step.momentum,
            step.weight_decay,
        )
        .expect("the trainer holds one velocity and one gradient value per parameter");
    }

    fn sam_gradient(&mut self, x: &[f32], labels: &[u8], rho: f32, chunk: usize) -> BatchStats {
        let per = self.net.input_len();
        let mut stats = BatchStats::default();
        self.grads.fill(0.0);
        for (range, weight) in sam_chunks(labels.len(), chunk) {
            let (xs, ys) = (
                &x[range.start * per..range.end * per],
                &labels[range.clone()],
            );
            stats.add(
                self.net
                    .gradient(&self.params, xs, ys, &mut self.chunk_grads),
            );
            let scale = sam_scale(rho, sum_of_squares(&self.chunk_grads));
            self.saved.copy_from_slice(&self.params);
            for (w, &g) in self.params.iter_mut().zip(&self.chunk_grads) {
                *w += scale * g;
            }
            self.net
                .gradient(&self.params, xs, ys, &mut self.chunk_grads);
            // Restoring from a copy is exact; `w + e − e` would not be.
            self.params.copy_from_slice(&self.saved);
            for (a, &g) in self.grads.iter_mut().zip(&self.chunk_grads) {
                *a += weight * g;
            }
        }
        stats
    }

    /// PGD on the batch `x` (pixels in [0, 1]) with `labels`, at the current weights: `attack.steps`
    /// times, the input gradient of the batch-mean loss at `x + δ` ([`CpuNet::input_gradient`])
    /// and the reference update of `delta` in place (which keeps `x + δ` in the `[0, 1]` box).
    /// The adversarial batch is `x + δ` afterwards. Errors when `delta` does not match `x`.
    pub fn pgd(
        &mut self,
        x: &[f32],
        labels: &[u8],
        attack: &Pgd,
        delta: &mut [f32],
    ) -> Result<(), ReferenceError> {
        let per = self.net.input_len();
        for (what, got) in [("input", x.len()), ("perturbation", delta.len())] {
            if got != labels.len() * per {
                return Err(ReferenceError::Length {
                    what,
                    expected: labels.len() * per,
                    got,
                });
            }
        }
        let mut adversarial = vec![0f32; x.len()];
        for _ in 0..attack.steps {
            for ((a, &x), &d) in adversarial.iter_mut().zip(x).zip(delta.iter()) {
                *a = x + d;
            }
            let (_, g) = self.net.input_gradient(&self.params, &adversarial, labels);
            match attack.norm {
                AttackNorm::Linf => pgd_linf_update(delta, x, g, attack.alpha, attack.eps)?,
                AttackNorm::L2 => pgd_l2_update(delta, x, g, attack.alpha, attack.eps, per)?,
            }
        }
        Ok(())
    }

    /// m-sharpness on one batch: `max_{‖δ‖ ≤ ρ} L_B(w + δ) − L_B(w)` estimated by `steps` steps of
    /// normalised gradient ascent of size `step_size`, each projected onto the ρ-ball (the official
    /// `eval_sharpness.py` recipe). Returns the loss increase at the final δ. The weights are left
    /// unchanged.
    pub fn sharpness(
        &mut self,
        x: &[f32],
        labels: &[u8],
        rho: f32,
        steps: usize,
        step_size: f32,
    ) -> f64 {
        let base = self.net.evaluate(&self.params, x, labels).mean_loss();
        let mut delta = vec![0f32; self.params.len()];
        let mut shifted = self.params.clone();
        for _ in 0..steps {
            self.net
                .gradient(&shifted, x, labels, &mut self.chunk_grads);
            let scale = sam_scale(step_size, sum_of_squares(&self.chunk_grads));
            for (d, &g) in delta.iter_mut().zip(&self.chunk_grads) {
                *d += scale * g;
            }
            let norm = sum_of_squares(&delta).sqrt() as f32;
            if norm > rho {
                let shrink = rho / norm;
                delta.iter_mut().for_each(|d| *d *= shrink);
            }
            for ((s, &w), &d) in shifted.iter_mut().zip(&self.params).zip(&delta) {
                *s = w + d;
            }
        }
        self.net.evaluate(&shifted, x, labels).mean_loss() - base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::net::tests::{batch, tiny};

    /// The common recipe's step at learning rate `lr` with `rule`.
    fn sgd(lr: f32, rule: StepRule) -> StepConfig {
        StepConfig {
            lr,
            momentum: 0.9,
            weight_decay: 5e-4,
            rule,
        }
    }

    /// A step that leaves the weights where they are (lr 0, no momentum or decay).
    fn flat(rule: StepRule) -> StepConfig {
        StepConfig {
            lr: 0.0,
            momentum: 0.0,
            weight_decay: 0.0,
            rule,
        }
    }

    #[test]
    fn momentum_step_by_hand() {
        let (mut w, mut v) = (vec![1.0f32, -2.0], vec![0.5f32, 0.0]);
        sgd_momentum(&mut w, &mut v, &[0.1, 0.2], 0.1, 0.9, 0.01).unwrap();
        // v = 0.9·0.5 + 0.1 + 0.01 = 0.56; w = 1 − 0.056. v₂ = 0.2 − 0.02 = 0.18; w₂ = −2.018.
        assert!((v[0] - 0.56).abs() < 1e-7 && (w[0] - 0.944).abs() < 1e-7);
        assert!((v[1] - 0.18).abs() < 1e-7 && (w[1] + 2.018).abs() < 1e-6);
    }

    #[test]
    fn sam_chunks_of_full_and_partial_batches() {
        let chunks = |batch, m| sam_chunks(batch, m).collect::<Vec<_>>();
        assert_eq!(
            chunks(128, 32),
            vec![
                (0..32, 0.25),
                (32..64, 0.25),
                (64..96, 0.25),
                (96..128, 0.25)
            ]
        );
        // A partial last batch of 80 with m = 128 is one chunk: plain SAM on the 80 examples.
        assert_eq!(chunks(80, 128), vec![(0..80, 1.0)]);
        // m = 32 on 80 examples: 32 + 32 + 16, weighted by their share of the batch.
        assert_eq!(
            chunks(80, 32),
            vec![(0..32, 0.4), (32..64, 0.4), (64..80, 0.2)]
        );
        assert_eq!(chunks(2, 0), vec![(0..1, 0.5), (1..2, 0.5)]);
        for (batch, m) in [(128, 1), (128, 8), (60, 3), (96, 12)] {
            let weights: Vec<f32> = sam_chunks(batch, m).map(|(_, w)| w).collect();
            let chunks = batch / m;
            assert!(
                weights.iter().all(|&w| w == 1.0 / chunks as f32),
                "{batch}/{m}"
            );
        }
    }

    #[test]
    fn sam_on_a_partial_batch_weights_chunks_by_size() {
        let arch = tiny();
        let (x, y) = batch(7, 5, 64, 3);
        let params = arch.init_params(2);
        let mut t = Trainer::new(&arch, params.clone()).unwrap();
        t.step(
            &x,
            &y,
            &flat(StepRule::Sam {
                rho: 0.05,
                chunk: 3,
            }),
        );
        // By hand: chunk 0..3 (weight 3/5) and 3..5 (weight 2/5), each at its own perturbation.
        let mut net = CpuNet::new(&arch).unwrap();
        let per = x.len() / y.len();
        let mut expected = vec![0f32; params.len()];
        for (range, weight) in [(0..3, 0.6f32), (3..5, 0.4f32)] {
            let (xs, ys) = (&x[range.start * per..range.end * per], &y[range.clone()]);
            let mut g = vec![0f32; params.len()];
            net.gradient(&params, xs, ys, &mut g);
            let s = sam_scale(0.05, sum_of_squares(&g));
            let shifted: Vec<f32> = params.iter().zip(&g).map(|(w, g)| w + s * g).collect();
            net.gradient(&shifted, xs, ys, &mut g);
            for (e, g) in expected.iter_mut().zip(&g) {
                *e += weight * g;
            }
        }
        assert_eq!(t.last_gradient(), &expected[..]);
    }

    #[test]
    fn piecewise_schedule() {
        assert_eq!(piecewise_lr(0.05, 0, 100), 0.05);
        assert_eq!(piecewise_lr(0.05, 49, 100), 0.05);
        assert_eq!(piecewise_lr(0.05, 50, 100), 0.005);
        assert_eq!(piecewise_lr(0.05, 75, 100), 0.0005);
    }

    #[test]
    fn sam_with_zero_radius_is_erm_bit_for_bit() {
        let arch = tiny();
        let (x, y) = batch(4, 8, 64, 3);
        let mut erm = Trainer::new(&arch, arch.init_params(1)).unwrap();
        let mut sam = Trainer::new(&arch, arch.init_params(1)).unwrap();
        for _ in 0..3 {
            erm.step(&x, &y, &sgd(0.05, StepRule::Erm));
            sam.step(&x, &y, &sgd(0.05, StepRule::Sam { rho: 0.0, chunk: 8 }));
        }
        assert_eq!(erm.params, sam.params);
    }

    #[test]
    fn sam_gradient_is_taken_at_the_perturbed_point() {
        let arch = tiny();
        let (x, y) = batch(6, 4, 64, 3);
        let params = arch.init_params(3);
        let mut t = Trainer::new(&arch, params.clone()).unwrap();
        let rho = 0.05;
        t.step(&x, &y, &flat(StepRule::Sam { rho, chunk: 4 }));
        assert_eq!(t.params, params, "lr 0 leaves the weights restored exactly");
        // Recompute by hand: g at w, e = ρ g/‖g‖, g' at w + e.
        let mut net = CpuNet::new(&arch).unwrap();
        let mut g = vec![0f32; params.len()];
        net.gradient(&params, &x, &y, &mut g);
        let s = sam_scale(rho, sum_of_squares(&g));
        let shifted: Vec<f32> = params.iter().zip(&g).map(|(w, g)| w + s * g).collect();
        let mut g2 = vec![0f32; params.len()];
        net.gradient(&shifted, &x, &y, &mut g2);
        assert_eq!(t.last_gradient(), &g2[..]);
        assert_ne!(g, g2);
    }

    #[test]
    fn one_step_sharpness_is_first_order_for_small_radius() {
        let arch = tiny();
        let (x, y) = batch(8, 6, 64, 3);
        let mut t = Trainer::new(&arch, arch.init_params(4)).unwrap();
        let rho = 1e-3;
        let mut g = vec![0f32; t.params.len()];
        let params = t.params.clone();
        t.net().gradient(&params, &x, &y, &mut g);
        let predicted = f64::from(rho) * sum_of_squares(&g).sqrt();
        let measured = t.sharpness(&x, &y, rho, 1, rho);
        assert!(
            (measured - predicted).abs() < 0.05 * predicted,
            "{measured} vs {predicted}"
        );
        let twenty = t.sharpness(&x, &y, rho, 20, 0.1 * rho);
        assert!(
            twenty >= 0.9 * measured,
            "20-step {twenty} vs 1-step {measured}"
        );
        assert_eq!(t.params, params);
    }

    /// The attacks of the PGD tests: two steps each, ℓ∞ with α 0.01 in ε 0.03, ℓ2 with α 0.3 in ε 1.
    const ATTACKS: [Pgd; 2] = [
        Pgd {
            norm: AttackNorm::Linf,
            alpha: 0.01,
            eps: 0.03,
            steps: 2,
        },
        Pgd {
            norm: AttackNorm::L2,
            alpha: 0.3,
            eps: 1.0,
            steps: 2,
        },
    ];

    /// The CPU trainer's PGD follows the reference twins' (input gradient of `network_pass` at
    /// `x + δ`, then the same update) up to the two backends' summation order: relative to max |δ|,
    /// 1e-4, far below the 2α/ε a sign flip of an ℓ∞ step would show.
    #[test]
    fn pgd_matches_the_reference_twins() {
        use crate::nn::reference as twin;
        use crate::tol::Tol;
        let arch = tiny();
        let (x, y) = batch(12, 4, 64, 3);
        let params = arch.init_params(6);
        let mut t = Trainer::new(&arch, params.clone()).unwrap();
        for attack in ATTACKS {
            let mut delta = vec![0f32; x.len()];
            t.pgd(&x, &y, &attack, &mut delta).unwrap();
            let mut want = vec![0f32; x.len()];
            for _ in 0..attack.steps {
                let adv: Vec<f32> = x.iter().zip(&want).map(|(a, d)| a + d).collect();
                let g = twin::network_pass(&arch, &params, &adv, &y)
                    .unwrap()
                    .input_grad;
                match attack.norm {
                    AttackNorm::Linf => {
                        twin::pgd_linf_update(&mut want, &x, &g, attack.alpha, attack.eps)
                    }
                    AttackNorm::L2 => {
                        twin::pgd_l2_update(&mut want, &x, &g, attack.alpha, attack.eps, 64)
                    }
                }
                .unwrap();
            }
            let diff = Tol::of_max(1e-4).compare(&delta, &want);
            eprintln!(
                "{:?} PGD, CPU trainer vs twins: max rel diff {:.3e}",
                attack.norm, diff.rel
            );
            assert!(diff.passed, "{:?}: {diff:?}", attack.norm);
            assert!(want.iter().any(|&d| d != 0.0));
            assert!(
                x.iter()
                    .zip(&delta)
                    .all(|(a, d)| (0.0..=1.0).contains(&(a + d)))
            );
        }
        assert_eq!(t.params, params, "an attack leaves the weights alone");
        let mut short = vec![0f32; 3];
        assert!(t.pgd(&x, &y, &ATTACKS[0], &mut short).is_err());
    }

    #[test]
    fn pgd_raises_the_loss() {
        let arch = tiny();
        let (x, y) = batch(13, 8, 64, 3);
        let mut t = Trainer::new(&arch, arch.init_params(7)).unwrap();
        let params = t.params.clone();
        let clean = t.net().evaluate(&params, &x, &y).mean_loss();
        for attack in ATTACKS {
            let mut delta = vec![0f32; x.len()];
            t.pgd(&x, &y, &attack, &mut delta).unwrap();
            let adv: Vec<f32> = x.iter().zip(&delta).map(|(a, d)| a + d).collect();
            let attacked = t.net().evaluate(&params, &adv, &y).mean_loss();
            assert!(attacked > clean, "{:?}: {clean} → {attacked}", attack.norm);
        }
    }

    #[test]
    fn training_fits_a_small_batch() {
        let arch = tiny();
        let (x, y) = batch(10, 16, 64, 3);
        let mut t = Trainer::new(&arch, arch.init_params(0)).unwrap();
        let first = t.step(&x, &y, &sgd(0.05, StepRule::Erm)).mean_loss();
        let mut last = first;
        for _ in 0..300 {
            last = t.step(&x, &y, &sgd(0.1, StepRule::Erm)).mean_loss();
        }
        assert!(last < 0.1 * first, "loss {first} → {last}");
    }
}
