//! `lemma corrupt` and `lemma describe corruptions` end to end on a small synthetic dataset file:
//! IDX layout, manifest checksums, reproducibility and exit codes.

use lemma::data::corrupt::{fnv1a64, synthetic_image};
use lemma::data::images::{Dataset, ImageSet};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn lemma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemma"))
        .args(args)
        .output()
        .expect("lemma runs")
}

/// A 6-image test split of synthetic strokes (and 2 training images), written as an LMDS file.
fn write_dataset(dir: &Path) -> String {
    let set = |n: u64, offset: u64| ImageSet {
        rows: 28,
        cols: 28,
        labels: (0..n).map(|i| (i % 10) as u8).collect(),
        pixels: (0..n)
            .flat_map(|i| synthetic_image(28, 28, i + offset, 0).unwrap().to_u8())
            .collect(),
    };
    let dataset = Dataset {
        name: "strokes".into(),
        classes: 10,
        seed: 0,
        train: set(2, 100),
        test: set(6, 0),
    };
    let path = dir.join("strokes.bin");
    std::fs::write(&path, dataset.to_bytes()).unwrap();
    path.to_string_lossy().into_owned()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn writes_idx_files_and_a_manifest_that_reproduces() {
    let tmp = tempfile::tempdir().unwrap();
    let data = write_dataset(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let o = lemma(&[
            "corrupt",
            "--dataset",
            &data,
            "--suite",
            "mnist-c",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (ma, mb) = (manifest(&a), manifest(&b));
    assert_eq!(ma, mb, "same seed, same manifest");
    assert_eq!(ma["suite"], "MNIST-C-repro");
    assert_eq!(ma["seed"], 0);
    assert_eq!(ma["cells"], 15);
    assert_eq!(ma["dataset"]["images"], 6);
    let files = ma["files"].as_array().unwrap();
    assert_eq!(files.len(), 15);
    for f in files {
        let bytes = std::fs::read(a.join(f["file"].as_str().unwrap())).unwrap();
        // IDX header: magic 0x00000803, 6 images, 28 rows, 28 columns.
        assert_eq!(
            &bytes[..16],
            &[0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 28, 0, 0, 0, 28]
        );
        assert_eq!(bytes.len(), 16 + 6 * 784);
        assert_eq!(f["fnv1a64"], format!("{:016x}", fnv1a64(&bytes)));
        assert_eq!(
            f["pixels_fnv1a64"],
            format!("{:016x}", fnv1a64(&bytes[16..]))
        );
    }
    let labels = std::fs::read(a.join("labels-idx1-ubyte")).unwrap();
    assert_eq!(labels, [0, 0, 8, 1, 0, 0, 0, 6, 0, 1, 2, 3, 4, 5]);
    // A different seed changes the random cells but not the deterministic ones.
    let c = tmp.path().join("c");
    let o = lemma(&[
        "corrupt",
        "--dataset",
        &data,
        "--suite",
        "mnist-c",
        "--seed",
        "1",
        "--out",
        c.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let mc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let sum = |m: &Value, id: &str| {
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["corruption"] == id)
            .unwrap()["fnv1a64"]
            .clone()
    };
    assert_ne!(sum(&ma, "shot_noise"), sum(&mc, "shot_noise"));
    assert_eq!(sum(&ma, "stripe"), sum(&mc, "stripe"));
}

#[test]
fn five_severity_suite_with_one_severity_and_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let data = write_dataset(tmp.path());
    let out = tmp.path().join("o");
    let o = lemma(&[
        "corrupt",
        "--dataset",
        &data,
        "--suite",
        "5sev",
        "--severity",
        "3",
        "--limit",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = manifest(&out);
    assert_eq!(m["suite"], "MNIST-C-5sev-repro");
    assert_eq!(m["cells"], 15);
    assert_eq!(m["images_per_cell"], 2);
    assert!(
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == 3)
    );
    assert!(out.join("jpeg_compression-s3-images-idx3-ubyte").is_file());
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let data = write_dataset(tmp.path());
    let cases: [(&[&str], &str); 3] = [
        (&["--suite", "cifar"], "unknown suite \"cifar\""),
        (
            &["--suite", "5sev", "--severity", "6"],
            "no cell at severity 6",
        ),
        (&["--suite", "5sev", "--limit", "0"], "no test images"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["corrupt", "--dataset", &data];
        args.extend_from_slice(extra);
        let o = lemma(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{extra:?}: {err}");
    }
    let missing = tmp.path().join("missing.bin");
    let o = lemma(&[
        "corrupt",
        "--dataset",
        missing.to_str().unwrap(),
        "--suite",
        "5sev",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn describe_lists_every_corruption_with_its_parameters() {
    let o = lemma(&["describe", "corruptions", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v["corruptions"].as_array().unwrap();
    assert_eq!(list.len(), 24);
    let fog = list.iter().find(|c| c["id"] == "fog").unwrap();
    assert_eq!(fog["levels"][4], serde_json::json!([3.0, 1.4, 256.0]));
    let o = lemma(&["describe", "mnist-c"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("canny_edges") && text.contains("deviations:"));
    assert!(!text.contains("jpeg_compression —"));
}
