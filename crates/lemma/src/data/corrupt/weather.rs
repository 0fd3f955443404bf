//! Weather corruptions: snow, frost, fog and brightness.

use super::Image;
use super::geometry::{clipped_zoom, motion_blur};
use super::texture::{frost_texture, plasma_fractal, plasma_size_for};
use crate::rng::Rng;

/// Parameters of `snow` (one severity row of the table).
pub(crate) struct Snow {
    pub mean: f64,
    pub spread: f64,
    pub zoom: f64,
    pub threshold: f64,
    pub blur_radius: usize,
    pub blur_sigma: f64,
    pub blend: f64,
}

/// `snow`: a layer N(mean, spread²) → clipped zoom → zero below the threshold → clipped to [0, 1]
/// and cast to 8 bits (the generator's PNG) → motion blur at an angle from U(−135°, −45°); the image
/// is brightened to `blend·x + (1 − blend)·max(x, 1.5x + 0.5)` and the layer and its 180° rotation
/// are added.
pub(crate) fn snow(img: &Image, p: &Snow, rng: &mut Rng) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let layer: Vec<f32> = (0..h * w)
        .map(|_| (p.mean + p.spread * rng.normal()) as f32)
        .collect();
    let layer: Vec<f32> = clipped_zoom(&layer, h, w, p.zoom)
        .into_iter()
        .map(|v| {
            let v = if f64::from(v) < p.threshold { 0.0 } else { v };
            f32::from((v.clamp(0.0, 1.0) * 255.0) as u8) / 255.0
        })
        .collect();
    let angle = -135.0 + 90.0 * rng.uniform();
    let layer = motion_blur(&layer, h, w, p.blur_radius, p.blur_sigma, angle);
    let blend = p.blend as f32;
    img.pixels()
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            let lit = blend * x + (1.0 - blend) * x.max(1.5 * x + 0.5);
            lit + layer[k] + layer[h * w - 1 - k]
        })
        .collect()
}

/// `frost`: `a·x + b·frost`, with a procedural frost texture drawn for this image.
pub(crate) fn frost(img: &Image, a: f64, b: f64, rng: &mut Rng) -> Vec<f32> {
    let texture = frost_texture(img.height(), img.width(), rng);
    let (a, b) = (a as f32, b as f32);
    img.pixels()
        .iter()
        .zip(texture)
        .map(|(&x, t)| a * x + b * t)
        .collect()
}

/// `fog`: `x + s·plasma` (the top-left block of a plasma map of side `min_map`, or the next power
/// of two above the image when larger), then scaled by `max(x)/(max(x) + s)` with the clean maximum.
pub(crate) fn fog(
    img: &Image,
    strength: f64,
    decay: f64,
    min_map: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let size = plasma_size_for(h.max(w)).max(min_map);
    let plasma = plasma_fractal(size, decay, rng);
    let max = f64::from(img.pixels().iter().copied().fold(0.0f32, f32::max));
    let scale = max / (max + strength);
    img.pixels()
        .iter()
        .enumerate()
        .map(|(k, &x)| ((f64::from(x) + strength * plasma[(k / w) * size + k % w]) * scale) as f32)
        .collect()
}

/// `brightness`: + `v` on the HSV value channel; for a gray image V is the pixel itself, so this is
/// `min(x + v, 1)`.
pub(crate) fn brightness(img: &Image, v: f64) -> Vec<f32> {
    let v = v as f32;
    img.pixels().iter().map(|&x| (x + v).min(1.0)).collect()
}
