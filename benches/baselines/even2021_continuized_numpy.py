#!/usr/bin/env python3
"""numpy baseline for even2021_continuized, written from the maths of the spec
(even2021_continuized.md §3 and §5), not from anyone's code, and the side-by-side timing against
`target/release/lemma run even2021_continuized` on the same settings.

E1 (the default run): f = ½ Σ h_i x_i², h = linspace(1/κ, 1), κ = 10³, d = 100, x0 = z0 = 1,
R = 50 continuized Nesterov processes, each with its own rate-1 Poisson clock, to t = ⌈30√κ⌉.
Between events x and z mix by the ODE (m = (x + z)/2 fixed, x − z decays as e^{−2ηΔ}); at an
event at T after the last one at S, with Δ = T − S, τ = (1 − e^{−2ηΔ})/2, τ′ = tanh(ηΔ):
y = x + τ(z − x), z⁻ = z + τ′(y − z), x ← y − ∇f(y)/L, z ← z⁻ − ∇f(y)/√(μL), η = √(μ/L).
At each integer time t every process is flowed from its last event to t and f(x(t)) recorded;
discrete Nesterov (momentum (1 − √q)/(1 + √q)) and GD take one step per unit of time. Decay rates
are least-squares slopes of the mean log f over the second half, on Lemma's recording grid.
Vectorised over the runs: at each time, the runs whose next event has come are updated together
(a masked (R, d) array update), as a numpy user would write it.

E2: cycle on n = 40 nodes, 20 runs, initial values N(0, 1), each activation a uniform edge at the
next event of a rate-1 clock; standard gossip averages the two ends; accelerated gossip flows both
ends' (x, z) from their last update (x, z ← m + (· − m)e^{−2η·dt}) then x_v −= D/2, x_w += D/2,
z_v −= γ′D, z_w += γ′D with D = x_v − x_w, η = 1/(2√(χ₁χ₂)), γ′ = 1/(2√(λ₂χ₂)) from the
eigen-decomposition of L_p (numpy.linalg.eigh); horizon ⌈40/η⌉ activations, vectorised over runs.

Usage: python3 benches/baselines/even2021_continuized_numpy.py  (installs numpy from PyPI if it is
missing; builds the release `lemma` binary if needed). Lemma's time is the whole `lemma run`
process and the in-process `run_seconds` it reports; numpy's is the in-process call. numpy's
random stream is not Lemma's, so the values agree only statistically (printed side by side).
"""


from harness import best_of, build_lemma, lemma_run, np, recording_grid

SLUG = "even2021_continuized"


def slope(t, y):
    t, y = np.asarray(t, float), np.asarray(y, float)
    return float(np.polyfit(t, y, 1)[0])


def e1(kappa=1000.0, d=100, runs=50, seed=0):
    """E1, strongly convex; returns the decays (continuized, Nesterov, GD)."""
    rng = np.random.default_rng(seed)
    mu, L = 1.0 / kappa, 1.0
    h = np.linspace(mu, 1.0, d)
    eta, gp = np.sqrt(mu / L), 1.0 / np.sqrt(mu * L)
    horizon = int(np.ceil(30 * np.sqrt(kappa)))
    x = np.ones((runs, d))
    z = np.ones((runs, d))
    s = np.zeros(runs)
    nxt = rng.exponential(size=runs)
    q = np.sqrt(mu / L)
    beta = (1 - q) / (1 + q)
    nx, ny, gx = np.ones(d), np.ones(d), np.ones(d)
    grid = set(recording_grid(horizon))
    half = (horizon + 1) // 2
    fit = ([], [], [], [])
    for i in range(horizon):
        t = i + 1.0
        while True:
            m = nxt <= t
            if not m.any():
                break
            dt = (nxt[m] - s[m])[:, None]
            tau = 0.5 * (1 - np.exp(-2 * eta * dt))
            taup = np.tanh(eta * dt)
            xm, zm = x[m], z[m]
            y = xm + tau * (zm - xm)
            zmix = zm + taup * (y - zm)
            g = h * y
            x[m] = y - g / L
            z[m] = zmix - gp * g
            s[m] = nxt[m]
            nxt[m] = nxt[m] + rng.exponential(size=m.sum())
        nn = ny - h * ny / L
        ny = nn + beta * (nn - nx)
        nx = nn
        gx = gx - h * gx / L
        if i + 1 in grid and i + 1 >= half:
            mid = 0.5 * (x + z)
            xt = mid + (x - mid) * np.exp(-2 * eta * (t - s))[:, None]
            f = 0.5 * (xt * xt) @ h
            fit[0].append(t)
            fit[1].append(np.mean(np.log(f)))
            fit[2].append(np.log(0.5 * h @ (nx * nx)))
            fit[3].append(np.log(0.5 * h @ (gx * gx)))
    return tuple(-slope(fit[0], y) for y in fit[1:])


def cycle_spectrum(n):
    edges = [(i, i + 1) for i in range(n - 1)] + [(0, n - 1)]
    p = 1.0 / len(edges)
    lap = np.zeros((n, n))
    for v, w in edges:
        lap[v, v] += p
        lap[w, w] += p
        lap[v, w] -= p
        lap[w, v] -= p
    vals, vecs = np.linalg.eigh(lap)
    pinv = (vecs[:, 1:] / vals[1:]) @ vecs[:, 1:].T
    chi2 = max(0.5 * (pinv[v, v] + pinv[w, w] - 2 * pinv[v, w]) for v, w in edges)
    return np.array(edges), vals[1], chi2


def e2(n=40, runs=20, horizon=40.0, seed=0):
    """E2 on the cycle; returns the rates (standard, accelerated) per activation."""
    rng = np.random.default_rng(seed)
    edges, lam2, chi2 = cycle_spectrum(n)
    eta = 0.5 / np.sqrt(chi2 / lam2)
    gp = 0.5 / np.sqrt(lam2 * chi2)
    total = int(np.ceil(horizon / eta))
    x0 = rng.standard_normal((runs, n))
    mean0 = x0.mean(1, keepdims=True)
    err0 = ((x0 - mean0) ** 2).sum(1)
    std, x, z = x0.copy(), x0.copy(), x0.copy()
    last = np.zeros((runs, n))
    t = np.zeros(runs)
    rows = np.arange(runs)
    grid = set(recording_grid(total))
    half = (total + 1) // 2
    fit = ([], [], [])
    for i in range(total):
        t += rng.exponential(size=runs)
        e = edges[rng.integers(len(edges), size=runs)]
        v, w = e[:, 0], e[:, 1]
        avg = 0.5 * (std[rows, v] + std[rows, w])
        std[rows, v] = avg
        std[rows, w] = avg
        for u in (v, w):
            mid = 0.5 * (x[rows, u] + z[rows, u])
            dec = np.exp(-2 * eta * (t - last[rows, u]))
            x[rows, u] = mid + (x[rows, u] - mid) * dec
            z[rows, u] = mid + (z[rows, u] - mid) * dec
            last[rows, u] = t
        dd = x[rows, v] - x[rows, w]
        x[rows, v] -= 0.5 * dd
        x[rows, w] += 0.5 * dd
        z[rows, v] -= gp * dd
        z[rows, w] += gp * dd
        if i + 1 in grid and i + 1 >= half:
            mid = 0.5 * (x + z)
            xt = mid + (x - mid) * np.exp(-2 * eta * (t[:, None] - last))
            fit[0].append(i + 1.0)
            fit[1].append(np.mean(np.log(((std - mean0) ** 2).sum(1) / err0)))
            fit[2].append(np.mean(np.log(((xt - mean0) ** 2).sum(1) / err0)))
    return -slope(fit[0], fit[1]), -slope(fit[0], fit[2])


def main():
    build_lemma()
    print(f"{SLUG}: E1 default (strongly convex, κ = 10³, d = 100, 50 runs) and E2 (cycle, n = 40, 20 runs)")
    print(f"{'run':<4} {'numpy s':>9} {'lemma s':>9} {'in-proc s':>10} {'numpy/lemma':>12} {'in-process':>11}   values numpy / lemma")
    t_np, (dc, dn, dg) = best_of(e1)
    t_lm, t_in, out = lemma_run(SLUG, experiment="e1")
    m = out["metrics"]
    print(f"{'E1':<4} {t_np:9.4f} {t_lm:9.4f} {t_in:10.4f} {t_np / t_lm:11.1f}x {t_np / t_in:10.1f}x"
          f"   decay cont {dc:.3e} / {m['decay_cont']:.3e}, Nesterov {dn:.3e} / {m['decay_nesterov']:.3e},"
          f" GD {dg:.3e} / {m['decay_gd']:.3e}")
    t_np2, (rs, ra) = best_of(e2)
    t_lm2, t_in2, out2 = lemma_run(SLUG, experiment="e2")
    m2 = out2["metrics"]
    print(f"{'E2':<4} {t_np2:9.4f} {t_lm2:9.4f} {t_in2:10.4f} {t_np2 / t_lm2:11.1f}x {t_np2 / t_in2:10.1f}x"
          f"   rate std {rs:.3e} / {m2['rate_std']:.3e}, acc {ra:.3e} / {m2['rate_acc']:.3e}")


if __name__ == "__main__":
    main()
