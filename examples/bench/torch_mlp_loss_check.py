#!/usr/bin/python3
"""Cross-check of the MLP example's training recipe in plain PyTorch, on real Fashion-MNIST.

The model and recipe of examples/models/mlp.snn: 784-500-10, no bias, LIF beta 0.9375, threshold 1,
subtract reset detached from the gradient, fast-sigmoid surrogate slope 25, Poisson input (a
pixel of intensity p spikes with probability p each step), T = 25, batch 128, Adam, weights drawn
from N(0, sqrt(2 / n_in)). The readout is either the spike count of a LIF output layer or the
accumulated (non-spiking) output current / T, and the loss cross-entropy or mse with rate
targets, so that spikeforge's figures in docs/benchmarks.md can be set beside an independent
implementation. Random numbers differ from spikeforge's; compare accuracies, not bits.

Usage: /usr/bin/python3 examples/bench/torch_mlp_loss_check.py count|accumulate ce|mse LIMIT
           [LR] [CORRECT] [INCORRECT] [THREADS]
Trains one epoch on the first LIMIT samples of a fixed shuffle and prints test accuracy.
Needs python3-torch and python3-numpy (Debian) and dataset-fashion-mnist.
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

ROOT = "/usr/share/datasets/fashion-mnist/"


def idx(path):
    """An IDX file (gzip) as a numpy array: magic 0x0000 08 NDIM, NDIM big-endian sizes, bytes."""
    with gzip.open(path) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Spike(torch.autograd.Function):
    """Heaviside forward, fast-sigmoid surrogate 1 / (25 |x| + 1)^2 backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).float()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (25 * x.abs() + 1) ** 2


def main():
    mode, loss_kind, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lr = float(sys.argv[4]) if len(sys.argv) > 4 else 5e-4
    correct = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    incorrect = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    torch.set_num_threads(int(sys.argv[7]) if len(sys.argv) > 7 else 2)
    steps, batch, beta = 25, 128, 0.9375

    x_train = torch.tensor(idx(ROOT + "train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    y_train = torch.tensor(idx(ROOT + "train-labels-idx1-ubyte.gz").astype(np.int64))
    x_test = torch.tensor(idx(ROOT + "t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    y_test = torch.tensor(idx(ROOT + "t10k-labels-idx1-ubyte.gz").astype(np.int64))

    torch.manual_seed(11)
    w1 = nn.Parameter(torch.randn(500, 784) * (2 / 784) ** 0.5)
    w2 = nn.Parameter(torch.randn(10, 500) * (2 / 500) ** 0.5)
    opt = torch.optim.Adam([w1, w2], lr=lr)

    def run(x):
        v1 = torch.zeros(x.shape[0], 500)
        v2 = torch.zeros(x.shape[0], 10)
        out = 0
        for _ in range(steps):
            s0 = (torch.rand_like(x) < x).float()
            h1 = beta * v1 + s0 @ w1.t()
            s1 = Spike.apply(h1 - 1)
            v1 = h1 - s1.detach()
            current = s1 @ w2.t()
            if mode == "count":
                h2 = beta * v2 + current
                s2 = Spike.apply(h2 - 1)
                v2 = h2 - s2.detach()
                out = out + s2
            else:
                out = out + current / steps
        return out

    order = torch.randperm(60000)[:limit]
    start = time.time()
    for i in range(0, limit, batch):
        rows = order[i:i + batch]
        out = run(x_train[rows])
        if loss_kind == "ce":
            loss = nn.functional.cross_entropy(out, y_train[rows])
        else:
            target = nn.functional.one_hot(y_train[rows], 10).float() * (correct - incorrect) + incorrect
            value = out / steps if mode == "count" else out
            loss = 0.5 * ((value - target) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        right = sum((run(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item() for i in range(0, 10000, 1000))
    print(f"{mode} readout, {loss_kind} (targets {correct} / {incorrect}), lr {lr}, {limit} samples: "
          f"test accuracy {right / 100:.2f}%, {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
