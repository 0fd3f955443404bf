//! The corruptions that only MNIST-C has: affine warps (shear, scale, rotate, translate), stripe,
//! spatter (mud), dotted line, zigzag and Canny edges.

use super::Image;
use super::edges::canny;
use super::filter::skimage_gaussian;
use super::geometry::{Affine, warp_inverse};
use super::texture::{draw_line_max, line_profile};
use crate::rng::Rng;

/// A random sign, ±1 with equal odds.
fn sign(rng: &mut Rng) -> f64 {
    if rng.below(2) == 0 { -1.0 } else { 1.0 }
}

/// Inverse-map warp by the linear part `[[a11, a12], [b11, b12]]` with the translation that keeps
/// the image centre ((w − 1)/2, (h − 1)/2) fixed (13.5, 13.5 at 28×28).
fn centred_warp(img: &Image, linear: [[f64; 2]; 2]) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    let [[a11, a12], [b11, b12]] = linear;
    let map: Affine = [
        [a11, a12, cx - a11 * cx - a12 * cy],
        [b11, b12, cy - b11 * cx - b12 * cy],
    ];
    warp_inverse(img.pixels(), h, w, &map)
}

/// `shear`: skimage's 2019 shear matrix `[[1, −sin c], [0, cos c]]` with c = ±angle (random sign).
pub(crate) fn shear(img: &Image, angle: f64, rng: &mut Rng) -> Vec<f32> {
    let c = angle * sign(rng);
    centred_warp(img, [[1.0, -libm::sin(c)], [0.0, libm::cos(c)]])
}

/// `rotate`: rotation matrix `[[cos c, −sin c], [sin c, cos c]]` with c = ±angle (random sign).
pub(crate) fn rotate(img: &Image, angle: f64, rng: &mut Rng) -> Vec<f32> {
    let c = angle * sign(rng);
    let (s, k) = (libm::sin(c), libm::cos(c));
    centred_warp(img, [[k, -s], [s, k]])
}

/// `scale`: the inverse map `diag(1/f, 1/f)`, so the content shrinks to the fraction `f`.
pub(crate) fn scale(img: &Image, fraction: f64) -> Vec<f32> {
    let s = 1.0 / fraction;
    centred_warp(img, [[s, 0.0], [0.0, s]])
}

/// `translate`: the inverse map `(x + ±t, y + ±t)` with independent signs; the content moves by −t.
pub(crate) fn translate(img: &Image, t: f64, rng: &mut Rng) -> Vec<f32> {
    let dx = t * sign(rng);
    let dy = t * sign(rng);
    let map: Affine = [[1.0, 0.0, dx], [0.0, 1.0, dy]];
    warp_inverse(img.pixels(), img.height(), img.width(), &map)
}

/// `stripe`: inverts (x → 1 − x) the outer bands of `floor(w·fraction)` columns on both sides
/// (columns 0–6 and 21–27 at 28 px).
pub(crate) fn stripe(img: &Image, fraction: f64) -> Vec<f32> {
    let w = img.width();
    let band = (w as f64 * fraction) as usize;
    img.pixels()
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            let c = k % w;
            if c < band || c + band >= w {
                1.0 - x
            } else {
                x
            }
        })
        .collect()
}

/// Parameters of `spatter` (one severity row of the table).
pub(crate) struct Spatter {
    pub mean: f64,
    pub spread: f64,
    pub sigma: f64,
    pub threshold: f64,
    pub mask_sigma: f64,
}

/// `spatter`, mud branch: a layer N(mean, spread²) → Gaussian σ → zero below the threshold →
/// mask 1[layer > threshold] → Gaussian `mask_sigma` → zero below 0.8; the image becomes
/// `x·(1 − m) + (63/255)·m`.
pub(crate) fn spatter(img: &Image, p: &Spatter, rng: &mut Rng) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let layer: Vec<f32> = (0..h * w)
        .map(|_| (p.mean + p.spread * rng.normal()) as f32)
        .collect();
    let layer = skimage_gaussian(&layer, h, w, p.sigma);
    let threshold = p.threshold as f32;
    let mask: Vec<f32> = layer
        .iter()
        .map(|&v| {
            let v = if v < threshold { 0.0 } else { v };
            if v > threshold { 1.0 } else { 0.0 }
        })
        .collect();
    let mud = 63.0 / 255.0;
    skimage_gaussian(&mask, h, w, p.mask_sigma)
        .iter()
        .zip(img.pixels())
        .map(|(&m, &x)| {
            let m = if m < 0.8 { 0.0 } else { m };
            x * (1.0 - m) + mud * m
        })
        .collect()
}

/// `dotted_line`: a line from (column 0, r0) to (column w − 1, r1), rows r0, r1 uniform in
/// `0..h − 1`, with the column groups `[k·period, k·period + dash)` blanked, added to the image.
pub(crate) fn dotted_line(
    img: &Image,
    width: f64,
    period: usize,
    dash: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let rows = (h - 1) as u64;
    let r0 = rng.below(rows) as f64;
    let r1 = rng.below(rows) as f64;
    let line = line_profile((h, w), (0.0, r0), ((w - 1) as f64, r1), width);
    img.pixels()
        .iter()
        .zip(line)
        .enumerate()
        .map(|(k, (&x, l))| if (k % w) % period < dash { x } else { x + l })
        .collect()
}

/// Parameters of `zigzag`.
pub(crate) struct Zigzag {
    pub spacing: f64,
    pub amplitude: f64,
    pub width: f64,
    pub margin: usize,
    pub drift: u64,
}

/// `zigzag`: a line from column `margin` to column `w − 1 − margin`, starting at a random row r0
/// and ending at `r0 + U{−drift, …, drift − 1}`; vertices every `spacing` px of arc length,
/// offset alternately by +amplitude and −amplitude across the line; each segment drawn with the line
/// profile, combined by maximum and added to the image.
pub(crate) fn zigzag(img: &Image, p: &Zigzag, rng: &mut Rng) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let (c0, c1) = (p.margin as f64, (w - 1 - p.margin) as f64);
    let r0 = rng.below(h as u64) as f64;
    let r1 = r0 + rng.below(2 * p.drift) as f64 - p.drift as f64;
    let theta = libm::atan2(r1 - r0, c1 - c0);
    let (sin, cos) = (libm::sin(theta), libm::cos(theta));
    let length = libm::hypot(c1 - c0, r1 - r0);
    let segments = (length / p.spacing) as usize;
    let vertex = |k: usize| {
        let u = k as f64 * p.spacing;
        let v = if k.is_multiple_of(2) {
            p.amplitude
        } else {
            -p.amplitude
        };
        (c0 + u * cos - v * sin, r0 + u * sin + v * cos)
    };
    let mut layer = vec![0.0f32; h * w];
    for k in 0..segments {
        draw_line_max(&mut layer, (h, w), vertex(k), vertex(k + 1), p.width, 1.0);
    }
    img.pixels()
        .iter()
        .zip(layer)
        .map(|(&x, l)| x + l)
        .collect()
}

/// `canny_edges`: the binary Canny edge map (1 on edges), which replaces the image.
pub(crate) fn canny_edges(img: &Image, sigma: f64, low: f64, high: f64) -> Vec<f32> {
    canny(img.pixels(), img.height(), img.width(), sigma, low, high)
        .into_iter()
        .map(|e| if e { 1.0 } else { 0.0 })
        .collect()
}
