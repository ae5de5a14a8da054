"""Lava's bit-accurate LIF (lava-nc/lava, src/lava/proc/lif/models.py, PyLifModelBitAcc) on
random cases, for issue 24's comparison of spikeforge's integer neuron arithmetic with Loihi's.
Run it through scripts/peer-lava-lif.sh, which finds Lava's source; it is not installed here and
not in CI.

What runs is Lava's own file, unmodified, read from its source tree: the class's run_spk,
scale_bias, scale_threshold, subthr_dynamics, spiking_activation and reset_voltage, step by step,
exactly as Lava's runtime calls run_spk once per time step. Lava's runtime itself (processes,
channels, the compiler) is not started: its compiler module does not import under Python 3.11
(a dataclass with a mutable default, lava/magma/compiler/var_model.py), and the LIF arithmetic
does not depend on it. So the names models.py imports from the runtime are given stand-ins
here: a base class whose __init__ takes proc_params, decorators that return the class, an input
port whose recv() returns the step's synaptic input and an output port whose send() keeps the
spikes. Nothing the arithmetic reads comes from a stand-in.

The synaptic input a_in of each step is W x[t] (integer weights, 0/1 input spikes), summed in
numpy int64, as Lava's Dense process computes it for a LIF's a_in port.

Writes OUT (JSON): for each case, the parameters (du, dv, vth, bias_mant, bias_exp per neuron),
the weights, the input spikes, and Lava's s, u and v after every step.
"""
import importlib.util
import json
import sys
import types

import numpy as np


def stand_ins():
    """The runtime names lava/proc/lif/models.py imports, as inert stand-ins."""
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class PyLoihiProcessModel:
        def __init__(self, proc_params=None):
            self.proc_params = proc_params

        def run_spk(self):
            pass

    class LearningNeuronModelFloat(PyLoihiProcessModel):
        pass

    class LearningNeuronModelFixed(PyLoihiProcessModel):
        pass

    class Port:
        VEC_DENSE = "dense"

    def decorator(*args, **kwargs):
        return lambda cls: cls

    def lava_py_type(*args, **kwargs):
        return None

    for name in ["lava", "lava.magma", "lava.magma.core", "lava.magma.core.model", "lava.magma.core.model.py",
                 "lava.magma.core.sync", "lava.magma.core.sync.protocols", "lava.proc", "lava.proc.lif"]:
        module(name)
    module("lava.magma.core.model.py.neuron", LearningNeuronModelFloat=LearningNeuronModelFloat,
           LearningNeuronModelFixed=LearningNeuronModelFixed)
    module("lava.magma.core.sync.protocols.loihi_protocol", LoihiProtocol=object)
    module("lava.magma.core.model.py.ports", PyInPort=Port, PyOutPort=Port)
    module("lava.magma.core.model.py.type", LavaPyType=lava_py_type)
    module("lava.magma.core.resources", CPU=object)
    module("lava.magma.core.decorator", implements=decorator, requires=decorator, tag=decorator)
    module("lava.magma.core.model.py.model", PyLoihiProcessModel=PyLoihiProcessModel)
    module("lava.proc.lif.process", LIF=object, LIFReset=object, TernaryLIF=object, LearningLIF=object,
           LIFRefractory=object)


def lava_models(src):
    stand_ins()
    spec = importlib.util.spec_from_file_location("lava.proc.lif.models", f"{src}/lava/proc/lif/models.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


class InPort:
    def __init__(self):
        self.value = None

    def recv(self):
        return self.value


class OutPort:
    def __init__(self):
        self.sent = None

    def send(self, s):
        self.sent = np.array(s, copy=True)


def run_case(models, w, x, du, dv, vth, bias_mant, bias_exp):
    n = w.shape[0]
    lif = models.PyLifModelBitAcc({})
    lif.u = np.zeros(n, dtype=np.int32)
    lif.v = np.zeros(n, dtype=np.int32)
    lif.du = du
    lif.dv = dv
    lif.vth = vth
    lif.bias_mant = np.array(bias_mant, dtype=np.int16)
    lif.bias_exp = np.array(bias_exp, dtype=np.int16)
    lif.a_in = InPort()
    lif.s_out = OutPort()
    s, u, v = [], [], []
    for t in range(x.shape[0]):
        lif.a_in.value = (w.astype(np.int64) @ x[t].astype(np.int64)).astype(np.int16)
        lif.run_spk()
        s.append(lif.s_out.sent.astype(int).tolist())
        u.append(lif.u.astype(int).tolist())
        v.append(lif.v.astype(int).tolist())
    return s, u, v


def main():
    src, out = sys.argv[1], sys.argv[2]
    models = lava_models(src)
    rng = np.random.default_rng(24)
    cases = []
    steps, inputs, neurons = 48, 12, 6
    for i in range(60):
        # weights: Lava's 8-bit mantissas, small enough here that W << 6 is a 9-bit weight
        limit = [3, 3, 2, 1][i % 4]
        w = rng.integers(-limit, limit + 1, size=(neurons, inputs))
        x = (rng.random((steps, inputs)) < rng.uniform(0.1, 0.6)).astype(np.int64)
        kind = i % 3     # 0: LIF (du = 4095, no current), 1: CUBA, 2: CUBA with a slow current
        du = 4095 if kind == 0 else int(rng.integers(0, 4095)) if kind == 1 else int(rng.integers(0, 256))
        dv = int(rng.choice([0, int(rng.integers(1, 4096))]))
        vth = int(rng.integers(1, 40))
        # bias: on any neuron of a LIF case; none where a current decays (see the script's header)
        bias_mant = rng.integers(-60, 61, size=neurons) if kind == 0 else np.zeros(neurons, dtype=np.int64)
        bias_exp = rng.integers(0, 4, size=neurons)
        s, u, v = run_case(models, w, x, du, dv, vth, bias_mant, bias_exp)
        cases.append({"name": f"case{i:02d}", "du": du, "dv": dv, "vth": vth,
                      "bias_mant": bias_mant.astype(int).tolist(), "bias_exp": bias_exp.astype(int).tolist(),
                      "weights": w.astype(int).tolist(), "input": x.astype(int).tolist(),
                      "s": s, "u": u, "v": v})
    doc = {"source": "lava-nc/lava src/lava/proc/lif/models.py PyLifModelBitAcc", "lava_commit": sys.argv[3],
           "act_shift": 6, "vth_shift": 6, "decay_shift": 12, "ds_offset": 1, "dm_offset": 0,
           "steps": steps, "inputs": inputs, "neurons": neurons, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    spikes = sum(sum(map(sum, c["s"])) for c in cases)
    print(f"{len(cases)} cases x {steps} steps x {neurons} neurons, {spikes} spikes -> {out}")


if __name__ == "__main__":
    main()
