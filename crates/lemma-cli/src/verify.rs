//! `lemma verify [slug…]`: every claim check of the papers, with the datasets from `data/` and a
//! progress bar per paper (long training runs inside a check show on it).

use crate::{Failure, data, output, progress_bar};
use indicatif::ProgressBar;
use lemma::data::images::Dataset;
use lemma::registry::{self, Paper};
use lemma::verify::{CheckResult, DatasetSource, Metrics, RunStore, Tier, VerifyEnv};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

/// Finished check runs as JSON lines (`{"key": …, "metrics": {…}}`), one appended and flushed as
/// each run ends, so that an interrupted `lemma verify` resumes where it stopped. Metrics that are
/// not finite are written as the strings `NaN`, `inf` and `-inf`.
struct FileStore {
    path: PathBuf,
    runs: Mutex<BTreeMap<String, Metrics>>,
}

impl FileStore {
    /// Reads the runs already in `path` (none when it does not exist yet).
    fn open(path: &Path) -> Result<Self, Failure> {
        let mut runs = BTreeMap::new();
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::Input(format!("cannot read the run store {}: {e}", path.display()))
            })?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let bad = |why: &str| {
                    Failure::Input(format!(
                        "run store {} line {}: {why}",
                        path.display(),
                        n + 1
                    ))
                };
                let entry: Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
                let key = entry["key"]
                    .as_str()
                    .ok_or_else(|| bad("no \"key\" string"))?;
                let values = entry["metrics"]
                    .as_object()
                    .ok_or_else(|| bad("no \"metrics\" object"))?;
                let mut metrics = Metrics::new();
                for (name, v) in values {
                    let x = match v {
                        Value::Number(x) => x.as_f64(),
                        Value::String(s) => s.parse::<f64>().ok().filter(|x| !x.is_finite()),
                        _ => None,
                    }
                    .ok_or_else(|| bad(&format!("metric {name:?} is not a number")))?;
                    metrics.insert(name.clone(), x);
                }
                runs.insert(key.to_string(), metrics);
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            runs: Mutex::new(runs),
        })
    }

    fn append(&self, key: &str, metrics: &Metrics) -> std::io::Result<()> {
        let values: Map<String, Value> = metrics
            .iter()
            .map(|(name, &x)| {
                let v = if x.is_finite() {
                    json!(x)
                } else {
                    json!(format!("{x}"))
                };
                (name.clone(), v)
            })
            .collect();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(file, "{}", json!({ "key": key, "metrics": values }))?;
        file.sync_data()
    }
}

impl RunStore for FileStore {
    fn load(&self, key: &str) -> Option<Metrics> {
        self.runs.lock().ok()?.get(key).cloned()
    }

    fn save(&self, key: &str, metrics: &Metrics) {
        if let Err(e) = self.append(key, metrics) {
            eprintln!(
                "warning: cannot write the run store {}: {e} (the run is kept in memory only)",
                self.path.display()
            );
        }
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(key.to_string(), metrics.clone());
        }
    }
}

/// Runs the checks of `slugs` (every paper when empty) in `tier`, keeping finished training runs
/// in `store` when one is named; `Ok(false)` when a hard check fails.
pub fn verify(
    slugs: &[String],
    json: bool,
    tier: &str,
    store: Option<&Path>,
) -> Result<bool, Failure> {
    let tier = Tier::parse(tier).ok_or_else(|| {
        Failure::Input(format!(
            "unknown tier {tier:?} (allowed: smoke, medium, full)"
        ))
    })?;
    let store = match store {
        Some(path) => {
            let file = FileStore::open(path)?;
            let reused = file.runs.lock().map_or(0, |runs| runs.len());
            if reused > 0 {
                eprintln!("reusing {reused} finished runs from {}", path.display());
            }
            Some(Arc::new(file) as Arc<dyn RunStore>)
        }
        None => None,
    };
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
        store,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_reads_back_every_run_exactly_and_rejects_a_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.jsonl");
        let metrics = Metrics::from([
            ("accuracy".to_string(), 0.1 + 0.2),
            ("loss".to_string(), f64::NAN),
            ("sharpness".to_string(), f64::INFINITY),
            ("gap".to_string(), f64::NEG_INFINITY),
        ]);
        let store = FileStore::open(&path).unwrap();
        store.save("a|1", &metrics);
        store.save("b|2", &Metrics::from([("x".to_string(), -3e-300)]));
        let reopened = FileStore::open(&path).unwrap();
        let a = reopened.load("a|1").unwrap();
        assert_eq!(a["accuracy"].to_bits(), (0.1f64 + 0.2).to_bits());
        assert!(a["loss"].is_nan());
        assert_eq!(a["sharpness"], f64::INFINITY);
        assert_eq!(a["gap"], f64::NEG_INFINITY);
        assert_eq!(reopened.load("b|2").unwrap()["x"], -3e-300);
        assert!(reopened.load("c|3").is_none());

        std::fs::write(&path, "{\"key\": \"a\", \"metrics\": {\"x\": \"many\"}}\n").unwrap();
        let Err(Failure::Input(why)) = FileStore::open(&path) else {
            panic!("a bad metric must be rejected")
        };
        assert!(
            why.ends_with("line 1: metric \"x\" is not a number"),
            "{why}"
        );
    }
}
