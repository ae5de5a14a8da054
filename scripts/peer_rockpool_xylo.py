"""Rockpool's Xylo bit-shift decay (synsense/rockpool) on random Xylo-like neuron layers, for
issue 24's comparison of spikeforge's xylo_like arithmetic with SynSense's. Run it through
scripts/peer-rockpool-xylo.sh, which finds Rockpool's source; it is not installed here and not
in CI.

What Rockpool holds, and what of it runs here. Rockpool's XyloSim modules
(rockpool/devices/xylo/syns61201/xylo_sim.py, syns61300, syns63300) do no neuron arithmetic
themselves: each hands the configuration to the `xylosim` package (`from xylosim.v1 import
XyloLayer`, `xylosim.v2`), a compiled C++ simulator that is not part of Rockpool's source and is
only published as binary wheels on PyPI, which this machine cannot reach. Rockpool's Python
neuron modules are float models: LIFTorch (nn/modules/torch/lif_torch.py) multiplies by
alpha = 1 - 2^-dash, LIFBitshiftTorch divides by 2^dash without flooring. The one piece of
Rockpool that states Xylo's integer decay and runs is the `bitshift(value, dash)` function of
its Xylo overview (docs/devices/xylo-overview.ipynb, section "Bit-shift decay"):

    new_value = value - (value >> dash)
    if new_value == value:        # "Linear decay below dash-driven change"
        new_value -= 1

This script reads that cell's source from the notebook and executes it unmodified (it defines the
function and nothing else; nothing is stubbed). Every decay of a synaptic current and of a
membrane below goes through it, with one exception: a state of exactly 0. The function's test
`new_value == value` also holds for 0 and turns it into -1 (and -1 back into 0), so a resting
neuron would oscillate between 0 and -1; the chip rule the xylo_like preset cites (a non-zero
state loses at least 1 LSB) keeps 0 at 0, and so does this script. That one value is the only
place where the vectors depart from the function; the `bitshift_table` below records the
function itself on every dash and a range of values, 0 included, so that a reader sees it.

The rest of a step is not Rockpool code (Rockpool has none that runs, see above). It is the
xylo_like step of docs/semantics.md sections 4.6, 4.9 and 4.10 with Xylo's register widths and
weight shifts, written out here so the vectors are complete:

    I   = (W_in x[t]) << weight_shift_in + (W_rec s[t-1]) << weight_shift_rec    (int8 weights)
    c   = sat16(decay(c, dash_syn) + I)           CUBA cases; LIF cases: c = I, no state
    v'  = sat16(decay(v, dash_mem) + c + bias)    bias only in LIF cases (where the two agree)
    k   = number of spikes: while v' >= threshold, subtract it (Xylo's repeated subtraction)
    v   = v' - k threshold

Cases whose neurons would spike more than once in a step are drawn again (spikeforge emits at
most one spike per step; the test checks k <= 1 on every step).

Writes OUT (JSON): for each case the parameters (dash_mem, dash_syn or null, threshold, biases,
weight shifts), the int8 weights (input and recurrent), the input spikes, and after every step the
spikes, the currents c and the membranes v after reset.
"""
import json
import sys

import numpy as np


def rockpool_bitshift(src):
    """Rockpool's bitshift() from its Xylo overview notebook, executed as written."""
    path = f"{src}/docs/devices/xylo-overview.ipynb"
    with open(path) as f:
        nb = json.load(f)
    cells = ["".join(c["source"]) for c in nb["cells"]
             if c["cell_type"] == "code" and "".join(c["source"]).startswith("def bitshift(")]
    if len(cells) != 1:
        raise SystemExit(f"peer-rockpool-xylo: {path} has {len(cells)} cells defining bitshift(), expected 1")
    ns = {}
    exec(compile(cells[0], f"{path}:bitshift", "exec"), ns)
    return cells[0], ns["bitshift"]


STATE_MIN, STATE_MAX = -(1 << 15), (1 << 15) - 1


def sat16(x):
    return max(STATE_MIN, min(STATE_MAX, x))


class Counts:
    def __init__(self):
        self.min_lsb = 0      # decays of a positive state where value >> dash == 0 (the rule fired)
        self.negative = 0     # decays of a negative state
        self.zero = 0         # decays of a zero state (kept at 0, see the header)
        self.saturated = 0    # sums clamped to 16 bits


def run_case(bitshift, counts, w_in, w_rec, x, dash_mem, dash_syn, threshold, bias, shift_in, shift_rec):
    n = w_in.shape[0]
    steps = x.shape[0]

    def decay(v, dash):
        if v == 0:
            counts.zero += 1
            return 0
        if v > 0 and (v >> dash) == 0:
            counts.min_lsb += 1
        if v < 0:
            counts.negative += 1
        return int(bitshift(int(v), int(dash)))

    def sat(x_):
        y = sat16(x_)
        counts.saturated += int(y != x_)
        return y

    c = [0] * n
    v = [0] * n
    s_prev = [0] * n
    out_s, out_c, out_v, out_k = [], [], [], []
    for t in range(steps):
        s_now, k_max = [0] * n, 0
        for j in range(n):
            i_in = int(np.dot(w_in[j].astype(np.int64), x[t].astype(np.int64))) << shift_in
            i_rec = 0
            if w_rec is not None:
                i_rec = int(np.dot(w_rec[j].astype(np.int64), np.array(s_prev, dtype=np.int64))) << shift_rec
            cur = i_in + i_rec
            if dash_syn is not None:
                c[j] = sat(decay(c[j], dash_syn) + cur)
                charge = c[j]
            else:
                charge = cur + int(bias[j])
            h = sat(decay(v[j], dash_mem) + charge)
            k = 0
            while h >= threshold:
                h -= threshold
                k += 1
            v[j] = h
            s_now[j] = k
            k_max = max(k_max, k)
        out_s.append(s_now)
        out_c.append(list(c) if dash_syn is not None else None)
        out_v.append(list(v))
        out_k.append(k_max)
        s_prev = s_now
    return out_s, out_c, out_v, max(out_k)


def main():
    src, out, commit = sys.argv[1], sys.argv[2], sys.argv[3]
    cell, bitshift = rockpool_bitshift(src)
    rng = np.random.default_rng(24)
    steps, inputs, neurons = 48, 16, 8
    counts = Counts()
    cases = []
    i = 0
    redrawn = 0
    while len(cases) < 60:
        i += 1
        n = len(cases)
        kind = n % 3                     # 0: LIF with biases, 1: CUBA, 2: CUBA with recurrence
        # dashes: Xylo's 4-bit dash, 1..15 here (spikeforge's shift leak needs k >= 1); the edges
        # 1 and 15 often, 15 being where nearly every decay is the minimum 1 LSB
        dash_mem = int(rng.choice([1, 15, int(rng.integers(1, 16)), int(rng.integers(2, 9))]))
        dash_syn = None if kind == 0 else int(rng.choice([1, 15, int(rng.integers(1, 16)), int(rng.integers(1, 6))]))
        shift_in = int(rng.integers(0, 5))
        shift_rec = int(rng.integers(0, 5))
        big = n % 5 == 4                 # every fifth case drives the 16-bit state into saturation
        wl = 127 if big else int(rng.choice([3, 8, 20, 60]))
        w_in = rng.integers(-wl, wl + 1, size=(neurons, inputs))
        if rng.random() < 0.5:
            w_in[rng.random((neurons, inputs)) < 0.4] = 0
        w_rec = rng.integers(-wl, wl + 1, size=(neurons, neurons)) if kind == 2 else None
        x = (rng.random((steps, inputs)) < rng.uniform(0.05, 0.5)).astype(np.int64)
        bias = rng.integers(-128, 128, size=neurons) if kind == 0 else np.zeros(neurons, dtype=np.int64)
        if big:
            threshold = int(rng.integers(20000, 32768))
        else:
            threshold = int(rng.integers(1, 4 * (wl << shift_in) * inputs // 3 + 2))
        case_counts = Counts()
        s, c, v, k_max = run_case(bitshift, case_counts, w_in, w_rec, x, dash_mem, dash_syn, threshold, bias,
                                  shift_in, shift_rec)
        if k_max > 1:
            redrawn += 1
            continue
        for name in vars(counts):
            setattr(counts, name, getattr(counts, name) + getattr(case_counts, name))
        cases.append({"name": f"case{n:02d}", "dash_mem": dash_mem, "dash_syn": dash_syn, "threshold": threshold,
                      "bias": bias.astype(int).tolist(), "weight_shift_in": shift_in,
                      "weight_shift_rec": shift_rec if w_rec is not None else None,
                      "weights_in": w_in.astype(int).tolist(),
                      "weights_rec": w_rec.astype(int).tolist() if w_rec is not None else None,
                      "input": x.astype(int).tolist(), "s": s, "c": c if dash_syn is not None else None, "v": v})
    values = sorted(set(list(range(-40, 41)) + [-32768, -32767, -4097, -4096, -4095, -1025, -1024, -1023, -257,
                                                   -256, -255, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097,
                                                   16383, 16384, 32767]))
    table = {"values": values,
             "dash": list(range(1, 16)),
             "bitshift": [[int(bitshift(val, d)) for val in values] for d in range(1, 16)]}
    doc = {"source": "synsense/rockpool docs/devices/xylo-overview.ipynb bitshift() (Xylo's bit-shift decay);"
                     " the rest of the step per spikeforge docs/semantics.md 4.6, 4.9, 4.10 (scripts/peer_rockpool_xylo.py)",
           "rockpool_commit": commit, "bitshift_cell": cell,
           "state_bits": 16, "weight_bits": 8,
           "steps": steps, "inputs": inputs, "neurons": neurons,
           "counts": {"min_lsb_decays": counts.min_lsb, "negative_decays": counts.negative,
                      "zero_decays_kept_at_zero": counts.zero, "saturated_sums": counts.saturated,
                      "cases_redrawn_for_multiple_spikes": redrawn},
           "bitshift_table": table, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    spikes = sum(sum(map(sum, c["s"])) for c in cases)
    print(f"{len(cases)} cases x {steps} steps x {neurons} neurons, {spikes} spikes, "
          f"{counts.min_lsb} min-1-LSB decays, {counts.negative} negative decays, "
          f"{counts.saturated} saturated sums, {redrawn} cases redrawn -> {out}")


if __name__ == "__main__":
    main()
