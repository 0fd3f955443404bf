"""CNN-S / CNN-M training steps in PyTorch (CPU, or CUDA with a third argument `cuda`), the same
work as `lemma bench --cnn` (CPU) and `lemma bench --kernels` (GPU training step):
one SGD step (momentum 0.9, weight decay 5e-4) and one SAM step (ρ = 0.05, two forward/backward
passes) at batch 128 on fixed inputs. Prints one JSON list with images/s per (arch, step)."""

import json
import sys
import time

import torch
from torch import nn

BATCH = 128


def model(c1, c2, hidden):
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 49, hidden), nn.ReLU(), nn.Linear(hidden, 10))


ARCHS = {"cnn-s": (16, 32, 64), "cnn-m": (32, 64, 128)}


def sgd_step(net, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(net((x - 0.5) / 0.5), y)
    loss.backward()
    opt.step()


def sam_step(net, opt, x, y, rho=0.05):
    params = [p for p in net.parameters()]
    opt.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(net((x - 0.5) / 0.5), y).backward()
    with torch.no_grad():
        norm = torch.sqrt(sum((p.grad ** 2).sum() for p in params))
        scale = rho / (norm + 1e-12)
        saved = [p.detach().clone() for p in params]
        for p in params:
            p.add_(p.grad, alpha=float(scale))
    opt.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(net((x - 0.5) / 0.5), y).backward()
    with torch.no_grad():
        for p, s in zip(params, saved):
            p.copy_(s)
    opt.step()


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.rand(BATCH, 1, 28, 28, device=device)
    y = (torch.arange(BATCH) % 10).to(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    rows = []
    for name, dims in ARCHS.items():
        net = model(*dims).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        for kind, step in (("sgd", sgd_step), ("sam", sam_step)):
            step(net, opt, x, y)
            sync()
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                step(net, opt, x, y)
                sync()
                best = min(best, time.perf_counter() - start)
            rows.append({"arch": name, "step": kind, "batch": BATCH, "ms_per_step": best * 1e3,
                         "images_per_s": BATCH / best, "threads": threads, "device": device,
                         "torch": torch.__version__})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
