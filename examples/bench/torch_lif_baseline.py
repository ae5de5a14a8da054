#!/usr/bin/python3
"""Side-by-side baseline: the LeNet5 and MLP of docs/benchmarks.md trained the way snnTorch trains
them (a Leaky LIF layer per step, fast-sigmoid surrogate, reset detached, BPTT over T steps), in
plain PyTorch, since snnTorch itself is not installable here. Same sizes, T, batch and input
density as spikeforge's speed benchmark; random input spikes instead of Fashion-MNIST, because
only the speed is compared.

Usage: /usr/bin/python3 examples/bench/torch_lif_baseline.py lenet5|mlp [BATCHES] [THREADS]
Prints samples/s of the training loop (forward, backward, Adam step) after one warm-up batch.
"""
import sys
import time

import torch
import torch.nn as nn


class FastSigmoidSpike(torch.autograd.Function):
    """Heaviside forward; snnTorch's fast-sigmoid surrogate backward, 1 / (k|x| + 1)^2."""

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (ctx.slope * x.abs() + 1.0) ** 2, None


class Leaky(nn.Module):
    """h = beta v + I; s = H(h - theta); v = h - s theta with the reset detached (snnTorch's default)."""

    def __init__(self, beta, theta=1.0, slope=25.0):
        super().__init__()
        self.beta, self.theta, self.slope = beta, theta, slope

    def forward(self, current, v):
        h = self.beta * v + current
        s = FastSigmoidSpike.apply(h - self.theta, self.slope)
        return s, h - s.detach() * self.theta


def lenet5():
    layers = nn.ModuleList([nn.Conv2d(1, 20, 5, bias=False), nn.AvgPool2d(2), nn.Conv2d(20, 50, 5, bias=False),
                            nn.AvgPool2d(2), nn.Flatten(), nn.Linear(800, 200, bias=False), nn.Linear(200, 10, bias=False)])
    neurons = [Leaky(0.9375), Leaky(1.0, 0.75), Leaky(0.9375), Leaky(1.0, 0.75), None, Leaky(0.9375), None]
    return layers, neurons, (1, 28, 28)


def mlp():
    layers = nn.ModuleList([nn.Linear(784, 500, bias=False), nn.Linear(500, 10, bias=False)])
    neurons = [Leaky(0.9375), Leaky(0.9375)]
    return layers, neurons, (784,)


def run(model, steps, x):
    """x: T x B x ...; returns the readout: spike counts (MLP) or mean current (LeNet5)."""
    layers, neurons = model
    state = [None] * len(layers)
    out = 0
    for t in range(steps):
        a = x[t]
        for i, (layer, neuron) in enumerate(zip(layers, neurons)):
            a = layer(a)
            if neuron is not None:
                if state[i] is None:
                    state[i] = torch.zeros_like(a)
                a, state[i] = neuron(a, state[i])
        out = out + a
    return out


def main():
    which = sys.argv[1]
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    layers, neurons, shape = lenet5() if which == "lenet5" else mlp()
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    steps, batch = 25, 128
    labels = torch.randint(0, 10, (batch,))
    done = 0
    start = None
    for i in range(batches + 1):
        x = (torch.rand((steps, batch) + shape) < 0.28).float()  # Fashion-MNIST's mean intensity
        out = run((layers, neurons), steps, x)
        loss = nn.functional.cross_entropy(out if which == "mlp" else out / steps, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i == 0:
            start = time.perf_counter()  # the first batch warms up
        else:
            done += batch
    seconds = time.perf_counter() - start
    print(f"{which}: torch {torch.__version__}, {torch.get_num_threads()} threads, T={steps}, batch={batch}: "
          f"{done / seconds:.1f} samples/s over {done} samples")


if __name__ == "__main__":
    main()
