//! The Canny edge detector as skimage's `feature.canny` of 2019 computed it: Gaussian smoothing
//! normalised for the zero border, Sobel gradients (scipy, reflect border), non-maximum suppression
//! with interpolation in four direction bins, and hysteresis over 8-connected components.

use super::filter::{Border, Taps, gaussian_filter};

/// Binary edge map (row-major) of `img` with smoothing `sigma` and float thresholds `low`/`high`.
pub(crate) fn canny(img: &[f32], h: usize, w: usize, sigma: f64, low: f64, high: f64) -> Vec<bool> {
    // Smooth with zero padding, then divide by the smoothed all-ones mask ("bleed-over").
    let smoothed = gaussian_filter(img, h, w, sigma, sigma, Border::Constant, 4.0);
    let bleed = gaussian_filter(&vec![1.0; h * w], h, w, sigma, sigma, Border::Constant, 4.0);
    let smooth: Vec<f32> = smoothed
        .iter()
        .zip(&bleed)
        .map(|(s, b)| s / (b + f32::EPSILON))
        .collect();
    let derivative = [-1.0f32, 0.0, 1.0];
    let smoothing = [1.0f32, 2.0, 1.0];
    let (d_rows, s_rows) = (
        Taps::correlate(&derivative, h, Border::Reflect),
        Taps::correlate(&smoothing, h, Border::Reflect),
    );
    let (d_cols, s_cols) = (
        Taps::correlate(&derivative, w, Border::Reflect),
        Taps::correlate(&smoothing, w, Border::Reflect),
    );
    // isobel: derivative along axis 0 (down the rows); jsobel: along axis 1.
    let isobel = s_cols.along_rows(&d_rows.along_cols(&smooth, w), h, w);
    let jsobel = s_rows.along_cols(&d_cols.along_rows(&smooth, h, w), w);
    let magnitude: Vec<f64> = isobel
        .iter()
        .zip(&jsobel)
        .map(|(&i, &j)| libm::hypot(f64::from(i), f64::from(j)))
        .collect();
    let mag = |r: usize, c: usize| magnitude[r * w + c];
    let mut maxima = vec![false; h * w];
    for r in 1..h.saturating_sub(1) {
        for c in 1..w.saturating_sub(1) {
            let (i, j) = (f64::from(isobel[r * w + c]), f64::from(jsobel[r * w + c]));
            let (ai, aj) = (i.abs(), j.abs());
            let m = mag(r, c);
            let keep = |w_: f64, plus: (f64, f64), minus: (f64, f64)| {
                // NaN weights (zero gradient) compare false, as in numpy.
                plus.1 * w_ + plus.0 * (1.0 - w_) <= m && minus.1 * w_ + minus.0 * (1.0 - w_) <= m
            };
            // The four bins, in skimage's order; a later bin overwrites an earlier one.
            let mut result = None;
            if ((i >= 0.0 && j >= 0.0) || (i <= 0.0 && j <= 0.0)) && ai >= aj {
                let wt = aj / ai;
                result = Some(keep(
                    wt,
                    (mag(r + 1, c), mag(r + 1, c + 1)),
                    (mag(r - 1, c), mag(r - 1, c - 1)),
                ));
            }
            if ((i >= 0.0 && j >= 0.0) || (i <= 0.0 && j <= 0.0)) && ai <= aj {
                let wt = ai / aj;
                result = Some(keep(
                    wt,
                    (mag(r, c + 1), mag(r + 1, c + 1)),
                    (mag(r, c - 1), mag(r - 1, c - 1)),
                ));
            }
            if ((i <= 0.0 && j >= 0.0) || (i >= 0.0 && j <= 0.0)) && ai <= aj {
                let wt = ai / aj;
                result = Some(keep(
                    wt,
                    (mag(r, c + 1), mag(r - 1, c + 1)),
                    (mag(r, c - 1), mag(r + 1, c - 1)),
                ));
            }
            if ((i <= 0.0 && j >= 0.0) || (i >= 0.0 && j <= 0.0)) && ai >= aj {
                let wt = aj / ai;
                result = Some(keep(
                    wt,
                    (mag(r - 1, c), mag(r - 1, c + 1)),
                    (mag(r + 1, c), mag(r + 1, c - 1)),
                ));
            }
            maxima[r * w + c] = result.unwrap_or(false);
        }
    }
    // Hysteresis: keep the 8-connected components of the weak edges that contain a strong edge.
    let weak: Vec<bool> = (0..h * w)
        .map(|k| maxima[k] && magnitude[k] >= low)
        .collect();
    let mut edges = vec![false; h * w];
    let mut stack: Vec<usize> = (0..h * w)
        .filter(|&k| maxima[k] && magnitude[k] >= high)
        .collect();
    for &k in &stack {
        edges[k] = true;
    }
    while let Some(k) = stack.pop() {
        let (r, c) = ((k / w) as isize, (k % w) as isize);
        for dr in -1..=1 {
            for dc in -1..=1 {
                let (nr, nc) = (r + dr, c + dc);
                if nr < 0 || nc < 0 || nr >= h as isize || nc >= w as isize {
                    continue;
                }
                let n = nr as usize * w + nc as usize;
                if weak[n] && !edges[n] {
                    edges[n] = true;
                    stack.push(n);
                }
            }
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_has_no_edges() {
        assert!(!canny(&vec![0.5; 100], 10, 10, 1.0, 0.1, 0.2).contains(&true));
    }

    #[test]
    fn a_vertical_step_gives_one_thin_vertical_edge() {
        // Columns 0..8 dark, 8..16 bright: the edge lies on column 7 or 8, one pixel wide, on every
        // interior row away from the zero-padded top and bottom.
        let (h, w) = (16, 16);
        let img: Vec<f32> = (0..h * w)
            .map(|k| if k % w >= 8 { 1.0 } else { 0.0 })
            .collect();
        let e = canny(&img, h, w, 1.0, 0.1, 0.2);
        for r in 3..h - 3 {
            let cols: Vec<usize> = (0..w).filter(|&c| e[r * w + c]).collect();
            assert_eq!(cols.len(), 1, "row {r}: {cols:?}");
            assert!((7..=8).contains(&cols[0]));
        }
        // No edge on the border ring (eroded mask).
        assert!((0..w).all(|c| !e[c] && !e[(h - 1) * w + c]));
    }

    #[test]
    fn a_weak_step_below_the_low_threshold_gives_nothing() {
        let (h, w) = (12, 12);
        let img: Vec<f32> = (0..h * w)
            .map(|k| if k % w >= 6 { 0.01 } else { 0.0 })
            .collect();
        assert!(!canny(&img, h, w, 1.0, 0.1, 0.2).contains(&true));
    }
}
