"""Shared plumbing of the theory papers' numpy baselines: numpy (installed from PyPI if it is
missing), the release `lemma` binary (built unless LEMMA_BIN names one), best-of timing, `lemma run`
timed as a whole process and in-process (its `run_seconds`), and Lemma's recording grid."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

try:
    import numpy as np
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "numpy"])
    import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LEMMA = Path(os.environ.get("LEMMA_BIN", ROOT / "target" / "release" / "lemma"))
REPEATS = 3


def build_lemma():
    """Builds the release `lemma` unless LEMMA_BIN names a binary."""
    if "LEMMA_BIN" not in os.environ:
        subprocess.check_call(["cargo", "build", "--release", "--quiet", "-p", "lemma-cli"], cwd=ROOT)


def best_of(f):
    """The best of REPEATS wall times of `f()`, and its last result."""
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - start)
    return best, result


def lemma_run(slug, seed=0, **settings):
    """Runs `lemma run <slug> --json` with every setting stated; returns (best whole-process time,
    best in-process time, the parsed JSON of the last run)."""
    cmd = [str(LEMMA), "run", slug, "--json", "--seed", str(seed)]
    for k, val in settings.items():
        cmd += ["--set", f"{k}={val}"]
    best, inside, out = float("inf"), float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        best = min(best, time.perf_counter() - start)
        inside = min(inside, out["run_seconds"])
    return best, inside, out


def recording_grid(steps, dense=100, log_points=200):
    """Lemma's recording times: every t ≤ dense, then log-spaced points up to the horizon."""
    grid = list(range(min(dense, steps) + 1))
    if steps > dense:
        lo, hi = np.log10(dense), np.log10(steps)
        for i in range(log_points):
            t = int(np.round(10 ** (lo + (hi - lo) * i / (log_points - 1))))
            if t > grid[-1] and t <= steps:
                grid.append(t)
    if grid[-1] != steps:
        grid.append(steps)
    return grid
