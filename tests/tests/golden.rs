//! Native golden traces: every paper's golden runs must match their checked-in file bit for bit
//! (the browser test compares the same files). Regenerate with
//! `LEMMA_BLESS=1 cargo test -p lemma-tests --test golden`.
#![cfg(not(target_arch = "wasm32"))]

use lemma_tests::{GOLDENS, mismatch, traces};

#[test]
fn traces_match_golden_files() {
    if std::env::var_os("LEMMA_BLESS").is_some() {
        for g in GOLDENS {
            let path = format!("{}/golden/{}.json", env!("CARGO_MANIFEST_DIR"), g.slug);
            let text = serde_json::to_string(&traces(g)).expect("serialisable");
            std::fs::write(path, text + "\n").expect("golden file writable");
        }
        return;
    }
    for g in GOLDENS {
        assert!(g.file.len() > 1000, "{}: golden file is empty", g.slug);
        if let Some(diff) = mismatch(g) {
            panic!("{diff}");
        }
    }
}

#[test]
fn every_registered_paper_has_golden_runs() {
    for p in lemma::registry::papers() {
        assert!(
            GOLDENS.iter().any(|g| g.slug == p.slug),
            "{} has no golden runs",
            p.slug
        );
    }
}
