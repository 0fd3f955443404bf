//! Parameters of the scaled CNN experiment (SAM spec §5.2; recipe of `common.md` §12): the schema
//! and the validated [`CnnConfig`].

use crate::nn::pipeline::{Phase, PhaseLr, PipelineConfig};
use crate::nn::spec::Arch;
use crate::nn::train::{Sgd, StepRule};
use crate::schema::{ParamError, ParamKind, ParamSpec, Params, Schema};

const METHODS: &[&str] = &["erm", "sam"];

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "dataset",
        kind: ParamKind::Choice {
            options: &["fashion-mnist", "mnist"],
        },
        default: "fashion-mnist",
        doc: "Dataset (Fashion-MNIST for the SAM claims: MNIST saturates near 99 %)",
    },
    ParamSpec {
        name: "arch",
        kind: ParamKind::Choice {
            options: &["cnn-m", "cnn-s"],
        },
        default: "cnn-m",
        doc: "Architecture: cnn-m (≈422k parameters) or cnn-s (≈106k), common.md §11",
    },
    ParamSpec {
        name: "train_size",
        kind: ParamKind::Int {
            min: 128,
            max: 70_000,
        },
        default: "8000",
        doc: "Training images (the first ones of the seeded stratified split)",
    },
    ParamSpec {
        name: "test_size",
        kind: ParamKind::Int {
            min: 128,
            max: 70_000,
        },
        default: "2000",
        doc: "Test images",
    },
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int { min: 1, max: 200 },
        default: "30",
        doc: "Epochs of the main phase (piecewise schedule: ÷10 at 50 % and 75 %)",
    },
    ParamSpec {
        name: "batch",
        kind: ParamKind::Int { min: 8, max: 1024 },
        default: "128",
        doc: "Batch size",
    },
    ParamSpec {
        name: "lr",
        kind: ParamKind::Float {
            min: 1e-5,
            max: 1.0,
            log: true,
        },
        default: "0.05",
        doc: "Base learning rate (SGD, momentum 0.9)",
    },
    ParamSpec {
        name: "weight_decay",
        kind: ParamKind::Float {
            min: 0.0,
            max: 0.1,
            log: false,
        },
        default: "0.0005",
        doc: "Coupled weight decay λ (adds λw to the gradient)",
    },
    ParamSpec {
        name: "method",
        kind: ParamKind::Choice { options: METHODS },
        default: "sam",
        doc: "Main-phase method: erm or sam (m-SAM with chunks of m)",
    },
    ParamSpec {
        name: "rho",
        kind: ParamKind::Float {
            min: 0.0,
            max: 2.0,
            log: false,
        },
        default: "0.05",
        doc: "SAM radius ρ (perturbation ρ·g/‖g‖ over all parameters)",
    },
    ParamSpec {
        name: "m",
        kind: ParamKind::Int { min: 1, max: 1024 },
        default: "128",
        doc: "m-SAM chunk size (examples per perturbation); m = batch is plain SAM",
    },
    ParamSpec {
        name: "finetune_epochs",
        kind: ParamKind::Int { min: 0, max: 100 },
        default: "0",
        doc: "Extra epochs after the main phase, at its final learning rate",
    },
    ParamSpec {
        name: "finetune",
        kind: ParamKind::Choice { options: METHODS },
        default: "sam",
        doc: "Fine-tuning method (ERM→SAM or ERM→ERM when method=erm)",
    },
    ParamSpec {
        name: "label_noise",
        kind: ParamKind::Float {
            min: 0.0,
            max: 0.9,
            log: false,
        },
        default: "0",
        doc: "Fraction of training labels replaced by a wrong class (symmetric noise)",
    },
    ParamSpec {
        name: "augment",
        kind: ParamKind::Choice {
            options: &["on", "off"],
        },
        default: "on",
        doc: "Random ±2 px translation (and horizontal flips on Fashion-MNIST)",
    },
    ParamSpec {
        name: "sharpness_rho",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1.0,
            log: false,
        },
        default: "0.05",
        doc: "Radius ρ_e of the sharpness measurement at the end (1-step and 20-step ascent)",
    },
    ParamSpec {
        name: "sharpness_images",
        kind: ParamKind::Int { min: 0, max: 4096 },
        default: "512",
        doc: "Fixed training images for the sharpness measurement (batches of `batch`); 0 skips it",
    },
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
    /// Optimiser.
    pub sgd: Sgd,
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
            sgd: Sgd {
                lr,
                momentum: 0.9,
                weight_decay: p.float("weight_decay") as f32,
            },
            sharpness_rho: p.float("sharpness_rho") as f32,
            sharpness_images,
        })
    }
}
