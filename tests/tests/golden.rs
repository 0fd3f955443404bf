//! Native golden traces: every registered paper's golden runs must match its checked-in file bit
//! for bit (the browser test compares the same files). Record or update them with
//! `LEMMA_BLESS=1 cargo test -p lemma-tests --test golden`.
#![cfg(not(target_arch = "wasm32"))]

use lemma_tests::{mismatch, traces};

#[test]
fn traces_match_golden_files() {
    if std::env::var_os("LEMMA_BLESS").is_some() {
        for paper in lemma::registry::papers() {
            let path = format!("{}/golden/{}.json", env!("CARGO_MANIFEST_DIR"), paper.slug);
            let text = serde_json::to_string(&traces(paper)).expect("serialisable");
            std::fs::write(path, text + "\n").expect("golden file writable");
        }
        return;
    }
    if let Some(diff) = mismatch() {
        panic!("{diff}");
    }
}
