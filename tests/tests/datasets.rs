//! The image-dataset split and subsample give the same bytes natively and in the browser (run by
//! `cargo test` and by `wasm-pack test --headless --chrome tests`): the page and the CLI must see
//! the very same train and test images for a seed.

use lemma::data::images::{Dataset, file_checksum};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// 3 classes of 50, 37 and 13 distinct 4×4 images.
fn synthetic() -> Vec<Vec<Vec<u8>>> {
    [50usize, 37, 13]
        .iter()
        .enumerate()
        .map(|(c, &n)| {
            (0..n)
                .map(|i| {
                    (0..16)
                        .map(|p| ((c * 97 + i * 7 + p * 13) % 256) as u8)
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn split_and_subsample_bytes_are_identical_on_every_host() {
    let full = Dataset::stratified("synthetic", synthetic(), 4, 4, 0.25, 2024).unwrap();
    // round(0.25·[50, 37, 13]) = [13, 9, 3] test images.
    assert_eq!(full.test.class_counts(3), vec![13, 9, 3]);
    let small = full.subsample(30, 10, 5).unwrap();
    let full_bytes = full.to_bytes();
    let small_bytes = small.to_bytes();
    assert_eq!(Dataset::from_bytes(&small_bytes).unwrap(), small);
    // Golden CRC-32s of the two files, recorded natively; the browser must reproduce them.
    assert_eq!(
        (file_checksum(&full_bytes), file_checksum(&small_bytes)),
        (Some(0x4cf9507b), Some(0xbe329a0a))
    );
}
