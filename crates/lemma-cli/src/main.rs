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
mod run;
mod verify;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lemma::registry;
use lemma::schema::ParamError;
use std::path::PathBuf;
use std::process::ExitCode;

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
        /// `smoke` (minutes, CI), `medium` (one seed of the full setting: about 15 minutes for the
        /// CNN checks on 2 cores) or `full` (the spec's setting; hours for the CNN checks on a CPU).
        #[arg(long, default_value = "smoke")]
        tier: String,
        /// Keep each finished training run of the checks in this file (JSON lines) and reuse
        /// the runs already there: an interrupted `--tier full` resumes where it stopped. Delete
        /// the file after changing the code, or its old results are reused.
        #[arg(long)]
        store: Option<PathBuf>,
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
        /// Run `--cnn`'s two batch halves on one thread instead of two (same results, one core:
        /// the comparison with the single-threaded wasm build).
        #[arg(long)]
        one_thread: bool,
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
#[derive(Debug)]
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
            Some(part) => run::run_part(&slug, &part, &set, seed, json, out).map(|()| true),
            None => run::run(&slug, preset.as_deref(), &set, seed, json, out).map(|()| true),
        },
        Command::Verify { kernels: true, .. } => kernels::verify(),
        Command::Verify {
            slugs,
            json,
            tier,
            store,
            ..
        } => verify::verify(&slugs, json, &tier, store.as_deref()),
        Command::Bench {
            kernels: true,
            batch,
            ..
        } => kernels::bench(batch),
        Command::Bench {
            json,
            cnn: true,
            repeats,
            one_thread,
            ..
        } => bench_cnn::run(json, repeats, one_thread).map(|()| true),
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

pub(crate) fn progress_bar(total: u64, quiet: bool, template: &str) -> ProgressBar {
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
