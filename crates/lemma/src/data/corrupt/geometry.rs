//! Resampling building blocks: clipped zoom (scipy `zoom`, order 1), motion blur (the numpy scheme
//! of `bethgelab/imagecorruptions`), bilinear inverse-map warps (skimage `warp` / OpenCV
//! `warpAffine` / scipy `map_coordinates`, zero outside) and PIL's BOX resize.
//!
//! These exact sampling grids (scipy's corner-aligned order-1 zoom, PIL's BOX coefficients) are not
//! offered by the resampling crates, and the crates that come close dispatch to SIMD paths whose
//! summation order differs between targets; the few lines here keep native and wasm bit-identical.

use super::filter::Taps;

/// Python's `round` (half to even) of a non-negative value, as scipy uses for the zoom output size.
fn round_half_even(x: f64) -> usize {
    let floor = libm::floor(x);
    let diff = x - floor;
    let n = floor as usize;
    if diff > 0.5 || (diff == 0.5 && n % 2 == 1) {
        n + 1
    } else {
        n
    }
}

/// Taps of one axis of `clipped_zoom`: crop the centred `ceil(n/z)` window, upscale it by `z` with
/// corner-aligned linear interpolation to `round(ceil(n/z)·z)` samples, keep the centred `n`.
fn zoom_axis_taps(n: usize, zoom: f64) -> Taps {
    let crop = (libm::ceil(n as f64 / zoom) as usize).clamp(1, n);
    let start = (n - crop) / 2;
    let zoomed = round_half_even(crop as f64 * zoom).max(n);
    let trim = (zoomed - n) / 2;
    let step = if zoomed > 1 {
        (crop as f64 - 1.0) / (zoomed as f64 - 1.0)
    } else {
        0.0
    };
    Taps::from_fn(n, |o, taps| {
        let coord = (o + trim) as f64 * step;
        let i0 = libm::floor(coord);
        let frac = coord - i0;
        let i0 = (i0 as usize).min(crop - 1);
        taps.push((start + i0, (1.0 - frac) as f32));
        if frac > 0.0 && i0 + 1 < crop {
            taps.push((start + i0 + 1, frac as f32));
        }
    })
}

/// `clipped_zoom(img, z)` for a zoom factor `z` ≥ 1 (smaller factors act as 1): the centre of the
/// image magnified by `z`, same size. Each axis uses its own length.
pub(crate) fn clipped_zoom(img: &[f32], h: usize, w: usize, zoom: f64) -> Vec<f32> {
    let zoom = zoom.max(1.0);
    let rows = zoom_axis_taps(h, zoom);
    let cols = zoom_axis_taps(w, zoom);
    rows.along_cols(&cols.along_rows(img, h, w), w)
}

/// Motion blur: one-sided Gaussian weights `k_i ∝ exp(−i²/2σ²)`, `i = 0..2·radius`, each applied to
/// the image shifted by `(−ceil(i·sinθ − ½), −ceil(i·cosθ − ½))` with edge replication. As in
/// `imagecorruptions`, the sum stops (without renormalising) once a shift leaves the image.
pub(crate) fn motion_blur(
    img: &[f32],
    h: usize,
    w: usize,
    radius: usize,
    sigma: f64,
    angle_deg: f64,
) -> Vec<f32> {
    let width = 2 * radius + 1;
    let raw: Vec<f64> = (0..width)
        .map(|i| libm::exp(-((i * i) as f64) / (2.0 * sigma * sigma)))
        .collect();
    let total: f64 = raw.iter().sum();
    let theta = angle_deg.to_radians();
    let (sin, cos) = (libm::sin(theta), libm::cos(theta));
    let mut out = vec![0.0f32; h * w];
    for (i, k) in raw.iter().enumerate() {
        let dy = -(libm::ceil(i as f64 * sin - 0.5) as isize);
        let dx = -(libm::ceil(i as f64 * cos - 0.5) as isize);
        if dy.unsigned_abs() >= h || dx.unsigned_abs() >= w {
            break;
        }
        let k = (k / total) as f32;
        for r in 0..h {
            let sr = (r as isize - dy).clamp(0, h as isize - 1) as usize;
            for c in 0..w {
                let sc = (c as isize - dx).clamp(0, w as isize - 1) as usize;
                out[r * w + c] += k * img[sr * w + sc];
            }
        }
    }
    out
}

/// Bilinear read at (row `y`, column `x`) with zeros outside, as skimage's `bilinear_interpolation`
/// in constant mode: the four neighbours floor/ceil in each direction, out-of-range ones read 0.
pub(crate) fn bilinear_zero(img: &[f32], h: usize, w: usize, y: f64, x: f64) -> f32 {
    if !(y > -1.0 && y < h as f64 && x > -1.0 && x < w as f64) {
        return 0.0;
    }
    let (r0, c0) = (libm::floor(y), libm::floor(x));
    let (dr, dc) = (y - r0, x - c0);
    let (r1, c1) = (libm::ceil(y), libm::ceil(x));
    let get = |r: f64, c: f64| -> f64 {
        if r < 0.0 || c < 0.0 || r >= h as f64 || c >= w as f64 {
            0.0
        } else {
            f64::from(img[r as usize * w + c as usize])
        }
    };
    let top = (1.0 - dc) * get(r0, c0) + dc * get(r0, c1);
    let bottom = (1.0 - dc) * get(r1, c0) + dc * get(r1, c1);
    ((1.0 - dr) * top + dr * bottom) as f32
}

/// A 2×3 affine map of (column, row) coordinates.
pub(crate) type Affine = [[f64; 3]; 2];

/// Inverse-map warp: output (row r, column c) reads the input at `map·(c, r, 1)`, bilinear, zero
/// outside (skimage `warp(x, inverse_map=map)`).
pub(crate) fn warp_inverse(img: &[f32], h: usize, w: usize, map: &Affine) -> Vec<f32> {
    let mut out = vec![0.0f32; h * w];
    for r in 0..h {
        for c in 0..w {
            let (cf, rf) = (c as f64, r as f64);
            let x = map[0][0] * cf + map[0][1] * rf + map[0][2];
            let y = map[1][0] * cf + map[1][1] * rf + map[1][2];
            out[r * w + c] = bilinear_zero(img, h, w, y, x);
        }
    }
    out
}

/// The affine map sending three source points onto three destination points (OpenCV
/// `getAffineTransform`), or `None` when the source points are collinear.
pub(crate) fn affine_from_points(src: [[f64; 2]; 3], dst: [[f64; 2]; 3]) -> Option<Affine> {
    let det = |m: [[f64; 3]; 3]| -> f64 {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let p = [
        [src[0][0], src[0][1], 1.0],
        [src[1][0], src[1][1], 1.0],
        [src[2][0], src[2][1], 1.0],
    ];
    let d = det(p);
    if d.abs() < 1e-12 {
        return None;
    }
    let mut out = [[0.0; 3]; 2];
    for (axis, row) in out.iter_mut().enumerate() {
        for (k, coef) in row.iter_mut().enumerate() {
            // Cramer's rule: replace column k of P by the destination coordinates.
            let mut m = p;
            for (i, point) in dst.iter().enumerate() {
                m[i][k] = point[axis];
            }
            *coef = det(m) / d;
        }
    }
    Some(out)
}

/// The inverse of an invertible affine map, or `None` when it is singular.
pub(crate) fn invert_affine(m: &Affine) -> Option<Affine> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if det.abs() < 1e-12 {
        return None;
    }
    let (a, b, c, d) = (m[1][1] / det, -m[0][1] / det, -m[1][0] / det, m[0][0] / det);
    Some([
        [a, b, -(a * m[0][2] + b * m[1][2])],
        [c, d, -(c * m[0][2] + d * m[1][2])],
    ])
}

/// PIL's BOX resampling coefficients from `n_in` to `n_out` samples (`Image.resize(…, BOX)`).
fn pil_box_taps(n_in: usize, n_out: usize) -> Taps {
    let scale = n_in as f64 / n_out as f64;
    let filter_scale = scale.max(1.0);
    let support = 0.5 * filter_scale;
    let inverse_scale = 1.0 / filter_scale; // PIL multiplies by the reciprocal
    Taps::from_fn(n_out, |o, taps| {
        let centre = (o as f64 + 0.5) * scale;
        let lo = ((centre - support + 0.5) as isize).max(0) as usize;
        let hi = ((centre + support + 0.5) as usize).min(n_in);
        // BOX filter: weight 1 where −½ < t ≤ ½, normalised over the window.
        let inside: Vec<usize> = (lo..hi)
            .filter(|&x| {
                let t = (x as f64 - centre + 0.5) * inverse_scale;
                t > -0.5 && t <= 0.5
            })
            .collect();
        let weight = 1.0 / inside.len().max(1) as f64;
        taps.extend(inside.into_iter().map(|x| (x, weight as f32)));
    })
}

/// PIL `resize((w_out, h_out), BOX)` in floating point: horizontal pass, then vertical.
pub(crate) fn box_resize(img: &[f32], h: usize, w: usize, h_out: usize, w_out: usize) -> Vec<f32> {
    let cols = pil_box_taps(w, w_out);
    let rows = pil_box_taps(h, h_out);
    rows.along_cols(&cols.along_rows(img, h, w), w_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(h: usize, w: usize) -> Vec<f32> {
        (0..h * w)
            .map(|i| ((i * 37) % 101) as f32 / 100.0)
            .collect()
    }

    #[test]
    fn python_round_is_half_to_even() {
        assert_eq!(round_half_even(2.5), 2);
        assert_eq!(round_half_even(3.5), 4);
        assert_eq!(round_half_even(28.28), 28);
        assert_eq!(round_half_even(16.0 * 1.75), 28);
    }

    #[test]
    fn zoom_of_factor_one_is_the_identity() {
        let img = ramp(28, 20);
        assert_eq!(clipped_zoom(&img, 28, 20, 1.0), img);
    }

    #[test]
    fn zoom_by_two_hand_checked() {
        // 4×4, z = 2: crop the centred 2×2 (rows/cols 1..3), zoom to 4 samples with step 1/3, trim 0.
        // Row 0 of the output interpolates input (1,1)=a, (1,2)=b at 0, 1/3, 2/3, 1.
        let mut img = vec![0.0f32; 16];
        img[5] = 0.0;
        img[6] = 0.9;
        let out = clipped_zoom(&img, 4, 4, 2.0);
        let expect = [0.0, 0.3, 0.6, 0.9];
        for (o, e) in out[..4].iter().zip(expect) {
            assert!((o - e).abs() < 1e-6, "{out:?}");
        }
    }

    #[test]
    fn motion_blur_of_a_constant_is_constant_and_radius_zero_is_identity() {
        let img = vec![0.4f32; 12 * 9];
        for v in motion_blur(&img, 12, 9, 3, 1.5, 30.0) {
            assert!((v - 0.4).abs() < 1e-6);
        }
        let img = ramp(6, 7);
        assert_eq!(motion_blur(&img, 6, 7, 0, 1.0, 10.0), img);
    }

    #[test]
    fn motion_blur_at_angle_zero_smears_to_the_right() {
        // θ = 0: shifts dx = −ceil(i − ½) = −i, so out(c) = Σ k_i in(c + i) (edge clamped).
        let mut img = vec![0.0f32; 5 * 5];
        img[2 * 5 + 2] = 1.0;
        let out = motion_blur(&img, 5, 5, 1, 1.0, 0.0);
        let k: Vec<f64> = (0..3).map(|i: i32| (-(i * i) as f64 / 2.0).exp()).collect();
        let total: f64 = k.iter().sum();
        assert!((f64::from(out[2 * 5 + 2]) - k[0] / total).abs() < 1e-6);
        assert!((f64::from(out[2 * 5 + 1]) - k[1] / total).abs() < 1e-6);
        assert!((f64::from(out[2 * 5]) - k[2] / total).abs() < 1e-6);
        assert_eq!(out[2 * 5 + 3], 0.0);
    }

    #[test]
    fn warps_identity_translation_and_affine_solve() {
        let img = ramp(7, 6);
        let id = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        assert_eq!(warp_inverse(&img, 7, 6, &id), img);
        // Inverse map x + 2: the content moves 2 columns to the left, zeros enter on the right.
        let shifted = warp_inverse(&img, 7, 6, &[[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]);
        assert_eq!(shifted[0], img[2]);
        assert_eq!(shifted[5], 0.0);
        // Half-pixel bilinear read.
        let v = bilinear_zero(&[0.0, 1.0, 0.5, 0.5], 2, 2, 0.0, 0.5);
        assert!((v - 0.5).abs() < 1e-7);
        let m = affine_from_points(
            [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            [[2.0, 3.0], [4.0, 3.0], [2.0, 6.0]],
        )
        .unwrap();
        assert_eq!(m, [[2.0, 0.0, 2.0], [0.0, 3.0, 3.0]]);
        let inv = invert_affine(&m).unwrap();
        assert!((inv[0][0] - 0.5).abs() < 1e-12 && (inv[0][2] + 1.0).abs() < 1e-12);
        assert!(affine_from_points([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [[0.0; 2]; 3]).is_none());
    }

    #[test]
    fn pil_box_resize_averages_blocks_and_upscales_by_replication() {
        // 4 → 2: each output is the mean of 2 inputs; 2 → 4 repeats each input twice.
        let img = [0.0f32, 0.2, 0.4, 0.6];
        let down = box_resize(&img, 1, 4, 1, 2);
        assert!((down[0] - 0.1).abs() < 1e-7 && (down[1] - 0.5).abs() < 1e-7);
        let up = box_resize(&down, 1, 2, 1, 4);
        assert_eq!(up, vec![down[0], down[0], down[1], down[1]]);
        // 28 → 16 → 28 keeps a constant image constant.
        let flat = vec![0.3f32; 28 * 28];
        let back = box_resize(&box_resize(&flat, 28, 28, 16, 16), 16, 16, 28, 28);
        assert!(back.iter().all(|v| (v - 0.3).abs() < 1e-6));
    }
}
