//! In-browser corruption golden (wasm-pack test --headless --chrome tests): every corruption at
//! every severity, computed by the wasm build inside Chromium, must give the native checksums of
//! `golden/corruptions.json` byte for byte.
#![cfg(target_arch = "wasm32")]

use lemma_tests::corruptions::{FILE, mismatch};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn corruptions_in_browser_match_native_checksums() {
    assert!(FILE.len() > 1000, "golden/corruptions.json is empty");
    if let Some(diff) = mismatch() {
        panic!("{diff}");
    }
}
