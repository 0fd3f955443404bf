//! The testers of `oufkir2022_closeness.md` §3.3, as plain functions and small state types: our
//! designs, faithful to the paper's ideas, not the paper's statistics.
//!
//! * (A) [`Glr`]: the small-n sequential generalised-likelihood-ratio tester, with the exact
//!   Z_far over every subset A (golden-section inner minimisation) and the cheap upper bound
//!   that spares most exact evaluations; threshold [`beta`].
//! * (B) [`exact_batch`]: the optimal batch threshold test for n = 2, exact, and
//!   [`normal_batch_n`], its labelled normal approximation.
//! * (C) [`run_grid`]: the general-n geometric-grid sequential tester with Poissonised counts,
//!   the statistic [`closeness_statistic`] and the conditional Bernstein threshold
//!   [`bernstein_threshold`]; (D) [`run_batch`], its batch version (one stage at (ε, δ)).
//! * The instances: [`alternating`] (small n, TV = θ), [`family_a`] and [`family_b`] (large n).
//!
//! Everything uses `libm` and fixed-order sums, so results are bit-identical natively and in wasm.

use crate::rng::{Poisson, Rng};

/// What a tester answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// D1 = D2.
    Same,
    /// TV(D1, D2) ≥ ε.
    Different,
}

impl Decision {
    /// 1 for "different", 0 for "same" (the metric `decision`).
    pub fn code(self) -> f64 {
        match self {
            Decision::Same => 0.0,
            Decision::Different => 1.0,
        }
    }
}

/// x·ln(x/y) with 0·ln 0 = 0 and +∞ where y = 0 < x.
fn xlogxy(x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if y <= 0.0 {
        f64::INFINITY
    } else {
        x * libm::log(x / y)
    }
}

/// The Bernoulli divergence kl(a, u) = a·ln(a/u) + (1 − a)·ln((1 − a)/(1 − u)), never below 0
/// (rounding can make the two terms' sum a hair negative when u ≈ a).
pub fn kl_bernoulli(a: f64, u: f64) -> f64 {
    (xlogxy(a, u) + xlogxy(1.0 - a, 1.0 - u)).max(0.0)
}

/// Iterations of the golden-section search of the inner minimisation (spec §3.3).
pub const GOLDEN_ITERATIONS: u32 = 40;

/// The bracket [lo, hi] of u on the boundary u − v = ε where the minimiser of
/// kl(a, u) + kl(b, u − ε) lies (u ≥ a, v ≤ b, u ≥ ε, u ≤ 1), for a − b < ε.
fn far_bracket(a: f64, b: f64, eps: f64) -> (f64, f64) {
    (a.max(eps), (b + eps).min(1.0))
}

/// kl(a, u) + kl(b, u − ε): the divergence from (a, b) to the point (u, u − ε).
fn far_objective(a: f64, b: f64, eps: f64, u: f64) -> f64 {
    kl_bernoulli(a, u) + kl_bernoulli(b, u - eps)
}

/// The cheap upper bound of [`far_divergence`]: its objective at the middle of the bracket, which
/// is the spec's feasible point u, v = (a + b ± ε)/2 whenever that point lies in [0, 1]². 0 when
/// a − b ≥ ε (the point (a, b) is itself far).
pub fn far_upper_bound(a: f64, b: f64, eps: f64) -> f64 {
    if a - b >= eps {
        return 0.0;
    }
    let (lo, hi) = far_bracket(a, b, eps);
    far_objective(a, b, eps, 0.5 * (lo + hi))
}

/// min over {u − v ≥ ε, u, v ∈ [0, 1]} of kl(a, u) + kl(b, v): 0 when a − b ≥ ε, else (the
/// objective being convex and the minimiser on the boundary u − v = ε) a golden-section search of
/// [`GOLDEN_ITERATIONS`] steps on the bracket of u; never above [`far_upper_bound`].
pub fn far_divergence(a: f64, b: f64, eps: f64) -> f64 {
    if a - b >= eps {
        return 0.0;
    }
    let (mut lo, mut hi) = far_bracket(a, b, eps);
    let f = |u: f64| far_objective(a, b, eps, u);
    let g = 0.5 * (libm::sqrt(5.0) - 1.0);
    let mut x1 = hi - g * (hi - lo);
    let mut x2 = lo + g * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..GOLDEN_ITERATIONS {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = f(x2);
        }
    }
    f1.min(f2).min(far_upper_bound(a, b, eps))
}

/// The threshold β(t, δ) = ln(1/δ) + c·2·ln(1 + ln(1 + t)) of tester (A).
pub fn beta(t: u64, delta: f64, c: f64) -> f64 {
    libm::log(1.0 / delta) + c * 2.0 * libm::log(1.0 + libm::log(1.0 + t as f64))
}

/// Largest alphabet of tester (A): it minimises over the 2ⁿ − 2 subsets A.
pub const GLR_MAX_N: usize = 6;

/// Tester (A)'s state: the counts a_i (from D1) and b_i (from D2) after t rounds of one sample
/// from each distribution.
#[derive(Clone, Debug)]
pub struct Glr {
    eps: f64,
    a: Vec<u64>,
    b: Vec<u64>,
    t: u64,
}

impl Glr {
    /// No samples yet, alphabet size `n` (2 ≤ n ≤ [`GLR_MAX_N`]), distance ε.
    pub fn new(n: usize, eps: f64) -> Self {
        assert!((2..=GLR_MAX_N).contains(&n), "tester (A) needs 2 ≤ n ≤ 6");
        Self {
            eps,
            a: vec![0; n],
            b: vec![0; n],
            t: 0,
        }
    }

    /// Starts from given counts (both of the same total t).
    pub fn from_counts(a: &[u64], b: &[u64], eps: f64) -> Self {
        let mut g = Self::new(a.len(), eps);
        g.a.copy_from_slice(a);
        g.b.copy_from_slice(b);
        g.t = a.iter().sum();
        assert_eq!(g.t, b.iter().sum::<u64>(), "one sample of each per round");
        g
    }

    /// One round: a sample `x` of D1 and a sample `y` of D2.
    pub fn observe(&mut self, x: usize, y: usize) {
        self.a[x] += 1;
        self.b[y] += 1;
        self.t += 1;
    }

    /// Rounds so far.
    pub fn rounds(&self) -> u64 {
        self.t
    }

    /// Counts from D1.
    pub fn counts_a(&self) -> &[u64] {
        &self.a
    }

    /// Counts from D2.
    pub fn counts_b(&self) -> &[u64] {
        &self.b
    }

    /// Z_same = t·[KL(p̂‖m̂) + KL(q̂‖m̂)] = Σ_i a_i·ln(2a_i/(a_i + b_i)) + b_i·ln(2b_i/(a_i + b_i)).
    pub fn z_same(&self) -> f64 {
        let mut z = 0.0;
        for (&a, &b) in self.a.iter().zip(&self.b) {
            let (a, b) = (a as f64, b as f64);
            let m = 0.5 * (a + b);
            z += xlogxy(a, m) + xlogxy(b, m);
        }
        z
    }

    /// (p̂(A), q̂(A)) for every subset A as a bit mask (index 0 unused); t > 0.
    fn subset_fractions(&self) -> Vec<(f64, f64)> {
        let n = self.a.len();
        let full = 1usize << n;
        let mut sums = vec![(0u64, 0u64); full];
        for mask in 1..full {
            let low = mask.trailing_zeros() as usize;
            let (sa, sb) = sums[mask & (mask - 1)];
            sums[mask] = (sa + self.a[low], sb + self.b[low]);
        }
        let t = self.t as f64;
        sums.iter()
            .map(|&(sa, sb)| (sa as f64 / t, sb as f64 / t))
            .collect()
    }

    /// The subset A* = {i : a_i > b_i}, which maximises p̂(A) − q̂(A) (a mask; 0 when empty).
    fn widest_subset(&self) -> usize {
        let mut mask = 0;
        for (i, (a, b)) in self.a.iter().zip(&self.b).enumerate() {
            if a > b {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// t·min over A of [`far_upper_bound`]: an upper bound of Z_far (0 at t = 0).
    pub fn z_far_upper_bound(&self) -> f64 {
        if self.t == 0 {
            return 0.0;
        }
        let t = self.t as f64;
        let fr = self.subset_fractions();
        let full = fr.len() - 1;
        (1..full)
            .map(|m| far_upper_bound(fr[m].0, fr[m].1, self.eps))
            .fold(f64::INFINITY, f64::min)
            * t
    }

    /// Z_far = t·min over ∅ ≠ A ⊊ [n] of [`far_divergence`](p̂(A), q̂(A), ε) (0 at t = 0).
    pub fn z_far(&self) -> f64 {
        if self.t == 0 {
            return 0.0;
        }
        let t = self.t as f64;
        let fr = self.subset_fractions();
        let full = fr.len() - 1;
        let mut best = f64::INFINITY;
        for &(a, b) in &fr[1..full] {
            best = best.min(far_divergence(a, b, self.eps));
            if best == 0.0 {
                break;
            }
        }
        best * t
    }

    /// Whether Z_far > β, computed with the speed-up: the exact minimum only once the cheap upper
    /// bound (first of A* alone, then over every A) exceeds β. Same answer as `z_far() > β`.
    pub fn z_far_exceeds(&self, beta: f64) -> bool {
        if self.t == 0 {
            return false;
        }
        let t = self.t as f64;
        let star = self.widest_subset();
        let full = (1usize << self.a.len()) - 1;
        if star != 0 && star != full {
            let (a, b) = self.fractions_of(star);
            if far_upper_bound(a, b, self.eps) * t <= beta {
                return false;
            }
        }
        self.z_far_upper_bound() > beta && self.z_far() > beta
    }

    fn fractions_of(&self, mask: usize) -> (f64, f64) {
        let (mut sa, mut sb) = (0u64, 0u64);
        for i in 0..self.a.len() {
            if mask & (1 << i) != 0 {
                sa += self.a[i];
                sb += self.b[i];
            }
        }
        (sa as f64 / self.t as f64, sb as f64 / self.t as f64)
    }

    /// The stopping rule at threshold β: "different" if Z_same > β, else "same" if Z_far > β.
    pub fn decide(&self, beta: f64) -> Option<Decision> {
        if self.z_same() > beta {
            Some(Decision::Different)
        } else if self.z_far_exceeds(beta) {
            Some(Decision::Same)
        } else {
            None
        }
    }
}

/// Cumulative sums of a distribution, for [`sample`].
pub fn cumulative(d: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    d.iter()
        .map(|p| {
            acc += p;
            acc
        })
        .collect()
}

/// One draw from the distribution with cumulative sums `cum` (one uniform).
pub fn sample(cum: &[f64], rng: &mut Rng) -> usize {
    let u = rng.uniform();
    cum.iter().position(|&c| u < c).unwrap_or(cum.len() - 1)
}

/// The small-alphabet instance at distance θ: D1(i) = 1/n + s_i·θ/(2h), D2(i) = 1/n − s_i·θ/(2h)
/// with h = ⌊n/2⌋ and signs s = (+1, −1, +1, …, and 0 on the last atom when n is odd), so
/// TV(D1, D2) = θ. n = 2, θ = 0.2 gives (0.6, 0.4) and (0.4, 0.6), the E1 instance; θ = 0 is H0.
pub fn alternating(n: usize, theta: f64) -> (Vec<f64>, Vec<f64>) {
    let h = (n / 2) as f64;
    let sign = |i: usize| {
        if n % 2 == 1 && i == n - 1 {
            0.0
        } else if i.is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    };
    let base = 1.0 / n as f64;
    let d1 = (0..n).map(|i| base + sign(i) * theta / (2.0 * h)).collect();
    let d2 = (0..n).map(|i| base - sign(i) * theta / (2.0 * h)).collect();
    (d1, d2)
}

/// Family A of E2 ("uniform ± perturbation"), n even: D1(i) = 1/n, D2(i) = (1 ± 2θ)/n with
/// alternating signs; TV = θ.
pub fn family_a(n: usize, theta: f64) -> (Vec<f64>, Vec<f64>) {
    let base = 1.0 / n as f64;
    let d1 = vec![base; n];
    let d2 = (0..n)
        .map(|i| {
            let s = if i.is_multiple_of(2) { 1.0 } else { -1.0 };
            (1.0 + 2.0 * s * theta) / n as f64
        })
        .collect();
    (d1, d2)
}

/// The number of heavy atoms of family B: k = ⌈n^{2/3}·θ^{−4/3}⌉.
pub fn family_b_heavy(n: usize, theta: f64) -> usize {
    libm::ceil(libm::pow(n as f64, 2.0 / 3.0) * libm::pow(theta, -4.0 / 3.0)) as usize
}

/// Family B of E2 ("heavy + disjoint light", the n^{2/3} regime), n even, θ > 0: k shared heavy
/// atoms of mass (1 − θ)/k each, then D1's light mass θ spread evenly on n/2 atoms and D2's on
/// n/2 other atoms; TV = θ. The support has k + n atoms (the spec's literal reading; the tester
/// keeps the nominal n in its sample sizes).
pub fn family_b(n: usize, theta: f64) -> (Vec<f64>, Vec<f64>) {
    let k = family_b_heavy(n, theta);
    let half = n / 2;
    let heavy = (1.0 - theta) / k as f64;
    let light = theta / half as f64;
    let mut d1 = vec![heavy; k];
    let mut d2 = vec![heavy; k];
    d1.extend(std::iter::repeat_n(light, half));
    d1.extend(std::iter::repeat_n(0.0, half));
    d2.extend(std::iter::repeat_n(0.0, half));
    d2.extend(std::iter::repeat_n(light, half));
    (d1, d2)
}

// ---------------------------------------------------------------------------------------------
// (B) The exact optimal batch threshold test for n = 2.

/// Tester (B): N samples from each distribution, "different" iff |a − b| ≥ c, with its worst-case
/// errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchTest {
    /// Samples from each distribution.
    pub n: u64,
    /// Rejection threshold on |a − b|.
    pub c: u64,
    /// P(|a − b| ≥ c) at p = q = ½.
    pub type1: f64,
    /// P(|a − b| < c) at p = ½ + ε/2, q = ½ − ε/2.
    pub type2: f64,
}

/// Bin(m, p)'s pmf on a window around its mode wide enough that the mass outside is below
/// 1e-40: (first k, values), by the ratio recurrence from the mode outwards.
fn binomial_window(m: u64, p: f64) -> (u64, Vec<f64>) {
    const NEGLIGIBLE: f64 = 1e-40;
    let mf = m as f64;
    let mode = (libm::floor((mf + 1.0) * p) as u64).min(m);
    let kf = mode as f64;
    let log_mode = libm::lgamma(mf + 1.0) - libm::lgamma(kf + 1.0) - libm::lgamma(mf - kf + 1.0)
        + xlog(kf, p)
        + xlog(mf - kf, 1.0 - p);
    let at_mode = libm::exp(log_mode);
    let odds = p / (1.0 - p);
    let mut up = Vec::new();
    let (mut k, mut v) = (mode, at_mode);
    while k < m {
        v *= (mf - k as f64) / (k as f64 + 1.0) * odds;
        k += 1;
        if v < NEGLIGIBLE {
            break;
        }
        up.push(v);
    }
    let mut down = Vec::new();
    let (mut k, mut v) = (mode, at_mode);
    while k > 0 {
        v *= k as f64 / (mf - k as f64 + 1.0) / odds;
        k -= 1;
        if v < NEGLIGIBLE {
            break;
        }
        down.push(v);
    }
    let first = mode - down.len() as u64;
    down.reverse();
    down.push(at_mode);
    down.extend(up);
    (first, down)
}

/// k·ln(p) with 0·ln(0) = 0.
fn xlog(k: f64, p: f64) -> f64 {
    if k == 0.0 { 0.0 } else { k * libm::log(p) }
}

/// The errors of the test "|a − b| ≥ c" with N samples each, for every c in 1..=N+1, in closed
/// form: a + (N − b) ~ Bin(2N, p) when a ~ Bin(N, p) and b ~ Bin(N, 1 − p), so a − b is a
/// Bin(2N, p) shifted by −N; this equals the convolution of Bin(N, p) with Bin(N, q) for the
/// spec's instances (q = 1 − p), in O(N) instead of O(N²).
/// Returns (type I at p = ½, type II at p = ½ + ε/2) as functions of c (index c − 1).
fn batch_errors(n: u64, eps: f64) -> (Vec<f64>, Vec<f64>) {
    let m = 2 * n;
    // P(|B − N| ≥ c) at p = ½: tails summed from the outside in (small terms first).
    let (first0, pmf0) = binomial_window(m, 0.5);
    let at0 = |k: u64| -> f64 {
        if k < first0 || k >= first0 + pmf0.len() as u64 {
            0.0
        } else {
            pmf0[(k - first0) as usize]
        }
    };
    let (first1, pmf1) = binomial_window(m, 0.5 + 0.5 * eps);
    let at1 = |k: u64| -> f64 {
        if k < first1 || k >= first1 + pmf1.len() as u64 {
            0.0
        } else {
            pmf1[(k - first1) as usize]
        }
    };
    // Tail masses T(c) = P(B ≥ N + c) + P(B ≤ N − c) for c = N+1 down to 1.
    let mut type1 = vec![0.0; n as usize + 1];
    let mut tail = 0.0;
    for c in (1..=n).rev() {
        tail += at0(n + c) + at0(n - c);
        type1[c as usize - 1] = tail;
    }
    // Type II: P(N − c < B' < N + c) = P(|B' − N| ≤ c − 1), accumulated from the centre.
    let mut type2 = vec![0.0; n as usize + 1];
    let mut inner = at1(n);
    type2[0] = inner;
    for c in 2..=n + 1 {
        let d = c - 1;
        inner += at1(n + d) + at1(n - d);
        type2[c as usize - 1] = inner;
    }
    (type1, type2)
}

/// The best threshold for N samples each: the smallest c with type I ≤ δ, with its errors.
pub fn best_threshold(n: u64, eps: f64, delta: f64) -> BatchTest {
    let (type1, type2) = batch_errors(n, eps);
    let i = type1.iter().position(|&e| e <= delta).unwrap_or(n as usize);
    BatchTest {
        n,
        c: i as u64 + 1,
        type1: type1[i],
        type2: type2[i],
    }
}

/// Whether N samples each admit a threshold with both worst-case errors ≤ δ.
fn feasible(n: u64, eps: f64, delta: f64) -> Option<BatchTest> {
    let b = best_threshold(n, eps, delta);
    (b.type1 <= delta && b.type2 <= delta).then_some(b)
}

/// Tester (B), exact: the smallest N (found by doubling, then binary search on N) for which some
/// c gives worst-case errors ≤ δ on both sides, with that c. O(N) per candidate N, so it is
/// fast enough to use everywhere (the page included); [`normal_batch_n`] is shown beside it.
pub fn exact_batch(eps: f64, delta: f64) -> BatchTest {
    let mut hi = 1;
    let mut best = loop {
        if let Some(b) = feasible(hi, eps, delta) {
            break b;
        }
        hi *= 2;
    };
    let mut lo = hi / 2; // infeasible (or 0)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match feasible(mid, eps, delta) {
            Some(b) => {
                hi = mid;
                best = b;
            }
            None => lo = mid,
        }
    }
    best
}

/// The one-sided standard normal quantile z with P(Z > z) = δ (Acklam's rational approximation
/// refined by one Halley step on erfc; |error| ≲ 1e-15 relative).
pub fn normal_upper_quantile(delta: f64) -> f64 {
    -normal_quantile(delta)
}

/// Φ⁻¹(p) for 0 < p < 1.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < P_LOW {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    };
    // One Halley step on Φ(x) − p, with Φ(x) = erfc(−x/√2)/2.
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * libm::sqrt(2.0 * std::f64::consts::PI) * libm::exp(0.5 * x * x);
    x - u / (1.0 + 0.5 * x * u)
}

/// The normal approximation of tester (B)'s N: ⌈4V·z_δ²/ε²⌉ with V = ½ (the worst-case
/// Var(X − Y) per sample) and z_δ the one-sided quantile. Approximate: ε = 0.2, δ = 1e-6 gives
/// 1130 against the exact 1149.
pub fn normal_batch_n(eps: f64, delta: f64) -> u64 {
    let z = normal_upper_quantile(delta);
    libm::ceil(4.0 * 0.5 * z * z / (eps * eps)) as u64
}

// ---------------------------------------------------------------------------------------------
// (C) The geometric-grid sequential tester and (D) its batch version.

/// The settings of testers (C) and (D).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSettings {
    /// The nominal alphabet size n in the sample sizes.
    pub n: f64,
    /// The prior distance ε (0: no prior bound; the tester never answers "same").
    pub eps: f64,
    /// The error probability δ.
    pub delta: f64,
    /// The grid ratio r: ε_k = max(ε, ½·r^{k−1}) (spec: 2/3).
    pub ratio: f64,
    /// The sample-size constant C.
    pub size_c: f64,
    /// The most stages before the run gives up undecided (matters when ε = 0).
    pub max_stages: u32,
}

/// The Poissonised sample size m(ε, L) = C·(n^{2/3}·L^{1/3}/ε^{4/3} + √(n·L)/ε² + L/ε²).
pub fn stage_size(n: f64, eps: f64, l: f64, size_c: f64) -> f64 {
    let e2 = eps * eps;
    size_c
        * (libm::pow(n, 2.0 / 3.0) * libm::cbrt(l) / libm::pow(eps, 4.0 / 3.0)
            + libm::sqrt(n * l) / e2
            + l / e2)
}

/// The statistic of one stage from Poissonised counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageStatistic {
    /// Z = Σ_{S_i>0} ((X_i − Y_i)² − S_i)/S_i.
    pub z: f64,
    /// V = Σ_{S_i>0} 2(1 − 1/S_i).
    pub v: f64,
    /// max_i S_i.
    pub max_s: u64,
    /// Σ_i S_i: the samples the stage used.
    pub samples: u64,
}

impl StageStatistic {
    /// Adds atom i's counts X_i = x, Y_i = y.
    pub fn add(&mut self, x: u64, y: u64) {
        let s = x + y;
        if s == 0 {
            return;
        }
        let (d, sf) = (x as f64 - y as f64, s as f64);
        self.z += (d * d - sf) / sf;
        self.v += 2.0 * (1.0 - 1.0 / sf);
        self.max_s = self.max_s.max(s);
        self.samples += s;
    }
}

/// The statistic of Chan–Diakonikolas–Valiant–Valiant (2014) on counts `x`, `y`.
pub fn closeness_statistic(x: &[u64], y: &[u64]) -> StageStatistic {
    let mut st = StageStatistic::default();
    for (&a, &b) in x.iter().zip(y) {
        st.add(a, b);
    }
    st
}

/// The conditional Bernstein threshold √(2·V·L) + (max_i S_i − 1)·L/3 (valid given S because under
/// H0 each term has mean 0, variance 2(1 − 1/S_i) and is at most S_i − 1).
pub fn bernstein_threshold(st: &StageStatistic, l: f64) -> f64 {
    libm::sqrt(2.0 * st.v * l) + (st.max_s.saturating_sub(1)) as f64 * l / 3.0
}

/// One stage of tester (C) (or the single stage of (D)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    /// Stage index k (1-based).
    pub k: u32,
    /// ε_k.
    pub eps: f64,
    /// L_k = ln(1/δ_k).
    pub l: f64,
    /// m_k.
    pub m: f64,
    /// The statistic.
    pub stat: StageStatistic,
    /// The threshold.
    pub thr: f64,
    /// Whether Z > thr.
    pub rejected: bool,
}

/// The last two Poisson laws used, by exact mean: the instances' atoms come in runs of equal
/// (or two alternating) masses, so a stage builds a handful of laws instead of one per draw.
struct Laws {
    entries: [(f64, Poisson); 2],
    next: usize,
}

impl Laws {
    fn new() -> Self {
        Self {
            entries: [(f64::NAN, Poisson::Zero); 2],
            next: 0,
        }
    }

    fn get(&mut self, lambda: f64) -> Poisson {
        if let Some((_, law)) = self.entries.iter().find(|(l, _)| *l == lambda) {
            return *law;
        }
        let law = Poisson::new(lambda);
        self.entries[self.next] = (lambda, law);
        self.next ^= 1;
        law
    }
}

/// Draws one stage: X_i ~ Poi(m·D1(i)), Y_i ~ Poi(m·D2(i)) (atom by atom, X before Y), then the
/// statistic and the threshold at L.
pub fn draw_stage(
    d1: &[f64],
    d2: &[f64],
    k: u32,
    eps: f64,
    l: f64,
    m: f64,
    rng: &mut Rng,
) -> Stage {
    let mut stat = StageStatistic::default();
    let (mut laws_x, mut laws_y) = (Laws::new(), Laws::new());
    for (p, q) in d1.iter().zip(d2) {
        let x = laws_x.get(m * p).sample(rng);
        let y = laws_y.get(m * q).sample(rng);
        stat.add(x, y);
    }
    let thr = bernstein_threshold(&stat, l);
    Stage {
        k,
        eps,
        l,
        m,
        stat,
        thr,
        rejected: stat.z > thr,
    }
}

/// A run of tester (C): its stages, the samples it used and its answer (`None`: undecided after
/// `max_stages`, only possible with ε = 0 or a cap below the grid's end).
#[derive(Clone, Debug, PartialEq)]
pub struct GridRun {
    /// The stages drawn.
    pub stages: Vec<Stage>,
    /// Σ of every stage's samples.
    pub samples: u64,
    /// The answer.
    pub decision: Option<Decision>,
}

/// ε_k, δ_k and L_k of stage k: ε_k = max(ε, ½·r^{k−1}), δ_k = δ/(2k²), L_k = ln(1/δ_k); the
/// flag says whether ε_k has reached ε (the last stage).
pub fn stage_schedule(s: &GridSettings, k: u32) -> (f64, f64, bool) {
    let grid = 0.5 * libm::pow(s.ratio, f64::from(k - 1));
    let kf = f64::from(k);
    let l = libm::log(2.0 * kf * kf / s.delta);
    (grid.max(s.eps), l, grid <= s.eps)
}

/// Tester (C): stages k = 1, 2, … with fresh Poissonised counts; "different" at the first
/// rejection, "same" after the stage where ε_k = ε without one.
pub fn run_grid(d1: &[f64], d2: &[f64], s: &GridSettings, rng: &mut Rng) -> GridRun {
    let mut run = GridRun {
        stages: Vec::new(),
        samples: 0,
        decision: None,
    };
    for k in 1..=s.max_stages {
        let (eps_k, l, last) = stage_schedule(s, k);
        let m = stage_size(s.n, eps_k, l, s.size_c);
        let stage = draw_stage(d1, d2, k, eps_k, l, m, rng);
        run.samples += stage.stat.samples;
        run.stages.push(stage);
        if stage.rejected {
            run.decision = Some(Decision::Different);
            break;
        }
        if last {
            run.decision = Some(Decision::Same);
            break;
        }
    }
    run
}

/// Tester (D), the batch version of (C): one stage at (ε, L = ln(1/δ)); "different" iff it
/// rejects. Expected samples 2·m(ε, ln(1/δ)).
pub fn run_batch(d1: &[f64], d2: &[f64], s: &GridSettings, rng: &mut Rng) -> Stage {
    let l = libm::log(1.0 / s.delta);
    let m = stage_size(s.n, s.eps, l, s.size_c);
    draw_stage(d1, d2, 1, s.eps, l, m, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn bernoulli_kl_by_hand() {
        // kl(½, ¼) = ½ln2 + ½ln(2/3) = ½·ln(4/3).
        assert!(close(
            kl_bernoulli(0.5, 0.25),
            0.5 * libm::log(4.0 / 3.0),
            1e-15
        ));
        assert_eq!(kl_bernoulli(0.3, 0.3), 0.0);
        assert_eq!(kl_bernoulli(0.0, 0.5), libm::log(2.0));
        assert_eq!(kl_bernoulli(0.5, 0.0), f64::INFINITY);
    }

    #[test]
    fn z_same_by_hand() {
        // n = 2, t = 4: a = (3, 1), b = (1, 3): m = (2, 2), so
        // Z_same = 3ln(3/2) + ln(1/2) + ln(1/2) + 3ln(3/2) = 6ln(3/2) − 2ln 2.
        let g = Glr::from_counts(&[3, 1], &[1, 3], 0.2);
        assert!(close(
            g.z_same(),
            6.0 * libm::log(1.5) - 2.0 * libm::log(2.0),
            1e-14
        ));
        // Equal counts: no evidence against H0.
        assert_eq!(Glr::from_counts(&[2, 5], &[2, 5], 0.2).z_same(), 0.0);
        // Disjoint supports: Z_same = (a + b)·ln 2 per atom.
        let g = Glr::from_counts(&[4, 0], &[0, 4], 0.2);
        assert!(close(g.z_same(), 8.0 * libm::log(2.0), 1e-15));
    }

    /// Z_far for n = 2 by brute force: a fine grid over u − v = ε in both directions (A = {1}:
    /// p − q ≥ ε; A = {2}: q − p ≥ ε), then t·min.
    fn brute_z_far_n2(a1: u64, b1: u64, t: u64, eps: f64) -> f64 {
        let (p, q) = (a1 as f64 / t as f64, b1 as f64 / t as f64);
        let steps = 200_000;
        let mut best = f64::INFINITY;
        for i in 0..=steps {
            let u = eps + (1.0 - eps) * f64::from(i) / f64::from(steps);
            let v = u - eps;
            // {p(1) − q(1) ≥ ε}: (u, v) = (p(1), q(1)); {q(1) − p(1) ≥ ε}: (v, u).
            best = best
                .min(kl_bernoulli(p, u) + kl_bernoulli(q, v))
                .min(kl_bernoulli(p, v) + kl_bernoulli(q, u));
        }
        if (p - q).abs() >= eps {
            best = 0.0;
        }
        best * t as f64
    }

    #[test]
    fn z_far_n2_matches_brute_force_minimisation() {
        for &(a1, b1, t) in &[
            (5u64, 5u64, 10u64),
            (7, 4, 11),
            (30, 22, 50),
            (1, 0, 3),
            (9, 9, 9),
            (0, 0, 4),
        ] {
            let g = Glr::from_counts(&[a1, t - a1], &[b1, t - b1], 0.2);
            let brute = brute_z_far_n2(a1, b1, t, 0.2);
            assert!(
                close(g.z_far(), brute, 1e-7),
                "{a1}/{b1}/{t}: {} vs {brute}",
                g.z_far()
            );
            assert!(g.z_far() <= g.z_far_upper_bound() + 1e-15);
        }
        // p̂ = q̂ = ½: the minimiser is the spec's point (½ ± ε/2), so the bound is exact, and
        // Z_far = t·2·kl(½, ½ + ε/2) in closed form.
        let g = Glr::from_counts(&[5, 5], &[5, 5], 0.2);
        let exact = 10.0 * 2.0 * kl_bernoulli(0.5, 0.6);
        assert!(close(g.z_far(), exact, 1e-12) && close(g.z_far_upper_bound(), exact, 1e-15));
        // Far counts: Z_far = 0.
        assert_eq!(Glr::from_counts(&[8, 2], &[3, 7], 0.2).z_far(), 0.0);
    }

    #[test]
    fn z_far_exceeds_agrees_with_the_exact_value_on_larger_alphabets() {
        let mut rng = Rng::new(3);
        for n in 2..=6 {
            let (d1, d2) = alternating(n, 0.1);
            let (c1, c2) = (cumulative(&d1), cumulative(&d2));
            let mut g = Glr::new(n, 0.2);
            for t in 1..=400u64 {
                g.observe(sample(&c1, &mut rng), sample(&c2, &mut rng));
                let (z, ub) = (g.z_far(), g.z_far_upper_bound());
                assert!(
                    z <= ub,
                    "n = {n}, t = {t}: z {z} ub {ub} {:?} {:?}",
                    g.counts_a(),
                    g.counts_b()
                );
                for b in [
                    0.5 * z,
                    z * (1.0 - 1e-9),
                    z * (1.0 + 1e-9),
                    0.5 * (z + ub),
                    ub * 1.01,
                ] {
                    assert_eq!(
                        g.z_far_exceeds(b),
                        z > b,
                        "n = {n}, t = {t}, β = {b}, z = {z}, ub = {ub}, {:?} {:?}",
                        g.counts_a(),
                        g.counts_b()
                    );
                }
            }
        }
    }

    #[test]
    fn threshold_by_hand() {
        // β(t, δ) = ln(1/δ) + 2c·ln(1 + ln(1 + t)): t = 0 gives ln(1/δ); t = e − 1 gives
        // ln(1/δ) + 2c·ln 2.
        assert!(close(beta(0, 1e-6, 1.0), 6.0 * libm::log(10.0), 1e-15));
        let t = 1_000_000u64;
        let want = libm::log(20.0) + 2.0 * 0.5 * libm::log(1.0 + libm::log(1e6 + 1.0));
        assert!(close(beta(t, 0.05, 0.5), want, 1e-15));
        assert_eq!(beta(17, 0.01, 0.0), libm::log(100.0));
    }

    #[test]
    fn instances_have_the_stated_distance() {
        let tv = |d1: &[f64], d2: &[f64]| {
            0.5 * d1.iter().zip(d2).map(|(a, b)| (a - b).abs()).sum::<f64>()
        };
        for n in 2..=6 {
            let (d1, d2) = alternating(n, 0.2);
            assert!(close(tv(&d1, &d2), 0.2, 1e-14), "n = {n}");
            assert!(close(d1.iter().sum(), 1.0, 1e-14) && close(d2.iter().sum(), 1.0, 1e-14));
        }
        assert_eq!(alternating(2, 0.2).0, vec![0.6, 0.4]);
        let (a1, a2) = family_a(1000, 0.1);
        assert!(close(tv(&a1, &a2), 0.1, 1e-12));
        let (b1, b2) = family_b(1000, 0.1);
        // k = ⌈100·0.1^{-4/3}⌉ = ⌈2154.43…⌉.
        assert_eq!(family_b_heavy(1000, 0.1), 2155);
        assert_eq!(b1.len(), 2155 + 1000);
        assert!(close(tv(&b1, &b2), 0.1, 1e-12) && close(b1.iter().sum(), 1.0, 1e-12));
    }

    /// The errors by brute force: the O(N²) convolution of Bin(N, p) with Bin(N, q).
    fn brute_errors(n: u64, eps: f64, c: u64) -> (f64, f64) {
        let pmf = |m: u64, p: f64| -> Vec<f64> {
            (0..=m)
                .map(|k| {
                    let (mf, kf) = (m as f64, k as f64);
                    libm::exp(
                        libm::lgamma(mf + 1.0)
                            - libm::lgamma(kf + 1.0)
                            - libm::lgamma(mf - kf + 1.0)
                            + xlog(kf, p)
                            + xlog(mf - kf, 1.0 - p),
                    )
                })
                .collect()
        };
        let reject = |p: f64, q: f64| {
            let (x, y) = (pmf(n, p), pmf(n, q));
            let mut r = 0.0;
            for (a, px) in x.iter().enumerate() {
                for (b, py) in y.iter().enumerate() {
                    if (a as i64 - b as i64).unsigned_abs() >= c {
                        r += px * py;
                    }
                }
            }
            r
        };
        (
            reject(0.5, 0.5),
            1.0 - reject(0.5 + eps / 2.0, 0.5 - eps / 2.0),
        )
    }

    #[test]
    fn batch_errors_match_the_convolution_and_a_small_case_by_hand() {
        // N = 2 at p = q = ½: a − b + 2 ~ Bin(4, ½), so P(|a − b| ≥ 1) = 1 − 6/16 and
        // P(|a − b| ≥ 2) = (1 + 1)/16: at δ = 1/8 the best threshold is c = 2. At p = 0.6 (ε = 0.2):
        // a − b + 2 ~ Bin(4, 0.6), type II = P(|a − b| ≤ 1) = 4·0.6·0.4³ + 6·0.6²·0.4² + 4·0.6³·0.4.
        let b = best_threshold(2, 0.2, 0.125);
        assert_eq!(b.c, 2);
        assert!(close(b.type1, 0.125, 1e-15));
        let t2 = 4.0 * 0.6 * 0.064 + 6.0 * 0.36 * 0.16 + 4.0 * 0.216 * 0.4;
        assert!(close(b.type2, t2, 1e-14), "{} vs {t2}", b.type2);
        assert_eq!(best_threshold(2, 0.2, 0.625).c, 1);
        for n in [1u64, 2, 7, 30, 64] {
            let (t1, t2) = batch_errors(n, 0.3);
            for c in 1..=n + 1 {
                let (b1, b2) = brute_errors(n, 0.3, c);
                assert!(
                    close(t1[c as usize - 1], b1, 1e-12),
                    "N = {n}, c = {c}: {} vs {b1}",
                    t1[c as usize - 1]
                );
                assert!(
                    close(t2[c as usize - 1], b2, 1e-12),
                    "N = {n}, c = {c}: {} vs {b2}",
                    t2[c as usize - 1]
                );
            }
        }
    }

    #[test]
    fn exact_batch_n_is_the_smallest_feasible_n() {
        // A small case by brute force: a linear scan over N with the convolution errors.
        let (eps, delta) = (0.4, 0.05);
        let scan = (1..)
            .find(|&n| {
                (1..=n + 1).any(|c| {
                    let (e1, e2) = brute_errors(n, eps, c);
                    e1 <= delta && e2 <= delta
                })
            })
            .unwrap();
        let exact = exact_batch(eps, delta);
        assert_eq!(exact.n, scan);
        assert!(exact.type1 <= delta && exact.type2 <= delta);
        assert!(feasible(scan - 1, eps, delta).is_none());
        // The spec's E1 column (ε = 0.2): 167, 304, 721, 1149 and 1593 at δ = 5e-2 … 1e-8.
        let ns: Vec<u64> = [5e-2, 1e-2, 1e-4, 1e-6, 1e-8]
            .iter()
            .map(|&d| exact_batch(0.2, d).n)
            .collect();
        assert_eq!(ns, [167, 304, 721, 1149, 1593]);
    }

    #[test]
    fn normal_quantile_and_approximate_batch_n() {
        assert!(close(
            normal_upper_quantile(0.025),
            1.959_963_984_540_054,
            1e-13
        ));
        assert!(close(
            normal_upper_quantile(1e-6),
            4.753_424_308_822_899,
            1e-12
        ));
        assert!(close(normal_quantile(0.5), 0.0, 1e-15));
        assert!(close(normal_quantile(0.9), 1.281_551_565_544_601, 1e-13));
        // ⌈2·4.7534243²/0.04⌉ = ⌈1129.75⌉.
        assert_eq!(normal_batch_n(0.2, 1e-6), 1130);
    }

    #[test]
    fn stage_sizes_and_schedule_by_hand() {
        // m(ε = 0.05, L = ln 20) at n = 1000: 100·L^{1/3}/0.05^{4/3} + √(1000L)/0.0025 + L/0.0025,
        // and twice it is the batch cost 61 835 of the spec's E2 table.
        let l = libm::log(20.0);
        let want = 100.0 * libm::cbrt(l) * libm::pow(20.0, 4.0 / 3.0)
            + libm::sqrt(1000.0 * l) * 400.0
            + l * 400.0;
        let m = stage_size(1000.0, 0.05, l, 1.0);
        assert!(
            close(m, want, 1e-12) && (2.0 * m - 61_835.25).abs() < 0.01,
            "{m}"
        );
        let s = GridSettings {
            n: 1000.0,
            eps: 0.05,
            delta: 0.05,
            ratio: 2.0 / 3.0,
            size_c: 1.0,
            max_stages: 50,
        };
        // Stage 1: ε_1 = ½, δ_1 = δ/2; stage 7 is the first with ½(2/3)⁶ ≈ 0.0439 ≤ ε.
        let (e1, l1, last1) = stage_schedule(&s, 1);
        assert_eq!((e1, last1), (0.5, false));
        assert!(close(l1, libm::log(40.0), 1e-15));
        assert!(!stage_schedule(&s, 6).2);
        let (e7, l7, last7) = stage_schedule(&s, 7);
        assert_eq!((e7, last7), (0.05, true));
        assert!(close(l7, libm::log(2.0 * 49.0 / 0.05), 1e-15));
        // Σ 2m_k over the 7 stages: the spec's H0 cost 203 970 (all stages, no rejection).
        let total: f64 = (1..=7)
            .map(|k| {
                let (e, l, _) = stage_schedule(&s, k);
                2.0 * stage_size(1000.0, e, l, 1.0)
            })
            .sum();
        assert!((total - 203_966.0).abs() < 1.0, "{total}");
    }

    #[test]
    fn statistic_and_bernstein_threshold_by_hand() {
        // Atoms (X, Y) = (3, 1), (0, 2), (1, 0), (0, 0):
        // Z = ((2² − 4)/4) + ((2² − 2)/2) + ((1 − 1)/1) = 0 + 1 + 0 = 1;
        // V = 2(1 − 1/4) + 2(1 − 1/2) + 0 = 2.5; max S = 4; samples 7.
        let st = closeness_statistic(&[3, 0, 1, 0], &[1, 2, 0, 0]);
        assert!(close(st.z, 1.0, 1e-15) && close(st.v, 2.5, 1e-15));
        assert_eq!((st.max_s, st.samples), (4, 7));
        // thr = √(2·2.5·L) + 3·L/3 at L = ln 20.
        let l = libm::log(20.0);
        assert!(close(
            bernstein_threshold(&st, l),
            libm::sqrt(5.0 * l) + l,
            1e-15
        ));
        // Each term's conditional law under H0 (X ~ Bin(S, ½)): mean 0, variance 2(1 − 1/S).
        for s in 1..=6u64 {
            let (mut mean, mut second) = (0.0, 0.0);
            for x in 0..=s {
                let p = libm::exp(
                    libm::lgamma(s as f64 + 1.0)
                        - libm::lgamma(x as f64 + 1.0)
                        - libm::lgamma((s - x) as f64 + 1.0),
                ) / libm::pow(2.0, s as f64);
                let d = 2.0 * x as f64 - s as f64;
                let term = (d * d - s as f64) / s as f64;
                mean += p * term;
                second += p * term * term;
            }
            assert!(
                mean.abs() < 1e-12 && close(second, 2.0 * (1.0 - 1.0 / s as f64), 1e-12),
                "S = {s}"
            );
        }
    }

    #[test]
    fn grid_tester_stops_at_the_end_under_h0_and_early_when_far() {
        let s = GridSettings {
            n: 1000.0,
            eps: 0.05,
            delta: 0.05,
            ratio: 2.0 / 3.0,
            size_c: 1.0,
            max_stages: 50,
        };
        let (u1, u2) = family_a(1000, 0.0);
        let run = run_grid(&u1, &u2, &s, &mut Rng::new(777));
        assert_eq!(run.decision, Some(Decision::Same));
        assert_eq!(run.stages.len(), 7);
        assert_eq!(
            run.samples,
            run.stages.iter().map(|st| st.stat.samples).sum::<u64>()
        );
        let (f1, f2) = family_b(1000, 0.4);
        let far = run_grid(&f1, &f2, &s, &mut Rng::new(777));
        assert_eq!(far.decision, Some(Decision::Different));
        assert!(far.stages.len() <= 2);
        // ε = 0: no prior bound, never "same"; undecided at the cap under H0.
        let none = GridSettings {
            eps: 0.0,
            max_stages: 9,
            ..s
        };
        assert_eq!(run_grid(&u1, &u2, &none, &mut Rng::new(1)).decision, None);
    }
}
