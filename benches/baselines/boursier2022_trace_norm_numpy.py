#!/usr/bin/env python3
"""numpy baseline for boursier2022_trace_norm, written from the maths of the spec
(boursier2022_trace_norm.md §3 and §5), not from anyone's code, and the side-by-side timing against
`target/release/lemma run boursier2022_trace_norm` on the default setting.

The model: T tasks, m samples each, x ~ N(0, I_d), B* the orthonormal basis of a d×k Gaussian
matrix, w*_t = B* a_t with a_t ~ N(0, I_k), y = ⟨w*_t, x⟩ + σ N(0, 1). Estimators:
- trace norm: FISTA on (1/(Tm)) Σ_t ‖y_t − X_t w_t‖² + λ‖W‖_*/√T, λ = σ√(T + d²/m)/√(Tm), from
  W = 0, step 1/L with L = 2 max_t λ_max(X_tᵀX_t)/(Tm), prox = singular-value soft-thresholding at
  step·λ/√T (np.linalg.svd of the T×d matrix, thin);
- single: per-task np.linalg.lstsq (minimum norm); oracle: lstsq on X_t B*; method of moments:
  top-k eigenvectors of Σ y² xxᵀ/(Tm), then lstsq on X_t B̂.
Metrics ‖Ŵ − W*‖_F/√T and √(1 − σ_min(B*ᵀB̂)²). Like Lemma, every FISTA iteration records the
Frobenius error, the sine, the rank and the objective (Lemma records on its grid, which for 300
iterations is nearly every one), and the run ends with the meta-learning evaluation (50 new tasks,
m′ = 1 … 20, least squares inside each subspace and in R^d).

Usage: python3 benches/baselines/boursier2022_trace_norm_numpy.py  (installs numpy from PyPI if it
is missing; builds the release `lemma` binary if needed). numpy's random stream is not Lemma's, so
single-run values agree only statistically; the script prints both side by side and a 3-seed mean.
"""


from harness import best_of, build_lemma, lemma_run, np

SLUG = "boursier2022_trace_norm"
# The schema's defaults (lemma describe boursier2022_trace_norm), stated to both sides.
DEFAULTS = dict(d=30, k=3, m=10, tasks=100, sigma=1.0, iters=300, meta_m=20, meta_tasks=50)


def sine(bstar, bhat):
    s = np.linalg.svd(bstar.T @ bhat, compute_uv=False)
    return float(np.sqrt(max(0.0, 1.0 - s.min() ** 2)))


def lstsq(a, b):
    return np.linalg.lstsq(a, b, rcond=None)[0]


def run(d=30, k=3, m=10, tasks=100, sigma=1.0, iters=300, meta_m=20, meta_tasks=50, seed=0):
    rng = np.random.default_rng(seed)
    bstar = np.linalg.qr(rng.standard_normal((d, k)))[0]
    a = rng.standard_normal((tasks, k))
    wstar = a @ bstar.T
    x = rng.standard_normal((tasks, m, d))
    y = np.einsum("tmd,td->tm", x, wstar) + sigma * rng.standard_normal((tasks, m))

    def frob(w):
        return float(np.linalg.norm(w - wstar) / np.sqrt(tasks))

    out = {}
    single = np.stack([lstsq(x[t], y[t]) for t in range(tasks)])
    b_single = np.linalg.svd(single, full_matrices=False)[2][:k].T
    out["frob_single"], out["sine_single"] = frob(single), sine(bstar, b_single)
    oracle = np.stack([bstar @ lstsq(x[t] @ bstar, y[t]) for t in range(tasks)])
    out["frob_oracle"] = frob(oracle)
    xs, ys = x.reshape(-1, d), y.reshape(-1)
    moments = (xs * (ys ** 2)[:, None]).T @ xs / (tasks * m)
    vals, vecs = np.linalg.eigh(moments)
    b_mom = vecs[:, np.argsort(vals)[::-1][:k]]
    mom = np.stack([b_mom @ lstsq(x[t] @ b_mom, y[t]) for t in range(tasks)])
    out["frob_mom"], out["sine_mom"] = frob(mom), sine(bstar, b_mom)

    lam = sigma * np.sqrt(tasks + d * d / m) / np.sqrt(tasks * m)
    lmax = max(np.linalg.eigvalsh(x[t] @ x[t].T).max() for t in range(tasks))
    step = 1.0 / (2.0 * lmax / (tasks * m))
    tau = step * lam / np.sqrt(tasks)
    w = np.zeros((tasks, d))
    yk = w.copy()
    t_k = 1.0
    curves = {"frob_nuc": [], "sine_nuc": [], "rank": [], "objective": []}
    for _ in range(iters):
        resid = np.einsum("tmd,td->tm", x, yk) - y
        grad = (2.0 / (tasks * m)) * np.einsum("tmd,tm->td", x, resid)
        u, s, vt = np.linalg.svd(yk - step * grad, full_matrices=False)
        shrunk = np.maximum(s - tau, 0.0)
        w_next = (u * shrunk) @ vt
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t_k * t_k))
        yk = w_next + ((t_k - 1.0) / t_next) * (w_next - w)
        w, t_k = w_next, t_next
        b_nuc = vt[:k].T
        loss = float(np.mean((np.einsum("tmd,td->tm", x, w) - y) ** 2))
        curves["frob_nuc"].append(frob(w))
        curves["sine_nuc"].append(sine(bstar, b_nuc))
        curves["rank"].append(int((s > tau).sum()))
        curves["objective"].append(loss + lam * shrunk.sum() / np.sqrt(tasks))
    out.update({n: c[-1] for n, c in curves.items()})

    subspaces = {"nuc": b_nuc, "single": b_single, "oracle": bstar, "mom": b_mom}
    meta = {n: np.zeros(meta_m) for n in [*subspaces, "none"]}
    for _ in range(meta_tasks):
        w_new = bstar @ rng.standard_normal(k)
        xn = rng.standard_normal((meta_m, d))
        yn = xn @ w_new + sigma * rng.standard_normal(meta_m)
        for n in range(1, meta_m + 1):
            for name, b in subspaces.items():
                meta[name][n - 1] += np.sum((b @ lstsq(xn[:n] @ b, yn[:n]) - w_new) ** 2)
            meta["none"][n - 1] += np.sum((lstsq(xn[:n], yn[:n]) - w_new) ** 2)
    for name, v in meta.items():
        out[f"meta_{name}"] = float(v[-1] / meta_tasks)
    return out


def main():
    build_lemma()
    print(f"{SLUG}: default setting {DEFAULTS}")
    best, result = best_of(lambda: run(**DEFAULTS))
    t_lm, t_in, out = lemma_run(SLUG, **DEFAULTS)
    print(f"numpy {best:.3f} s   lemma {t_lm:.3f} s (whole process), {t_in:.3f} s (in-process)")
    print(f"numpy/lemma: {best / t_lm:.2f}x (whole process), {best / t_in:.2f}x (in-process)")
    names = ["frob_nuc", "frob_single", "frob_oracle", "frob_mom", "sine_nuc", "sine_single",
             "sine_mom", "rank_nuc", "meta_nuc", "meta_oracle", "meta_none"]
    print("cross-check, mean of 3 seeds (numpy seeds 0–2, lemma seeds 0–2; different streams):")
    np_runs = [run(**DEFAULTS, seed=s) for s in range(3)]
    lm_runs = [lemma_run(SLUG, seed=s, **DEFAULTS)[2]["metrics"] for s in range(3)]
    for n in names:
        key = "rank" if n == "rank_nuc" else n
        m_np = np.mean([r[key] for r in np_runs])
        m_lm = np.mean([r[n] for r in lm_runs])
        print(f"  {n:<12} numpy {m_np:8.4f}   lemma {m_lm:8.4f}")


if __name__ == "__main__":
    main()
