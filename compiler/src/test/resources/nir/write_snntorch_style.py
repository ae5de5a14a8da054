"""Writes a NIR file the way NIR 1.0.7's nir.write does (h5py, variable-length UTF-8 strings,
numpy dtypes kept), with the parameters snnTorch's export_to_nir gives a Leaky neuron:
dt = 1e-4, tau = dt / (1 - beta), r = tau / dt, v_leak = 0, v_reset = 0, float32, no metadata.
Only h5py and numpy (Debian's python3-h5py); NIR's own package is not needed.

usage: python3 write_snntorch_style.py OUT.nir
"""
import sys

import h5py
import numpy as np

f32 = np.float32
dt = f32(1e-4)
beta = f32(0.9)
tau = dt / (f32(1) - beta)
r = tau / dt
rng = np.random.default_rng(7)


def neuron(shape, threshold):
    return {"type": "LIF", "tau": np.full(shape, tau, f32), "r": np.full(shape, r, f32),
            "v_leak": np.zeros(shape, f32), "v_threshold": np.full(shape, threshold, f32),
            "v_reset": np.zeros(shape, f32)}


nodes = {
    "input": {"type": "Input", "shape": np.array([1, 8, 8])},
    "0": {"type": "Conv2d", "input_shape": np.array([8, 8]), "weight": rng.normal(0, 0.5, (3, 1, 3, 3)).astype(f32),
          "stride": np.array([1, 1]), "padding": np.array([1, 1]), "dilation": np.array([1, 1]), "groups": 1,
          "bias": np.zeros(3, f32)},
    "1": neuron((3, 8, 8), 1.0),
    "2": {"type": "AvgPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]), "padding": np.array([0, 0])},
    "3": {"type": "IF", "r": np.ones((3, 4, 4), f32), "v_threshold": np.full((3, 4, 4), 0.5, f32),
          "v_reset": np.zeros((3, 4, 4), f32)},
    "4": {"type": "Flatten", "start_dim": 0, "end_dim": -1, "input_type": np.array([3, 4, 4])},
    "5": {"type": "Affine", "weight": rng.normal(0, 0.3, (5, 48)).astype(f32), "bias": rng.normal(0, 0.1, 5).astype(f32)},
    "6": neuron((5,), 0.75),
    "output": {"type": "Output", "shape": np.array([5])},
}
edges = [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "5"), ("5", "6"), ("6", "output")]


def write(group, d):
    for k, v in d.items():
        if isinstance(v, str):
            group.create_dataset(k, data=v, dtype=h5py.string_dtype())
        elif isinstance(v, np.ndarray):
            group.create_dataset(k, data=v, dtype=v.dtype)
        elif isinstance(v, dict):
            write(group.create_group(k), v)
        else:
            group.create_dataset(k, data=v)


with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("version", data="1.0.7")
    node = f.create_group("node")
    write(node, {"type": "NIRGraph", "nodes": nodes, "edges": edges})
