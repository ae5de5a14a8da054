"""The snnTorch peer for NIR's temporal nodes (issue 23): snnTorch builds, exports and simulates
small recurrent and synaptic networks; spikeforge then imports the exported files and runs them
on the same input spikes (cli: SnnTorchPeerTest). Run it through scripts/peer-snntorch-nir.sh,
which finds snnTorch, NIRTorch and NIR's sources; they are not installed here, not in CI.

For each net it writes, into OUT:
  NAME.nir                    snnTorch's export_to_nir, written with NIR's own nir.write
  input.npy                   the input spikes, uint8 [T, B, inputs], the same for every net
  NAME.LAYER.spikes.npy       each spiking layer's output spikes, uint8 [T, B, units]; LAYER is
                              the module's index in the Sequential, as in the NIR file's names
  NAME.LAYER.h.npy            its membrane as the threshold test saw it, float32 [T, B, units]

Convention: the nets reset to zero with reset_delay=False; RSynaptic, whose reset_delay=False
fails in this snnTorch, runs without reset and the loop here resets it to zero right after the spike. That is what the exported file says
(v_reset = 0; snnTorch's export writes v_reset = 0 whatever its reset mechanism) and what
spikeforge runs: v[t] = h[t] (1 - s[t]) right after the spike. snnTorch's default (subtract,
reset applied at the next step) is not what its own export describes.

With --check-spikeforge FILE it instead reads a spikeforge-written NIR file with NIR's reader
and type check (nir.read(..., type_check=True) as the NIRGraph constructor does) and prints what
it found.
"""
import argparse
import os
import sys

import numpy as np
import torch

def nir_module():
    import nir
    if not hasattr(nir, "version"):
        # NIR takes its version from the installed package's metadata; from source it has none.
        # The script runs NIR's source from after tag v1.0.7 (scripts/peer-snntorch-nir.sh).
        nir.version = nir.__version__ = os.environ.get("NIR_VERSION", "1.0.7")
    return nir


T = 40          # steps
B = 4           # samples
N_IN = 12
HIDDEN = 16
N_OUT = 5
P_IN = 0.3      # input spike probability


def nets(rsynaptic_delayed=False):
    """The four nets; rsynaptic_delayed keeps snnTorch's default delayed zero reset in RSynaptic."""
    import snntorch as snn
    common = dict(init_hidden=True, reset_mechanism="zero", reset_delay=False)
    out = {}

    def v(x, n):
        # per-neuron vectors: with scalars, export_to_nir's own infer_types fails on this NIR
        # ("type mismatch: 0.output: [[16]] -> 1.input: []"), as a scalar tau has shape ()
        return torch.full((n,), x)

    torch.manual_seed(1)
    out["synaptic"] = torch.nn.Sequential(
        torch.nn.Linear(N_IN, HIDDEN),
        snn.Synaptic(alpha=v(0.8, HIDDEN), beta=v(0.9, HIDDEN), threshold=v(1.0, HIDDEN), **common),
        torch.nn.Linear(HIDDEN, N_OUT),
        snn.Synaptic(alpha=v(0.7, N_OUT), beta=v(0.85, N_OUT), threshold=v(0.5, N_OUT), output=True, **common),
    )
    torch.manual_seed(2)
    out["rleaky_full"] = torch.nn.Sequential(
        torch.nn.Linear(N_IN, HIDDEN),
        snn.RLeaky(beta=0.9, linear_features=HIDDEN, all_to_all=True, threshold=1.0, **common),
        torch.nn.Linear(HIDDEN, N_OUT),
        snn.Leaky(beta=v(0.8, N_OUT), threshold=v(0.5, N_OUT), output=True, **common),
    )
    torch.manual_seed(3)
    out["rleaky_diagonal"] = torch.nn.Sequential(
        torch.nn.Linear(N_IN, HIDDEN),
        snn.RLeaky(beta=0.9, V=torch.rand(HIDDEN) - 0.5, all_to_all=False, threshold=1.0, **common),
        torch.nn.Linear(HIDDEN, N_OUT),
        snn.Leaky(beta=v(0.8, N_OUT), threshold=v(0.5, N_OUT), output=True, **common),
    )
    torch.manual_seed(4)
    out["rsynaptic"] = torch.nn.Sequential(
        torch.nn.Linear(N_IN, HIDDEN),
        # RSynaptic's reset_delay=False path fails in this snnTorch (it reads the undefined locals
        # spk and mem: "unsupported operand type(s) for /: 'NoneType' and 'Tensor'"). So this layer
        # runs without a reset of its own (reset_mechanism="none") and simulate() applies the zero
        # reset right after the spike, v = h (1 - s), which is what reset_delay=False does in
        # Synaptic and RLeaky. Its export is the same file either way (v_reset = 0).
        snn.RSynaptic(alpha=0.8, beta=0.9, linear_features=HIDDEN, all_to_all=True, threshold=1.0,
                      init_hidden=True, reset_mechanism="zero" if rsynaptic_delayed else "none"),
        torch.nn.Linear(HIDDEN, N_OUT),
        snn.Synaptic(alpha=v(0.7, N_OUT), beta=v(0.85, N_OUT), threshold=v(0.5, N_OUT), output=True, **common),
    )
    with torch.no_grad():
        for net in out.values():
            for m in net:
                if isinstance(m, torch.nn.Linear):
                    m.weight.mul_(3.0)   # enough current for the layers to spike at a few tens of per cent
    return out


def simulate(net, x):
    """Steps the net's own modules over x [T, B, N_IN]; records every spiking layer."""
    import snntorch as snn
    from snntorch import utils
    utils.reset(net)
    rec = {}
    with torch.no_grad():
        for t in range(x.shape[0]):
            a = x[t]
            for i, m in enumerate(net):
                if isinstance(m, torch.nn.Linear):
                    a = m(a)
                    continue
                n = a.shape
                mem_prev = m.mem.clone() if m.mem.shape == n else torch.zeros(n)
                spk_prev = m.spk.clone() if hasattr(m, "spk") and m.spk.shape == n else torch.zeros(n)
                spiking = m(a)
                s = spiking[0] if isinstance(spiking, tuple) else spiking
                mem = m.mem.clone()
                # h: the membrane the threshold was tested on, before the reset
                beta = m.beta.clamp(0, 1)
                if m.reset_mechanism_val == 2:
                    h = mem  # no reset of its own: the membrane is h; reset to zero right after the spike
                    m.mem = mem * (1 - s)
                    mem = m.mem.clone()
                elif m.reset_delay:
                    h = mem  # the delayed reset came before the threshold test, none after it
                elif isinstance(m, (snn.Synaptic, snn.RSynaptic)):
                    h = beta * mem_prev + m.syn
                elif isinstance(m, snn.RLeaky):
                    h = beta * mem_prev + a + m.recurrent(spk_prev)
                else:
                    h = beta * mem_prev + a
                name = str(i)
                rec.setdefault(name + ".spikes", []).append(s.clone())
                rec.setdefault(name + ".h", []).append(h)
                a = s
    return {k: torch.stack(v).numpy().astype(np.uint8 if k.endswith(".spikes") else np.float32)
            for k, v in rec.items()}


def export(out_dir):
    nir = nir_module()
    from snntorch.export_nir import export_to_nir
    from snntorch import utils
    rng = np.random.default_rng(23)
    x = (rng.random((T, B, N_IN)) < P_IN).astype(np.uint8)
    np.save(os.path.join(out_dir, "input.npy"), x)
    for name, net in nets().items():
        utils.reset(net)
        graph = export_to_nir(net, torch.zeros(N_IN))
        path = os.path.join(out_dir, name + ".nir")
        nir.write(path, graph)
        rec = simulate(net, torch.from_numpy(x.astype(np.float32)))
        rates = []
        for k, v in rec.items():
            np.save(os.path.join(out_dir, name + "." + k + ".npy"), v)
            if k.endswith(".spikes"):
                rates.append(f"{k.split('.')[0]}: {v.mean():.3f}")
        print(f"{name}: nodes {sorted(graph.nodes)}; spike rates {', '.join(rates)}")


def reference(net, x):
    """docs/semantics.md's float model, in numpy float32, on the net's own weights and constants:
    I[t] = W x[t] + b + W_rec s[t-1]; i = alpha i + I; h = beta v + i; s = h >= theta; v = h (1 - s)."""
    import snntorch as snn
    rec = {}
    state = {}
    with torch.no_grad():
        for t in range(x.shape[0]):
            a = torch.from_numpy(x[t])
            current = None
            for k, m in enumerate(net):
                if isinstance(m, torch.nn.Linear):
                    current = m(a).numpy()
                    continue
                st = state.setdefault(k, {"i": np.zeros_like(current), "v": np.zeros_like(current),
                                          "s": np.zeros_like(current)})
                if isinstance(m, (snn.RLeaky, snn.RSynaptic)):
                    current = current + m.recurrent(torch.from_numpy(st["s"])).numpy()
                alpha = m.alpha.numpy() if hasattr(m, "alpha") else np.float32(0)
                beta = m.beta.numpy()
                theta = m.threshold.numpy()
                st["i"] = (alpha * st["i"] + current).astype(np.float32)
                h = (beta * st["v"] + st["i"]).astype(np.float32)
                s = (h >= theta).astype(np.float32)
                st["v"] = h * (1 - s)
                st["s"] = s
                rec.setdefault(str(k), []).append(s)
                a = torch.from_numpy(s)
    return {k: np.stack(v) for k, v in rec.items()}


def agreement(ours, theirs, h, theta):
    tie = np.abs(h - theta) <= 1e-5 * np.abs(theta)
    same = (ours > 0) == (theirs > 0)
    return f"{same[~tie].sum()} of {(~tie).sum()} agree ({100 * same[~tie].mean():.2f}%), {tie.sum()} ties"


def compare_reference(out_dir):
    """snnTorch's recorded spikes against the reference; then RSynaptic with snnTorch's default delayed reset."""
    x = np.load(os.path.join(out_dir, "input.npy")).astype(np.float32)
    for name, net in nets().items():
        ref = reference(net, x)
        for layer, theta in (("1", 1.0), ("3", 0.5)):
            theirs = np.load(os.path.join(out_dir, f"{name}.{layer}.spikes.npy"))
            h = np.load(os.path.join(out_dir, f"{name}.{layer}.h.npy"))
            print(f"{name} layer {layer}, snnTorch vs docs/semantics.md in numpy: "
                  f"{agreement(ref[layer], theirs, h, theta)}")
    net = nets(rsynaptic_delayed=True)["rsynaptic"]
    delayed = simulate(net, torch.from_numpy(x))
    ref = reference(net, x)
    for layer, theta in (("1", 1.0), ("3", 0.5)):
        print(f"rsynaptic with snnTorch's delayed zero reset, layer {layer}: "
              f"{agreement(ref[layer], delayed[layer + '.spikes'], delayed[layer + '.h'], theta)}")


def check_spikeforge(path):
    nir = nir_module()
    g = nir.read(path)
    # nir.read builds NIRGraph(..., type_check=True) by default; do it explicitly as well
    checked = nir.NIRGraph(nodes=g.nodes, edges=g.edges, metadata=g.metadata, type_check=True)

    def walk(graph, prefix=""):
        for k, n in graph.nodes.items():
            if isinstance(n, nir.NIRGraph):
                walk(n, prefix + k + ".")
            else:
                print(f"  {prefix}{k}: {type(n).__name__}")
    print(f"{path}: nir.read + type_check=True accepted it; version {nir.version if hasattr(nir, 'version') else '?'}")
    walk(checked)
    print(f"  edges: {sorted(checked.edges)}")
    # the control: the same graph with one neuron node's parameters of the wrong shape must be refused
    broken = nir.read(path)
    name, neuron = next((k, n) for k, n in broken.nodes.items() if isinstance(n, nir.CubaLIF))
    size = neuron.v_threshold.size + 1
    broken.nodes[name] = nir.CubaLIF(**{k: np.full(size, getattr(neuron, k).flat[0]) for k in
                                        ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in")})
    try:
        nir.NIRGraph(nodes=broken.nodes, edges=broken.edges, metadata=broken.metadata, type_check=True)
    except Exception as e:  # noqa: BLE001 - NIR raises ValueError or AssertionError
        print(f"  control: with {name} resized to {size} neurons the type check refuses it ({type(e).__name__}: "
              f"{str(e).splitlines()[0][:120]})")
    else:
        raise SystemExit(f"{path}: the control was accepted; the type check did not run")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out", nargs="?")
    p.add_argument("--check-spikeforge", nargs="+")
    p.add_argument("--reference", action="store_true",
                   help="compare OUT's snnTorch spikes with docs/semantics.md computed in numpy")
    a = p.parse_args()
    if a.reference:
        compare_reference(a.out)
        return
    if a.check_spikeforge:
        for f in a.check_spikeforge:
            check_spikeforge(f)
        return
    os.makedirs(a.out, exist_ok=True)
    export(a.out)


if __name__ == "__main__":
    sys.exit(main())
