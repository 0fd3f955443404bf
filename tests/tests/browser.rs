//! In-browser tests (wasm-pack test --headless --chrome tests): every registered paper's golden runs execute
//! inside Chromium's wasm engine and must reproduce the native golden traces bit for bit.
#![cfg(target_arch = "wasm32")]

use lemma_tests::mismatch;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn traces_in_browser_are_bit_identical_to_native() {
    if let Some(diff) = mismatch() {
        panic!("{diff}");
    }
}

#[wasm_bindgen_test]
fn notebook_gd_in_browser_matches_official_print() {
    let paper = lemma::registry::find("andriushchenko2022_sam").unwrap();
    let params = paper
        .schema
        .build([
            ("preset", "notebook"),
            ("algo", "gd"),
            ("gamma", "0.3333333333333333"),
        ])
        .unwrap();
    let mut exp = paper.experiment(&params, 0).unwrap();
    exp.run_to_end(u64::MAX, &mut |_| {});
    let test = exp.metrics()["test_loss"];
    let printed = 0.015_747_762_611_708_224;
    assert!(
        ((test - printed) / printed).abs() < 5e-7,
        "{test} vs notebook {printed}"
    );
}

/// The CNN training steps on the wasm CPU fallback give the natively recorded numbers.
#[wasm_bindgen_test]
fn cnn_training_on_the_wasm_cpu_fallback_matches_native() {
    let values = lemma_tests::cnn_cpu_run();
    let diff = lemma_tests::cnn_cpu_run_difference(&values);
    console_log!("CNN CPU run in wasm: {values:?}, largest relative difference {diff:.2e}");
    assert!(diff < 1e-4, "largest relative difference {diff:.2e}");
}
