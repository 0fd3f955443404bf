//! Noise corruptions: Gaussian, shot (Poisson) and impulse (salt & pepper) noise.

use super::Image;
use crate::rng::Rng;

/// `gaussian_noise`: `x + N(0, σ²)` per pixel.
pub(crate) fn gaussian_noise(img: &Image, sigma: f64, rng: &mut Rng) -> Vec<f32> {
    img.pixels()
        .iter()
        .map(|&x| (f64::from(x) + sigma * rng.normal()) as f32)
        .collect()
}

/// `shot_noise`: `Poisson(c·x)/c` per pixel.
pub(crate) fn shot_noise(img: &Image, c: f64, rng: &mut Rng) -> Vec<f32> {
    img.pixels()
        .iter()
        .map(|&x| (poisson(c * f64::from(x), rng) as f64 / c) as f32)
        .collect()
}

/// `impulse_noise`: each pixel is replaced with probability `amount`, by 1 or 0 with equal odds
/// (skimage `random_noise(mode='s&p')`).
pub(crate) fn impulse_noise(img: &Image, amount: f64, rng: &mut Rng) -> Vec<f32> {
    img.pixels()
        .iter()
        .map(|&x| {
            if rng.uniform() < amount {
                if rng.uniform() < 0.5 { 1.0 } else { 0.0 }
            } else {
                x
            }
        })
        .collect()
}

/// A Poisson draw with mean `lambda` ≥ 0, by numpy's two methods: multiplication of uniforms for
/// `lambda` < 10, Hörmann's transformed rejection (PTRS) above.
pub(crate) fn poisson(lambda: f64, rng: &mut Rng) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 10.0 {
        let limit = libm::exp(-lambda);
        let mut k = 0;
        let mut product = rng.uniform();
        while product > limit {
            k += 1;
            product *= rng.uniform();
        }
        return k;
    }
    let slam = libm::sqrt(lambda);
    let loglam = libm::log(lambda);
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.uniform() - 0.5;
        let v = rng.uniform();
        let us = 0.5 - u.abs();
        let k = libm::floor((2.0 * a / us + b) * u + lambda + 0.43);
        if us >= 0.07 && v <= vr {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let accept = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b)
            <= -lambda + k * loglam - libm::lgamma(k + 1.0);
        if accept {
            return k as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mean_and_variance() {
        let mut rng = Rng::new(11);
        for lambda in [0.3, 3.0, 12.0, 60.0, 500.0] {
            let n = 20_000;
            let draws: Vec<f64> = (0..n).map(|_| poisson(lambda, &mut rng) as f64).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
            // Standard error of the mean is sqrt(λ/n); allow 5 of them.
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "λ={lambda}: {mean}"
            );
            assert!((var / lambda - 1.0).abs() < 0.06, "λ={lambda}: var {var}");
        }
        assert_eq!(poisson(0.0, &mut rng), 0);
    }

    #[test]
    fn impulse_noise_replaces_the_expected_fraction() {
        let img = Image::new(100, 100, vec![0.5; 10_000]).unwrap();
        let out = impulse_noise(&img, 0.2, &mut Rng::new(2));
        let changed = out.iter().filter(|&&v| v != 0.5).count();
        let salt = out.iter().filter(|&&v| v == 1.0).count();
        // Binomial(10⁴, 0.2): sd 40; salt is half of it.
        assert!((1800..2200).contains(&changed), "{changed}");
        assert!((changed as f64 / 2.0 - salt as f64).abs() < 150.0, "{salt}");
    }
}
