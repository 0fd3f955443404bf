//! Bindings of the corruption module (`lemma::data::corrupt`) for the corruption gallery page and
//! the wasm bench: pixel data cross as typed arrays (`Uint8Array`), the registry as plain objects.

use crate::to_js;
use lemma::data::corrupt::{self, Image};
use wasm_bindgen::prelude::*;

fn js_err(e: impl ToString) -> JsError {
    JsError::new(&e.to_string())
}

/// An integer argument from JS (a non-negative whole number below 2^53).
fn whole(name: &str, v: f64) -> Result<u64, JsError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 {
        Ok(v as u64)
    } else {
        Err(JsError::new(&format!(
            "invalid value for `{name}`: \"{v}\" (allowed: integer 0 ≤ {name} ≤ 9007199254740991)"
        )))
    }
}

fn size(name: &str, v: f64) -> Result<usize, JsError> {
    usize::try_from(whole(name, v)?).map_err(js_err)
}

/// `{suites, corruptions}`: both suites (slug, name, description, entries) and every corruption
/// with its parameter names, values per severity, source and deviations.
#[wasm_bindgen(js_name = corruptionRegistry)]
pub fn corruption_registry() -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Registry {
        suites: &'static [corrupt::Suite],
        corruptions: &'static [corrupt::Corruption],
    }
    to_js(&Registry {
        suites: corrupt::suites(),
        corruptions: corrupt::corruptions(),
    })
}

/// Corrupts one 8-bit gray image (`height·width` bytes) with corruption `id` at `severity`, as the
/// `index`-th image of a set under `seed`; returns the 8-bit result (truncated like the CLI's IDX).
#[wasm_bindgen(js_name = corruptImage)]
pub fn corrupt_image(
    id: &str,
    severity: f64,
    pixels: &[u8],
    height: f64,
    width: f64,
    index: f64,
    seed: f64,
) -> Result<Vec<u8>, JsError> {
    let corruption = corrupt::find(id).map_err(js_err)?;
    let severity = u32::try_from(whole("severity", severity)?).map_err(js_err)?;
    let image =
        Image::from_u8(size("height", height)?, size("width", width)?, pixels).map_err(js_err)?;
    let out = corruption
        .apply(
            &image,
            severity,
            whole("index", index)?,
            whole("seed", seed)?,
        )
        .map_err(js_err)?;
    Ok(out.to_u8())
}

/// The synthetic stroke image `index` (8-bit, `height·width` bytes) used by tests and benches.
#[wasm_bindgen(js_name = syntheticImage)]
pub fn synthetic_image(height: f64, width: f64, index: f64, seed: f64) -> Result<Vec<u8>, JsError> {
    corrupt::synthetic_image(
        size("height", height)?,
        size("width", width)?,
        whole("index", index)?,
        whole("seed", seed)?,
    )
    .map(|img| img.to_u8())
    .map_err(js_err)
}

/// Checksums of every cell of a suite over `count` synthetic 28×28 images under `seed`: an array of
/// `{corruption, severity, fnv1a64}` (hex), the same values `lemma bench --corruptions` and the
/// golden test compute natively.
#[wasm_bindgen(js_name = suiteChecksums)]
pub fn suite_checksums(suite: &str, count: f64, seed: f64) -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Cell {
        corruption: &'static str,
        severity: u32,
        fnv1a64: String,
    }
    let suite = corrupt::find_suite(suite).map_err(js_err)?;
    let seed = whole("seed", seed)?;
    let images = (0..whole("count", count)?)
        .map(|i| corrupt::synthetic_image(28, 28, i, 0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(js_err)?;
    let cells = suite
        .cells()
        .into_iter()
        .map(|(c, sev)| {
            corrupt::cell_checksum(c, sev, &images, seed).map(|h| Cell {
                corruption: c.id,
                severity: sev,
                fnv1a64: format!("{h:016x}"),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(js_err)?;
    to_js(&cells)
}

/// The test split of a dataset file (`data/*.bin`, the `LMDS` format of `lemma data build`), for
/// picking images on the gallery page.
#[wasm_bindgen]
pub struct TestImages {
    set: lemma::data::images::ImageSet,
    name: String,
}

#[wasm_bindgen]
impl TestImages {
    /// Parses a dataset file; throws the loader's message on a malformed file.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<TestImages, JsError> {
        let d = lemma::data::images::Dataset::from_bytes(bytes).map_err(js_err)?;
        Ok(TestImages {
            set: d.test,
            name: d.name,
        })
    }

    /// Dataset name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Number of test images.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.set.len()
    }

    /// Rows per image.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.set.rows
    }

    /// Columns per image.
    #[wasm_bindgen(getter)]
    pub fn cols(&self) -> usize {
        self.set.cols
    }

    /// The 8-bit pixels of test image `i`; throws when `i` is out of range.
    pub fn image(&self, i: usize) -> Result<Vec<u8>, JsError> {
        if i >= self.set.len() {
            return Err(JsError::new(&format!(
                "image {i} is out of range (the test split has {} images)",
                self.set.len()
            )));
        }
        Ok(self.set.image(i).to_vec())
    }

    /// The label of test image `i` (255 when out of range).
    pub fn label(&self, i: usize) -> u8 {
        self.set.labels.get(i).copied().unwrap_or(u8::MAX)
    }
}
