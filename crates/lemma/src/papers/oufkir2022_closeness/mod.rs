//! # oufkir2022_closeness — Sequential algorithms for testing closeness of distributions
//!
//! Oufkir, Fawzi, Flammarion & Garivier, NeurIPS 2021 (spotlight); extended as arXiv:2205.06069
//! (*Sequential algorithms for testing identity and closeness of distributions*). No official code
//! exists.
//!
//! **Claim.** Testing whether two distributions on {1..n} are equal or ε-far in total variation:
//! a sequential tester, which decides when to stop from what it has seen, needs fewer samples
//! than any batch tester, by a factor tending to at least 4 as δ → 0 for a small alphabet; for a
//! large alphabet it costs no more than the batch tester up to constants and much less when the
//! true distance exceeds ε (Õ(n^{2/3}/TV^{4/3}) with no prior bound).
//!
//! **Conventions and reconstructions.** The testers are **our designs** (spec §3.3), faithful to
//! the paper's ideas but not its statistics or thresholds, which are [R]:
//! (A) a GLR tester with Z_same = t·[KL(p̂‖m̂) + KL(q̂‖m̂)], the exact Z_far over all subsets and
//! β(t, δ) = ln(1/δ) + c·2·ln(1 + ln(1 + t)); (B) the exact optimal batch threshold test for
//! n = 2 (errors in closed form, a − b + N ~ Bin(2N, p) for the spec's instances q = 1 − p,
//! equal to the convolution and O(N), so exact everywhere, the page included); (C) a geometric-
//! grid tester with Poissonised counts (exact Poisson draws, `Rng::poisson`), the
//! Chan–Diakonikolas–Valiant–Valiant statistic and a conditional Bernstein threshold; (D) its
//! batch version. Family B lives on k + n atoms (k shared heavy ones), the tester's sample sizes
//! use the nominal n. The factor 4 is asymptotic; at practical δ the run shows a trend towards it.

pub mod checks;
pub mod config;
pub mod experiment;
pub mod testers;

pub use config::{Config, SCHEMA, VIEW};
pub use experiment::ClosenessModel;
