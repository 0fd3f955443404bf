//! The corruption registry: each corruption's parameters per severity (the tables of
//! `corruptions.md` §5), its source and its deviations, and the two suites built from them. The
//! CLI's `describe` and manifest, the gallery page and the tests all read this one table.

use super::mnist_c::{Spatter, Zigzag};
use super::weather::Snow;
use super::{CorruptError, Image, blur, digital, image_rng, mnist_c, noise, weather};
use crate::rng::Rng;
use serde::Serialize;

/// Applies a corruption to an image with one severity row of parameters.
type Run = fn(&Image, &[f64], &mut Rng) -> Result<Vec<f32>, CorruptError>;

/// One corruption: what it does, its parameters per severity and how it departs from its source.
#[derive(Serialize)]
pub struct Corruption {
    /// Identifier as in the generators (`gaussian_noise`, `jpeg_compression`, …).
    pub id: &'static str,
    /// Human-readable name.
    pub title: &'static str,
    /// Category: noise, blur, weather, digital (the CIFAR-10-C groups), geometric or overlay.
    pub group: &'static str,
    /// What it does, in one sentence.
    pub summary: &'static str,
    /// Parameter names, in the order of each severity row.
    pub params: &'static [&'static str],
    /// Parameter values for severities 1, 2, … (one row each).
    pub levels: &'static [&'static [f64]],
    /// The generator function this follows.
    pub source: &'static str,
    /// Why the regenerated images are "-repro": where they differ from the original.
    pub deviations: &'static str,
    #[serde(skip)]
    run: Run,
}

impl Corruption {
    /// Number of severities defined (5, or 1 for parameter-free corruptions).
    pub fn severities(&self) -> usize {
        self.levels.len()
    }

    /// The parameters of `severity` (1-based), or an error naming the allowed range.
    pub fn level(&self, severity: u32) -> Result<&'static [f64], CorruptError> {
        severity
            .checked_sub(1)
            .and_then(|i| self.levels.get(i as usize))
            .copied()
            .ok_or_else(|| CorruptError::Severity {
                corruption: self.id.to_string(),
                severity,
                max: self.levels.len(),
            })
    }

    /// Corrupts `image` (the `index`-th image of a set) at `severity` with the generator keyed by
    /// (id, severity, index, seed); the result is clipped to [0, 1] and has the input's size.
    pub fn apply(
        &self,
        image: &Image,
        severity: u32,
        index: u64,
        seed: u64,
    ) -> Result<Image, CorruptError> {
        let params = self.level(severity)?;
        let mut rng = image_rng(self.id, severity as u8, index, seed);
        let raw = (self.run)(image, params, &mut rng)?;
        Ok(Image::clipped(image.height(), image.width(), raw))
    }
}

/// A benchmark suite: a list of (corruption, severities) cells.
#[derive(Serialize)]
pub struct Suite {
    /// Short name used on the command line and in URLs (`5sev`, `mnist-c`).
    pub slug: &'static str,
    /// Name of the regenerated set (always "-repro").
    pub name: &'static str,
    /// What it contains.
    pub description: &'static str,
    /// (corruption id, severities) in display order.
    pub entries: &'static [(&'static str, &'static [u32])],
}

impl Suite {
    /// Every (corruption, severity) cell in order.
    pub fn cells(&self) -> Vec<(&'static Corruption, u32)> {
        self.entries
            .iter()
            .flat_map(|&(id, sevs)| {
                let c = find(id).expect("suite entries name registered corruptions");
                sevs.iter().map(move |&s| (c, s))
            })
            .collect()
    }
}

/// Every registered corruption.
pub fn corruptions() -> &'static [Corruption] {
    CORRUPTIONS
}

/// The corruption called `id`.
pub fn find(id: &str) -> Result<&'static Corruption, CorruptError> {
    CORRUPTIONS
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| CorruptError::UnknownCorruption(id.to_string()))
}

/// Both suites.
pub fn suites() -> &'static [Suite] {
    SUITES
}

/// The suite called `slug` (`5sev` or `mnist-c`).
pub fn find_suite(slug: &str) -> Result<&'static Suite, CorruptError> {
    SUITES
        .iter()
        .find(|s| s.slug == slug)
        .ok_or_else(|| CorruptError::UnknownSuite(slug.to_string()))
}

const FIVE: &[u32] = &[1, 2, 3, 4, 5];

static SUITES: &[Suite] = &[
    Suite {
        slug: "5sev",
        name: "MNIST-C-5sev-repro",
        description: "The 15 CIFAR-10-C corruption types on 28×28 gray images at five severities, \
                      with the parameters of MNIST-C's extended table (75 cells).",
        entries: &[
            ("gaussian_noise", FIVE),
            ("shot_noise", FIVE),
            ("impulse_noise", FIVE),
            ("defocus_blur", FIVE),
            ("glass_blur", FIVE),
            ("motion_blur", FIVE),
            ("zoom_blur", FIVE),
            ("snow", FIVE),
            ("frost", FIVE),
            ("fog", FIVE),
            ("brightness", FIVE),
            ("contrast", FIVE),
            ("elastic_transform", FIVE),
            ("pixelate", FIVE),
            ("jpeg_compression", FIVE),
        ],
    },
    Suite {
        slug: "mnist-c",
        name: "MNIST-C-repro",
        description: "MNIST-C's 15 official corruptions, each at the severity its generator uses by \
                      default.",
        entries: &[
            ("shot_noise", &[5]),
            ("impulse_noise", &[4]),
            ("glass_blur", &[1]),
            ("motion_blur", &[1]),
            ("shear", &[2]),
            ("scale", &[3]),
            ("rotate", &[2]),
            ("brightness", &[5]),
            ("translate", &[3]),
            ("stripe", &[1]),
            ("fog", &[5]),
            ("spatter", &[4]),
            ("dotted_line", &[1]),
            ("zigzag", &[1]),
            ("canny_edges", &[1]),
        ],
    },
];

const MNIST_C: &str = "google-research/mnist-c corruptions.py";
const RNG_NOTE: &str =
    "Random draws come from the counter-based generator, not numpy's global one.";

static CORRUPTIONS: &[Corruption] = &[
    Corruption {
        id: "gaussian_noise",
        title: "Gaussian noise",
        group: "noise",
        summary: "x + N(0, σ²) per pixel.",
        params: &["sigma"],
        levels: &[&[0.08], &[0.12], &[0.18], &[0.26], &[0.38]],
        source: MNIST_C,
        deviations: RNG_NOTE,
        run: |img, p, rng| Ok(noise::gaussian_noise(img, p[0], rng)),
    },
    Corruption {
        id: "shot_noise",
        title: "Shot noise",
        group: "noise",
        summary: "Poisson(c·x)/c per pixel.",
        params: &["c"],
        levels: &[&[60.0], &[25.0], &[12.0], &[5.0], &[3.0]],
        source: MNIST_C,
        deviations: "Poisson draws by numpy's algorithms (multiplication below λ = 10, PTRS above) \
                     on the counter-based generator.",
        run: |img, p, rng| Ok(noise::shot_noise(img, p[0], rng)),
    },
    Corruption {
        id: "impulse_noise",
        title: "Impulse noise",
        group: "noise",
        summary: "Salt & pepper: a fraction of the pixels set to 0 or 1.",
        params: &["amount"],
        levels: &[&[0.03], &[0.06], &[0.09], &[0.17], &[0.27]],
        source: "google-research/mnist-c corruptions.py (skimage random_noise, mode s&p)",
        deviations: "Per-pixel Bernoulli(amount), then Bernoulli(½) for salt versus pepper; \
                     skimage drew ceil(amount·N/2) coordinates with replacement.",
        run: |img, p, rng| Ok(noise::impulse_noise(img, p[0], rng)),
    },
    Corruption {
        id: "defocus_blur",
        title: "Defocus blur",
        group: "blur",
        summary: "Convolution with an anti-aliased disk.",
        params: &["radius", "alias_blur"],
        levels: &[
            &[3.0, 0.1],
            &[4.0, 0.5],
            &[6.0, 0.5],
            &[8.0, 0.5],
            &[10.0, 0.5],
        ],
        source: "google-research/mnist-c corruptions.py (disk, cv2.filter2D)",
        deviations: "f32 arithmetic instead of OpenCV's; otherwise the same kernel and reflect-101 \
                     border.",
        run: |img, p, _| Ok(blur::defocus_blur(img, p[0], p[1])),
    },
    Corruption {
        id: "glass_blur",
        title: "Glass blur",
        group: "blur",
        summary: "Blur, local pixel swaps, blur again.",
        params: &["sigma", "max_delta", "iterations"],
        levels: &[
            &[0.7, 1.0, 2.0],
            &[0.9, 2.0, 1.0],
            &[1.0, 2.0, 3.0],
            &[1.1, 3.0, 2.0],
            &[1.5, 4.0, 2.0],
        ],
        source: MNIST_C,
        deviations: "Keeps MNIST-C's row-only Gaussian (skimage ≤ 0.18 read the last axis of a \
                     2-D image as channels; inferred from the library code, not checked against \
                     the released images) and its 8-bit cast between the passes. Swap coin flips \
                     and offsets come from the counter-based generator.",
        run: |img, p, rng| {
            Ok(blur::glass_blur(
                img,
                p[0],
                p[1] as usize,
                p[2] as usize,
                rng,
            ))
        },
    },
    Corruption {
        id: "motion_blur",
        title: "Motion blur",
        group: "blur",
        summary: "Directional blur at a random angle in ±45°.",
        params: &["radius", "sigma"],
        levels: &[
            &[10.0, 3.0],
            &[15.0, 5.0],
            &[15.0, 8.0],
            &[15.0, 12.0],
            &[20.0, 15.0],
        ],
        source: "google-research/mnist-c corruptions.py (ImageMagick motion_blur)",
        deviations: "The numpy re-implementation of bethgelab/imagecorruptions replaces \
                     ImageMagick (one-sided Gaussian weights, shifts with edge replication, stop \
                     when a shift leaves the image); no 8-bit PNG round trip.",
        run: |img, p, rng| Ok(blur::motion_blur(img, p[0] as usize, p[1], rng)),
    },
    Corruption {
        id: "zoom_blur",
        title: "Zoom blur",
        group: "blur",
        summary: "Mean of the image and its centre zooms start + i·step, i < count.",
        params: &["start", "step", "count"],
        levels: &[
            &[1.0, 0.01, 12.0],
            &[1.0, 0.01, 16.0],
            &[1.0, 0.02, 11.0],
            &[1.0, 0.02, 13.0],
            &[1.0, 0.03, 11.0],
        ],
        source: "google-research/mnist-c corruptions.py (clipped_zoom, scipy zoom order 1)",
        deviations: "Zoom factors as numpy's arange produced them (counts include the float \
                     endpoint quirk); f32 arithmetic.",
        run: |img, p, _| Ok(blur::zoom_blur(img, p[0], p[1], p[2] as usize)),
    },
    Corruption {
        id: "snow",
        title: "Snow",
        group: "weather",
        summary: "Motion-blurred snow flakes over a brightened image.",
        params: &[
            "mean",
            "spread",
            "zoom",
            "threshold",
            "blur_radius",
            "blur_sigma",
            "blend",
        ],
        levels: &[
            &[0.1, 0.3, 3.0, 0.5, 10.0, 4.0, 0.8],
            &[0.2, 0.3, 2.0, 0.5, 12.0, 4.0, 0.7],
            &[0.55, 0.3, 4.0, 0.9, 12.0, 8.0, 0.7],
            &[0.55, 0.3, 4.5, 0.85, 12.0, 8.0, 0.65],
            &[0.55, 0.3, 2.5, 0.85, 12.0, 12.0, 0.55],
        ],
        source: MNIST_C,
        deviations: "Motion blur as in motion_blur (numpy scheme, not ImageMagick); the blurred \
                     layer stays in floating point (the generator decoded an 8-bit PNG).",
        run: |img, p, rng| {
            let snow = Snow {
                mean: p[0],
                spread: p[1],
                zoom: p[2],
                threshold: p[3],
                blur_radius: p[4] as usize,
                blur_sigma: p[5],
                blend: p[6],
            };
            Ok(weather::snow(img, &snow, rng))
        },
    },
    Corruption {
        id: "frost",
        title: "Frost",
        group: "weather",
        summary: "a·x + b·frost texture.",
        params: &["a", "b"],
        levels: &[
            &[1.0, 0.4],
            &[0.8, 0.6],
            &[0.7, 0.7],
            &[0.65, 0.7],
            &[0.6, 0.75],
        ],
        source: MNIST_C,
        deviations: "The frost photographs cannot be shipped; a procedural texture (plasma haze \
                     plus bright ice needles, mean ≈ 0.5) drawn per image replaces the random \
                     crop of one of five photographs.",
        run: |img, p, rng| Ok(weather::frost(img, p[0], p[1], rng)),
    },
    Corruption {
        id: "fog",
        title: "Fog",
        group: "weather",
        summary: "x + s·plasma fractal, rescaled by max/(max + s).",
        params: &["strength", "decay", "plasma_map"],
        levels: &[
            &[1.5, 2.0, 256.0],
            &[2.0, 2.0, 256.0],
            &[2.5, 1.7, 256.0],
            &[2.5, 1.5, 256.0],
            &[3.0, 1.4, 256.0],
        ],
        source: "google-research/mnist-c corruptions.py (plasma_fractal, mapsize 256)",
        deviations: "The plasma map is 256² as in MNIST-C (larger images use the next power of \
                     two); its draws come from the counter-based generator.",
        run: |img, p, rng| Ok(weather::fog(img, p[0], p[1], p[2] as usize, rng)),
    },
    Corruption {
        id: "brightness",
        title: "Brightness",
        group: "weather",
        summary: "+v on the HSV value channel (min(x + v, 1) for gray).",
        params: &["value"],
        levels: &[&[0.1], &[0.2], &[0.3], &[0.4], &[0.5]],
        source: MNIST_C,
        deviations: "Computed directly as min(x + v, 1), which is what gray → HSV → gray does.",
        run: |img, p, _| Ok(weather::brightness(img, p[0])),
    },
    Corruption {
        id: "contrast",
        title: "Contrast",
        group: "digital",
        summary: "(x − mean)·c + mean.",
        params: &["c"],
        levels: &[&[0.4], &[0.3], &[0.2], &[0.1], &[0.05]],
        source: MNIST_C,
        deviations: "None beyond f32 arithmetic.",
        run: |img, p, _| Ok(digital::contrast(img, p[0])),
    },
    Corruption {
        id: "elastic_transform",
        title: "Elastic transform",
        group: "digital",
        summary: "Random affine warp, then a smooth random displacement field.",
        params: &["alpha/side", "sigma/side", "affine/side"],
        levels: &[
            &[2.0, 0.7, 0.1],
            &[2.0, 0.08, 0.2],
            &[0.05, 0.01, 0.02],
            &[0.07, 0.01, 0.02],
            &[0.12, 0.01, 0.02],
        ],
        source: "google-research/mnist-c corruptions.py (cv2.warpAffine, map_coordinates)",
        deviations: "Exact bilinear sampling (OpenCV quantises warpAffine coordinates to 1/32 px); \
                     zero outside for both warps as in MNIST-C's constant border. The table is not \
                     monotone in severity (it is MNIST-C's).",
        run: |img, p, rng| Ok(digital::elastic(img, p[0], p[1], p[2], rng)),
    },
    Corruption {
        id: "pixelate",
        title: "Pixelate",
        group: "digital",
        summary: "BOX downscale to int(side·c), BOX upscale back.",
        params: &["c"],
        levels: &[&[0.6], &[0.5], &[0.4], &[0.3], &[0.25]],
        source: "google-research/mnist-c corruptions.py (PIL resize, BOX)",
        deviations: "PIL's BOX coefficients in floating point; PIL resized 8-bit images with \
                     fixed-point weights and rounding.",
        run: |img, p, _| Ok(digital::pixelate(img, p[0])),
    },
    Corruption {
        id: "jpeg_compression",
        title: "JPEG compression",
        group: "digital",
        summary: "8-bit grayscale JPEG round trip at quality q.",
        params: &["quality"],
        levels: &[&[25.0], &[18.0], &[15.0], &[10.0], &[7.0]],
        source: "google-research/mnist-c corruptions.py (PIL JPEG)",
        deviations: "Rust codecs (jpeg-encoder with IJG quality scaling, jpeg-decoder) instead of \
                     libjpeg: the decoded pixels differ slightly.",
        run: |img, p, _| digital::jpeg(img, p[0] as u8),
    },
    Corruption {
        id: "shear",
        title: "Shear",
        group: "geometric",
        summary: "Centre-fixed shear by ±c radians (random sign).",
        params: &["radians"],
        levels: &[&[0.2], &[0.4], &[0.6], &[0.8], &[1.0]],
        source: "google-research/mnist-c corruptions.py (skimage AffineTransform, warp)",
        deviations: "Pins skimage's 2019 shear matrix [[1, −sin c], [0, cos c]].",
        run: |img, p, rng| Ok(mnist_c::shear(img, p[0], rng)),
    },
    Corruption {
        id: "scale",
        title: "Scale",
        group: "geometric",
        summary: "Centre-fixed shrink of the content to a fraction of its size.",
        params: &["fraction"],
        levels: &[&[0.9], &[0.8], &[0.7], &[0.6], &[0.5]],
        source: "google-research/mnist-c corruptions.py (skimage AffineTransform, warp)",
        deviations: "None beyond f64 sampling coordinates.",
        run: |img, p, _| Ok(mnist_c::scale(img, p[0])),
    },
    Corruption {
        id: "rotate",
        title: "Rotate",
        group: "geometric",
        summary: "Centre-fixed rotation by ±c radians (random sign).",
        params: &["radians"],
        levels: &[&[0.2], &[0.4], &[0.6], &[0.8], &[1.0]],
        source: "google-research/mnist-c corruptions.py (skimage AffineTransform, warp)",
        deviations: RNG_NOTE,
        run: |img, p, rng| Ok(mnist_c::rotate(img, p[0], rng)),
    },
    Corruption {
        id: "translate",
        title: "Translate",
        group: "geometric",
        summary: "Shift by ±t px in x and in y (independent random signs).",
        params: &["pixels"],
        levels: &[&[1.0], &[2.0], &[3.0], &[4.0], &[5.0]],
        source: "google-research/mnist-c corruptions.py (skimage AffineTransform, warp)",
        deviations: RNG_NOTE,
        run: |img, p, rng| Ok(mnist_c::translate(img, p[0], rng)),
    },
    Corruption {
        id: "stripe",
        title: "Stripe",
        group: "overlay",
        summary: "Inverts the outer quarter of the columns on each side.",
        params: &["band/width"],
        levels: &[&[0.25]],
        source: MNIST_C,
        deviations: "None (deterministic; columns 0–6 and 21–27 at 28 px).",
        run: |img, p, _| Ok(mnist_c::stripe(img, p[0])),
    },
    Corruption {
        id: "spatter",
        title: "Spatter",
        group: "overlay",
        summary: "Blobs of mud colour (63/255) from a thresholded smooth random layer.",
        params: &["mean", "spread", "sigma", "threshold", "mask_sigma"],
        levels: &[
            &[0.65, 0.3, 4.0, 0.69, 0.6],
            &[0.65, 0.3, 3.0, 0.68, 0.6],
            &[0.65, 0.3, 2.0, 0.68, 0.5],
            &[0.65, 0.3, 1.0, 0.65, 1.5],
            &[0.67, 0.4, 1.0, 0.65, 1.5],
        ],
        source: MNIST_C,
        deviations: "Mud branch at every severity, as MNIST-C; skimage Gaussians (nearest border) \
                     in f32.",
        run: |img, p, rng| {
            let spatter = Spatter {
                mean: p[0],
                spread: p[1],
                sigma: p[2],
                threshold: p[3],
                mask_sigma: p[4],
            };
            Ok(mnist_c::spatter(img, &spatter, rng))
        },
    },
    Corruption {
        id: "dotted_line",
        title: "Dotted line",
        group: "overlay",
        summary: "A dashed anti-aliased line across the image between two random rows.",
        params: &["line_width", "dash_period", "dash_gap"],
        levels: &[&[2.3, 4.0, 2.0]],
        source: MNIST_C,
        deviations: RNG_NOTE,
        run: |img, p, rng| {
            Ok(mnist_c::dotted_line(
                img,
                p[0],
                p[1] as usize,
                p[2] as usize,
                rng,
            ))
        },
    },
    Corruption {
        id: "zigzag",
        title: "Zigzag",
        group: "overlay",
        summary: "A zig-zag line around a random slanted row.",
        params: &["spacing", "amplitude", "line_width", "margin", "drift"],
        levels: &[&[2.0, 2.0, 2.3, 2.0, 5.0]],
        source: MNIST_C,
        deviations: "Vertex placement (every `spacing` px along the line, offsets ±amplitude) and \
                     max-combination of the segments are our reading of the generator.",
        run: |img, p, rng| {
            let zigzag = Zigzag {
                spacing: p[0],
                amplitude: p[1],
                width: p[2],
                margin: p[3] as usize,
                drift: p[4] as u64,
            };
            Ok(mnist_c::zigzag(img, &zigzag, rng))
        },
    },
    Corruption {
        id: "canny_edges",
        title: "Canny edges",
        group: "digital",
        summary: "The binary Canny edge map replaces the image.",
        params: &["sigma", "low", "high"],
        levels: &[&[1.0, 0.1, 0.2]],
        source: "google-research/mnist-c corruptions.py (skimage feature.canny defaults)",
        deviations: "skimage-era defaults (σ 1, thresholds 0.1/0.2 on float images) re-implemented \
                     in f32/f64.",
        run: |img, p, _| Ok(mnist_c::canny_edges(img, p[0], p[1], p[2])),
    },
];
