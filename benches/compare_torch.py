#!/usr/bin/env python3
"""Side-by-side CNN training throughput: Lemma's CPU backend (`lemma bench --cnn`) against PyTorch on
the CPU (baselines/cnn_torch.py) for the same architectures, batch, steps and thread count.

Usage: python3 benches/compare_torch.py
Installs torch from PyPI into benches/.venv if that virtual environment lacks it (the tests never
need torch), builds the release `lemma` binary if needed, and prints Lemma/PyTorch images/s."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benches" / ".venv"
PY = VENV / "bin" / "python"
THREADS = os.cpu_count() or 1
REPEATS = 5


def ensure_torch():
    if not PY.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    if subprocess.call([str(PY), "-c", "import torch"], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([str(PY), "-m", "pip", "install", "--quiet", "torch"])


def main():
    ensure_torch()
    lemma = Path(os.environ.get("LEMMA_BIN", ROOT / "target" / "release" / "lemma"))
    if "LEMMA_BIN" not in os.environ:
        subprocess.check_call(["cargo", "build", "--release", "--quiet", "-p", "lemma-cli"], cwd=ROOT)
    ours = json.loads(subprocess.check_output(
        [str(lemma), "bench", "--cnn", "--json", "--repeats", str(REPEATS)]))
    theirs = json.loads(subprocess.check_output(
        [str(PY), str(ROOT / "benches" / "baselines" / "cnn_torch.py"), str(THREADS), str(REPEATS)]))
    torch_version = theirs[0]["torch"]
    print(f"CPU training throughput, batch 128, {THREADS} threads, best of {REPEATS} "
          f"(PyTorch {torch_version})")
    print(f"{'arch':<6} {'step':<4} {'Lemma img/s':>12} {'PyTorch img/s':>14} {'Lemma/PyTorch':>14}")
    for a in ours:
        b = next(r for r in theirs if r["arch"] == a["arch"] and r["step"] == a["step"])
        ratio = a["images_per_s"] / b["images_per_s"]
        print(f"{a['arch']:<6} {a['step']:<4} {a['images_per_s']:>12.0f} {b['images_per_s']:>14.0f} "
              f"{ratio:>14.2f}")


if __name__ == "__main__":
    main()
