//! Common corruptions regenerated from their definitions (`corruptions.md`): the 15 CIFAR-10-C
//! corruption types at five severities on gray images ("MNIST-C-5sev-repro") and MNIST-C's 15
//! official corruptions ("MNIST-C-repro").
//!
//! * [`Image`]: a validated gray image, `f32` pixels in [0, 1], any size from 8×8 to 1024×1024.
//! * [`registry`]: every corruption with its parameters per severity, source and deviations, and
//!   the two suites; [`Corruption::apply`] corrupts one image.
//! * Randomness is counter-based: each (corruption, severity, image index, seed) gets its own
//!   generator ([`image_rng`]), so any image of a suite can be made alone, in any order, and the
//!   same Rust code gives identical bytes natively and in wasm (integer RNG, `libm`, fixed-order
//!   sums).
//! * Building blocks (filters, resampling, textures, Canny) live in their own files and are written
//!   once; every size-dependent constant comes from the image size.

mod blur;
mod digital;
mod edges;
mod filter;
mod geometry;
mod mnist_c;
mod noise;
pub mod registry;
mod texture;
mod weather;

pub use registry::{Corruption, Suite, corruptions, find, find_suite, suites};

use crate::rng::Rng;
use thiserror::Error;

/// Smallest supported side (the affine and glass-blur neighbourhoods need room).
pub const MIN_SIDE: usize = 8;
/// Largest supported side (keeps the plasma map and kernels bounded).
pub const MAX_SIDE: usize = 1024;

/// Why a corruption could not be applied.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CorruptError {
    /// The image size is outside the supported range.
    #[error(
        "image size {height}×{width} is not supported (each side must be {MIN_SIDE}..={MAX_SIDE})"
    )]
    Size {
        /// Rows.
        height: usize,
        /// Columns.
        width: usize,
    },
    /// The pixel buffer does not hold height·width values.
    #[error("image of {height}×{width} needs {} pixels, got {got}", height * width)]
    Length {
        /// Rows.
        height: usize,
        /// Columns.
        width: usize,
        /// Pixels given.
        got: usize,
    },
    /// A pixel is not a finite value in [0, 1].
    #[error("pixel {index} is {value}, expected a value in [0, 1]")]
    Pixel {
        /// Position in the row-major buffer.
        index: usize,
        /// The offending value.
        value: f32,
    },
    /// No corruption of that name.
    #[error("unknown corruption {0:?} (run `lemma describe corruptions` for the list)")]
    UnknownCorruption(String),
    /// No suite of that name.
    #[error("unknown suite {0:?} (expected `5sev` or `mnist-c`)")]
    UnknownSuite(String),
    /// The severity is not one the corruption defines.
    #[error("corruption `{corruption}` has severities 1..={max}, got {severity}")]
    Severity {
        /// Corruption id.
        corruption: String,
        /// Requested severity.
        severity: u32,
        /// Highest severity defined.
        max: usize,
    },
    /// The JPEG codec failed.
    #[error("JPEG round trip failed: {0}")]
    Jpeg(String),
}

/// A gray image: row-major `f32` pixels in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    height: usize,
    width: usize,
    pixels: Vec<f32>,
}

impl Image {
    /// Checks the size, the buffer length and that every pixel is a finite value in [0, 1].
    pub fn new(height: usize, width: usize, pixels: Vec<f32>) -> Result<Self, CorruptError> {
        let sides = MIN_SIDE..=MAX_SIDE;
        if !sides.contains(&height) || !sides.contains(&width) {
            return Err(CorruptError::Size { height, width });
        }
        if pixels.len() != height * width {
            return Err(CorruptError::Length {
                height,
                width,
                got: pixels.len(),
            });
        }
        if let Some((index, &value)) = pixels
            .iter()
            .enumerate()
            .find(|(_, v)| !(0.0..=1.0).contains(*v))
        {
            return Err(CorruptError::Pixel { index, value });
        }
        Ok(Self {
            height,
            width,
            pixels,
        })
    }

    /// An image from 8-bit pixels (`x/255`).
    pub fn from_u8(height: usize, width: usize, bytes: &[u8]) -> Result<Self, CorruptError> {
        Self::new(
            height,
            width,
            bytes.iter().map(|&b| f32::from(b) / 255.0).collect(),
        )
    }

    /// Rows.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Row-major pixels.
    pub fn pixels(&self) -> &[f32] {
        &self.pixels
    }

    /// 8-bit pixels as the generators saved them: `x·255` truncated (`np.uint8`). A tolerance of
    /// 1e-4 absorbs the representation error of `k/255`, so a clean image converts back exactly.
    pub fn to_u8(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .map(|&x| (f64::from(x) * 255.0 + 1e-4).clamp(0.0, 255.0) as u8)
            .collect()
    }

    /// Wraps a corruption's raw output: NaN becomes 0 and everything is clipped to [0, 1].
    fn clipped(height: usize, width: usize, raw: Vec<f32>) -> Self {
        let pixels = raw
            .into_iter()
            .map(|v| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) })
            .collect();
        Self {
            height,
            width,
            pixels,
        }
    }
}

/// A synthetic stroke image for tests, benches and the gallery's fallback: an anti-aliased ellipse
/// ring and a straight stroke (width ≈ 3 px) at positions drawn from (`index`, `seed`), quantised to
/// 8 bits like a dataset image. Fails only on an unsupported size.
pub fn synthetic_image(
    height: usize,
    width: usize,
    index: u64,
    seed: u64,
) -> Result<Image, CorruptError> {
    let mut rng = image_rng("synthetic", 0, index, seed);
    let (h, w) = (height as f64, width as f64);
    let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.uniform();
    let (cy, cx) = (draw(0.35, 0.65) * h, draw(0.35, 0.65) * w);
    let (ry, rx) = (draw(0.15, 0.3) * h, draw(0.12, 0.3) * w);
    let (p0, p1) = (
        (draw(0.2, 0.8) * h, draw(0.15, 0.4) * w),
        (draw(0.2, 0.8) * h, draw(0.6, 0.85) * w),
    );
    let pixels = (0..height * width)
        .map(|k| {
            let (r, c) = ((k / width) as f64, (k % width) as f64);
            let radial = libm::hypot((r - cy) / ry, (c - cx) / rx);
            let ring = (radial - 1.0).abs() * ry.min(rx);
            let (dy, dx) = (p1.0 - p0.0, p1.1 - p0.1);
            let t = (((r - p0.0) * dy + (c - p0.1) * dx) / (dy * dy + dx * dx)).clamp(0.0, 1.0);
            let stroke = libm::hypot(r - p0.0 - t * dy, c - p0.1 - t * dx);
            let v = (1.8 - ring.min(stroke)).clamp(0.0, 1.0);
            libm::round(v * 255.0) as f32 / 255.0
        })
        .collect();
    Image::new(height, width, pixels)
}

/// SplitMix64's output function: a bijective 64-bit mixer.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of one corrupted image, keyed by (corruption id, severity, image index, seed):
/// the key is hashed (FNV-1a of the id, then SplitMix64 mixing of each field) into the seed of the
/// project's xoshiro256** generator.
pub fn image_rng(corruption: &str, severity: u8, index: u64, seed: u64) -> Rng {
    let mut key = fnv1a64(corruption.as_bytes());
    for field in [u64::from(severity), index, seed] {
        key = mix64(key ^ mix64(field.wrapping_add(0x9E37_79B9_7F4A_7C15)));
    }
    Rng::new(key)
}

/// Initial state of FNV-1a 64.
const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

/// Continues an FNV-1a 64 hash over more bytes.
fn fnv1a64_extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// FNV-1a 64-bit hash (checksums in manifests and golden files).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_extend(FNV_OFFSET, bytes)
}

/// FNV-1a 64 of the 8-bit outputs of one cell over a set of images (image `i` has index `i`),
/// concatenated in order: the checksum of the cell's IDX pixels, used by manifests, golden files
/// and benches on every host.
pub fn cell_checksum(
    corruption: &Corruption,
    severity: u32,
    images: &[Image],
    seed: u64,
) -> Result<u64, CorruptError> {
    images
        .iter()
        .enumerate()
        .try_fold(FNV_OFFSET, |h, (i, img)| {
            let out = corruption.apply(img, severity, i as u64, seed)?;
            Ok(fnv1a64_extend(h, &out.to_u8()))
        })
}

#[cfg(test)]
mod tests;
