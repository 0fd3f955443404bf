//! Random number generators.
//!
//! * [`Rng`]: the portable project generator (xoshiro256** seeded through SplitMix64). Integer
//!   arithmetic plus `libm` for the transcendental functions, so the stream is bit-identical natively
//!   and in wasm32. Exact Poisson draws ([`Rng::poisson`], [`Poisson`]): inversion below λ = 10,
//!   Hörmann's transformed rejection (PTRS) above (`common.md` §2).
//! * [`NumpyLegacy`]: a re-implementation of numpy's legacy global generator (`np.random.seed(int)`):
//!   MT19937 seeded by `init_genrand`, 53-bit doubles, the polar Gaussian that caches its second value,
//!   and the masked-rejection `randint`. It exists only for presets that replay an official notebook.

/// SplitMix64 step, used to expand a 64-bit seed into the xoshiro state.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The portable project generator: xoshiro256** with Box–Muller normals.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Seeds the state with four SplitMix64 outputs of `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Self { s }
    }

    /// An independent stream for a named purpose (e.g. data vs. algorithm), derived from one seed.
    pub fn stream(seed: u64, stream: u64) -> Self {
        Self::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform double in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal draw by Box–Muller (one draw per call, no caching).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1], so ln is finite
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// An exact Poisson(λ) draw (`common.md` §2: no normal approximation); see [`Poisson`].
    /// λ ≤ 0 (or NaN) gives 0.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        Poisson::new(lambda).sample(self)
    }

    /// Uniform integer in `0..n` (Lemire's unbiased multiply-shift rejection). `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below needs n > 0");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// [`Poisson`] uses inversion below this mean and PTRS from it on (PTRS needs λ ≥ 10).
pub const POISSON_INVERSION_BELOW: f64 = 10.0;

/// The exact Poisson(λ) law with its sampling constants computed once, for many draws at one λ
/// ([`Rng::poisson`] builds one per draw; both give the same stream). λ < 10: inversion by
/// sequential search from 0 (one uniform per draw); λ ≥ 10: PTRS, the transformed rejection
/// method of Hörmann (1993), two uniforms per trial, acceptance ≈ 0.9 and more as λ grows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Poisson {
    /// λ ≤ 0 (or NaN): always 0.
    Zero,
    /// Inversion, with e^{−λ}.
    Inversion {
        /// λ.
        lambda: f64,
        /// e^{−λ}, the mass at 0.
        p0: f64,
    },
    /// PTRS constants.
    Ptrs {
        /// λ.
        lambda: f64,
        /// ln λ.
        log_lambda: f64,
        /// Hörmann's a.
        a: f64,
        /// Hörmann's b.
        b: f64,
        /// ln(1/α).
        log_inv_alpha: f64,
        /// The quick-acceptance bound v_r.
        vr: f64,
    },
}

impl Poisson {
    /// The law of mean `lambda`, which must be finite (λ ≤ 0 or NaN: [`Poisson::Zero`]).
    pub fn new(lambda: f64) -> Self {
        debug_assert!(lambda != f64::INFINITY, "a Poisson mean must be finite");
        if lambda.is_nan() || lambda <= 0.0 {
            Self::Zero
        } else if lambda < POISSON_INVERSION_BELOW {
            Self::Inversion {
                lambda,
                p0: libm::exp(-lambda),
            }
        } else {
            let b = 0.931 + 2.53 * libm::sqrt(lambda);
            Self::Ptrs {
                lambda,
                log_lambda: libm::log(lambda),
                a: -0.059 + 0.02483 * b,
                b,
                log_inv_alpha: libm::log(1.1239 + 1.1328 / (b - 3.4)),
                vr: 0.9277 - 3.6224 / (b - 2.0),
            }
        }
    }

    /// The mean λ (0 for [`Poisson::Zero`]).
    pub fn mean(&self) -> f64 {
        match *self {
            Self::Zero => 0.0,
            Self::Inversion { lambda, .. } | Self::Ptrs { lambda, .. } => lambda,
        }
    }

    /// One draw.
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Self::Zero => 0,
            Self::Inversion { lambda, p0 } => {
                let u = rng.uniform();
                let (mut p, mut cdf, mut k) = (p0, p0, 0u64);
                // P(k > 200) < 1e-150 for λ < 10; the cap only guards against a u that
                // rounding puts above the computed cdf's limit.
                while u > cdf && k < 200 {
                    k += 1;
                    p *= lambda / k as f64;
                    cdf += p;
                }
                k
            }
            Self::Ptrs {
                lambda,
                log_lambda,
                a,
                b,
                log_inv_alpha,
                vr,
            } => loop {
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
                let lhs = libm::log(v) + log_inv_alpha - libm::log(a / (us * us) + b);
                if lhs <= -lambda + k * log_lambda - libm::lgamma(k + 1.0) {
                    return k as u64;
                }
            },
        }
    }
}

const MT_N: usize = 624;
const MT_M: usize = 397;

/// numpy's legacy `RandomState` generator (MT19937), for notebook presets.
#[derive(Clone, Debug)]
pub struct NumpyLegacy {
    mt: [u32; MT_N],
    index: usize,
    cached_gauss: Option<f64>,
}

impl NumpyLegacy {
    /// Seeds like `np.random.seed(seed)` for an integer seed (MT19937 `init_genrand`).
    pub fn new(seed: u32) -> Self {
        let mut mt = [0u32; MT_N];
        mt[0] = seed;
        for i in 1..MT_N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Self {
            mt,
            index: MT_N,
            cached_gauss: None,
        }
    }

    fn regenerate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7FFF_FFFF;
        const MATRIX_A: u32 = 0x9908_B0DF;
        for i in 0..MT_N {
            let y = (self.mt[i] & UPPER) | (self.mt[(i + 1) % MT_N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.mt[i] = self.mt[(i + MT_M) % MT_N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// Next tempered 32-bit output (`genrand_int32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= MT_N {
            self.regenerate();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^ (y >> 18)
    }

    /// `np.random.random_sample()`: 53-bit double from two 32-bit draws.
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `np.random.standard_normal()`: the legacy polar method, caching the second value.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = libm::sqrt(-2.0 * libm::log(r2) / r2);
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `np.random.randint(n)` for `0 < n <= 2^32`: masked rejection on 32-bit draws.
    pub fn randint(&mut self, n: u64) -> u64 {
        assert!(
            n > 0 && n <= 1 << 32,
            "NumpyLegacy::randint needs 0 < n <= 2^32"
        );
        let range = n - 1;
        if range == 0 {
            return 0;
        }
        let mut mask = range;
        for shift in [1, 2, 4, 8, 16] {
            mask |= mask >> shift;
        }
        loop {
            let v = u64::from(self.next_u32()) & mask;
            if v <= range {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_matches_reference_outputs() {
        // The MT19937 reference (mt19937ar.c) seeded with init_genrand(5489) starts 3499211612,
        // 581869302, 3890346734, 3586334585; its 10000th output is 4123659995.
        let mut mt = NumpyLegacy::new(5489);
        let first: Vec<u32> = (0..4).map(|_| mt.next_u32()).collect();
        assert_eq!(
            first,
            [3_499_211_612, 581_869_302, 3_890_346_734, 3_586_334_585]
        );
        let mut mt = NumpyLegacy::new(5489);
        let tenth_thousand = (0..10_000).map(|_| mt.next_u32()).last();
        assert_eq!(tenth_thousand, Some(4_123_659_995));
    }

    #[test]
    fn numpy_seed0_random_sample_is_derived_from_first_two_words() {
        // init_genrand(0) starts 2357136044, 2546248239: (2357136044>>5)*2^26 + (2546248239>>6)
        // over 2^53 is numpy's famous first draw 0.5488135039273248.
        let mut mt = NumpyLegacy::new(0);
        assert_eq!(mt.next_u32(), 2_357_136_044);
        assert_eq!(mt.next_u32(), 2_546_248_239);
        let expected = (f64::from(2_357_136_044u32 >> 5) * 67_108_864.0
            + f64::from(2_546_248_239u32 >> 6))
            / 9_007_199_254_740_992.0;
        assert_eq!(expected, 0.548_813_503_927_324_8);
        assert_eq!(NumpyLegacy::new(0).random_sample(), expected);
    }

    #[test]
    fn numpy_seed0_normals_use_polar_method_with_cache() {
        // np.random.seed(0); np.random.randn(3) -> [1.764052345967664, 0.4001572083672233,
        // 0.9787379841057392]: the first value is f*x2, the second the cached f*x1.
        let mut mt = NumpyLegacy::new(0);
        let x1 = 2.0 * NumpyLegacy::new(0).random_sample() - 1.0;
        let got: Vec<f64> = (0..3).map(|_| mt.standard_normal()).collect();
        assert_eq!(
            got,
            [
                1.764_052_345_967_664,
                0.400_157_208_367_223_3,
                0.978_737_984_105_739_2
            ]
        );
        // The cached value is f*x1 with x1 from the first random_sample: same sign as x1.
        assert_eq!(got[1].signum(), x1.signum());
    }

    #[test]
    fn numpy_randint_masked_rejection() {
        // init_genrand(0) first word 2357136044: & 15 = 12 > 9 is rejected; the second word
        // 2546248239 & 15 = 15 rejected; numpy's np.random.seed(0); randint(10) gives 5.
        let mut mt = NumpyLegacy::new(0);
        assert_eq!(mt.randint(10), 5);
        let mut mt = NumpyLegacy::new(0);
        // A power of two needs no rejection: 2357136044 & 7 = 4.
        assert_eq!(mt.randint(8), 4);
    }

    #[test]
    fn xoshiro_reference_and_splitmix() {
        // SplitMix64 with state 0 first outputs 0xE220A8397B1DCDAF (reference sequence).
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        // xoshiro256** from state [1, 2, 3, 4] outputs 11520, 0, 1509978240, 1215971899390074240.
        let mut r = Rng { s: [1, 2, 3, 4] };
        let out: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(out, [11_520, 0, 1_509_978_240, 1_215_971_899_390_074_240]);
    }

    /// Mean and variance of `draws` Poisson(λ) samples: both must be within 5 standard errors of
    /// λ (Var of the sample mean λ/N; Var of the sample variance ≈ (λ + 2λ²)/N for Poisson).
    fn poisson_moments(lambda: f64, draws: usize, seed: u64) -> (f64, f64) {
        let mut r = Rng::new(seed);
        let xs: Vec<f64> = (0..draws).map(|_| r.poisson(lambda) as f64).collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (draws - 1) as f64;
        (mean, var)
    }

    #[test]
    fn poisson_mean_and_variance_small_and_large_lambda() {
        let n = 200_000;
        // Inversion (λ < 10) and PTRS (λ ≥ 10, up to 10⁶): a Poisson's mean and variance are λ.
        for (i, lambda) in [0.05, 0.7, 3.0, 9.99, 10.0, 17.5, 100.0, 2_500.0, 1e6]
            .into_iter()
            .enumerate()
        {
            let (mean, var) = poisson_moments(lambda, n, 100 + i as u64);
            let se_mean = libm::sqrt(lambda / n as f64);
            let se_var = libm::sqrt((lambda + 2.0 * lambda * lambda) / n as f64);
            assert!(
                (mean - lambda).abs() < 5.0 * se_mean,
                "λ = {lambda}: mean {mean} (se {se_mean})"
            );
            assert!(
                (var - lambda).abs() < 5.0 * se_var,
                "λ = {lambda}: variance {var} (se {se_var})"
            );
        }
    }

    #[test]
    fn poisson_pmf_matches_exactly_on_both_methods() {
        // Not only two moments: the empirical pmf is within sampling noise of the exact pmf at
        // every k, for an inversion λ and a PTRS λ (a wrong constant in PTRS shifts mass locally).
        let n = 400_000;
        for lambda in [4.0, 25.0] {
            let mut r = Rng::new(9);
            let mut counts = vec![0usize; 200];
            for _ in 0..n {
                counts[(r.poisson(lambda) as usize).min(199)] += 1;
            }
            for (k, c) in counts.iter().enumerate().take(100) {
                let kf = k as f64;
                let p = libm::exp(-lambda + kf * libm::log(lambda) - libm::lgamma(kf + 1.0));
                let se = libm::sqrt(p * (1.0 - p) / n as f64) + 1e-12;
                let freq = *c as f64 / n as f64;
                assert!(
                    (freq - p).abs() < 5.0 * se + 2.0 / n as f64,
                    "λ = {lambda}, k = {k}: frequency {freq} against pmf {p}"
                );
            }
        }
        // A law built once draws the very stream of per-draw laws.
        for lambda in [0.3, 7.0, 12.0, 400.0] {
            let law = Poisson::new(lambda);
            let (mut r1, mut r2) = (Rng::new(5), Rng::new(5));
            for _ in 0..1000 {
                assert_eq!(law.sample(&mut r1), r2.poisson(lambda));
            }
            assert_eq!(law.mean(), lambda);
        }
        assert_eq!(Rng::new(1).poisson(0.0), 0);
        assert_eq!(Rng::new(1).poisson(-3.0), 0);
        assert_eq!(Rng::new(1).poisson(f64::NAN), 0);
    }

    #[test]
    fn uniform_normal_and_below_are_sane() {
        let mut r = Rng::new(7);
        let n = 20_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = r.normal();
            s1 += z;
            s2 += z * z;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.04, "var {var}");
        let mut counts = [0usize; 5];
        for _ in 0..10_000 {
            counts[r.below(5) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (1800..2200).contains(&c)),
            "{counts:?}"
        );
        let u = Rng::new(1).uniform();
        assert!((0.0..1.0).contains(&u));
    }
}
