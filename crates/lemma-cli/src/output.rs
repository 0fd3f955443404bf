//! Text and JSON rendering of lists, schemas, runs and check reports, and `--out` files.

use lemma::experiment::{Experiment, Progress};
use lemma::registry::{self, Paper};
use lemma::schema::{ParamKind, Params, Schema};
use lemma::verify::{CheckKind, CheckResult, Outcome};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// `lemma list`.
pub fn list(json: bool) -> Result<(), super::Failure> {
    let papers = registry::papers();
    if json {
        let rows: Vec<Value> = papers
            .iter()
            .map(|p| json!({"slug": p.slug, "title": p.title, "venue": p.venue, "needs_gpu": p.needs_gpu}))
            .collect();
        println!("{}", Value::Array(rows));
    } else {
        for p in papers {
            let unit = if p.needs_gpu { "GPU" } else { "CPU" };
            println!("{:<28} {unit}  {} ({})", p.slug, p.title, p.venue);
        }
    }
    Ok(())
}

/// `lemma describe`.
pub fn describe(paper: &Paper, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(paper).unwrap_or_default()
        );
        return;
    }
    println!(
        "{} — {}\n{} ({}), arXiv:{}\n",
        paper.slug, paper.title, paper.authors, paper.venue, paper.arxiv
    );
    println!("{}\n", paper.claim);
    println!("Fidelity: {}\n", paper.fidelity);
    print_schema(paper.schema);
    if !paper.view.params.is_empty() {
        println!("\npage-level state (URL only):");
        print_schema(paper.view);
    }
    for part in paper.parts {
        println!(
            "\npart `{}` (lemma run {} --part {} --set …): {}\n{}\nFidelity: {}\n",
            part.name, paper.slug, part.name, part.title, part.text, part.fidelity
        );
        print_schema(part.schema);
    }
}

fn print_schema(schema: &Schema) {
    println!(
        "{:<16} {:<8} {:<20} {:<40} doc",
        "parameter", "type", "default", "allowed"
    );
    for p in schema.params {
        let ty = match p.kind {
            ParamKind::Int { .. } => "int",
            ParamKind::Float { .. } => "float",
            ParamKind::Choice { .. } => "choice",
            ParamKind::Subset { .. } => "subset",
        };
        println!(
            "{:<16} {:<8} {:<20} {:<40} {}",
            p.name,
            ty,
            p.default,
            p.allowed(),
            p.doc
        );
    }
}

/// Everything a run produced, ready for printing or writing.
#[derive(Serialize)]
pub struct RunReport {
    slug: String,
    seed: u64,
    params: Params,
    progress: Progress,
    metrics: BTreeMap<String, f64>,
    series: BTreeMap<String, Value>,
    vectors: BTreeMap<String, Vec<f64>>,
    notes: Vec<String>,
    /// Wall time of building and running the experiment inside this process, in seconds (no
    /// start-up, data loading or output): the in-process figure the benches compare.
    run_seconds: f64,
}

impl RunReport {
    /// Collects the report of a finished (or diverged) run.
    pub fn new(
        slug: String,
        params: &Params,
        seed: u64,
        exp: &dyn Experiment,
        progress: &Progress,
        run_seconds: f64,
    ) -> Self {
        Self {
            slug,
            seed,
            params: params.clone(),
            progress: progress.clone(),
            metrics: exp.metrics(),
            series: exp
                .series()
                .iter()
                .map(|s| (s.name.clone(), json!({"x": s.x, "y": s.y})))
                .collect(),
            vectors: exp
                .vectors()
                .into_iter()
                .map(|v| (v.name, v.values))
                .collect(),
            notes: exp.notes(),
            run_seconds,
        }
    }

    /// One JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Human-readable summary.
    pub fn print(&self) {
        println!("{} (seed {})", self.slug, self.seed);
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("  {}", params.join(" "));
        for (k, v) in &self.metrics {
            println!("  {k:<24} {v:.10e}");
        }
        for n in &self.notes {
            println!("  note: {n}");
        }
    }

    /// Writes run.json, series.csv and vectors.csv into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("run.json"), serde_json::to_string_pretty(self)?)?;
        let mut w = csv::Writer::from_path(dir.join("series.csv"))?;
        w.write_record(["series", "iteration", "value"])?;
        for (name, s) in &self.series {
            let xs = s["x"].as_array().cloned().unwrap_or_default();
            let ys = s["y"].as_array().cloned().unwrap_or_default();
            for (x, y) in xs.iter().zip(&ys) {
                w.write_record([name.as_str(), &x.to_string(), &y.to_string()])?;
            }
        }
        w.flush()?;
        let mut w = csv::Writer::from_path(dir.join("vectors.csv"))?;
        let names: Vec<&String> = self.vectors.keys().collect();
        let mut header = vec!["coordinate".to_string()];
        header.extend(names.iter().map(|n| n.to_string()));
        w.write_record(&header)?;
        let len = self.vectors.values().map(Vec::len).max().unwrap_or(0);
        for j in 0..len {
            let mut row = vec![j.to_string()];
            row.extend(names.iter().map(|n| {
                self.vectors[*n]
                    .get(j)
                    .map(f64::to_string)
                    .unwrap_or_default()
            }));
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }
}

fn outcome_label(r: &CheckResult) -> &'static str {
    match (r.outcome, r.kind) {
        (Outcome::Pass, _) => "PASS",
        (Outcome::NotApplicable, _) => "N/A ",
        (Outcome::Fail, CheckKind::Hard) => "FAIL",
        (Outcome::Fail, CheckKind::Soft) => "FAIL (soft)",
        (Outcome::Fail, CheckKind::ReportOnly) => "FAIL (report only)",
    }
}

/// Prints one check result with its measured values.
pub fn print_check(r: &CheckResult) {
    let kind = match r.kind {
        CheckKind::Hard => "",
        CheckKind::Soft => " [soft]",
        CheckKind::ReportOnly => " [report only]",
    };
    println!("{:<6} {}{kind}: {}", r.id, outcome_label(r), r.claim);
    println!("       rule: {}", r.threshold);
    for m in &r.measured {
        println!("       {:<52} {:.4e}", m.name, m.value);
    }
    if !r.note.is_empty() {
        println!("       note: {}", r.note);
    }
}

/// `lemma verify --json`.
pub fn verify_json(results: &[(&str, Vec<CheckResult>)], ok: bool) -> String {
    let papers: Vec<Value> = results
        .iter()
        .map(|(slug, checks)| json!({"slug": slug, "checks": checks}))
        .collect();
    json!({"ok": ok, "papers": papers}).to_string()
}

/// Closing line of `lemma verify`.
pub fn print_verify_summary(results: &[(&str, Vec<CheckResult>)], ok: bool) {
    let all: Vec<&CheckResult> = results.iter().flat_map(|(_, c)| c).collect();
    let count = |o: Outcome| all.iter().filter(|r| r.outcome == o).count();
    let hard = all.iter().filter(|r| r.fails_run()).count();
    println!(
        "\nverify: {} checks — {} PASS, {} FAIL ({hard} hard, {} soft or report-only), {} N/A — {}",
        all.len(),
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Fail) - hard,
        count(Outcome::NotApplicable),
        if ok { "OK" } else { "FAILED" }
    );
}
