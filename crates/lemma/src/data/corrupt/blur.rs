//! Blur corruptions: defocus, glass, motion and zoom blur.

use super::Image;
use super::filter::{Border, disk_kernel, filter2d, skimage_gaussian_rows_only};
use super::geometry::{clipped_zoom, motion_blur as motion};
use crate::rng::Rng;

/// `defocus_blur`: OpenCV `filter2D` with `disk(radius, alias_blur)`, border reflect-101.
pub(crate) fn defocus_blur(img: &Image, radius: f64, alias_blur: f64) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    filter2d(
        img.pixels(),
        h,
        w,
        &disk_kernel(radius, alias_blur),
        Border::Reflect101,
    )
}

/// `glass_blur` as MNIST-C wrote it: a row-only Gaussian blur σ, cast to 8 bits (truncation); then
/// `iterations` sweeps over rows and columns from `n − Δ` down to `Δ + 1`, each pixel swapped with
/// probability ½ with the one at offset (dy, dx), dx and dy uniform in `{−Δ, …, Δ − 1}`; then the
/// row-only blur again.
pub(crate) fn glass_blur(
    img: &Image,
    sigma: f64,
    delta: usize,
    iterations: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let blurred = skimage_gaussian_rows_only(img.pixels(), h, w, sigma);
    let mut bytes: Vec<u8> = blurred.iter().map(|&v| (v * 255.0) as u8).collect();
    let span = 2 * delta as u64;
    for _ in 0..iterations {
        for r in (delta + 1..=h.saturating_sub(delta)).rev() {
            for c in (delta + 1..=w.saturating_sub(delta)).rev() {
                if rng.below(2) == 0 {
                    let dx = rng.below(span) as isize - delta as isize;
                    let dy = rng.below(span) as isize - delta as isize;
                    let (r2, c2) = ((r as isize + dy) as usize, (c as isize + dx) as usize);
                    bytes.swap(r * w + c, r2 * w + c2);
                }
            }
        }
    }
    let shuffled: Vec<f32> = bytes.iter().map(|&b| f32::from(b) / 255.0).collect();
    skimage_gaussian_rows_only(&shuffled, h, w, sigma)
}

/// `motion_blur`: the numpy motion blur with `radius`, `sigma` and an angle drawn from U(−45°, 45°).
pub(crate) fn motion_blur(img: &Image, radius: usize, sigma: f64, rng: &mut Rng) -> Vec<f32> {
    let angle = -45.0 + 90.0 * rng.uniform();
    motion(
        img.pixels(),
        img.height(),
        img.width(),
        radius,
        sigma,
        angle,
    )
}

/// `zoom_blur`: the mean of the image and its clipped zooms by `start + i·step`, `i = 0..count`.
pub(crate) fn zoom_blur(img: &Image, start: f64, step: f64, count: usize) -> Vec<f32> {
    let (h, w) = (img.height(), img.width());
    let mut sum = img.pixels().to_vec();
    for i in 0..count {
        let zoomed = clipped_zoom(img.pixels(), h, w, start + i as f64 * step);
        for (s, z) in sum.iter_mut().zip(zoomed) {
            *s += z;
        }
    }
    let n = (count + 1) as f32;
    sum.iter().map(|s| s / n).collect()
}
