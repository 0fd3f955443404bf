//! Native corruption golden: every corruption at every severity over the 8-image synthetic set must
//! reproduce the checksums in `golden/corruptions.json` (the browser test checks the same file).
//! Regenerate with `LEMMA_BLESS=1 cargo test -p lemma-tests --test corruptions`.
#![cfg(not(target_arch = "wasm32"))]

use lemma_tests::corruptions::{compute, mismatch};

#[test]
fn corruption_checksums_match_golden_file() {
    if std::env::var_os("LEMMA_BLESS").is_some() {
        let path = format!("{}/golden/corruptions.json", env!("CARGO_MANIFEST_DIR"));
        let text = serde_json::to_string_pretty(&compute()).expect("serialisable");
        std::fs::write(path, text + "\n").expect("golden file writable");
        return;
    }
    if let Some(diff) = mismatch() {
        panic!("{diff}");
    }
}

#[test]
fn golden_covers_every_registered_cell() {
    let expected: usize = lemma::data::corrupt::corruptions()
        .iter()
        .map(|c| c.severities())
        .sum();
    let golden: serde_json::Value =
        serde_json::from_str(lemma_tests::corruptions::FILE).expect("golden parses");
    assert_eq!(golden["cells"].as_array().map(Vec::len), Some(expected));
    assert_eq!(expected, 104);
}
