#!/usr/bin/env python3
"""numpy baseline for varre2022_accel_sgd, written from the maths of the spec
(varre2022_accel_sgd.md §3.2 and §5), not from anyone's code, and the side-by-side timing against
`target/release/lemma run varre2022_accel_sgd` on the same setting.

The model: streaming least squares, x ~ N(0, H) with H = diag(i^(−p)), y = ⟨x, θ*⟩ + σε,
θ* = 1, θ0 = θ* − init_dist·1, one fresh sample per step, oracle g(θ) = x(⟨x, θ⟩ − y). In error
coordinates e = θ − θ* the oracle is x(⟨x, e⟩ − σε); every update is linear in (e0, ε), so the
error is a bias process (e0, no noise) plus a variance process (0, the noise), advanced here as the
two rows of one array on the same samples. AcSGD (steps α, β), with x0 = z0 = v0 = e0:
    x_{t+1} = v_t − β g(v_t),  z_{t+1} = z_t − α(t + 1) g(v_t),
    v_{t+1} = ((t + 1)/(t + 2)) x_{t+1} + (1/(t + 2)) z_{t+1};
stochastic Nesterov is α = β; SGD is θ_{t+1} = θ_t − γ g(θ_t), averaged SGD its uniform average.
β = γ = step_r2/R², R² = Tr H + 2 max h_i, α = ratio·β. Excess risk ½ Σ h_i e_i², recorded on
Lemma's grid (0 … 100, then 200 log-spaced points to the horizon); a run stops when the risk
f = excess + σ²/2 exceeds 10⁸ × its initial value. Samples are drawn in chunks (vectorised), the
recursion runs step by step (it cannot be vectorised over t), as a numpy user would write it.

Usage: python3 benches/baselines/varre2022_accel_sgd_numpy.py  (installs numpy from PyPI if it is
missing; builds the release `lemma` binary if needed). Lemma's time is the whole `lemma run`
process (start-up, run, JSON output); numpy's is the in-process call, so the ratio is conservative
for Lemma. numpy's random stream is not Lemma's, so single-run values agree only statistically;
the cross-check compares 10-run means on the setting of check ACSGD-2.
"""


from harness import best_of, build_lemma, lemma_run, np, recording_grid

SLUG = "varre2022_accel_sgd"
# The schema's defaults (lemma describe varre2022_accel_sgd), stated to both sides.
DEFAULTS = dict(algo="acsgd", output="linear", steps=100_000, d=50, p=2.0, sigma=0.1,
                init_dist=1.0, ratio=0.02, step_r2=0.5)
BLOW_UP = 1e8


def run(algo="acsgd", output="linear", steps=100_000, d=50, p=2.0, sigma=0.1, init_dist=1.0,
        ratio=0.02, step_r2=0.5, seed=0, chunk=4096):
    """One run; returns (t, f − f* of the reported output) on the grid, the final risk of every
    output, and the step of divergence (None if it finished)."""
    h = np.arange(1, d + 1, dtype=float) ** (-p)
    sqrt_h = np.sqrt(h)
    step = step_r2 / (h.sum() + 2 * h.max())
    alpha = {"acsgd": ratio * step, "agd": step}.get(algo)
    reported = {"avsgd": "uniform", "sgd": "last"}.get(algo, output)
    rng = np.random.default_rng(seed)

    e0 = np.stack([np.full(d, -init_dist), np.zeros(d)])  # rows: bias, variance
    x, z, v = e0.copy(), e0.copy(), e0.copy()
    total, weighted = e0.copy(), np.zeros_like(e0)  # Σ x_s and Σ s·x_s, s = 0 … t
    grid = recording_grid(steps)
    on_grid = set(grid)
    halves = {g // 2 for g in grid}
    kept = {0: total.copy()}

    def risk(e):
        return 0.5 * float(h @ (e * e))

    def outputs(t):
        if t == 0:
            return {o: x.sum(0) for o in ("last", "uniform", "linear", "tail")}
        half = t // 2
        return {
            "last": x.sum(0),
            "uniform": total.sum(0) / (t + 1),
            "linear": weighted.sum(0) * (2.0 / (t * (t + 1))),
            "tail": (total - kept[half]).sum(0) / (t - half),
        }

    initial = risk(e0[0]) + 0.5 * sigma ** 2
    curve = [(0, risk(outputs(0)[reported]))]
    for start in range(0, steps, chunk):
        n = min(chunk, steps - start)
        samples = rng.standard_normal((n, d)) * sqrt_h
        noise = sigma * rng.standard_normal(n)
        for k in range(n):
            t, a = start + k, samples[k]
            if alpha is None:
                r = x @ a
                r[1] -= noise[k]
                x = x - step * np.outer(r, a)
            else:
                r = v @ a
                r[1] -= noise[k]
                g = np.outer(r, a)
                x = v - step * g
                z -= (alpha * (t + 1)) * g
                v = ((t + 1) / (t + 2)) * x + (1 / (t + 2)) * z
            total += x
            weighted += (t + 1) * x
            if t + 1 in halves:
                kept[t + 1] = total.copy()
            f = risk(x.sum(0))
            if not f + 0.5 * sigma ** 2 <= BLOW_UP * max(initial, 1e-300):
                return curve, {}, t + 1
            if t + 1 in on_grid:
                curve.append((t + 1, risk(outputs(t + 1)[reported])))
    final = {o: risk(e) for o, e in outputs(steps).items()}
    return curve, final, None


def show(x):
    return "diverged" if x is None else f"{x:.3e}"


def main():
    build_lemma()
    print(f"{SLUG}: default setting {DEFAULTS} (each method at its own default output)")
    print(f"{'method':<7} {'numpy s':>9} {'lemma s':>9} {'numpy/lemma':>12}   f − f* at the end, numpy / lemma (different streams)")
    ratios = []
    for algo in ("acsgd", "avsgd", "sgd", "agd"):
        settings = {**DEFAULTS, "algo": algo}
        t_np, (curve, final, diverged) = best_of(lambda: run(**settings))
        t_lm, _, out = lemma_run(SLUG, **settings)
        f_np = None if diverged else curve[-1][1]
        f_lm = out["metrics"].get("excess_risk")
        note = ""
        if diverged or "diverged_at" in out["metrics"]:
            note = f"   (diverged at step {diverged} / {out['metrics'].get('diverged_at', 'no')})"
        ratios.append(t_np / t_lm)
        print(f"{algo:<7} {t_np:9.3f} {t_lm:9.3f} {t_np / t_lm:11.1f}x   {show(f_np)} / {show(f_lm)}{note}")
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"geometric mean: Lemma is {geo:.1f}x faster than numpy on the same runs")

    # Cross-check of the two implementations (check ACSGD-2's setting: σ = 0, t = 3162, 10 runs).
    setting = {**DEFAULTS, "sigma": 0.0, "steps": 3162}
    rows = [("AcSGD last iterate", "acsgd", "risk_last", "last"),
            ("AcSGD linear average", "acsgd", "risk_linear", "linear"),
            ("averaged SGD", "avsgd", "risk_uniform", "uniform")]
    print("cross-check, σ = 0, t = 3162, mean of 10 runs (numpy seeds 0–9, lemma seeds 1000–1009):")
    for label, algo, metric, out in rows:
        m_np = np.mean([run(**{**setting, "algo": algo}, seed=s)[1][out] for s in range(10)])
        m_lm = np.mean([lemma_run(SLUG, seed=1000 + s, **{**setting, "algo": algo})[2]["metrics"][metric]
                        for s in range(10)])
        print(f"  {label:<22} numpy {m_np:.3e}   lemma {m_lm:.3e}   ratio {m_np / m_lm:.2f}")


if __name__ == "__main__":
    main()
