"""snnTorch itself, timed on the two models of docs/benchmarks.md's speed section, for
scripts/bench-side-by-side.sh. snnTorch is not installed here and not in CI: the script imports it
from its source tree (SNNTORCH_SRC, put on PYTHONPATH by the shell script) with Debian's PyTorch.

Models, in snnTorch's usual style (its tutorials' loop: one call per layer per step, membranes
initialised with init_leaky(), spikes recorded per step):
  lenet5  conv 1->20 k5 -> Leaky(0.9375) -> avgpool 2 -> Leaky(beta 1, threshold 0.75)
          -> conv 20->50 k5 -> Leaky -> avgpool 2 -> Leaky(1, 0.75) -> linear 800->200 -> Leaky
          -> linear 200->10 -> Leaky(0.9375): 25 steps
  mlp     linear 784->500 -> Leaky(0.9375) -> linear 500->10 -> Leaky(0.9375): 25 steps
No biases (spikeforge's models have none), reset by subtraction (snnTorch's default), snnTorch's
fast_sigmoid(slope = 25) surrogate, its ce_rate_loss, Adam lr 1e-3. The input is random spikes at
Fashion-MNIST's mean pixel density (0.28), since only speed is compared; spikeforge's side reads
the real images, whose density is the same on average.

Usage: python3 peer_snntorch_bench.py lenet5|mlp train|infer BATCH BATCHES [THREADS] [WARMUP]
Prints one line: samples/s over BATCHES batches after WARMUP (default 3) untimed ones.
train: forward over the steps, ce_rate_loss, backward, Adam step. infer: forward only under
torch.no_grad(), spike counts of the output layer.
"""
import sys
import time

import torch
import torch.nn as nn

import snntorch as snn
import snntorch.functional as SF
from snntorch import surrogate

STEPS = 25


def leaky(beta=0.9375, threshold=1.0):
    return snn.Leaky(beta=beta, threshold=threshold, spike_grad=surrogate.fast_sigmoid(slope=25))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.l1 = nn.Conv2d(1, 20, 5, bias=False), leaky()
        self.p1, self.lp1 = nn.AvgPool2d(2), leaky(1.0, 0.75)
        self.c2, self.l2 = nn.Conv2d(20, 50, 5, bias=False), leaky()
        self.p2, self.lp2 = nn.AvgPool2d(2), leaky(1.0, 0.75)
        self.f1, self.l3 = nn.Linear(800, 200, bias=False), leaky()
        self.f2, self.lo = nn.Linear(200, 10, bias=False), leaky()
        self.neurons = [self.l1, self.lp1, self.l2, self.lp2, self.l3, self.lo]

    def forward(self, x):
        mem = [n.init_leaky() for n in self.neurons]
        out = []
        for t in range(STEPS):
            s, mem[0] = self.l1(self.c1(x[t]), mem[0])
            s, mem[1] = self.lp1(self.p1(s), mem[1])
            s, mem[2] = self.l2(self.c2(s), mem[2])
            s, mem[3] = self.lp2(self.p2(s), mem[3])
            s, mem[4] = self.l3(self.f1(s.flatten(1)), mem[4])
            s, mem[5] = self.lo(self.f2(s), mem[5])
            out.append(s)
        return torch.stack(out)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.f1, self.l1 = nn.Linear(784, 500, bias=False), leaky()
        self.f2, self.lo = nn.Linear(500, 10, bias=False), leaky()

    def forward(self, x):
        m1, mo = self.l1.init_leaky(), self.lo.init_leaky()
        out = []
        for t in range(STEPS):
            s, m1 = self.l1(self.f1(x[t]), m1)
            s, mo = self.lo(self.f2(s), mo)
            out.append(s)
        return torch.stack(out)


def main():
    which, mode = sys.argv[1], sys.argv[2]
    batch, batches = int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    warmup = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    torch.manual_seed(27)
    net = LeNet5() if which == "lenet5" else Mlp()
    shape = (1, 28, 28) if which == "lenet5" else (784,)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = SF.ce_rate_loss()
    labels = torch.randint(0, 10, (batch,))
    start = None
    for i in range(warmup + batches):
        if i == warmup:
            start = time.perf_counter()
        x = (torch.rand((STEPS, batch) + shape) < 0.28).float()
        if mode == "train":
            spk = net(x)
            loss = loss_fn(spk, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        else:
            with torch.no_grad():
                net(x).sum(0).argmax(1)
    seconds = time.perf_counter() - start
    print(f"{which} {mode}: snntorch {snn.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads,"
          f" T={STEPS}, batch={batch}: {batches * batch / seconds:.1f} samples/s over {batches * batch} samples"
          f" after {warmup} warm-up batches")


if __name__ == "__main__":
    main()
