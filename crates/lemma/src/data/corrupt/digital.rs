//! Digital corruptions: contrast, elastic transform, pixelate and the JPEG round trip.

use super::filter::{Border, gaussian_filter};
use super::geometry::{affine_from_points, bilinear_zero, box_resize, invert_affine, warp_inverse};
use super::{CorruptError, Image};
use crate::rng::Rng;

/// `contrast`: `(x − mean)·c + mean` with the image mean.
pub(crate) fn contrast(img: &Image, c: f64) -> Vec<f32> {
    let px = img.pixels();
    let mean = (px.iter().map(|&x| f64::from(x)).sum::<f64>() / px.len() as f64) as f32;
    let c = c as f32;
    px.iter().map(|&x| (x - mean) * c + mean).collect()
}

/// `elastic_transform` with (α, σ, aff) given as fractions of the image side `min(h, w)`:
/// a random affine warp moving the three points centre ± side/3 by U(−aff, aff) each (zero outside,
/// as MNIST-C's `BORDER_CONSTANT`), then displacement fields `dx, dy = gaussian(U(−1, 1), σ,
/// mode constant, truncate 3)·α` read with bilinear interpolation, zero outside.
pub(crate) fn elastic(img: &Image, alpha: f64, sigma: f64, affine: f64, rng: &mut Rng) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let side = h.min(w) as f64;
    let (alpha, sigma, affine) = (alpha * side, sigma * side, affine * side);
    let (cx, cy) = ((w / 2) as f64, (h / 2) as f64);
    let sq = (h.min(w) / 3) as f64;
    let src = [[cx + sq, cy + sq], [cx + sq, cy - sq], [cx - sq, cy - sq]];
    let mut dst = src;
    for point in &mut dst {
        for v in point.iter_mut() {
            *v += affine * (2.0 * rng.uniform() - 1.0);
        }
    }
    // OpenCV's warpAffine samples the source at the inverse of the point map.
    let warped = match affine_from_points(src, dst).and_then(|m| invert_affine(&m)) {
        Some(inverse) => warp_inverse(img.pixels(), h, w, &inverse),
        None => img.pixels().to_vec(),
    };
    let mut field = || -> Vec<f32> {
        let noise: Vec<f32> = (0..h * w)
            .map(|_| (2.0 * rng.uniform() - 1.0) as f32)
            .collect();
        gaussian_filter(&noise, h, w, sigma, sigma, Border::Constant, 3.0)
    };
    let dx = field();
    let dy = field();
    (0..h * w)
        .map(|k| {
            let (r, c) = ((k / w) as f64, (k % w) as f64);
            let y = r + alpha * f64::from(dy[k]);
            let x = c + alpha * f64::from(dx[k]);
            bilinear_zero(&warped, h, w, y, x)
        })
        .collect()
}

/// `pixelate`: PIL BOX resize to `int(n·c)` per side, then BOX resize back.
pub(crate) fn pixelate(img: &Image, c: f64) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let (hs, ws) = (
        ((h as f64 * c) as usize).max(1),
        ((w as f64 * c) as usize).max(1),
    );
    let small = box_resize(img.pixels(), h, w, hs, ws);
    box_resize(&small, hs, ws, h, w)
}

/// `jpeg_compression`: the image rounded to 8 bits, encoded as a grayscale baseline JPEG of the
/// given quality (IJG quality scaling of the Annex K table) and decoded again.
pub(crate) fn jpeg(img: &Image, quality: u8) -> Result<Vec<f32>, CorruptError> {
    let (h, w) = (img.height(), img.width());
    let (hu, wu) = match (u16::try_from(h), u16::try_from(w)) {
        (Ok(hu), Ok(wu)) => (hu, wu),
        _ => return Err(CorruptError::Jpeg(format!("image {h}×{w} is too large"))),
    };
    let bytes: Vec<u8> = img
        .pixels()
        .iter()
        .map(|&x| libm::roundf(x.clamp(0.0, 1.0) * 255.0) as u8)
        .collect();
    let mut encoded = Vec::new();
    jpeg_encoder::Encoder::new(&mut encoded, quality)
        .encode(&bytes, wu, hu, jpeg_encoder::ColorType::Luma)
        .map_err(|e| CorruptError::Jpeg(format!("encoding: {e}")))?;
    let mut decoder = jpeg_decoder::Decoder::new(encoded.as_slice());
    let decoded = decoder
        .decode()
        .map_err(|e| CorruptError::Jpeg(format!("decoding: {e}")))?;
    if decoded.len() != h * w {
        return Err(CorruptError::Jpeg(format!(
            "decoded {} bytes for a {h}×{w} image",
            decoded.len()
        )));
    }
    Ok(decoded.iter().map(|&b| f32::from(b) / 255.0).collect())
}
