//! Native golden traces: the SAM runs must match the checked-in file bit for bit (the browser
//! test compares the same file). Regenerate with `LEMMA_BLESS=1 cargo test -p lemma-tests`.
#![cfg(not(target_arch = "wasm32"))]

use lemma_tests::{sam_golden_mismatch, sam_traces};

#[test]
fn sam_traces_match_golden_file() {
    if std::env::var_os("LEMMA_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/golden/andriushchenko2022_sam.json"
        );
        let text = serde_json::to_string_pretty(&sam_traces()).expect("serialisable");
        std::fs::write(path, text + "\n").expect("golden file writable");
        return;
    }
    if let Some(diff) = sam_golden_mismatch() {
        panic!("{diff}");
    }
}
