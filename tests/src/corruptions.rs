//! The corruption golden set: every corruption at every severity over 8 synthetic 28×28 stroke
//! images (seed 0), each cell summarised by the FNV-1a 64 of its 8-bit outputs. Native and
//! in-browser tests compare against the same file, `golden/corruptions.json`.

use lemma::data::corrupt::{self, Image};
use serde_json::{Value, json};

/// Contents of `golden/corruptions.json`.
pub const FILE: &str = include_str!("../golden/corruptions.json");
/// Images in the golden set.
pub const IMAGES: u64 = 8;
/// Seed of the corruption draws.
pub const SEED: u64 = 0;

/// Computes the golden document on this host.
pub fn compute() -> Value {
    let images: Vec<Image> = (0..IMAGES)
        .map(|i| corrupt::synthetic_image(28, 28, i, 0).expect("28×28 is supported"))
        .collect();
    let cells: Vec<Value> = corrupt::corruptions()
        .iter()
        .flat_map(|c| (1..=c.severities() as u32).map(move |s| (c, s)))
        .map(|(c, s)| {
            let h = corrupt::cell_checksum(c, s, &images, SEED).expect("golden cells apply");
            json!({"corruption": c.id, "severity": s, "fnv1a64": format!("{h:016x}")})
        })
        .collect();
    json!({"images": IMAGES, "rows": 28, "cols": 28, "seed": SEED, "cells": cells})
}

/// The first cell whose checksum differs from the golden file, or `None` when all match.
pub fn mismatch() -> Option<String> {
    let golden: Value = match serde_json::from_str(FILE) {
        Ok(v) => v,
        Err(e) => return Some(format!("golden/corruptions.json does not parse: {e}")),
    };
    let now = compute();
    if golden["cells"].as_array().map(Vec::len) != now["cells"].as_array().map(Vec::len) {
        return Some("golden/corruptions.json lists a different set of cells".into());
    }
    golden["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(now["cells"].as_array().into_iter().flatten())
        .find(|(g, n)| g != n)
        .map(|(g, n)| format!("corruption cell differs: golden {g}, now {n}"))
}
