//! Separable and 2-D linear filters on row-major `f32` images, with the border rules of the
//! libraries the corruption generators called (scipy.ndimage, OpenCV).
//!
//! Every filter is written as a list of taps per output position (source index, weight) summed in
//! a fixed order, so results are bit-identical natively and in wasm32.

/// How a filter reads pixels outside the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// Repeat the edge pixel (scipy `nearest`, skimage's default for `gaussian`).
    Nearest,
    /// Mirror including the edge pixel, `dcba|abcd|dcba` (scipy `reflect`).
    Reflect,
    /// Mirror excluding the edge pixel, `dcb|abcd|cba` (OpenCV `BORDER_REFLECT_101`, its default).
    Reflect101,
    /// Zero outside (scipy `constant` with cval 0, OpenCV `BORDER_CONSTANT`).
    Constant,
}

impl Border {
    /// Maps a possibly out-of-range index onto `0..n`, or `None` for a zero read (`n` ≥ 1).
    pub fn index(self, i: isize, n: usize) -> Option<usize> {
        let len = n as isize;
        if (0..len).contains(&i) {
            return Some(i as usize);
        }
        match self {
            Border::Constant => None,
            Border::Nearest => Some(i.clamp(0, len - 1) as usize),
            Border::Reflect => {
                let m = i.rem_euclid(2 * len);
                Some(if m < len { m } else { 2 * len - 1 - m } as usize)
            }
            Border::Reflect101 => {
                if len == 1 {
                    return Some(0);
                }
                let period = 2 * len - 2;
                let m = i.rem_euclid(period);
                Some(if m < len { m } else { period - m } as usize)
            }
        }
    }
}

/// A 1-D linear operator from `n_in` to `n_out` samples: per output, a run of (source, weight).
#[derive(Clone, Debug)]
pub struct Taps {
    starts: Vec<usize>,
    sources: Vec<usize>,
    weights: Vec<f32>,
}

impl Taps {
    /// Builds taps from one closure per output position.
    pub fn from_fn(n_out: usize, mut taps_of: impl FnMut(usize, &mut Vec<(usize, f32)>)) -> Self {
        let mut starts = Vec::with_capacity(n_out + 1);
        let (mut sources, mut weights) = (Vec::new(), Vec::new());
        let mut scratch = Vec::new();
        starts.push(0);
        for o in 0..n_out {
            scratch.clear();
            taps_of(o, &mut scratch);
            for &(s, w) in &scratch {
                sources.push(s);
                weights.push(w);
            }
            starts.push(sources.len());
        }
        Self {
            starts,
            sources,
            weights,
        }
    }

    /// Correlation with `kernel` (centre at `kernel.len() / 2`) over `n` samples with a border rule.
    pub fn correlate(kernel: &[f32], n: usize, border: Border) -> Self {
        let centre = (kernel.len() / 2) as isize;
        Self::from_fn(n, |o, taps| {
            for (k, &w) in kernel.iter().enumerate() {
                if let Some(s) = border.index(o as isize + k as isize - centre, n) {
                    taps.push((s, w));
                }
            }
        })
    }

    /// Number of output samples.
    pub fn len_out(&self) -> usize {
        self.starts.len() - 1
    }

    fn output(&self, o: usize, read: impl Fn(usize) -> f32) -> f32 {
        let range = self.starts[o]..self.starts[o + 1];
        let mut acc = 0.0f32;
        for (s, w) in self.sources[range.clone()].iter().zip(&self.weights[range]) {
            acc += w * read(*s);
        }
        acc
    }

    /// Applies the operator along every row (the column axis): `h×w_in` → `h×len_out`.
    pub fn along_rows(&self, img: &[f32], h: usize, w_in: usize) -> Vec<f32> {
        let w_out = self.len_out();
        let mut out = vec![0.0; h * w_out];
        for r in 0..h {
            let row = &img[r * w_in..(r + 1) * w_in];
            for c in 0..w_out {
                out[r * w_out + c] = self.output(c, |s| row[s]);
            }
        }
        out
    }

    /// Applies the operator along every column (the row axis): `h_in×w` → `len_out×w`.
    pub fn along_cols(&self, img: &[f32], w: usize) -> Vec<f32> {
        let h_out = self.len_out();
        let mut out = vec![0.0; h_out * w];
        for r in 0..h_out {
            for c in 0..w {
                out[r * w + c] = self.output(r, |s| img[s * w + c]);
            }
        }
        out
    }
}

/// scipy's Gaussian kernel: radius `int(truncate·σ + 0.5)`, weights `exp(−x²/2σ²)` summing to 1.
pub fn scipy_gaussian_kernel(sigma: f64, truncate: f64) -> Vec<f32> {
    let radius = (truncate * sigma + 0.5) as isize;
    normalised((-radius..=radius).map(|x| libm::exp(-0.5 * (x * x) as f64 / (sigma * sigma))))
}

/// OpenCV's `getGaussianKernel(ksize, σ)` for σ > 0: `exp(−(i − (ksize−1)/2)²/2σ²)`, normalised.
pub fn opencv_gaussian_kernel(ksize: usize, sigma: f64) -> Vec<f32> {
    let half = (ksize as f64 - 1.0) / 2.0;
    normalised((0..ksize).map(|i| {
        let x = i as f64 - half;
        libm::exp(-(x * x) / (2.0 * sigma * sigma))
    }))
}

fn normalised(values: impl Iterator<Item = f64>) -> Vec<f32> {
    let v: Vec<f64> = values.collect();
    let sum: f64 = v.iter().sum();
    v.iter().map(|x| (x / sum) as f32).collect()
}

/// `scipy.ndimage.gaussian_filter` with one σ per axis (σ = 0 leaves that axis alone).
pub fn gaussian_filter(
    img: &[f32],
    h: usize,
    w: usize,
    sigma_rows: f64,
    sigma_cols: f64,
    border: Border,
    truncate: f64,
) -> Vec<f32> {
    let mut out = img.to_vec();
    if sigma_rows > 1e-15 {
        let taps = Taps::correlate(&scipy_gaussian_kernel(sigma_rows, truncate), h, border);
        out = taps.along_cols(&out, w);
    }
    if sigma_cols > 1e-15 {
        let taps = Taps::correlate(&scipy_gaussian_kernel(sigma_cols, truncate), w, border);
        out = taps.along_rows(&out, h, w);
    }
    out
}

/// skimage `gaussian(x, σ)` on a 2-D image: both axes, mode `nearest`, truncate 4.
pub fn skimage_gaussian(img: &[f32], h: usize, w: usize, sigma: f64) -> Vec<f32> {
    gaussian_filter(img, h, w, sigma, sigma, Border::Nearest, 4.0)
}

/// skimage `gaussian(x, σ, multichannel=True)` on a 2-D image, as MNIST-C called it: skimage ≤ 0.18
/// takes the last axis for channels, so only the row axis (vertical direction) is blurred.
pub fn skimage_gaussian_rows_only(img: &[f32], h: usize, w: usize, sigma: f64) -> Vec<f32> {
    gaussian_filter(img, h, w, sigma, 0.0, Border::Nearest, 4.0)
}

/// A square 2-D kernel (odd side `size`, row-major weights).
#[derive(Clone, Debug)]
pub struct Kernel2d {
    /// Side length (odd).
    pub size: usize,
    /// Row-major weights.
    pub weights: Vec<f32>,
}

#[cfg(test)]
impl Kernel2d {
    /// Sum of the weights (in f64).
    pub fn sum(&self) -> f64 {
        self.weights.iter().map(|&w| f64::from(w)).sum()
    }
}

/// The defocus kernel `disk(r, alias_blur)` of the generators: the indicator of X² + Y² ≤ r² on the
/// grid −8..8 (or −r..r when r > 8), normalised to sum 1, then blurred by OpenCV's `GaussianBlur`
/// (3×3, or 5×5 when r > 8; σ = alias_blur; border reflect-101).
pub fn disk_kernel(radius: f64, alias_blur: f64) -> Kernel2d {
    let (half, ksize) = if radius <= 8.0 {
        (8isize, 3)
    } else {
        (radius as isize, 5)
    };
    let size = (2 * half + 1) as usize;
    let inside: Vec<f64> = (-half..=half)
        .flat_map(|y| {
            (-half..=half)
                .map(move |x| f64::from(u8::from(((x * x + y * y) as f64) <= radius * radius)))
        })
        .collect();
    let count: f64 = inside.iter().sum();
    let aliased: Vec<f32> = inside.iter().map(|&v| (v / count) as f32).collect();
    let blur = opencv_gaussian_kernel(ksize, alias_blur);
    let taps = Taps::correlate(&blur, size, Border::Reflect101);
    let weights = taps.along_cols(&taps.along_rows(&aliased, size, size), size);
    Kernel2d { size, weights }
}

/// OpenCV `filter2D` (correlation, anchor at the centre) with a border rule. Zero kernel weights
/// are skipped; the others are summed in row-major kernel order.
pub fn filter2d(img: &[f32], h: usize, w: usize, kernel: &Kernel2d, border: Border) -> Vec<f32> {
    let half = (kernel.size / 2) as isize;
    let taps: Vec<(isize, isize, f32)> = kernel
        .weights
        .iter()
        .enumerate()
        .filter(|(_, wt)| **wt != 0.0)
        .map(|(k, &wt)| {
            let (ky, kx) = ((k / kernel.size) as isize, (k % kernel.size) as isize);
            (ky - half, kx - half, wt)
        })
        .collect();
    // Source index of every row (column) at every kernel offset, computed once.
    let lookup = |n: usize| -> Vec<Vec<Option<usize>>> {
        (-half..=half)
            .map(|d| (0..n).map(|i| border.index(i as isize + d, n)).collect())
            .collect()
    };
    let (rows, cols) = (lookup(h), lookup(w));
    // Taps outermost: each output still accumulates its taps in kernel order.
    let mut out = vec![0.0f32; h * w];
    for &(dy, dx, wt) in &taps {
        let (src_rows, src_cols) = (&rows[(dy + half) as usize], &cols[(dx + half) as usize]);
        for (r, sy) in src_rows.iter().enumerate() {
            let Some(sy) = sy else { continue };
            let (src, dst) = (&img[sy * w..(sy + 1) * w], &mut out[r * w..(r + 1) * w]);
            for (o, sx) in dst.iter_mut().zip(src_cols) {
                if let Some(sx) = sx {
                    *o += wt * src[*sx];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn border_rules_match_the_libraries() {
        // n = 4, indices −3..7 (scipy / OpenCV documentation patterns).
        let map = |b: Border| -> Vec<Option<usize>> { (-3..8).map(|i| b.index(i, 4)).collect() };
        let s = |v: &[usize]| v.iter().map(|&i| Some(i)).collect::<Vec<_>>();
        assert_eq!(map(Border::Nearest), s(&[0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3]));
        assert_eq!(map(Border::Reflect), s(&[2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0]));
        assert_eq!(
            map(Border::Reflect101),
            s(&[3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1])
        );
        assert_eq!(map(Border::Constant)[..4], [None, None, None, Some(0)]);
        assert_eq!(Border::Reflect101.index(-5, 1), Some(0));
    }

    #[test]
    fn scipy_gaussian_kernel_radius_and_sum() {
        // σ = 1, truncate 4: radius int(4.5) = 4, 9 taps; σ = 0.7: radius int(3.3) = 3.
        let k = scipy_gaussian_kernel(1.0, 4.0);
        assert_eq!(k.len(), 9);
        let sum: f32 = k.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
        // Centre weight 1/Σ exp(−x²/2) over −4..4 = 1/2.506628... = 0.398943...
        assert!((k[4] - 0.398_943).abs() < 2e-6, "{}", k[4]);
        assert_eq!(scipy_gaussian_kernel(0.7, 4.0).len(), 7);
    }

    #[test]
    fn opencv_gaussian_kernel_three_taps() {
        // ksize 3, σ = 0.5: weights ∝ (e^−2, 1, e^−2) → (0.106507, 0.786986, 0.106507).
        let k = opencv_gaussian_kernel(3, 0.5);
        assert!((k[0] - 0.106_507).abs() < 1e-6 && (k[1] - 0.786_986).abs() < 1e-6);
    }

    #[test]
    fn disk_kernel_sums_to_one_and_has_the_right_support() {
        for (r, a) in [(3.0, 0.1), (4.0, 0.5), (6.0, 0.5), (0.3, 0.4)] {
            let k = disk_kernel(r, a);
            assert!((k.sum() - 1.0).abs() < 1e-5, "r={r}: {}", k.sum());
            assert!(k.weights.iter().all(|&w| w >= 0.0));
        }
        // When the disk touches the grid's edge (r = 8 on −8..8, r = 10 on −10..10), OpenCV's
        // reflect-101 border folds part of the blurred mass back in: the sum exceeds 1 slightly,
        // as in the generators.
        for (r, a) in [(8.0, 0.5), (10.0, 0.5)] {
            let sum = disk_kernel(r, a).sum();
            assert!(sum > 1.0 + 1e-4 && sum < 1.03, "r={r}: {sum}");
        }
        assert_eq!(disk_kernel(3.0, 0.1).size, 17);
        assert_eq!(disk_kernel(10.0, 0.5).size, 21);
        // r = 0.3 keeps only the centre, blurred by the 3×3 Gaussian σ = 0.4: centre weight
        // (1/(1 + 2e^{−3.125}))² = 0.8437…² = 0.7119.
        let k = disk_kernel(0.3, 0.4);
        let g = 1.0 / (1.0 + 2.0 * (-3.125f64).exp());
        assert!((f64::from(k.weights[8 * 17 + 8]) - g * g).abs() < 1e-6);
        // r = 1: the 5 pixels of the discrete disk (centre + 4 neighbours) before the blur.
        let k = disk_kernel(1.0, 1e-3);
        let centre = 8 * 17 + 8;
        for i in [centre, centre - 1, centre + 1, centre - 17, centre + 17] {
            assert!((k.weights[i] - 0.2).abs() < 1e-6);
        }
    }

    #[test]
    fn gaussian_filter_preserves_constants_and_mass() {
        let (h, w) = (9, 7);
        let flat = vec![0.25f32; h * w];
        for b in [Border::Nearest, Border::Reflect, Border::Reflect101] {
            let out = gaussian_filter(&flat, h, w, 1.3, 0.8, b, 4.0);
            assert!(out.iter().all(|&v| (v - 0.25).abs() < 1e-6));
        }
        // Constant border: a centred impulse keeps its mass when the kernel fits inside.
        let mut impulse = vec![0.0f32; 15 * 15];
        impulse[7 * 15 + 7] = 1.0;
        let out = gaussian_filter(&impulse, 15, 15, 1.0, 1.0, Border::Constant, 3.0);
        let mass: f32 = out.iter().sum();
        assert!((mass - 1.0).abs() < 1e-5);
        // Rows-only blur leaves each row's neighbours in other columns untouched.
        let out = skimage_gaussian_rows_only(&impulse, 15, 15, 1.0);
        assert_eq!(out[7 * 15 + 6], 0.0);
        assert!(out[6 * 15 + 7] > 0.2);
    }

    #[test]
    fn filter2d_with_identity_kernel_is_identity() {
        let img: Vec<f32> = (0..20).map(|i| i as f32 / 20.0).collect();
        let mut weights = vec![0.0; 9];
        weights[4] = 1.0;
        let out = filter2d(
            &img,
            4,
            5,
            &Kernel2d { size: 3, weights },
            Border::Reflect101,
        );
        assert_eq!(out, img);
    }
}
