//! # lemma-web — wasm-bindgen bindings of the lemma core for the browser gallery
//!
//! Conversion only: each export wraps one core call. Bulk data (series, vectors) cross as
//! `Float64Array`; small metadata as plain JS objects. Errors become JS exceptions carrying the
//! core's message; nothing here may panic across the boundary.

mod corrupt;
pub mod data;
pub mod gpu;

use lemma::experiment::Experiment;
use lemma::registry::{self, Paper};
use lemma::schema::Params;
use lemma::series::Series;
use lemma::verify::Verify;
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn paper(slug: &str) -> Result<&'static Paper, JsError> {
    registry::find(slug).map_err(|e| JsError::new(&e.to_string()))
}

/// Parses `{name: value}` (values as strings or numbers) into validated parameters.
fn parse_params(paper: &Paper, params: JsValue) -> Result<Params, JsError> {
    parse_schema_params(paper.schema, params)
}

/// `{name: value}` from JS as `(name, text)` pairs (numbers written as JSON writes them).
fn raw_params(params: JsValue) -> Result<Vec<(String, String)>, JsError> {
    let raw: BTreeMap<String, serde_json::Value> = if params.is_undefined() || params.is_null() {
        BTreeMap::new()
    } else {
        serde_wasm_bindgen::from_value(params)
            .map_err(|e| JsError::new(&format!("parameters: {e}")))?
    };
    Ok(raw
        .into_iter()
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => (name, s),
            other => (name, other.to_string()),
        })
        .collect())
}

/// Parses `{name: value}` against any schema (a paper's or a part's).
fn parse_schema_params(schema: &lemma::schema::Schema, params: JsValue) -> Result<Params, JsError> {
    let mut out = schema.defaults();
    for (name, text) in raw_params(params)? {
        schema
            .set(&mut out, &name, &text)
            .map_err(|e| JsError::new(&e.to_string()))?;
    }
    Ok(out)
}

/// The seed as the user typed it (a string, so no digit is lost to a JS number).
fn seed_from(seed: &str) -> Result<u64, JsError> {
    lemma::schema::parse_seed(seed).map_err(|e| JsError::new(&e.to_string()))
}

fn paper_part(slug: &str, name: &str) -> Result<&'static registry::Part, JsError> {
    paper(slug)?
        .part(name)
        .ok_or_else(|| JsError::new(&format!("`{slug}` has no part `{name}`")))
}

/// Installs the panic hook (so an internal bug logs a readable message).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The registry: every paper with its metadata and parameter schema.
#[wasm_bindgen]
pub fn papers() -> Result<JsValue, JsError> {
    to_js(registry::papers())
}

/// Validates parameters for a paper; throws the core's message on the first bad value.
#[wasm_bindgen(js_name = validateParams)]
pub fn validate_params(slug: &str, params: JsValue, seed: &str) -> Result<(), JsError> {
    let p = paper(slug)?;
    let params = parse_params(p, params)?;
    let seed = seed_from(seed)?;
    // Cross-parameter rules live in the experiment constructor; building one is cheap.
    p.experiment(&params, seed)
        .map(|_| ())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Validates parameters of a paper's part (e.g. a `cnn` part); throws the core's message.
#[wasm_bindgen(js_name = validatePartParams)]
pub fn validate_part_params(
    slug: &str,
    part: &str,
    params: JsValue,
    seed: &str,
) -> Result<(), JsError> {
    let part = paper_part(slug, part)?;
    let params = parse_schema_params(part.schema, params)?;
    seed_from(seed)?;
    part.validate(&params)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Validates page-level state (`{name: value}`, e.g. `algos`) of a paper (`part` empty) or of one
/// of its parts (e.g. `backend`) against its view schema; throws the core's message, naming a
/// part's key as the URL writes it (`cnn.backend`).
#[wasm_bindgen(js_name = validateView)]
pub fn validate_view(slug: &str, part: &str, values: JsValue) -> Result<(), JsError> {
    if part.is_empty() {
        return parse_schema_params(paper(slug)?.view, values).map(|_| ());
    }
    let view = paper_part(slug, part)?.view;
    let raw = raw_params(values)?;
    let mut out = view.defaults();
    for (name, text) in raw {
        view.set(&mut out, &name, &text).map_err(|mut e| {
            e.name = format!("{part}.{}", e.name);
            JsError::new(&e.to_string())
        })?;
    }
    Ok(())
}

/// The dataset file (`data/<name>.bin`) a part's `dataset` parameter value loads.
#[wasm_bindgen(js_name = datasetFile)]
pub fn dataset_file(value: &str) -> Result<String, JsError> {
    lemma::data::catalogue::for_parameter(value)
        .map(|d| d.name.to_string())
        .ok_or_else(|| JsError::new(&format!("no dataset file for `dataset={value}`")))
}

/// A work budget from JS: a non-finite or non-positive number does no work.
fn budget_from(budget: f64) -> u64 {
    if budget.is_finite() && budget > 0.0 {
        budget as u64
    } else {
        0
    }
}

/// The names of recorded series.
fn series_names(series: &[Series]) -> Vec<String> {
    series.iter().map(|s| s.name.clone()).collect()
}

/// The x values of series `name` (empty when there is none).
fn series_x(series: &[Series], name: &str) -> Vec<f64> {
    series
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.x.clone())
        .unwrap_or_default()
}

/// The y values of series `name` (empty when there is none).
fn series_y(series: &[Series], name: &str) -> Vec<f64> {
    series
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.y.clone())
        .unwrap_or_default()
}

/// One CNN training step on a fixed synthetic batch, for `benches/cnn_wasm.mjs` to time against
/// `lemma bench --cnn` (the same [`lemma::nn::train::BenchStep`] natively).
#[wasm_bindgen]
pub struct CnnStepBench {
    inner: lemma::nn::train::BenchStep,
}

#[wasm_bindgen]
impl CnnStepBench {
    /// `arch` (`cnn-s`, `cnn-m`) stepping with `step` (`sgd`, or `sam`: ρ = 0.05, m = batch).
    #[wasm_bindgen(constructor)]
    pub fn new(arch: &str, step: &str) -> Result<CnnStepBench, JsError> {
        use lemma::nn::train::{BenchStep, StepRule};
        let spec = lemma::nn::spec::Arch::by_name(arch).ok_or_else(|| {
            JsError::new(&format!(
                "unknown architecture {arch:?} (allowed: cnn-s, cnn-m)"
            ))
        })?;
        let rule = match step {
            "sgd" => StepRule::Erm,
            "sam" => StepRule::Sam {
                rho: 0.05,
                chunk: BenchStep::BATCH,
            },
            _ => {
                return Err(JsError::new(&format!(
                    "unknown step {step:?} (allowed: sgd, sam)"
                )));
            }
        };
        let inner = BenchStep::new(&spec, rule).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(CnnStepBench { inner })
    }

    /// Images per step.
    #[wasm_bindgen(getter)]
    pub fn batch(&self) -> usize {
        lemma::nn::train::BenchStep::BATCH
    }

    /// Runs one step; returns the batch's summed cross-entropy.
    pub fn run(&mut self) -> f64 {
        self.inner.run().loss_sum
    }
}

/// One experiment run, advanced from JS in bounded steps.
#[wasm_bindgen]
pub struct Run {
    exp: Box<dyn Experiment>,
}

#[wasm_bindgen]
impl Run {
    /// Builds a run of `slug` with `{name: value}` parameters and a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(slug: &str, params: JsValue, seed: &str) -> Result<Run, JsError> {
        let p = paper(slug)?;
        let params = parse_params(p, params)?;
        let exp = p
            .experiment(&params, seed_from(seed)?)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Run { exp })
    }

    /// Builds a run of a paper's data-backed part (e.g. `cnn`) on a loaded dataset, on the CPU
    /// backend (the page runs it in a Worker; the WebGPU path drives the same pipeline).
    #[wasm_bindgen(js_name = forPart)]
    pub fn for_part(
        slug: &str,
        part: &str,
        params: JsValue,
        seed: &str,
        dataset: &data::Dataset,
    ) -> Result<Run, JsError> {
        let part = paper_part(slug, part)?;
        let params = parse_schema_params(part.schema, params)?;
        let exp = part
            .experiment(&params, seed_from(seed)?, dataset.shared())
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Run { exp })
    }

    /// Does at most `budget` work units; returns `{done, total, status}`.
    pub fn step(&mut self, budget: f64) -> Result<JsValue, JsError> {
        to_js(&self.exp.step(budget_from(budget)))
    }

    /// Current `{done, total, status}`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        to_js(&self.exp.progress())
    }

    /// Names of the recorded series.
    #[wasm_bindgen(js_name = seriesNames)]
    pub fn series_names(&self) -> Vec<String> {
        series_names(self.exp.series())
    }

    /// Iteration counts of a series (empty if unknown).
    #[wasm_bindgen(js_name = seriesX)]
    pub fn series_x(&self, name: &str) -> Vec<f64> {
        series_x(self.exp.series(), name)
    }

    /// Values of a series (empty if unknown).
    #[wasm_bindgen(js_name = seriesY)]
    pub fn series_y(&self, name: &str) -> Vec<f64> {
        series_y(self.exp.series(), name)
    }

    /// Scalar metrics `{name: value}`.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.exp.metrics())
    }

    /// Names of the per-coordinate vectors.
    #[wasm_bindgen(js_name = vectorNames)]
    pub fn vector_names(&self) -> Vec<String> {
        self.exp.vectors().into_iter().map(|v| v.name).collect()
    }

    /// One per-coordinate vector (empty if unknown).
    pub fn vector(&self, name: &str) -> Vec<f64> {
        self.exp
            .vectors()
            .into_iter()
            .find(|v| v.name == name)
            .map(|v| v.values)
            .unwrap_or_default()
    }

    /// Notes about the run (divergence, assumptions not met).
    pub fn notes(&self) -> Vec<String> {
        self.exp.notes()
    }
}

/// Datasets handed to the checks by the page (fetched `data/<name>.bin` files, parsed once).
struct PageDatasets(BTreeMap<String, std::sync::Arc<lemma::data::images::Dataset>>);

impl lemma::verify::DatasetSource for PageDatasets {
    fn load(&self, name: &str) -> Result<std::sync::Arc<lemma::data::images::Dataset>, String> {
        self.0.get(name).cloned().ok_or_else(|| {
            format!("the page could not load the dataset `{name}` (data/{name}.bin)")
        })
    }
}

/// The claim checks of one paper, run one at a time.
#[wasm_bindgen]
pub struct Verification {
    inner: Box<dyn Verify>,
}

#[wasm_bindgen]
impl Verification {
    /// A verifier over all checks of `slug` (smoke tier). `datasets` (a `Map` from a name of
    /// `paper.check_datasets` to the file's bytes) lets the checks that train on real data run;
    /// without it they report "not applicable". `onProgress(what, {done, total})` receives the
    /// progress of the training runs inside a check.
    #[wasm_bindgen(constructor)]
    pub fn new(
        slug: &str,
        datasets: Option<js_sys::Map>,
        on_progress: Option<js_sys::Function>,
    ) -> Result<Verification, JsError> {
        let mut parsed = BTreeMap::new();
        if let Some(map) = datasets {
            for entry in map.entries() {
                let pair =
                    js_sys::Array::from(&entry.map_err(|e| JsError::new(&format!("{e:?}")))?);
                let name = pair
                    .get(0)
                    .as_string()
                    .ok_or_else(|| JsError::new("dataset names must be strings"))?;
                let bytes = js_sys::Uint8Array::new(&pair.get(1)).to_vec();
                let data = lemma::data::images::Dataset::from_bytes(&bytes)
                    .map_err(|e| JsError::new(&format!("data/{name}.bin: {e}")))?;
                parsed.insert(name, std::sync::Arc::new(data));
            }
        }
        let progress = on_progress.map(|f| -> lemma::verify::ProgressSink {
            // wasm32 is single-threaded: the callback never leaves this thread.
            #[allow(clippy::arc_with_non_send_sync)]
            std::sync::Arc::new(move |what: &str, p: &lemma::experiment::Progress| {
                let progress = to_js(p).unwrap_or(JsValue::NULL);
                // A throwing callback must not stop the checks.
                let _ = f.call2(&JsValue::NULL, &JsValue::from_str(what), &progress);
            })
        });
        let env = lemma::verify::VerifyEnv {
            tier: lemma::verify::Tier::Smoke,
            datasets: (!parsed.is_empty()).then(|| {
                std::sync::Arc::new(PageDatasets(parsed))
                    as std::sync::Arc<dyn lemma::verify::DatasetSource>
            }),
            progress,
            store: None,
        };
        Ok(Verification {
            inner: paper(slug)?.verifier(&env),
        })
    }

    /// Check IDs in order.
    pub fn ids(&self) -> Vec<String> {
        self.inner.ids().into_iter().map(String::from).collect()
    }

    /// Runs the next check and returns its result, or `undefined` when all have run.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        match self.inner.step() {
            Some(r) => to_js(&r),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}
