//! Parameters of the scaled CNN experiment (SAM spec §5.2; recipe of `common.md` §12): the schema
//! and the validated [`CnnConfig`].

use crate::nn::pipeline::{BatchPlan, Phase, PhaseLr, PipelineConfig};
use crate::nn::spec::Arch;
use crate::nn::train::{StepConfig, StepRule};
use crate::schema::{ParamError, ParamSpec, Params, Schema};

const METHODS: &[&str] = &["erm", "sam"];

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "dataset",
        &["fashion-mnist", "mnist"],
        "fashion-mnist",
        "Dataset (Fashion-MNIST for the SAM claims: MNIST saturates near 99 %)",
    ),
    ParamSpec::choice(
        "arch",
        &["cnn-m", "cnn-s"],
        "cnn-m",
        "Architecture: cnn-m (≈422k parameters) or cnn-s (≈106k), common.md §11",
    ),
    ParamSpec::int(
        "train_size",
        128,
        70_000,
        "8000",
        "Training images (the first ones of the seeded stratified split)",
    ),
    ParamSpec::int("test_size", 128, 70_000, "2000", "Test images"),
    ParamSpec::int(
        "epochs",
        1,
        200,
        "30",
        "Epochs of the main phase (piecewise schedule: ÷10 at 50 % and 75 %)",
    ),
    ParamSpec::int("batch", 8, 1024, "128", "Batch size"),
    ParamSpec::log_float(
        "lr",
        1e-5,
        1.0,
        "0.05",
        "Base learning rate (SGD, momentum 0.9)",
    ),
    ParamSpec::float(
        "weight_decay",
        0.0,
        0.1,
        "0.0005",
        "Coupled weight decay λ (adds λw to the gradient)",
    ),
    ParamSpec::choice(
        "method",
        METHODS,
        "sam",
        "Main-phase method: erm or sam (m-SAM with chunks of m)",
    ),
    ParamSpec::float(
        "rho",
        0.0,
        2.0,
        "0.05",
        "SAM radius ρ (perturbation ρ·g/‖g‖ over all parameters)",
    ),
    ParamSpec::int(
        "m",
        1,
        1024,
        "128",
        "m-SAM chunk size (examples per perturbation); m = batch is plain SAM",
    ),
    ParamSpec::int(
        "finetune_epochs",
        0,
        100,
        "0",
        "Extra epochs after the main phase, at its final learning rate",
    ),
    ParamSpec::choice(
        "finetune",
        METHODS,
        "sam",
        "Fine-tuning method (ERM→SAM or ERM→ERM when method=erm)",
    ),
    ParamSpec::float(
        "label_noise",
        0.0,
        0.9,
        "0",
        "Fraction of training labels replaced by a wrong class (symmetric noise)",
    ),
    ParamSpec::choice(
        "augment",
        &["on", "off"],
        "on",
        "Random ±2 px translation (and horizontal flips on Fashion-MNIST)",
    ),
    ParamSpec::float(
        "sharpness_rho",
        0.0,
        1.0,
        "0.05",
        "Radius ρ_e of the sharpness measurement at the end (1-step and 20-step ascent)",
    ),
    ParamSpec::int(
        "sharpness_images",
        0,
        4096,
        "512",
        "Fixed training images for the sharpness measurement (batches of `batch`); 0 skips it",
    ),
];

/// The parameter schema of the CNN experiment.
pub const CNN_SCHEMA: Schema = Schema { params: PARAMS };

/// A validated CNN configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct CnnConfig {
    /// Dataset name (`fashion-mnist` or `mnist`).
    pub dataset: String,
    /// Architecture.
    pub arch: Arch,
    /// Data side: sizes, batch, augmentation, label noise.
    pub pipeline: PipelineConfig,
    /// Training phases (main, then optional fine-tuning).
    pub phases: Vec<Phase>,
    /// SGD momentum (the learning rate and step rule come from the phases).
    pub momentum: f32,
    /// Coupled weight decay.
    pub weight_decay: f32,
    /// Sharpness radius.
    pub sharpness_rho: f32,
    /// Images used for the sharpness measurement.
    pub sharpness_images: usize,
}

fn rule(method: &str, rho: f32, m: usize) -> StepRule {
    if method == "sam" {
        StepRule::Sam { rho, chunk: m }
    } else {
        StepRule::Erm
    }
}

impl CnnConfig {
    /// The step for the batch the pipeline planned: its learning rate and rule with this run's
    /// momentum and weight decay (the same on the CPU and the GPU backend).
    pub fn step(&self, plan: &BatchPlan) -> StepConfig {
        StepConfig {
            lr: plan.lr,
            momentum: self.momentum,
            weight_decay: self.weight_decay,
            rule: plan.rule,
        }
    }

    /// Builds and cross-validates a configuration from schema-checked parameters.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let batch = p.count("batch");
        let m = p.count("m");
        if m > batch || !batch.is_multiple_of(m) {
            return Err(ParamError {
                name: "m".into(),
                value: m.to_string(),
                allowed: format!("a divisor of batch = {batch}"),
            });
        }
        let train_size = p.count("train_size");
        let sharpness_images = p.count("sharpness_images");
        if sharpness_images > train_size {
            return Err(ParamError {
                name: "sharpness_images".into(),
                value: sharpness_images.to_string(),
                allowed: format!("at most train_size = {train_size}"),
            });
        }
        let dataset = p.choice("dataset").to_string();
        let rho = p.float("rho") as f32;
        let lr = p.float("lr") as f32;
        let mut phases = vec![Phase {
            epochs: p.count("epochs"),
            rule: rule(p.choice("method"), rho, m),
            lr: PhaseLr::Piecewise(lr),
        }];
        if p.count("finetune_epochs") > 0 {
            phases.push(Phase {
                epochs: p.count("finetune_epochs"),
                rule: rule(p.choice("finetune"), rho, m),
                lr: PhaseLr::Constant(lr / 100.0),
            });
        }
        let augment = p.choice("augment") == "on";
        Ok(Self {
            arch: Arch::by_name(p.choice("arch")).expect("schema lists known architectures"),
            pipeline: PipelineConfig {
                train_size,
                test_size: p.count("test_size"),
                batch,
                shift: if augment { 2 } else { 0 },
                flip: augment && dataset == "fashion-mnist",
                label_noise: p.float("label_noise"),
            },
            dataset,
            phases,
            momentum: 0.9,
            weight_decay: p.float("weight_decay") as f32,
            sharpness_rho: p.float("sharpness_rho") as f32,
            sharpness_images,
        })
    }
}
