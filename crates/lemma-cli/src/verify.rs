//! `lemma verify [slug…]`: every claim check of the papers, with the datasets from `data/` and a
//! progress bar per paper (long training runs inside a check show on it).

use crate::{Failure, data, output, progress_bar};
use indicatif::ProgressBar;
use lemma::data::images::Dataset;
use lemma::registry::{self, Paper};
use lemma::verify::{CheckResult, DatasetSource, Tier, VerifyEnv};
use std::collections::BTreeMap;
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

/// Runs the checks of `slugs` (every paper when empty) in `tier`; `Ok(false)` when a hard check
/// fails.
pub fn verify(slugs: &[String], json: bool, tier: &str) -> Result<bool, Failure> {
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
