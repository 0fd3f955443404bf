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
//!   loss gradient `g_l` at every tap ([`CpuNet::tap_gradients`]); per example and tap,
//!   `δ_l = ε_l·g_l/‖g_l‖₂` ([`RlatPolicy`]); the weights are then updated from a second pass with
//!   the perturbations inserted ([`CpuNet::perturbed_gradient`]).
//! * Catastrophic overfitting: the error under a one-step attack and under PGD at the same ε
//!   ([`Trainer::attack_errors`]).
//!
//! Randomness (random starts, Gaussian noise) comes only from the [`Rng`] the caller passes.

use super::net::{BatchStats, CpuNet, Tap, TapError};
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
    /// A batch whose pixels do not match its labels.
    #[error("{what}: expected {expected} values, got {got}")]
    Length {
        /// Which buffer.
        what: &'static str,
        /// Length implied by the labels and the network.
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
    /// Feature perturbations take plain steps only.
    #[error("RLAT takes plain (ERM) steps, not {0:?}")]
    Rule(StepRule),
    /// An architecture whose shapes do not chain.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// Taps or tap perturbations the network cannot take.
    #[error(transparent)]
    Tap(#[from] TapError),
    /// An attack the reference updates reject.
    #[error(transparent)]
    Attack(#[from] ReferenceError),
}

/// RLAT's taps of `arch`: the input pixels, then the output of every conv and linear layer but the
/// last (the pre-activations). For CNN-S/M: input, conv1, conv2 and fc1, each before its ReLU.
pub fn rlat_taps(arch: &Arch) -> Vec<Tap> {
    let last = arch.layers.len().saturating_sub(1);
    let outputs = arch.layers.iter().enumerate().filter_map(|(i, layer)| {
        matches!(layer, Layer::Conv3x3 { .. } | Layer::Linear { .. })
            .then_some(Tap::Output(i))
            .filter(|_| i < last)
    });
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
        let net: &CpuNet = self.net();
        let expected = labels.len() * net.input_len();
        if x.len() != expected {
            return Err(RobustError::Length {
                what: "batch pixels",
                expected,
                got: x.len(),
            });
        }
        let classes = net.classes();
        match labels.iter().position(|&l| usize::from(l) >= classes) {
            Some(example) => Err(RobustError::Label {
                example,
                label: labels[example],
                classes,
            }),
            None => Ok(()),
        }
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
