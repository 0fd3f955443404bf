//! `lemma corrupt`, `lemma describe corruptions` and `lemma bench --corruptions`: regenerate the
//! corrupted test sets (MNIST-C-5sev-repro, MNIST-C-repro) as IDX files with a manifest, list the
//! corruptions and their parameters, and time the full suite.
//!
//! Everything about the corruptions comes from `lemma::data::corrupt`; this module reads the
//! dataset, writes files and draws progress.

use crate::{Failure, data::load_dataset, progress_bar};
use lemma::data::corrupt::{self, CorruptError, Corruption, Image, Suite, fnv1a64};
use lemma::data::images::ImageSet;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

impl From<CorruptError> for Failure {
    fn from(e: CorruptError) -> Self {
        Failure::Input(e.to_string())
    }
}

/// Options of `lemma corrupt`.
pub struct CorruptArgs {
    /// Dataset name or path (see `load_dataset`).
    pub dataset: String,
    /// Suite slug.
    pub suite: String,
    /// Only this severity.
    pub severity: Option<u32>,
    /// Seed of the corruption draws.
    pub seed: u64,
    /// Output directory (default `corrupted/<dataset>/<suite>/`).
    pub out: Option<PathBuf>,
    /// Only the first N test images.
    pub limit: Option<usize>,
    /// Print the manifest as JSON on stdout.
    pub json: bool,
}

/// IDX image file: magic 0x00000803, count, rows, cols (big-endian u32), then the pixels.
fn idx_images(count: usize, rows: usize, cols: usize, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + pixels.len());
    for v in [0x0803, count, rows, cols] {
        out.extend_from_slice(&(v as u32).to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

/// IDX label file: magic 0x00000801, count (big-endian u32), then the labels.
fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    for v in [0x0801, labels.len()] {
        out.extend_from_slice(&(v as u32).to_be_bytes());
    }
    out.extend_from_slice(labels);
    out
}

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// The cells of a suite, restricted to one severity when asked.
fn selected_cells(
    suite: &Suite,
    severity: Option<u32>,
) -> Result<Vec<(&'static Corruption, u32)>, Failure> {
    let cells: Vec<_> = suite
        .cells()
        .into_iter()
        .filter(|&(_, s)| severity.is_none_or(|want| s == want))
        .collect();
    if cells.is_empty() {
        let available: Vec<String> = suite
            .cells()
            .iter()
            .map(|(_, s)| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        return Err(Failure::Input(format!(
            "suite `{}` has no cell at severity {} (available: {})",
            suite.slug,
            severity.unwrap_or_default(),
            available.join(", ")
        )));
    }
    Ok(cells)
}

/// Corrupts images `0..n` of a set with one cell; returns the concatenated 8-bit pixels.
fn corrupt_cell(
    set: &ImageSet,
    n: usize,
    corruption: &Corruption,
    severity: u32,
    seed: u64,
    mut tick: impl FnMut(),
) -> Result<Vec<u8>, Failure> {
    let mut pixels = Vec::with_capacity(n * set.rows * set.cols);
    for i in 0..n {
        let image = Image::from_u8(set.rows, set.cols, set.image(i))?;
        pixels.extend(corruption.apply(&image, severity, i as u64, seed)?.to_u8());
        tick();
    }
    Ok(pixels)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    fs::write(path, bytes).map_err(|e| Failure::Runtime(format!("writing {}: {e}", path.display())))
}

/// `lemma corrupt`: writes one IDX image file per (corruption, severity), the labels and
/// `manifest.json` with every checksum.
pub fn run(args: CorruptArgs) -> Result<(), Failure> {
    let suite = corrupt::find_suite(&args.suite)?;
    let cells = selected_cells(suite, args.severity)?;
    let dataset = load_dataset(&args.dataset)?;
    let test = &dataset.test;
    let n = args.limit.map_or(test.len(), |l| l.min(test.len()));
    if n == 0 {
        return Err(Failure::Input(format!(
            "dataset `{}` has no test images to corrupt",
            dataset.name
        )));
    }
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from("corrupted")
            .join(&dataset.name)
            .join(suite.slug)
    });
    fs::create_dir_all(&out)
        .map_err(|e| Failure::Runtime(format!("creating {}: {e}", out.display())))?;
    let bar = progress_bar(
        (cells.len() * n) as u64,
        args.json,
        "{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} images {msg}",
    );
    let labels = idx_labels(&test.labels[..n]);
    write_file(&out.join("labels-idx1-ubyte"), &labels)?;
    let mut files = Vec::new();
    let start = Instant::now();
    for (corruption, severity) in &cells {
        bar.set_message(format!("{} s{severity}", corruption.id));
        let pixels = corrupt_cell(test, n, corruption, *severity, args.seed, || bar.inc(1))?;
        let name = format!("{}-s{severity}-images-idx3-ubyte", corruption.id);
        let bytes = idx_images(n, test.rows, test.cols, &pixels);
        write_file(&out.join(&name), &bytes)?;
        files.push(json!({
            "corruption": corruption.id,
            "severity": severity,
            "params": params_object(corruption, *severity),
            "file": name,
            "fnv1a64": hex(fnv1a64(&bytes)),
            "pixels_fnv1a64": hex(fnv1a64(&pixels)),
        }));
    }
    bar.finish_and_clear();
    let elapsed = start.elapsed().as_secs_f64();
    let mut test_bytes = test.pixels[..n * test.rows * test.cols].to_vec();
    test_bytes.extend_from_slice(&test.labels[..n]);
    let manifest = json!({
        "suite": suite.name,
        "suite_slug": suite.slug,
        "dataset": {
            "name": dataset.name,
            "split": "test",
            "split_seed": dataset.seed,
            "images": n,
            "rows": test.rows,
            "cols": test.cols,
            "fnv1a64": hex(fnv1a64(&test_bytes)),
        },
        "seed": args.seed,
        "cells": cells.len(),
        "images_per_cell": n,
        "labels": { "file": "labels-idx1-ubyte", "fnv1a64": hex(fnv1a64(&labels)) },
        "files": files,
        "generator": format!("lemma {}", env!("CARGO_PKG_VERSION")),
        "note": "Regenerated from the definitions in corruptions.md; not bit-identical to the \
                 released sets (see `lemma describe corruptions` for each deviation).",
    });
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    write_file(&out.join("manifest.json"), format!("{text}\n").as_bytes())?;
    if args.json {
        println!("{text}");
    } else {
        println!(
            "{}: {} cells × {n} images of {} → {} ({:.1} s, {:.0} images/s)",
            suite.name,
            cells.len(),
            dataset.name,
            out.display(),
            elapsed,
            (cells.len() * n) as f64 / elapsed.max(1e-9)
        );
    }
    Ok(())
}

/// `{name: value}` of one severity row.
fn params_object(c: &Corruption, severity: u32) -> Value {
    let row = c.level(severity).unwrap_or_default();
    Value::Object(
        c.params
            .iter()
            .zip(row)
            .map(|(name, v)| ((*name).to_string(), json!(v)))
            .collect(),
    )
}

/// `lemma describe corruptions|5sev|mnist-c`: the corruptions with their parameters per severity.
pub fn describe(what: &str, json_out: bool) -> Result<(), Failure> {
    let list: Vec<&Corruption> = if what == "corruptions" {
        corrupt::corruptions().iter().collect()
    } else {
        let suite = corrupt::find_suite(what)?;
        suite
            .entries
            .iter()
            .map(|(id, _)| corrupt::find(id))
            .collect::<Result<_, _>>()?
    };
    if json_out {
        let value = json!({ "suites": corrupt::suites(), "corruptions": list });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return Ok(());
    }
    for suite in corrupt::suites() {
        println!(
            "{} (--suite {}): {}",
            suite.name, suite.slug, suite.description
        );
    }
    for c in list {
        println!("\n{} — {} [{}]: {}", c.id, c.title, c.group, c.summary);
        println!("  params: {}", c.params.join(", "));
        for (i, row) in c.levels.iter().enumerate() {
            let values: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            let used: Vec<&str> = corrupt::suites()
                .iter()
                .filter(|s| {
                    s.cells()
                        .iter()
                        .any(|(x, s)| x.id == c.id && *s == i as u32 + 1)
                })
                .map(|s| s.slug)
                .collect();
            let used = if used.is_empty() {
                String::new()
            } else {
                format!("   ({})", used.join(", "))
            };
            println!("  severity {}: {}{used}", i + 1, values.join(", "));
        }
        println!("  source: {}", c.source);
        println!("  deviations: {}", c.deviations);
    }
    Ok(())
}

/// `lemma bench --corruptions`: images per second for the full 5-severity suite on `n` images
/// (synthetic stroke images, or the test split of `--dataset`), with each cell's checksum (the same
/// FNV-1a the wasm bench and the golden file use).
pub fn bench(n: usize, dataset: Option<&str>, json_out: bool) -> Result<(), Failure> {
    let images: Vec<Image> = match dataset {
        Some(name) => {
            let d = load_dataset(name)?;
            (0..n.min(d.test.len()))
                .map(|i| Image::from_u8(d.test.rows, d.test.cols, d.test.image(i)))
                .collect::<Result<_, _>>()?
        }
        None => (0..n as u64)
            .map(|i| corrupt::synthetic_image(28, 28, i, 0))
            .collect::<Result<_, _>>()?,
    };
    let suite = corrupt::find_suite("5sev")?;
    let (mut rows, mut checksums) = (Vec::new(), serde_json::Map::new());
    let mut total_s = 0.0;
    for &(id, sevs) in suite.entries {
        let corruption = corrupt::find(id)?;
        let start = Instant::now();
        for &sev in sevs {
            let h = corrupt::cell_checksum(corruption, sev, &images, 0)?;
            checksums.insert(format!("{id}/{sev}"), json!(hex(h)));
        }
        let s = start.elapsed().as_secs_f64();
        let count = sevs.len() * images.len();
        total_s += s;
        if !json_out {
            println!(
                "{id:<18} {:>9.0} images/s   ({count} images, {s:.2} s)",
                count as f64 / s
            );
        }
        rows.push(json!({"corruption": id, "images": count, "seconds": s, "images_per_s": count as f64 / s}));
    }
    let total = suite.cells().len() * images.len();
    let rate = total as f64 / total_s;
    if json_out {
        let value = json!({"suite": suite.name, "images": total, "seconds": total_s,
            "images_per_s": rate, "per_corruption": rows, "checksums": checksums});
        println!("{value}");
    } else {
        println!(
            "{}: {total} images in {total_s:.1} s = {rate:.0} images/s",
            suite.name
        );
    }
    Ok(())
}
