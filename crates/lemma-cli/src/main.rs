//! `lemma`: the native command line of the Lemma paper playground.
//!
//! `list`, `describe`, `run`, `verify` and `bench` over the core crate's registry; `data` builds
//! the image datasets. Exit codes: 0 ok, 1 a hard check failed, 2 bad input (the message names the
//! parameter, the value and the range).
//! This crate holds no algorithms: everything it runs comes from `lemma`.

mod bench;
mod bench_cnn;
mod corrupt;
mod data;
mod kernels;
mod output;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lemma::data::images::Dataset;
use lemma::experiment::{Experiment, Status};
use lemma::registry::{self, Paper};
use lemma::schema::{ParamError, Params, Schema};
use lemma::verify::{CheckResult, DatasetSource, Tier, VerifyEnv};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(Parser)]
#[command(
    name = "lemma",
    version,
    about = "Run and verify optimisation papers from the terminal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the registered papers (slug, title, CPU/GPU).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a paper's parameter schema (or `corruptions`, `5sev`, `mnist-c`: the corruptions).
    Describe {
        /// Paper slug, or `corruptions` / a corruption suite.
        slug: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run one experiment and print its metrics.
    Run {
        /// Paper slug.
        slug: String,
        /// Preset (sets the `preset` parameter), e.g. `paper` or `notebook`.
        #[arg(long)]
        preset: Option<String>,
        /// Parameter override `name=value` (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Seed of the run.
        #[arg(long, default_value = "0", value_parser = seed_arg)]
        seed: u64,
        /// Print one JSON object (metrics, series, vectors) and no progress bar.
        #[arg(long)]
        json: bool,
        /// Also write run.json, series.csv and vectors.csv into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run a part of the paper that trains on a real dataset (e.g. `cnn`), not its main
        /// experiment; the dataset comes from `data/` (see `lemma data build`).
        #[arg(long)]
        part: Option<String>,
    },
    /// Run the claim checks of some papers (all when none is named); exit 1 if a hard check fails.
    Verify {
        /// Paper slugs.
        slugs: Vec<String>,
        /// Print JSON instead of a report.
        #[arg(long)]
        json: bool,
        /// `smoke` (minutes, CI) or `full` (the spec's setting; hours for the CNN checks on a CPU).
        #[arg(long, default_value = "smoke")]
        tier: String,
        /// Instead, check every GPU kernel against its CPU twin on the native adapter.
        #[arg(long)]
        kernels: bool,
    },
    /// Time each paper's default run and its checks.
    Bench {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Time only the default runs, not the checks.
        #[arg(long)]
        runs_only: bool,
        /// Time CNN training steps on the CPU backend instead (images/s, batch 128).
        #[arg(long)]
        cnn: bool,
        /// Timed repetitions per CNN step (the best is reported).
        #[arg(long, default_value_t = 5)]
        repeats: usize,
        /// Instead, time the GPU kernels and a CNN-M training step on the native adapter.
        #[arg(long)]
        kernels: bool,
        /// Batch size for `--kernels`.
        #[arg(long, default_value_t = 32)]
        batch: usize,
        /// Time the full 5-severity corruption suite instead (images per second).
        #[arg(long)]
        corruptions: bool,
        /// Images for `--corruptions` (synthetic unless `--dataset` is given).
        #[arg(long, default_value_t = 10_000)]
        images: usize,
        /// Dataset for `--corruptions` (its test split).
        #[arg(long)]
        dataset: Option<String>,
    },
    /// Regenerate a corrupted test set (IDX files + manifest.json).
    Corrupt {
        /// Dataset name (`fashion-mnist`, `mnist`, …) or path.
        #[arg(long)]
        dataset: String,
        /// Suite: `5sev` (MNIST-C-5sev-repro) or `mnist-c` (MNIST-C-repro).
        #[arg(long)]
        suite: String,
        /// Only this severity.
        #[arg(long)]
        severity: Option<u32>,
        /// Seed of the corruption draws.
        #[arg(long, default_value = "0", value_parser = seed_arg)]
        seed: u64,
        /// Output directory (default corrupted/<dataset>/<suite>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only the first N test images.
        #[arg(long)]
        limit: Option<usize>,
        /// Print the manifest as JSON, no progress bar.
        #[arg(long)]
        json: bool,
    },
    /// Build, inspect and import the image datasets of the CNN demos.
    Data {
        #[command(subcommand)]
        command: data::DataCommand,
    },
}

/// What ended a command early.
enum Failure {
    /// Bad input: exit 2.
    Input(String),
    /// I/O or other runtime error: exit 1.
    Runtime(String),
}

impl From<ParamError> for Failure {
    fn from(e: ParamError) -> Self {
        Failure::Input(e.to_string())
    }
}

impl From<registry::UnknownPaper> for Failure {
    fn from(e: registry::UnknownPaper) -> Self {
        Failure::Input(e.to_string())
    }
}

/// `--seed`: the core's seed parser, so the CLI and the page give the same message.
fn seed_arg(text: &str) -> Result<u64, String> {
    lemma::schema::parse_seed(text).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { json } => output::list(json).map(|()| true),
        Command::Describe { slug, json } => describe(&slug, json).map(|()| true),
        Command::Run {
            slug,
            preset,
            set,
            seed,
            json,
            out,
            part,
        } => match part {
            Some(part) => run_part(&slug, &part, &set, seed, json, out).map(|()| true),
            None => run(&slug, preset.as_deref(), &set, seed, json, out).map(|()| true),
        },
        Command::Verify { kernels: true, .. } => kernels::verify(),
        Command::Verify {
            slugs, json, tier, ..
        } => verify(&slugs, json, &tier),
        Command::Bench {
            kernels: true,
            batch,
            ..
        } => kernels::bench(batch),
        Command::Bench {
            json,
            cnn: true,
            repeats,
            ..
        } => bench_cnn::run(json, repeats).map(|()| true),
        Command::Bench {
            json,
            corruptions: true,
            images,
            dataset,
            ..
        } => corrupt::bench(images, dataset.as_deref(), json).map(|()| true),
        Command::Bench {
            json, runs_only, ..
        } => bench::run(json, runs_only).map(|()| true),
        Command::Corrupt {
            dataset,
            suite,
            severity,
            seed,
            out,
            limit,
            json,
        } => corrupt::run(corrupt::CorruptArgs {
            dataset,
            suite,
            severity,
            seed,
            out,
            limit,
            json,
        })
        .map(|()| true),
        Command::Data { command } => data::run(command).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn describe(slug: &str, json: bool) -> Result<(), Failure> {
    if matches!(slug, "corruptions" | "5sev" | "mnist-c") {
        return corrupt::describe(slug, json);
    }
    let paper = registry::find(slug)?;
    output::describe(paper, json);
    Ok(())
}

/// Parses `--preset` and `--set name=value` into parameters validated against `schema`.
fn parse_params(schema: &Schema, preset: Option<&str>, set: &[String]) -> Result<Params, Failure> {
    let mut params = schema.defaults();
    if let Some(p) = preset {
        schema.set(&mut params, "preset", p)?;
    }
    for kv in set {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::Input(format!("--set expects NAME=VALUE, got {kv:?}")))?;
        schema.set(&mut params, k.trim(), v)?;
    }
    Ok(params)
}

fn progress_bar(total: u64, quiet: bool, template: &str) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn run(
    slug: &str,
    preset: Option<&str>,
    set: &[String],
    seed: u64,
    json: bool,
    out: Option<PathBuf>,
) -> Result<(), Failure> {
    let paper = registry::find(slug)?;
    let params = parse_params(paper.schema, preset, set)?;
    let exp = paper.experiment(&params, seed)?;
    let runs = RunOutput {
        label: paper.slug.to_string(),
        unit: "iterations",
        chunk: 0,
        json,
        out,
    };
    runs.drive(exp, &params, seed)
}

/// How `lemma run` shows and saves one run.
struct RunOutput {
    /// `slug` or `slug:part`.
    label: String,
    /// What the progress bar counts.
    unit: &'static str,
    /// Work per step call (0: a 200th of the run).
    chunk: u64,
    json: bool,
    out: Option<PathBuf>,
}

impl RunOutput {
    /// Runs `exp` to the end with a progress bar, then prints (and writes) its report.
    fn drive(
        self,
        mut exp: Box<dyn Experiment>,
        params: &Params,
        seed: u64,
    ) -> Result<(), Failure> {
        let total = exp.progress().total;
        let template = format!(
            "{{spinner}} {{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {}",
            self.unit
        );
        let bar = progress_bar(total, self.json, &template);
        let chunk = if self.chunk == 0 {
            (total / 200).max(1)
        } else {
            self.chunk
        };
        let progress = exp.run_to_end(chunk, &mut |p| bar.set_position(p.done));
        bar.finish_and_clear();
        let report = output::RunReport::new(self.label, params, seed, exp.as_ref(), &progress);
        if let Some(dir) = self.out {
            report
                .write(&dir)
                .map_err(|e| Failure::Runtime(format!("writing {}: {e}", dir.display())))?;
        }
        if self.json {
            println!("{}", report.to_json());
        } else {
            report.print();
            if let Status::Diverged { step, reason } = &progress.status {
                eprintln!("diverged at step {step}: {reason}");
            }
        }
        Ok(())
    }
}

/// Datasets for the checks, read from `data/` (or `LEMMA_DATA_DIR`) once each.
#[derive(Default)]
struct FileDatasets {
    loaded: Mutex<BTreeMap<String, Arc<Dataset>>>,
}

impl DatasetSource for FileDatasets {
    fn load(&self, name: &str) -> Result<Arc<Dataset>, String> {
        let mut loaded = self.loaded.lock().map_err(|e| e.to_string())?;
        if let Some(d) = loaded.get(name) {
            return Ok(Arc::clone(d));
        }
        let d = Arc::new(data::load_dataset(name).map_err(|f| match f {
            Failure::Input(m) | Failure::Runtime(m) => m,
        })?);
        loaded.insert(name.to_string(), Arc::clone(&d));
        Ok(d)
    }
}

/// `lemma run <slug> --part <name>`: an experiment on a real dataset, with a progress bar.
fn run_part(
    slug: &str,
    part: &str,
    set: &[String],
    seed: u64,
    json: bool,
    out: Option<PathBuf>,
) -> Result<(), Failure> {
    let paper = registry::find(slug)?;
    let part = paper.part(part).ok_or_else(|| {
        let known: Vec<&str> = paper.parts.iter().map(|p| p.name).collect();
        Failure::Input(format!(
            "`{slug}` has no part `{part}` (parts: {})",
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let params = parse_params(part.schema, None, set)?;
    let dataset = params.choice("dataset").to_string();
    // The browser-sized files hold the 8k/2k split the spec's CNN experiments use.
    let file = if dataset == "fashion-mnist" {
        "fashion-mnist-small"
    } else {
        dataset.as_str()
    };
    let data = Arc::new(data::load_dataset(file)?);
    let exp = part
        .experiment(&params, seed, data)
        .map_err(|e| Failure::Input(e.to_string()))?;
    let runs = RunOutput {
        label: format!("{}:{}", paper.slug, part.name),
        unit: "batches",
        chunk: 1,
        json,
        out,
    };
    runs.drive(exp, &params, seed)
}

fn verify(slugs: &[String], json: bool, tier: &str) -> Result<bool, Failure> {
    let tier = Tier::parse(tier)
        .ok_or_else(|| Failure::Input(format!("unknown tier {tier:?} (allowed: smoke, full)")))?;
    // The bar of the paper being verified; long training runs inside a check show on it.
    let current: Arc<Mutex<Option<(ProgressBar, String)>>> = Arc::default();
    let shown = Arc::clone(&current);
    let env = VerifyEnv {
        tier,
        datasets: Some(Arc::new(FileDatasets::default())),
        progress: Some(Arc::new(
            move |what: &str, p: &lemma::experiment::Progress| {
                if let Some((bar, check)) = shown.lock().ok().as_deref().and_then(Option::as_ref) {
                    bar.set_message(format!("{check}: {what} {}/{} batches", p.done, p.total));
                }
            },
        )),
    };
    let papers: Vec<&Paper> = if slugs.is_empty() {
        registry::papers().iter().collect()
    } else {
        slugs
            .iter()
            .map(|s| registry::find(s))
            .collect::<Result<_, _>>()?
    };
    let mut results: Vec<(&str, Vec<CheckResult>)> = Vec::new();
    for paper in papers {
        let mut v = paper.verifier(&env);
        let bar = progress_bar(
            v.len() as u64,
            json,
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
        );
        let ids = v.ids();
        let mut checks = Vec::new();
        for id in ids {
            let check = format!("{} {id}", paper.slug);
            bar.set_message(check.clone());
            if let Ok(mut slot) = current.lock() {
                *slot = Some((bar.clone(), check));
            }
            let Some(r) = v.step() else { break };
            bar.inc(1);
            if !json {
                bar.suspend(|| output::print_check(&r));
            }
            checks.push(r);
        }
        bar.finish_and_clear();
        results.push((paper.slug, checks));
    }
    let ok = !results
        .iter()
        .flat_map(|(_, c)| c)
        .any(CheckResult::fails_run);
    if json {
        println!("{}", output::verify_json(&results, ok));
    } else {
        output::print_verify_summary(&results, ok);
    }
    Ok(ok)
}
