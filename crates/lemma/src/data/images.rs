//! Labelled grayscale image datasets (MNIST, Fashion-MNIST) for the CNN demos.
//!
//! Host-free: everything works on byte slices, so the CLI (which reads files) and the browser
//! (which fetches them) share one parser.
//!
//! * [`ImageSet`]: `u8` pixels, image-major and row-major, with one label per image.
//! * [`Dataset`]: a named train/test pair. [`Dataset::stratified`] makes a seeded per-class split,
//!   [`Dataset::subsample`] a seeded stratified subset, [`Dataset::from_idx`] keeps the official
//!   split of IDX files (plain or gzip-compressed, see [`read_idx_images`]).
//!
//! # File format (`LMDS`, version 1)
//!
//! All integers little-endian, in this order:
//!
//! | bytes          | field                                                    |
//! |----------------|----------------------------------------------------------|
//! | 4              | magic `LMDS`                                             |
//! | 4 (u32)        | format version (1)                                       |
//! | 4 (u32)        | name length `L` (at most 256)                            |
//! | `L`            | name, UTF-8                                              |
//! | 4 (u32)        | number of classes `K` (1 to 256)                         |
//! | 4 + 4 (u32)    | rows, cols (each at least 1)                             |
//! | 8 (u64)        | seed of the split                                        |
//! | 4 + 4 (u32)    | `n_train`, `n_test`                                      |
//! | `n_train`      | train labels, one byte each, `< K`                       |
//! | `n_test`       | test labels                                              |
//! | `n_train·r·c`  | train pixels, image-major, row-major                     |
//! | `n_test·r·c`   | test pixels                                              |
//! | 4 (u32)        | CRC-32 (IEEE) of every preceding byte                    |
//!
//! [`Dataset::from_bytes`] rejects a wrong magic or version, a short or over-long file (naming the
//! expected and the found size), a checksum mismatch and labels outside `0..K`.

use crate::rng::Rng;
use std::borrow::Cow;
use std::io::Read;

/// The four bytes every dataset file starts with.
pub const MAGIC: [u8; 4] = *b"LMDS";
/// The format version this module writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Longest dataset name the format accepts, in bytes.
pub const MAX_NAME_LEN: usize = 256;
/// Most classes a dataset may have (labels are single bytes).
pub const MAX_CLASSES: usize = 256;

/// Stream of [`Rng`] used by [`Dataset::subsample`], so it never replays the split's draws.
const SUBSAMPLE_STREAM: u64 = 1;
/// IDX magic of an unsigned-byte 3-d array (images).
const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// IDX magic of an unsigned-byte 1-d array (labels).
const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// Why a dataset could not be read or built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// The file does not start with `LMDS`.
    #[error("not a Lemma dataset file: starts with {found:02x?}, expected the magic \"LMDS\"")]
    BadMagic {
        /// The first bytes found.
        found: Vec<u8>,
    },
    /// The file was written by another format version.
    #[error("unsupported dataset format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The input ends before the data its header announces.
    #[error("truncated {what}: expected {expected} bytes, found {found}")]
    Truncated {
        /// Which input ("dataset file", "IDX image file", ...).
        what: &'static str,
        /// Bytes needed.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The input is longer than its header announces.
    #[error("{what} has {found} bytes, but its header announces {expected}")]
    TrailingBytes {
        /// Which input.
        what: &'static str,
        /// Bytes announced.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The stored checksum does not match the content.
    #[error(
        "dataset file is corrupt: checksum {computed:08x} does not match the stored {stored:08x}"
    )]
    ChecksumMismatch {
        /// Checksum stored in the file.
        stored: u32,
        /// Checksum of the content.
        computed: u32,
    },
    /// A label is not below the number of classes.
    #[error("{split} label {index} is {label}, but the dataset has {classes} classes")]
    LabelOutOfRange {
        /// `"train"` or `"test"`.
        split: &'static str,
        /// Position of the image.
        index: usize,
        /// The label.
        label: u8,
        /// Number of classes.
        classes: usize,
    },
    /// An IDX file has the wrong magic number.
    #[error("{what}: magic is {found:#010x}, expected {expected:#010x}{hint}")]
    IdxMagic {
        /// Which input.
        what: &'static str,
        /// Magic found.
        found: u32,
        /// Magic expected.
        expected: u32,
        /// A hint when the file is the other IDX kind.
        hint: &'static str,
    },
    /// Image and label files disagree on the number of samples.
    #[error("{split}: {images} images but {labels} labels")]
    CountMismatch {
        /// `"train"` or `"test"`.
        split: &'static str,
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// A gzip stream could not be inflated.
    #[error("{what}: gzip stream is corrupt ({reason})")]
    Gzip {
        /// Which input.
        what: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// Any other inconsistent input (shapes, sizes, names, fractions).
    #[error("{0}")]
    Invalid(String),
}

/// Images of one split with their labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSet {
    /// Pixel rows per image.
    pub rows: usize,
    /// Pixel columns per image.
    pub cols: usize,
    /// One label per image.
    pub labels: Vec<u8>,
    /// `len() · rows · cols` gray values, image-major, row-major.
    pub pixels: Vec<u8>,
}

impl ImageSet {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (`rows · cols`).
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i`. Panics if `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Writes image `i` scaled to [0, 1] (`v / 255`) into `out`. Panics if `i >= len()` or
    /// `out.len() != image_len()`.
    pub fn image_f32(&self, i: usize, out: &mut [f32]) {
        assert_eq!(out.len(), self.image_len(), "image_f32: output length");
        for (o, &v) in out.iter_mut().zip(self.image(i)) {
            *o = f32::from(v) / 255.0;
        }
    }

    /// The images at `indices`, in that order (repeats allowed). Panics on an index `>= len()`.
    pub fn subset(&self, indices: &[usize]) -> ImageSet {
        let mut pixels = Vec::with_capacity(indices.len() * self.image_len());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        ImageSet {
            rows: self.rows,
            cols: self.cols,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            pixels,
        }
    }

    /// Number of images of each class `0..classes` (labels `>= classes` are not counted).
    pub fn class_counts(&self, classes: usize) -> Vec<usize> {
        let mut counts = vec![0; classes];
        for &l in &self.labels {
            if let Some(c) = counts.get_mut(usize::from(l)) {
                *c += 1;
            }
        }
        counts
    }

    /// Checks the pixel count and that every label is below `classes`.
    fn check(&self, split: &'static str, classes: usize) -> Result<(), DataError> {
        if self.pixels.len() != self.len() * self.image_len() {
            return Err(DataError::Invalid(format!(
                "{split}: {} pixels for {} images of {}×{}",
                self.pixels.len(),
                self.len(),
                self.rows,
                self.cols
            )));
        }
        match self.labels.iter().position(|&l| usize::from(l) >= classes) {
            Some(index) => Err(DataError::LabelOutOfRange {
                split,
                index,
                label: self.labels[index],
                classes,
            }),
            None => Ok(()),
        }
    }
}

/// A named dataset with a train and a test split of equally sized images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Short name, e.g. `fashion-mnist`.
    pub name: String,
    /// Number of classes; every label is below it.
    pub classes: usize,
    /// Seed of the split (or of the subsample that made this set; 0 for an official split).
    pub seed: u64,
    /// Training images.
    pub train: ImageSet,
    /// Test images.
    pub test: ImageSet,
}

impl Dataset {
    /// Checks the invariants the file format relies on.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.name.len() > MAX_NAME_LEN {
            return Err(DataError::Invalid(format!(
                "dataset name is {} bytes long (at most {MAX_NAME_LEN})",
                self.name.len()
            )));
        }
        check_shape(self.classes, self.train.rows, self.train.cols)?;
        if (self.test.rows, self.test.cols) != (self.train.rows, self.train.cols) {
            return Err(DataError::Invalid(format!(
                "train images are {}×{} but test images are {}×{}",
                self.train.rows, self.train.cols, self.test.rows, self.test.cols
            )));
        }
        for (split, set) in [("train", &self.train), ("test", &self.test)] {
            if u32::try_from(set.len()).is_err() {
                return Err(DataError::Invalid(format!(
                    "{split} has {} images (at most {})",
                    set.len(),
                    u32::MAX
                )));
            }
            set.check(split, self.classes)?;
        }
        Ok(())
    }

    /// Serialises into the `LMDS` format (see the module docs). The fields are written as they
    /// are; [`Dataset::validate`] tells whether [`Dataset::from_bytes`] will accept the result.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = self.train.len() + self.test.len() + self.train.pixels.len();
        let mut out = Vec::with_capacity(48 + self.name.len() + payload + self.test.pixels.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        put_u32(&mut out, self.name.len());
        out.extend_from_slice(self.name.as_bytes());
        put_u32(&mut out, self.classes);
        put_u32(&mut out, self.train.rows);
        put_u32(&mut out, self.train.cols);
        out.extend_from_slice(&self.seed.to_le_bytes());
        put_u32(&mut out, self.train.len());
        put_u32(&mut out, self.test.len());
        out.extend_from_slice(&self.train.labels);
        out.extend_from_slice(&self.test.labels);
        out.extend_from_slice(&self.train.pixels);
        out.extend_from_slice(&self.test.pixels);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and checks an `LMDS` file (see the module docs for what is rejected).
    pub fn from_bytes(bytes: &[u8]) -> Result<Dataset, DataError> {
        const WHAT: &str = "dataset file";
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(DataError::BadMagic {
                found: bytes[..bytes.len().min(MAGIC.len())].to_vec(),
            });
        }
        let mut r = Reader::new(bytes, WHAT, MAGIC.len());
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(DataError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let name_len = r.u32()? as usize;
        if name_len > MAX_NAME_LEN {
            return Err(DataError::Invalid(format!(
                "dataset name length is {name_len} bytes (at most {MAX_NAME_LEN}); the file is corrupt"
            )));
        }
        let name = std::str::from_utf8(r.take(name_len)?)
            .map_err(|e| DataError::Invalid(format!("dataset name is not UTF-8: {e}")))?
            .to_owned();
        let classes = r.u32()? as usize;
        let rows = r.u32()? as usize;
        let cols = r.u32()? as usize;
        let seed = u64::from_le_bytes(r.array()?);
        let n_train = r.u32()? as usize;
        let n_test = r.u32()? as usize;
        check_shape(classes, rows, cols)?;
        let expected = (|| {
            let images = n_train.checked_add(n_test)?;
            let pixels = images.checked_mul(rows)?.checked_mul(cols)?;
            r.pos
                .checked_add(images)?
                .checked_add(pixels)?
                .checked_add(4)
        })()
        .ok_or_else(|| DataError::Invalid("dataset header announces an impossible size".into()))?;
        if bytes.len() < expected {
            return Err(DataError::Truncated {
                what: WHAT,
                expected,
                found: bytes.len(),
            });
        }
        if bytes.len() > expected {
            return Err(DataError::TrailingBytes {
                what: WHAT,
                expected,
                found: bytes.len(),
            });
        }
        let (content, stored) = bytes.split_at(expected - 4);
        let stored = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
        let computed = crc32fast::hash(content);
        if stored != computed {
            return Err(DataError::ChecksumMismatch { stored, computed });
        }
        let train_labels = r.take(n_train)?.to_vec();
        let test_labels = r.take(n_test)?.to_vec();
        let train_pixels = r.take(n_train * rows * cols)?.to_vec();
        let test_pixels = r.take(n_test * rows * cols)?.to_vec();
        let set = |labels, pixels| ImageSet {
            rows,
            cols,
            labels,
            pixels,
        };
        let dataset = Dataset {
            name,
            classes,
            seed,
            train: set(train_labels, train_pixels),
            test: set(test_labels, test_pixels),
        };
        dataset.validate()?;
        Ok(dataset)
    }

    /// Seeded stratified split of `per_class[c]` = the images of class `c` (each `rows · cols`
    /// bytes). Per class, the indices are shuffled (Fisher–Yates with [`Rng::below`], one
    /// [`Rng::new`]`(seed)` stream for the whole call, classes in order); the first
    /// `round(test_fraction · n_c)` go to test, the rest to train. Then the train order and the
    /// test order are shuffled with the same stream, so batches mix the classes.
    pub fn stratified(
        name: &str,
        per_class: Vec<Vec<Vec<u8>>>,
        rows: usize,
        cols: usize,
        test_fraction: f64,
        seed: u64,
    ) -> Result<Dataset, DataError> {
        check_shape(per_class.len(), rows, cols)?;
        if !(0.0..=1.0).contains(&test_fraction) {
            return Err(DataError::Invalid(format!(
                "test fraction {test_fraction} is not in [0, 1]"
            )));
        }
        let image_len = rows * cols;
        for (class, images) in per_class.iter().enumerate() {
            if let Some(i) = images.iter().position(|im| im.len() != image_len) {
                return Err(DataError::Invalid(format!(
                    "class {class} image {i} has {} pixels, expected {rows}×{cols} = {image_len}",
                    images[i].len()
                )));
            }
        }
        let mut rng = Rng::new(seed);
        let mut train = Vec::new();
        let mut test = Vec::new();
        for (class, images) in per_class.iter().enumerate() {
            let mut order: Vec<usize> = (0..images.len()).collect();
            shuffle(&mut order, &mut rng);
            let n_test = (test_fraction * images.len() as f64).round() as usize;
            test.extend(order[..n_test].iter().map(|&i| (class, i)));
            train.extend(order[n_test..].iter().map(|&i| (class, i)));
        }
        shuffle(&mut train, &mut rng);
        shuffle(&mut test, &mut rng);
        let gather = |picks: &[(usize, usize)]| {
            let mut pixels = Vec::with_capacity(picks.len() * image_len);
            for &(class, i) in picks {
                pixels.extend_from_slice(&per_class[class][i]);
            }
            ImageSet {
                rows,
                cols,
                labels: picks.iter().map(|&(class, _)| class as u8).collect(),
                pixels,
            }
        };
        let dataset = Dataset {
            name: name.to_owned(),
            classes: per_class.len(),
            seed,
            train: gather(&train),
            test: gather(&test),
        };
        dataset.validate()?;
        Ok(dataset)
    }

    /// Seeded stratified subset with `train_total` train and `test_total` test images. Each class
    /// gets its share of a split in proportion to its count there (largest remainders, ties to
    /// the lower class), drawn without replacement; the result is shuffled. Uses its own [`Rng`]
    /// stream of `seed`, and records `seed` as the new dataset's seed.
    pub fn subsample(
        &self,
        train_total: usize,
        test_total: usize,
        seed: u64,
    ) -> Result<Dataset, DataError> {
        self.validate()?;
        let mut rng = Rng::stream(seed, SUBSAMPLE_STREAM);
        let train = stratified_subset(&self.train, self.classes, train_total, "train", &mut rng)?;
        let test = stratified_subset(&self.test, self.classes, test_total, "test", &mut rng)?;
        Ok(Dataset {
            name: self.name.clone(),
            classes: self.classes,
            seed,
            train,
            test,
        })
    }

    /// A dataset from the four IDX files of an official release (each plain or gzip-compressed),
    /// keeping their split and order. `classes` is the largest label + 1; `seed` is 0.
    pub fn from_idx(
        name: &str,
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<Dataset, DataError> {
        let split = |split: &'static str, images: &[u8], labels: &[u8]| {
            let (rows, cols, pixels) = read_idx_images(images)?;
            let labels = read_idx_labels(labels)?;
            let n_images = pixels.len() / (rows * cols);
            if n_images != labels.len() {
                return Err(DataError::CountMismatch {
                    split,
                    images: n_images,
                    labels: labels.len(),
                });
            }
            Ok(ImageSet {
                rows,
                cols,
                labels,
                pixels,
            })
        };
        let train = split("train", train_images, train_labels)?;
        let test = split("test", test_images, test_labels)?;
        let classes = train
            .labels
            .iter()
            .chain(&test.labels)
            .max()
            .map(|&l| usize::from(l) + 1)
            .ok_or_else(|| DataError::Invalid("the IDX files hold no images".into()))?;
        let dataset = Dataset {
            name: name.to_owned(),
            classes,
            seed: 0,
            train,
            test,
        };
        dataset.validate()?;
        Ok(dataset)
    }
}

/// The CRC-32 stored at the end of an `LMDS` file (`None` if it is shorter than 4 bytes). It does
/// not check the file; [`Dataset::from_bytes`] does.
pub fn file_checksum(bytes: &[u8]) -> Option<u32> {
    let tail = bytes.len().checked_sub(4).map(|start| &bytes[start..])?;
    Some(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]))
}

/// Parses an IDX image file (magic `0x00000803`, big-endian count, rows, cols, then the pixels),
/// plain or gzip-compressed. Returns `(rows, cols, pixels)`.
pub fn read_idx_images(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), DataError> {
    const WHAT: &str = "IDX image file";
    let bytes = gunzip_if_compressed(bytes, WHAT)?;
    let mut r = Reader::new(&bytes, WHAT, 0);
    check_idx_magic(r.u32_be()?, IDX_IMAGES_MAGIC, WHAT)?;
    let n = r.u32_be()? as usize;
    let rows = r.u32_be()? as usize;
    let cols = r.u32_be()? as usize;
    if rows == 0 || cols == 0 {
        return Err(DataError::Invalid(format!(
            "{WHAT}: images are {rows}×{cols}"
        )));
    }
    let pixels = n
        .checked_mul(rows)
        .and_then(|p| p.checked_mul(cols))
        .ok_or_else(|| {
            DataError::Invalid(format!("{WHAT}: header announces an impossible size"))
        })?;
    let pixels = r.take_exactly_rest(pixels)?.to_vec();
    Ok((rows, cols, pixels))
}

/// Parses an IDX label file (magic `0x00000801`, big-endian count, then one byte per label),
/// plain or gzip-compressed.
pub fn read_idx_labels(bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    const WHAT: &str = "IDX label file";
    let bytes = gunzip_if_compressed(bytes, WHAT)?;
    let mut r = Reader::new(&bytes, WHAT, 0);
    check_idx_magic(r.u32_be()?, IDX_LABELS_MAGIC, WHAT)?;
    let n = r.u32_be()? as usize;
    Ok(r.take_exactly_rest(n)?.to_vec())
}

fn check_idx_magic(found: u32, expected: u32, what: &'static str) -> Result<(), DataError> {
    if found == expected {
        return Ok(());
    }
    let hint = match found {
        IDX_LABELS_MAGIC => " (this is an IDX label file)",
        IDX_IMAGES_MAGIC => " (this is an IDX image file)",
        _ => "",
    };
    Err(DataError::IdxMagic {
        what,
        found,
        expected,
        hint,
    })
}

/// Inflates `bytes` when they start with the gzip magic `1f 8b`; otherwise borrows them.
fn gunzip_if_compressed<'a>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<Cow<'a, [u8]>, DataError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip {
            what,
            reason: e.to_string(),
        })?;
    Ok(Cow::Owned(out))
}

fn check_shape(classes: usize, rows: usize, cols: usize) -> Result<(), DataError> {
    if !(1..=MAX_CLASSES).contains(&classes) {
        return Err(DataError::Invalid(format!(
            "{classes} classes (must be 1 to {MAX_CLASSES})"
        )));
    }
    if rows == 0 || cols == 0 || u32::try_from(rows).is_err() || u32::try_from(cols).is_err() {
        return Err(DataError::Invalid(format!(
            "images are {rows}×{cols} (each side must be 1 to {})",
            u32::MAX
        )));
    }
    Ok(())
}

/// Fisher–Yates shuffle driven by [`Rng::below`].
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// Largest-remainder quotas: `total · counts[c] / Σ counts`, summing to `total`.
fn proportional_quotas(counts: &[usize], total: usize) -> Vec<usize> {
    let sum: usize = counts.iter().sum();
    if sum == 0 {
        return vec![0; counts.len()];
    }
    let exact: Vec<(usize, usize)> = counts
        .iter()
        .map(|&n| {
            let scaled = n as u128 * total as u128;
            (
                (scaled / sum as u128) as usize,
                (scaled % sum as u128) as usize,
            )
        })
        .collect();
    let mut quotas: Vec<usize> = exact.iter().map(|&(q, _)| q).collect();
    let missing = total - quotas.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for &c in by_remainder.iter().take(missing) {
        quotas[c] += 1;
    }
    quotas
}

fn stratified_subset(
    set: &ImageSet,
    classes: usize,
    total: usize,
    split: &'static str,
    rng: &mut Rng,
) -> Result<ImageSet, DataError> {
    if total > set.len() {
        return Err(DataError::Invalid(format!(
            "cannot take {total} {split} images from {}",
            set.len()
        )));
    }
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &l) in set.labels.iter().enumerate() {
        if let Some(members) = by_class.get_mut(usize::from(l)) {
            members.push(i);
        }
    }
    let counts: Vec<usize> = by_class.iter().map(Vec::len).collect();
    let quotas = proportional_quotas(&counts, total);
    let mut picks = Vec::with_capacity(total);
    for (members, quota) in by_class.iter_mut().zip(quotas) {
        shuffle(members, rng);
        picks.extend_from_slice(&members[..quota]);
    }
    shuffle(&mut picks, rng);
    Ok(set.subset(&picks))
}

fn put_u32(out: &mut Vec<u8>, value: usize) {
    // Callers pass sizes that `Dataset::validate` bounds by u32; saturate rather than wrap otherwise.
    out.extend_from_slice(&u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes());
}

/// A cursor over a byte slice whose reads fail with [`DataError::Truncated`].
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str, pos: usize) -> Self {
        Self { bytes, what, pos }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DataError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(DataError::Truncated {
                what: self.what,
                expected: self.pos.saturating_add(n),
                found: self.bytes.len(),
            });
        };
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// The next `n` bytes, which must also be the last ones.
    fn take_exactly_rest(&mut self, n: usize) -> Result<&'a [u8], DataError> {
        let out = self.take(n)?;
        if self.pos != self.bytes.len() {
            return Err(DataError::TrailingBytes {
                what: self.what,
                expected: self.pos,
                found: self.bytes.len(),
            });
        }
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DataError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, DataError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u32_be(&mut self) -> Result<u32, DataError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The dataset whose bytes are written out by hand in `to_bytes_matches_hand_written_layout`.
    fn tiny() -> Dataset {
        Dataset {
            name: "t".into(),
            classes: 2,
            seed: 5,
            train: ImageSet {
                rows: 1,
                cols: 2,
                labels: vec![1, 0],
                pixels: vec![1, 2, 3, 4],
            },
            test: ImageSet {
                rows: 1,
                cols: 2,
                labels: vec![1],
                pixels: vec![5, 6],
            },
        }
    }

    /// `counts[c]` images of class `c`, 2×2, pixel values encoding (class, index) so every
    /// image is unique and traceable.
    fn classes_with(counts: &[usize]) -> Vec<Vec<Vec<u8>>> {
        counts
            .iter()
            .enumerate()
            .map(|(c, &n)| (0..n).map(|i| vec![c as u8, i as u8, 7, 9]).collect())
            .collect()
    }

    /// Recomputes the trailing checksum after a deliberate edit of the content.
    fn reseal(bytes: &mut [u8]) {
        let end = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    }

    #[test]
    fn to_bytes_matches_hand_written_layout() {
        let mut expected = b"LMDS".to_vec();
        expected.extend([1, 0, 0, 0]); // version
        expected.extend([1, 0, 0, 0]); // name length
        expected.extend(b"t");
        expected.extend([2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]); // classes, rows, cols
        expected.extend([5, 0, 0, 0, 0, 0, 0, 0]); // seed
        expected.extend([2, 0, 0, 0, 1, 0, 0, 0]); // n_train, n_test
        expected.extend([1, 0, 1]); // labels
        expected.extend([1, 2, 3, 4, 5, 6]); // pixels
        // CRC-32 (IEEE) of the 50 bytes above, computed independently (Python's zlib.crc32).
        expected.extend(0x12e7_4bb5_u32.to_le_bytes());
        let bytes = tiny().to_bytes();
        assert_eq!(bytes, expected);
        assert_eq!(file_checksum(&bytes), Some(0x12e7_4bb5));
        assert_eq!(Dataset::from_bytes(&bytes), Ok(tiny()));
    }

    #[test]
    fn round_trip_of_a_stratified_split() {
        let d = Dataset::stratified("fake", classes_with(&[10, 7, 3]), 2, 2, 0.3, 11).unwrap();
        let back = Dataset::from_bytes(&d.to_bytes()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.to_bytes(), d.to_bytes());
    }

    #[test]
    fn stratification_gives_exact_class_counts_and_uses_every_image_once() {
        // round(0.3·10) = 3, round(0.3·7) = round(2.1) = 2, round(0.3·3) = round(0.9) = 1.
        let d = Dataset::stratified("fake", classes_with(&[10, 7, 3]), 2, 2, 0.3, 3).unwrap();
        assert_eq!(d.classes, 3);
        assert_eq!(d.test.class_counts(3), vec![3, 2, 1]);
        assert_eq!(d.train.class_counts(3), vec![7, 5, 2]);
        let mut seen: Vec<(u8, u8)> = Vec::new();
        for set in [&d.train, &d.test] {
            for i in 0..set.len() {
                let im = set.image(i);
                assert_eq!(im[0], set.labels[i], "label travels with its image");
                assert_eq!(&im[2..], &[7, 9]);
                seen.push((im[0], im[1]));
            }
        }
        seen.sort_unstable();
        let all: Vec<(u8, u8)> = [10u8, 7, 3]
            .iter()
            .enumerate()
            .flat_map(|(c, &n)| (0..n).map(move |i| (c as u8, i)))
            .collect();
        assert_eq!(seen, all);
        // The train order is mixed, not grouped by class.
        assert!(d.train.labels.windows(2).any(|w| w[0] > w[1]));
        // Edge fractions.
        let all_train = Dataset::stratified("f", classes_with(&[4, 2]), 2, 2, 0.0, 0).unwrap();
        assert_eq!((all_train.train.len(), all_train.test.len()), (6, 0));
        let all_test = Dataset::stratified("f", classes_with(&[4, 2]), 2, 2, 1.0, 0).unwrap();
        assert_eq!((all_test.train.len(), all_test.test.len()), (0, 6));
    }

    #[test]
    fn same_inputs_and_seed_give_same_bytes() {
        let make = |seed| {
            Dataset::stratified("fake", classes_with(&[9, 8, 5]), 2, 2, 0.25, seed)
                .unwrap()
                .to_bytes()
        };
        assert_eq!(make(42), make(42));
        assert_ne!(make(42), make(43));
        let d = Dataset::from_bytes(&make(42)).unwrap();
        assert_eq!(d.subsample(6, 3, 1), d.subsample(6, 3, 1));
        assert_ne!(d.subsample(6, 3, 1), d.subsample(6, 3, 2));
    }

    #[test]
    fn stratified_rejects_bad_arguments() {
        let err = |r: Result<Dataset, DataError>| r.unwrap_err().to_string();
        let mut odd = classes_with(&[2, 2]);
        odd[1][1].pop();
        assert_eq!(
            err(Dataset::stratified("f", odd, 2, 2, 0.5, 0)),
            "class 1 image 1 has 3 pixels, expected 2×2 = 4"
        );
        assert_eq!(
            err(Dataset::stratified("f", classes_with(&[2]), 2, 2, 1.5, 0)),
            "test fraction 1.5 is not in [0, 1]"
        );
        assert_eq!(
            err(Dataset::stratified("f", Vec::new(), 2, 2, 0.5, 0)),
            "0 classes (must be 1 to 256)"
        );
        assert_eq!(
            err(Dataset::stratified("f", classes_with(&[1]), 0, 2, 0.5, 0)),
            format!("images are 0×2 (each side must be 1 to {})", u32::MAX)
        );
    }

    #[test]
    fn quotas_follow_largest_remainders() {
        // 7·[7, 5, 2]/14 = [3.5, 2.5, 1]: floors sum to 6, the tie goes to class 0.
        assert_eq!(proportional_quotas(&[7, 5, 2], 7), vec![4, 2, 1]);
        assert_eq!(proportional_quotas(&[6000; 10], 8000), vec![800; 10]);
        assert_eq!(proportional_quotas(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(proportional_quotas(&[5, 0, 5], 10), vec![5, 0, 5]);
    }

    #[test]
    fn subsample_is_stratified_and_draws_distinct_images() {
        let d = Dataset::stratified("fake", classes_with(&[10, 7, 3]), 2, 2, 0.3, 3).unwrap();
        let s = d.subsample(7, 3, 9).unwrap();
        assert_eq!(s.train.class_counts(3), vec![4, 2, 1]);
        // Test counts [3, 2, 1], 3 of 6: exact [1.5, 1, 0.5], the tie goes to class 0.
        assert_eq!(s.test.class_counts(3), vec![2, 1, 0]);
        assert_eq!((s.name.as_str(), s.seed), ("fake", 9));
        for (sub, full) in [(&s.train, &d.train), (&s.test, &d.test)] {
            let mut ims: Vec<&[u8]> = (0..sub.len()).map(|i| sub.image(i)).collect();
            for im in &ims {
                assert!((0..full.len()).any(|j| full.image(j) == *im));
            }
            ims.sort_unstable();
            ims.dedup();
            assert_eq!(ims.len(), sub.len(), "no image drawn twice");
        }
        assert_eq!(
            d.subsample(15, 1, 0).unwrap_err().to_string(),
            "cannot take 15 train images from 14"
        );
    }

    #[test]
    fn image_accessors() {
        let set = ImageSet {
            rows: 1,
            cols: 3,
            labels: vec![0, 1],
            pixels: vec![0, 255, 51, 1, 2, 3],
        };
        assert_eq!(set.image(1), &[1, 2, 3]);
        let mut out = [9.0f32; 3];
        set.image_f32(0, &mut out);
        assert_eq!(out, [0.0, 1.0, 51.0 / 255.0]);
        assert!((out[2] - 0.2).abs() < 1e-7);
        let sub = set.subset(&[1, 1, 0]);
        assert_eq!(sub.labels, vec![1, 1, 0]);
        assert_eq!(sub.pixels, vec![1, 2, 3, 1, 2, 3, 0, 255, 51]);
        assert_eq!(set.class_counts(3), vec![1, 1, 0]);
    }

    #[test]
    fn malformed_files_are_rejected_with_clear_messages() {
        let good = tiny().to_bytes();
        let err = |b: &[u8]| Dataset::from_bytes(b).unwrap_err().to_string();

        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(
            err(&bad),
            "not a Lemma dataset file: starts with [58, 4d, 44, 53], expected the magic \"LMDS\""
        );
        assert!(matches!(
            Dataset::from_bytes(b"LM"),
            Err(DataError::BadMagic { .. })
        ));

        let mut bad = good.clone();
        bad[4] = 2;
        assert_eq!(
            err(&bad),
            "unsupported dataset format version 2 (this build reads version 1)"
        );

        assert_eq!(
            err(&good[..good.len() - 3]),
            "truncated dataset file: expected 54 bytes, found 51"
        );
        assert_eq!(
            err(&good[..10]),
            "truncated dataset file: expected 12 bytes, found 10"
        );
        let mut long = good.clone();
        long.push(0);
        assert_eq!(
            err(&long),
            "dataset file has 55 bytes, but its header announces 54"
        );

        let mut bad = good.clone();
        bad[47] ^= 1; // a pixel
        assert_eq!(
            err(&bad),
            format!(
                "dataset file is corrupt: checksum {:08x} does not match the stored 12e74bb5",
                crc32fast::hash(&bad[..50])
            )
        );

        let mut bad = good.clone();
        bad[42] = 2; // second train label, with a valid checksum
        reseal(&mut bad);
        assert_eq!(
            err(&bad),
            "train label 1 is 2, but the dataset has 2 classes"
        );
        assert_eq!(
            Dataset::from_bytes(&bad).unwrap_err(),
            DataError::LabelOutOfRange {
                split: "train",
                index: 1,
                label: 2,
                classes: 2
            }
        );
    }

    fn idx_images(n: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, 3];
        for v in [n, rows, cols] {
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

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn idx_files_parse_plain_and_gzipped() {
        let images = idx_images(2, 2, 3, &[0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
        assert_eq!(
            &images[..16],
            &[0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]
        );
        let parsed = read_idx_images(&images).unwrap();
        assert_eq!(
            parsed,
            (2, 3, vec![0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15])
        );
        assert_eq!(read_idx_images(&gzip(&images)).unwrap(), parsed);
        let labels = idx_labels(&[3, 1]);
        assert_eq!(read_idx_labels(&labels).unwrap(), vec![3, 1]);
        assert_eq!(read_idx_labels(&gzip(&labels)).unwrap(), vec![3, 1]);

        let test_images = idx_images(1, 2, 3, &[9; 6]);
        let test_labels = idx_labels(&[0]);
        let d =
            Dataset::from_idx("idx", &gzip(&images), &labels, &test_images, &test_labels).unwrap();
        assert_eq!((d.classes, d.seed, d.name.as_str()), (4, 0, "idx"));
        assert_eq!(d.train.labels, vec![3, 1]);
        assert_eq!(d.train.image(1), &[10, 11, 12, 13, 14, 15]);
        assert_eq!((d.test.len(), d.test.image(0)), (1, &[9u8; 6][..]));
    }

    #[test]
    fn malformed_idx_files_are_rejected() {
        let images = idx_images(2, 1, 2, &[1, 2, 3, 4]);
        let labels = idx_labels(&[0, 1]);
        assert_eq!(
            read_idx_images(&labels).unwrap_err().to_string(),
            "IDX image file: magic is 0x00000801, expected 0x00000803 (this is an IDX label file)"
        );
        assert_eq!(
            read_idx_labels(&[1, 2, 3, 4, 0, 0, 0, 0])
                .unwrap_err()
                .to_string(),
            "IDX label file: magic is 0x01020304, expected 0x00000801"
        );
        assert_eq!(
            read_idx_images(&images[..18]).unwrap_err().to_string(),
            "truncated IDX image file: expected 20 bytes, found 18"
        );
        assert_eq!(
            read_idx_images(&images[..7]).unwrap_err().to_string(),
            "truncated IDX image file: expected 8 bytes, found 7"
        );
        assert_eq!(
            read_idx_labels(&labels[..9]).unwrap_err().to_string(),
            "truncated IDX label file: expected 10 bytes, found 9"
        );
        let mut long = labels.clone();
        long.push(1);
        assert_eq!(
            read_idx_labels(&long).unwrap_err().to_string(),
            "IDX label file has 11 bytes, but its header announces 10"
        );
        let mut broken = gzip(&images);
        broken.truncate(broken.len() / 2);
        assert!(matches!(
            read_idx_images(&broken),
            Err(DataError::Gzip {
                what: "IDX image file",
                ..
            })
        ));
        assert_eq!(
            Dataset::from_idx("x", &images, &idx_labels(&[0, 1, 1]), &images, &labels)
                .unwrap_err()
                .to_string(),
            "train: 2 images but 3 labels"
        );
        let wide = idx_images(1, 1, 3, &[1, 2, 3]);
        assert_eq!(
            Dataset::from_idx("x", &images, &labels, &wide, &idx_labels(&[0]))
                .unwrap_err()
                .to_string(),
            "train images are 1×2 but test images are 1×3"
        );
    }
}
