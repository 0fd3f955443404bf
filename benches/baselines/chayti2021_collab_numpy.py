#!/usr/bin/env python3
"""numpy baseline for chayti2021_collab, written from the maths of the spec
(chayti2021_collab.md §3 and §5), not from anyone's code, and the side-by-side timing against
`target/release/lemma run chayti2021_collab` on the same settings.

The model: user 0 minimises f_0(x) = ½ xᵀAx, A = diag(linspace(0.1, 1, d)), x* = 0, from
x_0 = (1, …, 1). Collaborator i has f_i(x) = ½ (x − ζu_i)ᵀ A_i (x − ζu_i), A_i = A ∘ (1 + δU_i),
U_i ~ U[−1, 1]^d, u_i = u (coherent) or independent random unit vectors. Every user's stochastic
gradient is ∇f_i(x) + σξ_i with fresh ξ_i ~ N(0, I) per user and step (drawn per user here too,
(N + 1)·d normals a step, the same work as Lemma). Methods: alone x ← x − ηg_0; WGA
x ← x − η Σ α_i g_i (uniform: α_i = 1/(N + 1); α₀-weighted: the rest shared as α_i ∝ ρ^(i−1));
bias correction with ḡ = mean of the collaborators' gradients,
    d = (g_0 + N(ḡ + c))/(N + 1),  c ← (1 − a)c + a(g_0 − ḡ),  x ← x − ηd.
The error is the mean of ‖x_t‖² over the second half of the run. Noise is drawn in chunks
(vectorised over users and coordinates); the recursion runs step by step (it cannot be vectorised
over t), as a numpy user would write it.

Usage: python3 benches/baselines/chayti2021_collab_numpy.py  (installs numpy from PyPI if it is
missing; builds the release `lemma` binary if needed). Lemma's time is the whole `lemma run`
process (start-up, run, JSON output) and, separately, the in-process time it reports
(`run_seconds`); numpy's is the in-process call. numpy's random stream is not Lemma's, so the
errors agree only statistically; the cross-check compares 3-run means against the exact stationary
error Lemma reports (`error_theory`).
"""


from harness import best_of, build_lemma, lemma_run, np

SLUG = "chayti2021_collab"
# The schema's defaults (lemma describe chayti2021_collab), stated to both sides.
DEFAULTS = dict(algo="bc", n=31, zeta=1.0, bias="coherent", delta=0.0, sigma=1.0, eta=0.05,
                alpha0=0.5, alpha_decay=1.0, rate=5e-4, steps=20_000, d=10)


def instance(n, d, zeta, bias, delta, rng):
    a = 0.1 + 0.9 * np.arange(d) / (d - 1)
    u = rng.standard_normal((n if bias == "random" else 1, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    centre = zeta * np.broadcast_to(u, (n, d))
    curv = a * (1.0 + delta * rng.uniform(-1.0, 1.0, (n, d)))
    return a, curv, centre


def weights(algo, n, alpha0, alpha_decay):
    if n == 0 or algo == "alone":
        w = np.zeros(n + 1)
        w[0] = 1.0
        return w
    if algo == "wga_uniform":
        return np.full(n + 1, 1.0 / (n + 1))
    if algo == "wga":
        raw = alpha_decay ** np.arange(n)
        return np.concatenate([[alpha0], (1.0 - alpha0) * raw / raw.sum()])
    return None  # BC


def run(algo="bc", n=31, zeta=1.0, bias="coherent", delta=0.0, sigma=1.0, eta=0.05, alpha0=0.5,
        alpha_decay=1.0, rate=5e-4, steps=20_000, d=10, seed=0, chunk=2048):
    """One run; returns the mean of ‖x_t‖² over the second half (None if it diverged)."""
    rng = np.random.default_rng(seed)
    a, curv, centre = instance(n, d, zeta, bias, delta, rng)
    w = weights(algo, n, alpha0, alpha_decay)
    users = 1 if (w is not None and (n == 0 or algo == "alone")) else n + 1
    x, c = np.ones(d), np.zeros(d)
    half, total = steps // 2, 0.0
    for start in range(0, steps, chunk):
        m = min(chunk, steps - start)
        noise = sigma * rng.standard_normal((m, users, d))
        for k in range(m):
            xi = noise[k]
            g0 = a * x + xi[0]
            if users == 1:
                x = x - eta * g0
            else:
                g = curv * (x - centre) + xi[1:]
                if w is not None:
                    x = x - eta * (w[0] * g0 + w[1:] @ g)
                else:
                    s = g.sum(0)
                    step = (g0 + s + n * c) / (n + 1)
                    c = (1.0 - rate) * c + rate * (g0 - s / n)
                    x = x - eta * step
            sq = float(x @ x)
            if not sq <= 1e8 * d:
                return None
            if start + k + 1 > half:
                total += sq
    return total / (steps - half)


def show(x):
    return "diverged" if x is None else f"{x:.4f}"


def main():
    build_lemma()
    print(f"{SLUG}: default setting {DEFAULTS}")
    print(f"{'method':<12} {'numpy s':>9} {'lemma s':>9} {'in-proc s':>10} {'numpy/lemma':>12} "
          f"{'in-process':>11}   error numpy / lemma (different streams)")
    ratios, inside = [], []
    for algo in ("alone", "wga_uniform", "wga", "bc"):
        settings = {**DEFAULTS, "algo": algo}
        t_np, e_np = best_of(lambda: run(**settings))
        t_lm, t_in, out = lemma_run(SLUG, **settings)
        ratios.append(t_np / t_lm)
        inside.append(t_np / t_in)
        print(f"{algo:<12} {t_np:9.3f} {t_lm:9.3f} {t_in:10.4f} {t_np / t_lm:11.1f}x "
              f"{t_np / t_in:10.1f}x   {show(e_np)} / {show(out['metrics'].get('error'))}")
    geo = float(np.exp(np.mean(np.log(ratios))))
    geo_in = float(np.exp(np.mean(np.log(inside))))
    print(f"geometric mean: Lemma is {geo:.1f}x faster than numpy on the same runs "
          f"(whole process; {geo_in:.1f}x in-process)")

    # Cross-check of the two implementations against the exact stationary error (3-run means).
    print("cross-check, defaults, mean of 3 runs (numpy seeds 0–2, lemma seeds 0–2):")
    for algo in ("alone", "wga_uniform", "bc"):
        settings = {**DEFAULTS, "algo": algo}
        m_np = np.mean([run(**settings, seed=s) for s in range(3)])
        outs = [lemma_run(SLUG, seed=s, **settings)[2]["metrics"] for s in range(3)]
        m_lm = np.mean([o["error"] for o in outs])
        theory = np.mean([o["error_theory"] for o in outs])
        print(f"  {algo:<12} numpy {m_np:.4f}   lemma {m_lm:.4f}   exact stationary {theory:.4f}")


if __name__ == "__main__":
    main()
