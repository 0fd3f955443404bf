//! The image datasets (`data/*.bin`, format `LMDS`) in the browser: parse the fetched bytes once,
//! then hand out single images and labels. Conversion only; parsing lives in
//! `lemma::data::images`.

use js_sys::Uint8Array;
use lemma::data::images::{self, ImageSet};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// A parsed dataset file.
#[wasm_bindgen]
pub struct Dataset {
    inner: Arc<images::Dataset>,
}

fn image(set: &ImageSet, split: &str, i: u32) -> Result<Uint8Array, JsError> {
    let i = index(set, split, i)?;
    Ok(Uint8Array::from(set.image(i)))
}

fn label(set: &ImageSet, split: &str, i: u32) -> Result<u8, JsError> {
    let i = index(set, split, i)?;
    Ok(set.labels[i])
}

fn index(set: &ImageSet, split: &str, i: u32) -> Result<usize, JsError> {
    let i = i as usize;
    if i < set.len() {
        Ok(i)
    } else {
        Err(JsError::new(&format!(
            "{split} image {i} does not exist (the {split} split has {} images)",
            set.len()
        )))
    }
}

#[wasm_bindgen]
impl Dataset {
    /// Parses and checks the bytes of a dataset file (e.g. `fetch('data/mnist.bin')`).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Dataset, JsError> {
        images::Dataset::from_bytes(bytes)
            .map(|inner| Dataset {
                inner: Arc::new(inner),
            })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Name stored in the file.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Number of classes.
    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> usize {
        self.inner.classes
    }

    /// Number of training images.
    #[wasm_bindgen(getter, js_name = trainCount)]
    pub fn train_count(&self) -> usize {
        self.inner.train.len()
    }

    /// Number of test images.
    #[wasm_bindgen(getter, js_name = testCount)]
    pub fn test_count(&self) -> usize {
        self.inner.test.len()
    }

    /// Pixel rows per image.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.inner.train.rows
    }

    /// Pixel columns per image.
    #[wasm_bindgen(getter)]
    pub fn cols(&self) -> usize {
        self.inner.train.cols
    }

    /// Training image `i`: `rows · cols` gray values, row-major.
    #[wasm_bindgen(js_name = trainImage)]
    pub fn train_image(&self, i: u32) -> Result<Uint8Array, JsError> {
        image(&self.inner.train, "train", i)
    }

    /// Label of training image `i`.
    #[wasm_bindgen(js_name = trainLabel)]
    pub fn train_label(&self, i: u32) -> Result<u8, JsError> {
        label(&self.inner.train, "train", i)
    }

    /// Test image `i`.
    #[wasm_bindgen(js_name = testImage)]
    pub fn test_image(&self, i: u32) -> Result<Uint8Array, JsError> {
        image(&self.inner.test, "test", i)
    }

    /// Label of test image `i`.
    #[wasm_bindgen(js_name = testLabel)]
    pub fn test_label(&self, i: u32) -> Result<u8, JsError> {
        label(&self.inner.test, "test", i)
    }
}

impl Dataset {
    /// The dataset, shared with the runs built on it (no copy).
    pub(crate) fn shared(&self) -> Arc<images::Dataset> {
        Arc::clone(&self.inner)
    }
}
