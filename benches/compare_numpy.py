#!/usr/bin/env python3
"""Side-by-side timing: the notebook's diagonal-network runs in numpy (baselines/diag_nets_numpy.py)
and the same runs through `lemma run --preset notebook`, printing the time ratio per run.

Usage: python3 benches/compare_numpy.py  (installs numpy from PyPI if it is missing; builds the
release `lemma` binary if needed). Lemma's time is the whole `lemma run` process (start-up, data
generation, JSON output) and, separately, the in-process time of the run that `lemma run` reports
(`run_seconds`); numpy's is the in-process call. The whole-process ratio is conservative for Lemma;
the in-process one compares the same work."""

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import numpy as np
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "numpy"])
    import numpy as np
sys.path.insert(0, str(ROOT / "benches" / "baselines"))
import diag_nets_numpy as base  # noqa: E402

LEMMA = Path(os.environ.get("LEMMA_BIN", ROOT / "target" / "release" / "lemma"))
if "LEMMA_BIN" not in os.environ:
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "-p", "lemma-cli"], cwd=ROOT)

GAMMA = 10 / 30
STEPS = 10_001
RUNS = [("gd", 0.0), ("sgd", 0.0), ("nsam", 0.1), ("1sam", 0.1)]
# Theory papers whose baseline (benches/baselines/<name>.py) times its default runs beside
# `lemma run` itself (its `main`), after the notebook runs.
THEORY = [
    "oufkir2022_closeness_numpy",
    "varre2022_accel_sgd_numpy",
    "boursier2022_trace_norm_numpy",
    "chayti2021_collab_numpy",
    "even2021_continuized_numpy",
]
REPEATS = 3


def lemma_run(algo, rho):
    cmd = [str(LEMMA), "run", "andriushchenko2022_sam", "--preset", "notebook", "--json",
           "--set", f"algo={algo}", "--set", f"gamma={GAMMA!r}", "--set", f"rho={rho}",
           "--set", f"steps={STEPS}"]
    best, best_inside, report = float("inf"), float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        report = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        best = min(best, time.perf_counter() - start)
        best_inside = min(best_inside, report["run_seconds"])
    return best, best_inside, report["metrics"].get("test_loss", float("nan"))


def numpy_run(algo, rho):
    data = base.notebook_data()
    best, test = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        _, tests = base.run(algo, *data, gamma=GAMMA, alpha=0.1, rho=rho, steps=STEPS)
        best = min(best, time.perf_counter() - start)
        test = tests[-1]
    return best, test


def main():
    print(f"{'run':<6} {'numpy s':>9} {'lemma s':>9} {'in-proc s':>10} {'numpy/lemma':>12} {'in-process':>11}"
          "   test loss numpy / lemma")
    ratios, inside = [], []
    for algo, rho in RUNS:
        t_np, loss_np = numpy_run(algo, rho)
        t_lm, t_in, loss_lm = lemma_run(algo, rho)
        ratios.append(t_np / t_lm)
        inside.append(t_np / t_in)
        print(f"{algo:<6} {t_np:9.4f} {t_lm:9.4f} {t_in:10.4f} {t_np / t_lm:11.1f}x {t_np / t_in:10.1f}x"
              f"   {loss_np:.6e} / {loss_lm:.6e}")
    geo = float(np.exp(np.mean(np.log(ratios))))
    geo_inside = float(np.exp(np.mean(np.log(inside))))
    print(f"geometric mean: Lemma is {geo:.1f}x faster than numpy on the same runs "
          f"(whole process; {geo_inside:.1f}x in-process)")
    print("(SGD: both draw the same examples (numpy legacy randint), but at γ = 10/d its trajectory amplifies")
    print(" last-bit differences between BLAS sums and fixed-order sums, so the final SGD losses differ.)")
    for name in THEORY:
        print()
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
