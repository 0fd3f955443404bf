#!/usr/bin/env python3
"""numpy baseline for the default run of oufkir2022_closeness (`lemma run oufkir2022_closeness`:
experiment E1), written from the maths of the spec (oufkir2022_closeness.md §3.3, §5.1), not from
anyone's code, and vectorised the way a numpy user would write it: all runs of a hypothesis at
once, rounds in blocks, the Z_far golden-section search only where the cheap upper bound exceeds
the threshold.

E1: n = 2, ε = 0.2, c = 1, 200 runs per hypothesis; H0: D1 = D2 = (½, ½); H1: D1 = (0.6, 0.4),
D2 = (0.4, 0.6). Tester (A) at δ ∈ {5e-2, 1e-2, 1e-4, 1e-6, 1e-8} on each sample path; tester
(B)'s exact batch N; R = N / max(E[τ|H0], E[τ|H1]).

Usage: python3 benches/baselines/oufkir2022_closeness_numpy.py  (installs numpy from PyPI if it is
missing; builds the release `lemma` binary if needed). It times numpy in-process and the whole
`lemma run` process (start-up and JSON output included, so the ratio is conservative for Lemma),
best of 3 each, and prints both results side by side: numpy draws its own random numbers
(np.random.default_rng), so the two agree up to Monte-Carlo error, not digit for digit."""

import math

from harness import best_of, build_lemma, lemma_run, np


EPS, C, RUNS, N_ALPHABET = 0.2, 1.0, 200, 2
DELTAS = (5e-2, 1e-2, 1e-4, 1e-6, 1e-8)
MAX_ROUNDS = 1_000_000
BLOCK = 512
GOLDEN = 40


def xlogxy(x, y):
    """x·ln(x/y) with 0·ln 0 = 0 (elementwise)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0) / y), 0.0)


def kl(a, u):
    """Bernoulli divergence kl(a, u), clipped at 0."""
    return np.maximum(xlogxy(a, u) + xlogxy(1 - a, 1 - u), 0.0)


def far_parts(a, b, eps):
    """The bracket of u on the boundary u − v = ε for kl(a, u) + kl(b, u − ε), and the far mask."""
    far = a - b >= eps
    return np.maximum(a, eps), np.minimum(b + eps, 1.0), far


def far_upper(a, b, eps):
    lo, hi, far = far_parts(a, b, eps)
    u = 0.5 * (lo + hi)
    return np.where(far, 0.0, kl(a, u) + kl(b, u - eps))


def far_exact(a, b, eps):
    """min over u − v ≥ ε of kl(a, u) + kl(b, v): golden-section search, 40 iterations."""
    lo, hi, far = far_parts(a, b, eps)
    f = lambda u: kl(a, u) + kl(b, u - eps)  # noqa: E731
    g = (math.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(GOLDEN):
        # Keep the side of the smaller value; the kept inner point moves over, one new point is
        # evaluated per entry.
        left = f1 <= f2
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        x1, x2, kept = (
            np.where(left, hi - g * (hi - lo), x2),
            np.where(left, x1, lo + g * (hi - lo)),
            np.where(left, f1, f2),
        )
        fx = f(np.where(left, x1, x2))
        f1, f2 = np.where(left, fx, kept), np.where(left, kept, fx)
    return np.where(far, 0.0, np.minimum(np.minimum(f1, f2), far_upper(a, b, eps)))


def beta(t, delta, c):
    return math.log(1 / delta) + c * 2 * np.log1p(np.log1p(t))


def run_hypothesis(p, q, rng):
    """τ and the answer (1: same, 2: different, 0: undecided) per run and δ, for D1(1) = p, D2(1) = q."""
    k = len(DELTAS)
    tau = np.full((RUNS, k), MAX_ROUNDS)
    answer = np.zeros((RUNS, k), dtype=np.int8)
    a1 = np.zeros(RUNS)  # counts of atom 1 from D1 and from D2
    b1 = np.zeros(RUNS)
    alive = np.arange(RUNS)
    t0 = 0
    while alive.size and t0 < MAX_ROUNDS:
        xa = a1[alive, None] + np.cumsum(rng.random((alive.size, BLOCK)) < p, axis=1)
        xb = b1[alive, None] + np.cumsum(rng.random((alive.size, BLOCK)) < q, axis=1)
        t = t0 + np.arange(1, BLOCK + 1, dtype=float)
        m1, m2 = (xa + xb) / 2, (2 * t - xa - xb) / 2
        z_same = xlogxy(xa, m1) + xlogxy(xb, m1) + xlogxy(t - xa, m2) + xlogxy(t - xb, m2)
        pa, pb = xa / t, xb / t
        # Subsets {1} (p − q ≥ ε) and {2} (q − p ≥ ε).
        ub = t * np.minimum(far_upper(pa, pb, EPS), far_upper(1 - pa, 1 - pb, EPS))
        z_far = ub.copy()
        need = ub > beta(t, DELTAS[0], C)  # the smallest β: the largest δ
        if need.any():
            ea, eb, tt = pa[need], pb[need], np.broadcast_to(t, pa.shape)[need]
            z_far[need] = tt * np.minimum(far_exact(ea, eb, EPS), far_exact(1 - ea, 1 - eb, EPS))
        for j, d in enumerate(DELTAS):
            b = beta(t, d, C)
            diff = z_same > b
            same = ~diff & (z_far > b)
            stop = diff | same
            hit = stop.any(axis=1)
            first = stop.argmax(axis=1)
            rows = alive[hit & (answer[alive, j] == 0)]
            sel = hit & (answer[alive, j] == 0)
            tau[rows, j] = t0 + first[sel] + 1
            answer[rows, j] = np.where(diff[sel, first[sel]], 2, 1)
        a1[alive], b1[alive] = xa[:, -1], xb[:, -1]
        alive = alive[(answer[alive] == 0).any(axis=1)]
        t0 += BLOCK
    return tau, answer


def batch_errors(n, eps):
    """Type I (p = q = ½) and type II (p = ½ + ε/2, q = ½ − ε/2) of "|a − b| ≥ c" for c = 1 … N+1:
    a − b + N ~ Bin(2N, p) for these instances (q = 1 − p)."""
    m = 2 * n
    k = np.arange(m + 1)
    log_choose = np.concatenate([[0.0], np.cumsum(np.log((m - k[1:] + 1) / k[1:]))])

    def pmf(p):
        return np.exp(log_choose + k * math.log(p) + (m - k) * math.log1p(-p))

    p0, p1 = pmf(0.5), pmf(0.5 + eps / 2)
    d = np.abs(k - n)
    # P(|D| ≥ c) and P(|D| ≤ c − 1) for c = 1 … N+1.
    by_d0 = np.bincount(d, weights=p0, minlength=n + 2)
    by_d1 = np.bincount(d, weights=p1, minlength=n + 2)
    type1 = np.cumsum(by_d0[::-1])[::-1][1 : n + 2]
    type2 = np.cumsum(by_d1)[: n + 1]
    return type1, type2


def feasible(n, eps, delta):
    t1, t2 = batch_errors(n, eps)
    ok = np.nonzero(t1 <= delta)[0]
    i = ok[0] if ok.size else n
    return t1[i] <= delta and t2[i] <= delta


def exact_batch_n(eps, delta):
    hi = 1
    while not feasible(hi, eps, delta):
        hi *= 2
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if feasible(mid, eps, delta):
            hi = mid
        else:
            lo = mid
    return hi


def e1(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for name, (p, q) in {"h0": (0.5, 0.5), "h1": (0.5 + EPS / 2, 0.5 - EPS / 2)}.items():
        tau, _ = run_hypothesis(p, q, rng)
        out[name] = tau.mean(axis=0)
    out["n"] = np.array([exact_batch_n(EPS, d) for d in DELTAS])
    out["ratio"] = out["n"] / np.maximum(out["h0"], out["h1"])
    return out


def main():
    t_np, res = best_of(e1)
    build_lemma()
    t_lm, _, out = lemma_run("oufkir2022_closeness")
    m = out["metrics"]
    print("E1 (n = 2, ε = 0.2, 200 runs per hypothesis), numpy / lemma:")
    print(f"{'δ':>6} {'E[τ|H0]':>17} {'E[τ|H1]':>17} {'batch N':>11} {'R':>13}")
    for j, d in enumerate(DELTAS):
        key = f"{d:.0e}".replace("e-0", "e-")
        print(
            f"{key:>6} {res['h0'][j]:8.1f}/{m[f'tau_h0_{key}']:<8.1f} {res['h1'][j]:8.1f}/{m[f'tau_h1_{key}']:<8.1f}"
            f" {res['n'][j]:5d}/{m[f'batch_n_{key}']:<5.0f} {res['ratio'][j]:6.3f}/{m[f'ratio_{key}']:<6.3f}"
        )
    print(f"numpy {t_np:.3f} s, lemma {t_lm:.3f} s (whole process): Lemma is {t_np / t_lm:.1f}x faster")


if __name__ == "__main__":
    main()
