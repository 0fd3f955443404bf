#!/usr/bin/env bash
# GPU checks and timings for a machine with a real GPU (no network needed once the crates are
# vendored or fetched): the native GPU tests with an adapter required, every kernel against its
# CPU twin, and the kernel/training-step throughput. Usage: bash benches/gpu.sh [batch]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export LEMMA_REQUIRE_GPU=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
batch="${1:-128}"

echo "== GPU tests (LEMMA_REQUIRE_GPU=1)"
cargo test --release -p lemma --lib gpu -- --nocapture
echo "== lemma verify --kernels"
cargo run --release -q -p lemma-cli -- verify --kernels
echo "== lemma bench --kernels --batch $batch"
cargo run --release -q -p lemma-cli -- bench --kernels --batch "$batch"
echo "== PyTorch CUDA on the same CNN training steps (batch 128), if torch is importable here"
if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  python3 benches/baselines/cnn_torch.py 1 10 cuda
else
  echo "SKIPPED: no PyTorch with CUDA on this machine (install torch from PyPI to compare)"
fi
