//! Training against common corruptions on the CPU backend (kireev2021_corruptions §3.2–§3.4, §5
//! E1/E3): a batch is perturbed ([`Perturbation`]) and the ordinary SGD-momentum step
//! ([`StepConfig`]) is taken on the perturbed batch only, with no clean term, as the official code.
//!
//! * ℓ∞ / ℓ2 adversarial training: [`Trainer::pgd`] from a zero start (one step, α = ε, is the
//!   official default) or from a uniform random start in the ε-ball (FGSM with α = 1.25ε), with
//!   the updates of [`crate::nn::reference`]. For one step from zero the reference ℓ∞ order (ε-clamp,
//!   then the pixel box) and the official one (box, then ε-clamp) give the same move,
//!   `sign(g)·min(α, ε, room to the box)`.
//! * Gaussian augmentation: `δ = σ·N(0, I)`, `δ = clip(x + δ, 0, 1) − x`, on the last
//!   `round(p·B)` examples of a batch of `B` (the first ones stay clean).
//! * RLAT: one ℓ2 step from zero at feature taps ([`rlat_taps`]): one backward-data pass gives the
//!   loss gradient `g_l` at every tap ([`crate::nn::net::CpuNet::tap_gradients`]); per example
//!   and tap, `δ_l = ε_l·g_l/‖g_l‖₂` ([`RlatPolicy`]); the weights are then updated from a second
//!   pass with the perturbations inserted ([`crate::nn::net::CpuNet::perturbed_gradient`]).
//! * Catastrophic overfitting: the error under a one-step attack and under PGD at the same ε
//!   ([`Trainer::attack_errors`]).
//!
//! Randomness (random starts, Gaussian noise) comes only from the [`Rng`] the caller passes.

use super::net::{BatchStats, NetError, Tap};
use super::reference::{ReferenceError, sum_of_squares};
use super::spec::{Arch, Layer, ShapeError};
use super::train::{AttackNorm, Pgd, StepConfig, StepRule, Trainer, sam_scale};
use crate::rng::Rng;

/// How a training batch is perturbed before the step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Perturbation {
    /// Standard training on the clean batch.
    None,
    /// Adversarial training on `x + δ`, `δ` from [`Trainer::pgd`] with `attack`.
    Adversarial {
        /// Norm, step size α, radius ε and number of steps.
        attack: Pgd,
        /// Start from a uniform draw in the ε-ball (clipped to the pixel box) instead of zero.
        random_start: bool,
    },
    /// Gaussian augmentation of a fraction of the batch.
    Gaussian {
        /// Noise standard deviation σ (pixel units).
        sigma: f32,
        /// Fraction p of the batch that is noised (the last `round(p·B)` examples).
        fraction: f32,
    },
    /// RLAT: one-step ℓ2 perturbations at the taps of [`rlat_taps`].
    Rlat {
        /// Overall radius ε.
        eps: f32,
        /// How ε is shared among the taps.
        policy: RlatPolicy,
    },
}

/// How RLAT's radius is split over the taps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RlatPolicy {
    /// The official default ("scaling" + "descending"): tap `l` (0 = input) gets its own budget
    /// `ε_l = ε·(numel_l/numel_input)/(l + 1)` ([`rlat_budgets`]), per example.
    ScalingDescending,
    /// One ℓ2 budget ε over all taps together, per example: `δ_l = ε·g_l/‖(g_1, …, g_L)‖₂`.
    Shared,
}

impl Perturbation {
    /// One-step adversarial training from a zero start with α = ε (the official default, §5 E1).
    pub fn one_step(norm: AttackNorm, eps: f32) -> Self {
        Perturbation::Adversarial {
            attack: Pgd {
                norm,
                alpha: eps,
                eps,
                steps: 1,
            },
            random_start: false,
        }
    }

    /// ℓ∞ FGSM from a uniform random start in the ε-ball with α = 1.25ε (§5 E1, for ε ≥ 16/255).
    pub fn fgsm_random_start(eps: f32) -> Self {
        Perturbation::Adversarial {
            attack: Pgd {
                norm: AttackNorm::Linf,
                alpha: 1.25 * eps,
                eps,
                steps: 1,
            },
            random_start: true,
        }
    }

    /// Checks the settings: radii, step sizes and σ finite and non-negative, at least one attack
    /// step, a fraction in `[0, 1]`.
    pub fn validate(&self) -> Result<(), RobustError> {
        match *self {
            Perturbation::None => Ok(()),
            Perturbation::Adversarial { attack, .. } => {
                non_negative("eps", attack.eps)?;
                non_negative("alpha", attack.alpha)?;
                if attack.steps == 0 {
                    return Err(RobustError::Parameter {
                        name: "steps",
                        value: 0.0,
                        reason: "an attack takes at least one step",
                    });
                }
                Ok(())
            }
            Perturbation::Gaussian { sigma, fraction } => {
                non_negative("sigma", sigma)?;
                if !(0.0..=1.0).contains(&fraction) {
                    return Err(RobustError::Parameter {
                        name: "fraction",
                        value: f64::from(fraction),
                        reason: "must be in [0, 1]",
                    });
                }
                Ok(())
            }
            Perturbation::Rlat { eps, .. } => non_negative("eps", eps),
        }
    }
}

fn non_negative(name: &'static str, value: f32) -> Result<(), RobustError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(RobustError::Parameter {
            name,
            value: f64::from(value),
            reason: "must be finite and non-negative",
        })
    }
}

/// Settings or buffers the robust training methods cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RobustError {
    /// A setting out of its range.
    #[error("{name} = {value}: {reason}")]
    Parameter {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// Feature perturbations take plain steps only.
    #[error("RLAT takes plain (ERM) steps, not {0:?}")]
    Rule(StepRule),
    /// An architecture whose shapes do not chain.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A batch, taps or tap perturbations the network cannot take.
    #[error(transparent)]
    Net(#[from] NetError),
    /// An attack the reference updates reject.
    #[error(transparent)]
    Attack(#[from] ReferenceError),
}

/// RLAT's taps of `arch`: the input pixels, then the output of every conv and linear layer but the
/// last (the pre-activations). For CNN-S/M: input, conv1, conv2 and fc1, each before its ReLU.
pub fn rlat_taps(arch: &Arch) -> Vec<Tap> {
    let before_logits = arch.layers.len().saturating_sub(1);
    let outputs = arch.layers[..before_logits]
        .iter()
        .enumerate()
        .filter(|(_, layer)| matches!(layer, Layer::Conv3x3 { .. } | Layer::Linear { .. }))
        .map(|(i, _)| Tap::Output(i));
    std::iter::once(Tap::Input).chain(outputs).collect()
}

/// One RLAT tap with its size and radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TapBudget {
    /// The tap.
    pub tap: Tap,
    /// Values per example at the tap.
    pub values: usize,
    /// Its per-example ℓ2 radius ε_l.
    pub eps: f32,
}

/// The "scaling + descending" radii of [`rlat_taps`] for overall radius `eps`:
/// `ε_l = ε·(numel_l/numel_input)/(l + 1)` with `l = 0` the input (in `f64`, rounded once). For
/// CNN-M: ε, 16ε, 5.33ε and 0.041ε. Errors on a negative or non-finite `eps` or an architecture
/// whose shapes do not chain.
pub fn rlat_budgets(arch: &Arch, eps: f32) -> Result<Vec<TapBudget>, RobustError> {
    non_negative("eps", eps)?;
    let shapes = arch.shapes()?;
    let input = shapes[0].len() as f64;
    Ok(rlat_taps(arch)
        .into_iter()
        .enumerate()
        .map(|(l, tap)| {
            let values = match tap {
                Tap::Input => shapes[0].len(),
                Tap::Output(i) => shapes[i + 1].len(),
            };
            let eps = f64::from(eps) * (values as f64 / input) / (l + 1) as f64;
            TapBudget {
                tap,
                values,
                eps: eps as f32,
            }
        })
        .collect())
}

/// A perturbed batch, ready for [`Trainer::step_perturbed`].
#[derive(Clone, Debug, PartialEq)]
pub enum Perturbed {
    /// The pixels to train on (`x + δ`; a copy of `x` for standard training).
    Pixels(Vec<f32>),
    /// Feature perturbations of the clean pixels: `deltas[t]` (whole batch, example-major) is
    /// added at `taps[t]`.
    Features {
        /// The taps, in network order.
        taps: Vec<Tap>,
        /// One perturbation per tap.
        deltas: Vec<Vec<f32>>,
    },
}

/// Error rates of a batch under a one-step and a multi-step attack at the same radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AttackErrors {
    /// Error rate in `[0, 1]` under one step from zero with α = ε (FGSM / FGM).
    pub one_step: f64,
    /// Error rate under PGD.
    pub multi_step: f64,
}

impl AttackErrors {
    /// PGD error minus one-step error; 0.3 or more signals catastrophic overfitting (§5 E1).
    pub fn gap(&self) -> f64 {
        self.multi_step - self.one_step
    }
}

impl Trainer {
    /// Perturbs the batch `x` (pixels in `[0, 1]`) with `labels` at the current weights as
    /// `perturbation` says, drawing any noise from `rng`; the weights are left unchanged. Errors on
    /// invalid settings, a batch whose lengths do not match, or a label out of range.
    pub fn perturb(
        &mut self,
        x: &[f32],
        labels: &[u8],
        perturbation: &Perturbation,
        rng: &mut Rng,
    ) -> Result<Perturbed, RobustError> {
        perturbation.validate()?;
        self.check_batch(x, labels)?;
        let per = self.net().input_len();
        match *perturbation {
            Perturbation::None => Ok(Perturbed::Pixels(x.to_vec())),
            Perturbation::Adversarial {
                attack,
                random_start,
            } => {
                let mut delta = vec![0f32; x.len()];
                if random_start {
                    random_start_in_ball(&mut delta, x, attack.norm, attack.eps, per, rng);
                }
                self.pgd(x, labels, &attack, &mut delta)?;
                Ok(Perturbed::Pixels(
                    x.iter().zip(&delta).map(|(&x, &d)| x + d).collect(),
                ))
            }
            Perturbation::Gaussian { sigma, fraction } => {
                let noised = (f64::from(fraction) * labels.len() as f64).round() as usize;
                let clean = labels.len() - noised;
                let mut out = x.to_vec();
                for v in &mut out[clean * per..] {
                    let noise = (f64::from(sigma) * rng.normal()) as f32;
                    let delta = (*v + noise).clamp(0.0, 1.0) - *v;
                    *v += delta;
                }
                Ok(Perturbed::Pixels(out))
            }
            Perturbation::Rlat { eps, policy } => self.rlat_perturbation(x, labels, eps, policy),
        }
    }

    /// One SGD-momentum step `step` on the perturbed batch (its labels `labels`): [`Trainer::step`]
    /// on perturbed pixels (any rule), or for feature perturbations the weight gradient at the
    /// perturbed features (ERM only). Returns the loss and accuracy of the perturbed batch at the
    /// weights before the step.
    pub fn step_perturbed(
        &mut self,
        x: &[f32],
        labels: &[u8],
        perturbed: &Perturbed,
        step: &StepConfig,
    ) -> Result<BatchStats, RobustError> {
        self.check_batch(x, labels)?;
        match perturbed {
            Perturbed::Pixels(pixels) => {
                self.check_batch(pixels, labels)?;
                Ok(self.step(pixels, labels, step))
            }
            Perturbed::Features { taps, deltas } => {
                if step.rule != StepRule::Erm {
                    return Err(RobustError::Rule(step.rule));
                }
                self.step_on_gradient(step, |net, params, grads| {
                    net.perturbed_gradient(params, x, labels, taps, deltas, grads)
                        .map_err(RobustError::from)
                })
            }
        }
    }

    /// [`Self::perturb`] then [`Self::step_perturbed`]: one training step of a robust method.
    pub fn robust_step(
        &mut self,
        x: &[f32],
        labels: &[u8],
        perturbation: &Perturbation,
        step: &StepConfig,
        rng: &mut Rng,
    ) -> Result<BatchStats, RobustError> {
        let perturbed = self.perturb(x, labels, perturbation, rng)?;
        self.step_perturbed(x, labels, &perturbed, step)
    }

    /// The error rates of the batch at the current weights under one `norm` step from zero with
    /// α = ε and under PGD from zero with `pgd_steps` steps of `pgd_alpha`, both of radius `eps`:
    /// the catastrophic-overfitting probe of §5 E1. Errors on bad settings or a bad batch.
    pub fn attack_errors(
        &mut self,
        x: &[f32],
        labels: &[u8],
        norm: AttackNorm,
        eps: f32,
        pgd_steps: usize,
        pgd_alpha: f32,
    ) -> Result<AttackErrors, RobustError> {
        let one = Pgd {
            norm,
            alpha: eps,
            eps,
            steps: 1,
        };
        let many = Pgd {
            norm,
            alpha: pgd_alpha,
            eps,
            steps: pgd_steps,
        };
        for attack in [one, many] {
            let settings = Perturbation::Adversarial {
                attack,
                random_start: false,
            };
            settings.validate()?;
        }
        self.check_batch(x, labels)?;
        let mut errors = [0f64; 2];
        for (error, attack) in errors.iter_mut().zip([one, many]) {
            let mut delta = vec![0f32; x.len()];
            self.pgd(x, labels, &attack, &mut delta)?;
            let adversarial: Vec<f32> = x.iter().zip(&delta).map(|(&x, &d)| x + d).collect();
            let params = self.params.clone();
            *error = 1.0
                - self
                    .net()
                    .evaluate(&params, &adversarial, labels)
                    .accuracy();
        }
        Ok(AttackErrors {
            one_step: errors[0],
            multi_step: errors[1],
        })
    }

    /// RLAT's one ℓ2 step from zero at [`rlat_taps`]: per example, `δ_l = ε_l·g_l/(‖g_l‖ + 1e-12)`
    /// (scaling + descending) or `δ_l = ε·g_l/(‖(g_1, …, g_L)‖ + 1e-12)` (shared), with norms from
    /// `f64` sums of squares ([`sam_scale`]).
    fn rlat_perturbation(
        &mut self,
        x: &[f32],
        labels: &[u8],
        eps: f32,
        policy: RlatPolicy,
    ) -> Result<Perturbed, RobustError> {
        let budgets = rlat_budgets(self.net().arch(), eps)?;
        let taps: Vec<Tap> = budgets.iter().map(|b| b.tap).collect();
        let params = self.params.clone();
        let (_, grads) = self.net().tap_gradients(&params, x, labels, &taps)?;
        let mut deltas: Vec<Vec<f32>> = grads.iter().map(|g| vec![0f32; g.len()]).collect();
        let mut sums = vec![0f64; taps.len()];
        for n in 0..labels.len() {
            let example = |t: usize| n * budgets[t].values..(n + 1) * budgets[t].values;
            for (t, sum) in sums.iter_mut().enumerate() {
                *sum = sum_of_squares(&grads[t][example(t)]);
            }
            let total: f64 = sums.iter().sum();
            for t in 0..taps.len() {
                let scale = match policy {
                    RlatPolicy::ScalingDescending => sam_scale(budgets[t].eps, sums[t]),
                    RlatPolicy::Shared => sam_scale(eps, total),
                };
                for (d, &g) in deltas[t][example(t)].iter_mut().zip(&grads[t][example(t)]) {
                    *d = scale * g;
                }
            }
        }
        Ok(Perturbed::Features { taps, deltas })
    }

    fn check_batch(&mut self, x: &[f32], labels: &[u8]) -> Result<(), RobustError> {
        Ok(self.net().check_batch(x, labels)?)
    }
}

/// A uniform draw in the ε-ball of `norm` for each example of `per` values (ℓ∞: each value
/// uniform in `[−ε, ε]`; ℓ2: a Gaussian direction at radius `ε·u^{1/per}`), then clipped so that
/// `x + δ` stays in `[0, 1]`.
fn random_start_in_ball(
    delta: &mut [f32],
    x: &[f32],
    norm: AttackNorm,
    eps: f32,
    per: usize,
    rng: &mut Rng,
) {
    let eps = f64::from(eps);
    for d in delta.chunks_mut(per) {
        match norm {
            AttackNorm::Linf => {
                for v in d.iter_mut() {
                    *v = (eps * (2.0 * rng.uniform() - 1.0)) as f32;
                }
            }
            AttackNorm::L2 => {
                let direction: Vec<f64> = (0..per).map(|_| rng.normal()).collect();
                let length = direction.iter().map(|v| v * v).sum::<f64>().sqrt();
                let radius = eps * libm::pow(rng.uniform(), 1.0 / per as f64);
                for (v, u) in d.iter_mut().zip(&direction) {
                    *v = (radius * u / length) as f32;
                }
            }
        }
    }
    for (d, &x) in delta.iter_mut().zip(x) {
        *d = (x + *d).clamp(0.0, 1.0) - x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::net::CpuNet;
    use crate::nn::net::set_parallel;
    use crate::nn::net::tests::{batch, tiny};

    /// The common recipe's step (common.md §12).
    fn sgd() -> StepConfig {
        StepConfig {
            lr: 0.05,
            momentum: 0.9,
            weight_decay: 5e-4,
            rule: StepRule::Erm,
        }
    }

    fn trainer(seed: u64) -> Trainer {
        let arch = tiny();
        Trainer::new(&arch, arch.init_params(seed)).unwrap()
    }

    fn pixels(t: &mut Trainer, x: &[f32], y: &[u8], p: Perturbation, seed: u64) -> Vec<f32> {
        match t.perturb(x, y, &p, &mut Rng::new(seed)).unwrap() {
            Perturbed::Pixels(v) => v,
            other => panic!("expected pixels, got {other:?}"),
        }
    }

    fn features(t: &mut Trainer, x: &[f32], y: &[u8], p: Perturbation) -> Vec<Vec<f32>> {
        match t.perturb(x, y, &p, &mut Rng::new(0)).unwrap() {
            Perturbed::Features { deltas, .. } => deltas,
            other => panic!("expected features, got {other:?}"),
        }
    }

    fn norm(v: &[f32]) -> f64 {
        sum_of_squares(v).sqrt()
    }

    fn linf(alpha: f32, eps: f32) -> Perturbation {
        Perturbation::Adversarial {
            attack: Pgd {
                norm: AttackNorm::Linf,
                alpha,
                eps,
                steps: 1,
            },
            random_start: false,
        }
    }

    #[test]
    fn linf_step_moves_each_pixel_by_min_alpha_eps_inside_the_ball_and_box() {
        let (x, y) = batch(1, 4, 64, 3);
        let mut t = trainer(2);
        let params = t.params.clone();
        let g = t.net().input_gradient(&params, &x, &y).1.to_vec();
        for (alpha, eps) in [(0.03f32, 0.05f32), (0.08, 0.05)] {
            let adv = pixels(&mut t, &x, &y, linf(alpha, eps), 0);
            let step = alpha.min(eps);
            let (mut free, mut clipped) = (0, 0);
            for ((&a, &x), &g) in adv.iter().zip(&x).zip(&g) {
                let delta = a - x;
                assert!(delta.abs() <= eps + 1e-6, "|δ| = {delta} > ε = {eps}");
                assert!((0.0..=1.0).contains(&a), "pixel {a} outside [0, 1]");
                let want = step * g.signum();
                if g == 0.0 {
                    assert_eq!(delta, 0.0);
                } else if (0.0..=1.0).contains(&(x + want)) {
                    free += 1;
                    assert!((delta - want).abs() <= 1e-6, "δ = {delta}, want {want}");
                } else {
                    clipped += 1;
                    assert_eq!(a, if g > 0.0 { 1.0 } else { 0.0 });
                }
            }
            assert!(free > 200 && clipped > 0, "{free} free, {clipped} clipped");
        }
        // FGSM with a random start (α = 1.25ε): still in the ball and the box, and seeded.
        let eps = 0.1;
        let rs = pixels(&mut t, &x, &y, Perturbation::fgsm_random_start(eps), 3);
        for (&a, &x) in rs.iter().zip(&x) {
            assert!((a - x).abs() <= eps + 1e-6 && (0.0..=1.0).contains(&a));
        }
        let at_eps = rs
            .iter()
            .zip(&x)
            .filter(|&(a, x)| (a - x).abs() < eps - 1e-4);
        assert!(
            at_eps.count() > 0,
            "a random start leaves some pixels inside"
        );
        assert_eq!(
            rs,
            pixels(&mut t, &x, &y, Perturbation::fgsm_random_start(eps), 3)
        );
        assert_ne!(
            rs,
            pixels(&mut t, &x, &y, Perturbation::fgsm_random_start(eps), 4)
        );
        assert_eq!(t.params, params, "perturbing leaves the weights alone");
    }

    #[test]
    fn adversarial_training_steps_on_the_attacked_batch_only() {
        let (x, y) = batch(12, 6, 64, 3);
        let (mut robust, mut by_hand) = (trainer(9), trainer(9));
        let at = Perturbation::one_step(AttackNorm::Linf, 0.05);
        let clean = trainer(9).step(&x, &y, &sgd());
        for _ in 0..2 {
            let adv = pixels(&mut by_hand, &x, &y, at, 0);
            let want = by_hand.step(&adv, &y, &sgd());
            let got = robust.robust_step(&x, &y, &at, &sgd(), &mut Rng::new(0));
            assert_eq!(got.unwrap(), want);
        }
        assert_eq!(robust.params, by_hand.params);
        let first = trainer(9).robust_step(&x, &y, &at, &sgd(), &mut Rng::new(0));
        assert!(
            first.unwrap().mean_loss() > clean.mean_loss(),
            "the loss is the attacked one"
        );
    }

    #[test]
    fn l2_step_reaches_the_radius_where_the_box_is_slack_and_never_leaves_the_ball() {
        let (_, y) = batch(2, 4, 64, 3);
        // Pixels in [0.4, 0.6] and ε ≤ 0.4: no pixel can move out of [0, 1], so ‖δ‖ = ε exactly
        // (up to rounding) for α = ε and for α = 2ε (then by the projection).
        let x: Vec<f32> = batch(2, 4, 64, 3).0.iter().map(|u| 0.4 + 0.2 * u).collect();
        let mut t = trainer(3);
        for (alpha, eps) in [(0.3f32, 0.3f32), (0.4, 0.4), (0.8, 0.4)] {
            let p = Perturbation::Adversarial {
                attack: Pgd {
                    norm: AttackNorm::L2,
                    alpha,
                    eps,
                    steps: 1,
                },
                random_start: false,
            };
            let adv = pixels(&mut t, &x, &y, p, 0);
            for (a, x) in adv.chunks(64).zip(x.chunks(64)) {
                let delta: Vec<f32> = a.iter().zip(x).map(|(a, x)| a - x).collect();
                let n = norm(&delta);
                assert!((n - f64::from(eps)).abs() < 1e-6, "‖δ‖ = {n}, ε = {eps}");
            }
        }
        // Random pixels (the box binds), larger steps, several steps, a random start: ‖δ‖ ≤ ε.
        let (x, y) = batch(4, 4, 64, 3);
        for (alpha, steps, random_start) in [(0.5f32, 1, false), (1.5, 3, false), (0.5, 2, true)] {
            let eps = 0.5f32;
            let p = Perturbation::Adversarial {
                attack: Pgd {
                    norm: AttackNorm::L2,
                    alpha,
                    eps,
                    steps,
                },
                random_start,
            };
            let adv = pixels(&mut t, &x, &y, p, 7);
            for (a, x) in adv.chunks(64).zip(x.chunks(64)) {
                let delta: Vec<f32> = a.iter().zip(x).map(|(a, x)| a - x).collect();
                assert!(norm(&delta) <= f64::from(eps) * (1.0 + 1e-6));
                assert!(norm(&delta) > 0.1, "the attack moved the example");
                assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
            }
        }
    }

    #[test]
    fn rlat_budgets_of_cnn_m_follow_scaling_and_descending() {
        let budgets = rlat_budgets(&Arch::cnn_m(), 0.1).unwrap();
        let taps: Vec<Tap> = budgets.iter().map(|b| b.tap).collect();
        assert_eq!(
            taps,
            [Tap::Input, Tap::Output(1), Tap::Output(4), Tap::Output(8)]
        );
        let values: Vec<usize> = budgets.iter().map(|b| b.values).collect();
        assert_eq!(values, [784, 25_088, 12_544, 128]);
        // ε·(n_l/784)/(l + 1): 0.1, 0.1·32/2, 0.1·16/3, 0.1·(128/784)/4.
        let want = [0.1, 1.6, 0.533_333_333, 0.004_081_632_65];
        for (b, w) in budgets.iter().zip(want) {
            assert!(
                (f64::from(b.eps) - w).abs() < 1e-6 * w,
                "{:?}: {} vs {w}",
                b.tap,
                b.eps
            );
        }
        assert_eq!(rlat_taps(&Arch::cnn_s()), taps, "CNN-S has the same layout");
        assert!(rlat_budgets(&Arch::cnn_m(), -0.1).is_err());
        assert!(rlat_budgets(&Arch::cnn_m(), f32::NAN).is_err());
    }

    #[test]
    fn rlat_perturbations_use_each_budget_per_example() {
        let arch = tiny();
        let (x, y) = batch(5, 4, 64, 3);
        let mut t = trainer(4);
        let eps = 0.2;
        let budgets = rlat_budgets(&arch, eps).unwrap();
        // Tiny: input 64, conv1 3×8×8, conv2 4×4×4, fc1 5.
        let sizes: Vec<usize> = budgets.iter().map(|b| b.values).collect();
        assert_eq!(sizes, [64, 192, 64, 5]);
        let params = t.params.clone();
        let taps: Vec<Tap> = budgets.iter().map(|b| b.tap).collect();
        let grads = t
            .net()
            .tap_gradients(&params, &x, &y, &taps)
            .unwrap()
            .1
            .to_vec();
        let scaled = features(
            &mut t,
            &x,
            &y,
            Perturbation::Rlat {
                eps,
                policy: RlatPolicy::ScalingDescending,
            },
        );
        let shared = features(
            &mut t,
            &x,
            &y,
            Perturbation::Rlat {
                eps,
                policy: RlatPolicy::Shared,
            },
        );
        for n in 0..4 {
            let mut total = 0f64;
            let mut ratios = Vec::new();
            for (t, b) in budgets.iter().enumerate() {
                let range = n * b.values..(n + 1) * b.values;
                let (d, g) = (&scaled[t][range.clone()], &grads[t][range.clone()]);
                let nd = norm(d);
                let budget = f64::from(b.eps);
                assert!(
                    (nd - budget).abs() < 1e-5 * budget,
                    "tap {t}: {nd} vs {budget}"
                );
                // Along the gradient: δ·g = ‖δ‖‖g‖.
                let dot: f64 = d.iter().zip(g).map(|(a, b)| f64::from(*a * *b)).sum();
                assert!((dot - nd * norm(g)).abs() < 1e-4 * nd * norm(g));
                let s = &shared[t][range];
                total += sum_of_squares(s);
                ratios.push(norm(s) / norm(g));
            }
            assert!((total.sqrt() - f64::from(eps)).abs() < 1e-5, "{total}");
            // Shared: one scale for every tap of the example.
            for r in &ratios {
                assert!((r - ratios[0]).abs() < 1e-5 * ratios[0], "{ratios:?}");
            }
        }
    }

    #[test]
    fn tap_gradients_match_finite_differences() {
        let arch = tiny();
        let mut net = CpuNet::new(&arch).unwrap();
        let params = arch.init_params(2);
        let (x, y) = batch(3, 3, 64, 3);
        let taps = rlat_taps(&arch);
        let (stats, grads) = net.tap_gradients(&params, &x, &y, &taps).unwrap();
        let grads = grads.to_vec();
        assert_eq!(stats, net.evaluate(&params, &x, &y));
        let input = net.input_gradient(&params, &x, &y).1.to_vec();
        assert_eq!(grads[0], input, "the input tap is the input gradient");
        let h = 1e-3f32;
        let mut zero: Vec<Vec<f32>> = taps
            .iter()
            .map(|&t| vec![0.0; 3 * net.tap_len(t).unwrap()])
            .collect();
        let mut scratch = vec![0f32; params.len()];
        let mut worst = 0f32;
        let mut checked = 0;
        for (t, tap) in taps.iter().enumerate() {
            for k in (0..zero[t].len()).step_by(5) {
                if *tap == Tap::Input && !(h..1.0 - h).contains(&x[k]) {
                    continue; // the [0, 1] clamp would bend the difference
                }
                let mut loss = |shift: f32, zero: &mut Vec<Vec<f32>>| {
                    zero[t][k] = shift;
                    let s = net
                        .perturbed_gradient(&params, &x, &y, &taps, zero, &mut scratch)
                        .unwrap();
                    zero[t][k] = 0.0;
                    s.loss_sum
                };
                let (up, down) = (loss(h, &mut zero), loss(-h, &mut zero));
                let fd = ((up - down) / (2.0 * f64::from(h)) / 3.0) as f32;
                worst = worst.max((fd - grads[t][k]).abs() / (1e-2 + grads[t][k].abs()));
                checked += 1;
            }
        }
        eprintln!("tap gradients vs finite differences: worst relative difference {worst:.2e}");
        assert!(checked > 60, "{checked} coordinates");
        assert!(worst < 2e-2, "worst relative difference {worst}");
    }

    #[test]
    fn zero_radius_and_no_noise_are_standard_training_bit_for_bit() {
        let (x, y) = batch(6, 8, 64, 3);
        let mut standard = trainer(1);
        for _ in 0..3 {
            standard.step(&x, &y, &sgd());
        }
        let pgd2 = Perturbation::Adversarial {
            attack: Pgd {
                norm: AttackNorm::Linf,
                alpha: 0.01,
                eps: 0.0,
                steps: 2,
            },
            random_start: true,
        };
        let methods = [
            Perturbation::None,
            Perturbation::one_step(AttackNorm::Linf, 0.0),
            Perturbation::one_step(AttackNorm::L2, 0.0),
            Perturbation::fgsm_random_start(0.0),
            pgd2,
            Perturbation::Gaussian {
                sigma: 0.0,
                fraction: 1.0,
            },
            Perturbation::Gaussian {
                sigma: 0.3,
                fraction: 0.0,
            },
            Perturbation::Rlat {
                eps: 0.0,
                policy: RlatPolicy::ScalingDescending,
            },
            Perturbation::Rlat {
                eps: 0.0,
                policy: RlatPolicy::Shared,
            },
        ];
        for method in methods {
            let mut robust = trainer(1);
            let mut rng = Rng::new(9);
            for _ in 0..3 {
                robust
                    .robust_step(&x, &y, &method, &sgd(), &mut rng)
                    .unwrap();
            }
            assert_eq!(robust.params, standard.params, "{method:?}");
        }
        // And a positive radius does change the run.
        let mut robust = trainer(1);
        let rlat = Perturbation::Rlat {
            eps: 0.1,
            policy: RlatPolicy::ScalingDescending,
        };
        for _ in 0..3 {
            robust
                .robust_step(&x, &y, &rlat, &sgd(), &mut Rng::new(9))
                .unwrap();
        }
        assert_ne!(robust.params, standard.params);
    }

    #[test]
    fn gaussian_noise_on_half_a_batch_keeps_the_first_half_and_is_seeded() {
        let (x, y) = batch(7, 8, 64, 3);
        let mut t = trainer(0);
        let half = Perturbation::Gaussian {
            sigma: 0.3,
            fraction: 0.5,
        };
        let a = pixels(&mut t, &x, &y, half, 11);
        assert_eq!(
            a[..4 * 64],
            x[..4 * 64],
            "the first (1 − p)·B images stay clean"
        );
        for (noisy, clean) in a[4 * 64..].chunks(64).zip(x[4 * 64..].chunks(64)) {
            assert!(noisy != clean, "every noised image changes");
            assert!(noisy.iter().all(|v| (0.0..=1.0).contains(v)));
        }
        assert!(
            a.contains(&0.0) && a.contains(&1.0),
            "σ = 0.3 reaches the clip"
        );
        assert_eq!(a, pixels(&mut t, &x, &y, half, 11), "same seed, same noise");
        let b = pixels(&mut t, &x, &y, half, 12);
        assert_eq!(b[..4 * 64], x[..4 * 64]);
        assert!(
            a[4 * 64..]
                .chunks(64)
                .zip(b[4 * 64..].chunks(64))
                .all(|(a, b)| a != b),
            "another seed, other noise"
        );
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let (x, y) = batch(8, 5, 64, 3);
        let methods = [
            Perturbation::fgsm_random_start(0.1),
            Perturbation::one_step(AttackNorm::L2, 0.5),
            Perturbation::Gaussian {
                sigma: 0.2,
                fraction: 0.6,
            },
            Perturbation::Rlat {
                eps: 0.3,
                policy: RlatPolicy::ScalingDescending,
            },
            Perturbation::Rlat {
                eps: 0.3,
                policy: RlatPolicy::Shared,
            },
        ];
        for method in methods {
            let mut runs = Vec::new();
            for parallel in [true, false] {
                set_parallel(parallel);
                let mut t = trainer(5);
                let mut rng = Rng::new(21);
                let stats: Vec<BatchStats> = (0..2)
                    .map(|_| t.robust_step(&x, &y, &method, &sgd(), &mut rng).unwrap())
                    .collect();
                runs.push((stats, t.params));
            }
            set_parallel(true);
            assert_eq!(runs[0], runs[1], "{method:?}");
        }
    }

    #[test]
    fn rlat_raises_the_loss_and_trains_on_the_perturbed_features() {
        let (x, y) = batch(9, 6, 64, 3);
        let mut t = trainer(6);
        let params = t.params.clone();
        let clean = t.net().evaluate(&params, &x, &y).mean_loss();
        let flat = StepConfig {
            lr: 0.0,
            momentum: 0.0,
            weight_decay: 0.0,
            rule: StepRule::Erm,
        };
        for policy in [RlatPolicy::ScalingDescending, RlatPolicy::Shared] {
            let p = Perturbation::Rlat { eps: 0.5, policy };
            let perturbed = t.robust_step(&x, &y, &p, &flat, &mut Rng::new(0)).unwrap();
            assert!(
                perturbed.mean_loss() > clean,
                "{policy:?}: {clean} → {}",
                perturbed.mean_loss()
            );
            let mut clean_gradient = vec![0f32; params.len()];
            t.net().gradient(&params, &x, &y, &mut clean_gradient);
            assert_ne!(t.last_gradient(), &clean_gradient[..]);
        }
        assert_eq!(t.params, params, "lr 0 keeps the weights");
    }

    #[test]
    fn one_step_and_pgd_errors_are_those_of_the_attacked_batches() {
        let (x, y) = batch(10, 8, 64, 3);
        let mut t = trainer(7);
        let params = t.params.clone();
        let clean = 1.0 - t.net().evaluate(&params, &x, &y).accuracy();
        let none = t
            .attack_errors(&x, &y, AttackNorm::Linf, 0.0, 5, 0.01)
            .unwrap();
        assert_eq!(
            (none.one_step, none.multi_step, none.gap()),
            (clean, clean, 0.0)
        );
        let errors = t
            .attack_errors(&x, &y, AttackNorm::Linf, 0.1, 5, 0.03)
            .unwrap();
        for (error, attack) in
            [(errors.one_step, 0.1f32, 1), (errors.multi_step, 0.03, 5)].map(|(e, alpha, steps)| {
                (
                    e,
                    Pgd {
                        norm: AttackNorm::Linf,
                        alpha,
                        eps: 0.1,
                        steps,
                    },
                )
            })
        {
            let mut delta = vec![0f32; x.len()];
            t.pgd(&x, &y, &attack, &mut delta).unwrap();
            let adv: Vec<f32> = x.iter().zip(&delta).map(|(a, d)| a + d).collect();
            let want = 1.0 - t.net().evaluate(&params, &adv, &y).accuracy();
            assert_eq!(error, want, "{attack:?}");
        }
        assert!(
            errors.one_step > clean && errors.multi_step > clean,
            "{errors:?} vs {clean}"
        );
        assert_eq!(errors.gap(), errors.multi_step - errors.one_step);
        assert!(
            t.attack_errors(&x, &y, AttackNorm::L2, 0.1, 0, 0.03)
                .is_err()
        );
    }

    #[test]
    fn bad_settings_and_buffers_are_errors() {
        let (x, y) = batch(11, 4, 64, 3);
        let mut t = trainer(8);
        let mut rng = Rng::new(0);
        let bad = [
            Perturbation::one_step(AttackNorm::Linf, -0.1),
            Perturbation::one_step(AttackNorm::L2, f32::NAN),
            Perturbation::Adversarial {
                attack: Pgd {
                    norm: AttackNorm::Linf,
                    alpha: 0.1,
                    eps: 0.1,
                    steps: 0,
                },
                random_start: false,
            },
            Perturbation::Gaussian {
                sigma: -1.0,
                fraction: 0.5,
            },
            Perturbation::Gaussian {
                sigma: 0.1,
                fraction: 1.5,
            },
            Perturbation::Rlat {
                eps: f32::INFINITY,
                policy: RlatPolicy::Shared,
            },
        ];
        for p in bad {
            let err = t.perturb(&x, &y, &p, &mut rng).unwrap_err();
            assert!(matches!(err, RobustError::Parameter { .. }), "{p:?}: {err}");
        }
        let ok = Perturbation::one_step(AttackNorm::Linf, 0.1);
        let err = t.perturb(&x[..100], &y, &ok, &mut rng).unwrap_err();
        assert_eq!(
            err,
            RobustError::Net(NetError::Length {
                what: "batch pixels",
                expected: 256,
                got: 100
            })
        );
        let err = t.perturb(&x, &[0, 1, 3, 2], &ok, &mut rng).unwrap_err();
        assert!(
            matches!(
                err,
                RobustError::Net(NetError::Label {
                    example: 2,
                    label: 3,
                    ..
                })
            ),
            "{err}"
        );
        let rlat = Perturbation::Rlat {
            eps: 0.1,
            policy: RlatPolicy::ScalingDescending,
        };
        let sam = StepConfig {
            rule: StepRule::Sam {
                rho: 0.05,
                chunk: 4,
            },
            ..sgd()
        };
        let err = t.robust_step(&x, &y, &rlat, &sam, &mut rng).unwrap_err();
        assert!(matches!(err, RobustError::Rule(_)), "{err}");
        assert!(err.to_string().contains("ERM"));

        let params = t.params.clone();
        let mut g = vec![0f32; params.len()];
        let net = t.net();
        for (taps, why) in [
            (vec![Tap::Output(2)], "only conv and linear"),
            (vec![Tap::Output(10)], "logits"),
            (vec![Tap::Output(99)], "no such layer"),
            (vec![Tap::Output(4), Tap::Input], "network order"),
            (vec![Tap::Output(1), Tap::Output(1)], "network order"),
        ] {
            let err = net.tap_gradients(&params, &x, &y, &taps).unwrap_err();
            assert!(err.to_string().contains(why), "{taps:?}: {err}");
        }
        let taps = [Tap::Input, Tap::Output(8)];
        let short = vec![vec![0f32; 4 * 64], vec![0f32; 4 * 5 - 1]];
        let err = net
            .perturbed_gradient(&params, &x, &y, &taps, &short, &mut g)
            .unwrap_err();
        assert_eq!(
            err,
            NetError::Length {
                what: "tap perturbation",
                expected: 20,
                got: 19
            }
        );
        assert!(
            net.perturbed_gradient(&params, &x, &y, &taps, &short[..1], &mut g)
                .is_err()
        );
        let err = net
            .tap_gradients(&params, &x, &[0, 0, 0, 7], &taps)
            .unwrap_err();
        assert!(
            matches!(
                err,
                NetError::Label {
                    example: 3,
                    label: 7,
                    ..
                }
            ),
            "{err}"
        );
        assert!(net.tap_len(Tap::Output(5)).is_err());
        assert_eq!(net.tap_len(Tap::Output(4)), Ok(64));
    }
}
