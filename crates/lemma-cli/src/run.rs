//! `lemma run`: one experiment (or a part on a real dataset) to the end with a progress bar,
//! then its report on stdout (`--json`) and in `--out`.

use crate::{Failure, data, output, progress_bar};
use lemma::data::catalogue;
use lemma::experiment::{Experiment, Status};
use lemma::registry;
use lemma::schema::{Params, Schema};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Parses `--preset` and `--set name=value` into parameters validated against `schema`.
pub fn parse_params(
    schema: &Schema,
    preset: Option<&str>,
    set: &[String],
) -> Result<Params, Failure> {
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

/// `lemma run <slug>`: the paper's main experiment.
pub fn run(
    slug: &str,
    preset: Option<&str>,
    set: &[String],
    seed: u64,
    json: bool,
    out: Option<PathBuf>,
) -> Result<(), Failure> {
    let paper = registry::find(slug)?;
    let params = parse_params(paper.schema, preset, set)?;
    let start = Instant::now();
    let exp = paper.experiment(&params, seed)?;
    let runs = RunOutput {
        label: paper.slug.to_string(),
        unit: "iterations",
        chunk: 0,
        json,
        out,
    };
    runs.drive(exp, &params, seed, start)
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
    /// Runs `exp` (built at `start`) to the end with a progress bar, then prints (and writes) its
    /// report.
    fn drive(
        self,
        mut exp: Box<dyn Experiment>,
        params: &Params,
        seed: u64,
        start: Instant,
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
        let run_seconds = start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let report = output::RunReport::new(
            self.label,
            params,
            seed,
            exp.as_ref(),
            &progress,
            run_seconds,
        );
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

/// `lemma run <slug> --part <name>`: an experiment on a real dataset, with a progress bar.
pub fn run_part(
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
    let dataset = params.choice("dataset");
    let file = catalogue::for_parameter(dataset)
        .ok_or_else(|| Failure::Input(format!("no dataset file for `dataset={dataset}`")))?;
    let data = Arc::new(data::load_dataset(file.name)?);
    let start = Instant::now();
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
    runs.drive(exp, &params, seed, start)
}
