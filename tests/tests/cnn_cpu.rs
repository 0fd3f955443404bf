//! The short CNN run of [`lemma_tests::cnn_cpu_run`] natively: it learns, and it gives the
//! recorded numbers (the browser test checks the same numbers on the wasm CPU fallback).

#[test]
fn cnn_cpu_run_learns_and_matches_the_recorded_values() {
    let values = lemma_tests::cnn_cpu_run();
    eprintln!("{values:?}");
    let (erm_loss, sam_loss) = ((values[0], values[1]), (values[4], values[5]));
    assert!(
        erm_loss.1 < erm_loss.0 && sam_loss.1 < sam_loss.0,
        "{values:?}"
    );
    let diff = lemma_tests::cnn_cpu_run_difference(&values);
    assert!(
        diff < 1e-4,
        "largest relative difference {diff:.2e} from the recorded values"
    );
}
