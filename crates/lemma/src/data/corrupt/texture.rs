//! Random textures: the diamond-square plasma fractal of the fog corruption, the procedural frost
//! texture that replaces the frost photographs, and the anti-aliased line profile of MNIST-C's
//! `dotted_line` / `zigzag`.

use crate::rng::Rng;

/// `plasma_fractal(mapsize, wibbledecay)`: diamond-square on a toroidal `size×size` grid (`size` a
/// power of two ≥ 2, as [`plasma_size_for`] returns), row-major, normalised to [0, 1] by its global min and max.
///
/// Random draws, in order per level: every square centre (row-major), then the diamonds on the
/// corner rows, then the diamonds on the centre rows; each adds `wibble·U(−wibble, wibble)`.
pub(crate) fn plasma_fractal(size: usize, decay: f64, rng: &mut Rng) -> Vec<f64> {
    let mut map = vec![0.0f64; size * size];
    // `size` is a power of two, so wrapping around the torus is a bit mask.
    let mask = size - 1;
    let at = |r: usize, c: usize| (r & mask) * size + (c & mask);
    let mut step = size;
    let mut wibble = 100.0f64;
    while step >= 2 {
        let half = step / 2;
        for r in (0..size).step_by(step) {
            for c in (0..size).step_by(step) {
                let sum = map[at(r, c)]
                    + map[at(r + step, c)]
                    + map[at(r, c + step)]
                    + map[at(r + step, c + step)];
                map[at(r + half, c + half)] = sum / 4.0 + wibbled(rng, wibble);
            }
        }
        // Diamonds on the corner rows: (r, c + half), between two corners and two centres.
        for r in (0..size).step_by(step) {
            for c in (0..size).step_by(step) {
                let sum = map[at(r + half, c + half)]
                    + map[at(r + size - half, c + half)]
                    + map[at(r, c)]
                    + map[at(r, c + step)];
                map[at(r, c + half)] = sum / 4.0 + wibbled(rng, wibble);
            }
        }
        // Diamonds on the centre rows: (r + half, c).
        for r in (0..size).step_by(step) {
            for c in (0..size).step_by(step) {
                let sum = map[at(r + half, c + half)]
                    + map[at(r + half, c + size - half)]
                    + map[at(r, c)]
                    + map[at(r + step, c)];
                map[at(r + half, c)] = sum / 4.0 + wibbled(rng, wibble);
            }
        }
        step /= 2;
        wibble /= decay;
    }
    let min = map.iter().copied().fold(f64::INFINITY, f64::min);
    let max = map.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = max - min;
    map.iter()
        .map(|v| if range > 0.0 { (v - min) / range } else { 0.0 })
        .collect()
}

/// One plasma perturbation `wibble·U(−wibble, wibble)`.
fn wibbled(rng: &mut Rng, wibble: f64) -> f64 {
    wibble * (wibble * (2.0 * rng.uniform() - 1.0))
}

/// Smallest power of two ≥ `n` (and ≥ 2).
pub(crate) fn plasma_size_for(n: usize) -> usize {
    n.max(2).next_power_of_two()
}

/// Draws MNIST-C's anti-aliased line (`line_from_points`) into `layer` by maximum, scaled by
/// `gain`: intensity `1 + ln(1 − d/width)` clipped to [0, 1], where `d` is the vertical distance
/// from pixel (row, col) to the line through (`c0`, `r0`) and (`c1`, `r1`); only columns in
/// `[floor(min c), ceil(max c))` are drawn, and a vertical segment (`c0 = c1`) draws nothing.
pub(crate) fn draw_line_max(
    layer: &mut [f32],
    (h, w): (usize, usize),
    (c0, r0): (f64, f64),
    (c1, r1): (f64, f64),
    width: f64,
    gain: f32,
) {
    if c1 == c0 {
        return;
    }
    let ((c0, r0), (c1, r1)) = if c0 < c1 {
        ((c0, r0), (c1, r1))
    } else {
        ((c1, r1), (c0, r0))
    };
    let slope = (r1 - r0) / (c1 - c0);
    // Beyond this distance 1 + ln(1 − d/width) < 0, i.e. the clipped intensity is 0.
    let reach = width * (1.0 - libm::exp(-1.0)) + 1e-9;
    let first = libm::floor(c0).max(0.0) as usize;
    let end = (libm::ceil(c1).max(0.0) as usize).min(w);
    for c in first..end {
        let centre = slope * (c as f64 - c0) + r0;
        let top = libm::ceil(centre - reach).max(0.0) as usize;
        let bottom = (libm::floor(centre + reach) + 1.0).clamp(0.0, h as f64) as usize;
        for r in top..bottom {
            let d = (r as f64 - centre).abs().min(width - 1e-10);
            let v = (1.0 + libm::log(1.0 - d / width)).clamp(0.0, 1.0) as f32 * gain;
            let px = &mut layer[r * w + c];
            *px = px.max(v);
        }
    }
}

/// The line of [`draw_line_max`] alone on a zero layer.
pub(crate) fn line_profile(
    (h, w): (usize, usize),
    p0: (f64, f64),
    p1: (f64, f64),
    width: f64,
) -> Vec<f32> {
    let mut layer = vec![0.0f32; h * w];
    draw_line_max(&mut layer, (h, w), p0, p1, width, 1.0);
    layer
}

/// A procedural frost texture in [0, 1] of size `h×w` (replaces the frost photographs, which cannot
/// be shipped): hazy plasma (decay 2) at 0.35–0.6 brightness, plus bright ice needles, 1 per 8
/// pixels, of length 2–6 px at random angles, drawn with the line profile and combined by max.
pub(crate) fn frost_texture(h: usize, w: usize, rng: &mut Rng) -> Vec<f32> {
    let size = plasma_size_for(h.max(w));
    let plasma = plasma_fractal(size, 2.0, rng);
    let mut tex: Vec<f32> = (0..h * w)
        .map(|i| (0.35 + 0.25 * plasma[(i / w) * size + i % w]) as f32)
        .collect();
    let needles = (h * w).div_ceil(8);
    for _ in 0..needles {
        let (r, c) = (rng.uniform() * h as f64, rng.uniform() * w as f64);
        let length = 2.0 + 4.0 * rng.uniform();
        let angle = std::f64::consts::PI * (rng.uniform() - 0.5) * 0.9;
        let brightness = (0.6 + 0.4 * rng.uniform()) as f32;
        let (dc, dr) = (length * libm::cos(angle), length * libm::sin(angle));
        draw_line_max(&mut tex, (h, w), (c, r), (c + dc, r + dr), 1.2, brightness);
    }
    tex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plasma_is_in_unit_range_and_reaches_both_ends() {
        for (size, decay) in [(2, 2.0), (32, 3.0), (256, 1.4)] {
            let p = plasma_fractal(size, decay, &mut Rng::new(5));
            assert_eq!(p.len(), size * size);
            assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
            assert_eq!(p.iter().copied().fold(f64::INFINITY, f64::min), 0.0);
            assert_eq!(p.iter().copied().fold(0.0, f64::max), 1.0);
        }
    }

    #[test]
    fn plasma_two_by_two_hand_checked() {
        // size 2: one square centre (1,1) = 0 + 100·U1·... then diamonds (0,1) and (1,0).
        let mut rng = Rng::new(9);
        let u: Vec<f64> = (0..3)
            .map(|_| 100.0 * (100.0 * (2.0 * rng.uniform() - 1.0)))
            .collect();
        let centre = u[0];
        // (0,1): centres at (1,1) and (−1,1)≡(1,1), corners (0,0) and (0,2)≡(0,0).
        let top = 2.0 * centre / 4.0 + u[1];
        let left = 2.0 * centre / 4.0 + u[2];
        let raw = [0.0, top, left, centre];
        let (min, max) = (
            raw.iter().copied().fold(f64::INFINITY, f64::min),
            raw.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let expect: Vec<f64> = raw.iter().map(|v| (v - min) / (max - min)).collect();
        assert_eq!(plasma_fractal(2, 3.0, &mut Rng::new(9)), expect);
    }

    #[test]
    fn plasma_smoothness_grows_with_the_decay() {
        // A larger wibble decay damps the fine levels: mean |neighbour difference| shrinks.
        let roughness = |decay: f64| {
            let p = plasma_fractal(64, decay, &mut Rng::new(1));
            (0..64 * 63)
                .map(|i| (p[(i / 63) * 64 + i % 63] - p[(i / 63) * 64 + i % 63 + 1]).abs())
                .sum::<f64>()
        };
        assert!(roughness(3.0) < roughness(1.4));
    }

    #[test]
    fn line_profile_values() {
        // Horizontal line at row 3: distance 0 → 1, distance 1 → 1 + ln(1 − 1/2.3) = 0.4296.
        let l = line_profile((8, 10), (0.0, 3.0), (9.0, 3.0), 2.3);
        assert_eq!(l[3 * 10 + 4], 1.0);
        assert!((f64::from(l[2 * 10 + 4]) - (1.0 + (1.0f64 - 1.0 / 2.3).ln())).abs() < 1e-6);
        assert_eq!(l[10 + 4], 0.0);
        // Column 9 = ceil(c1) is excluded; a vertical line (c0 = c1) is empty.
        assert_eq!(l[3 * 10 + 9], 0.0);
        assert!(
            line_profile((4, 4), (1.0, 0.0), (1.0, 3.0), 2.3)
                .iter()
                .all(|&v| v == 0.0)
        );
    }

    #[test]
    fn frost_texture_is_in_range_with_bright_needles() {
        let t = frost_texture(28, 28, &mut Rng::new(3));
        assert!(t.iter().all(|v| (0.0..=1.0).contains(v)));
        let mean = t.iter().sum::<f32>() / t.len() as f32;
        assert!((0.4..0.9).contains(&mean), "{mean}");
        assert!(t.iter().any(|&v| v > 0.9));
    }
}
