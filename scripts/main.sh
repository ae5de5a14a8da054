#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, train the quick example for one
# short epoch on Fashion-MNIST (6,000 samples), evaluate it, quantise it and compile it for the
# loihi_like chip and an FPGA, verify the integer model against the float one, the chip's
# emulator against the integer model, the FPGA emulator against the integer model and the
# Verilator simulation of the generated Verilog against the FPGA emulator, synthesise the
# Verilog with yosys, and check every example model.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
./spikeforge train examples/models/quick.snn --limit 6000 --out build/quick/quick.npz
./spikeforge eval examples/models/quick.snn --checkpoint build/quick/quick.npz --limit 2000
./spikeforge compile examples/models/quick.snn --checkpoint build/quick/quick.npz --out build/quick/compiled
# one short epoch leaves many near ties between classes, so agreement is held to 95% here; the
# loihi_like emulator must equal the integer model exactly on 200 samples
./spikeforge verify examples/models/quick.snn --checkpoint build/quick/quick.npz --limit 2000 \
    --tolerance-agreement 0.95 --target loihi_like --out build/quick/compiled --junit build/quick/verify.xml
# the generated accelerator: emulator == integer model, Verilator == emulator (spikes, cycles, membranes);
# on 50 samples one sample is 2 points, so the float tolerances are loose here (the 2,000-sample run above holds them)
./spikeforge verify examples/models/quick.snn --checkpoint build/quick/quick.npz --samples 50 \
    --tolerance-agreement 0.9 --tolerance-drop 4 --target 'fpga(lanes = 8, family = xc7)' --rtl --out build/quick/compiled \
    --junit build/quick/verify-fpga.xml
./spikeforge synth build/quick/compiled/fpga-xc7-p8
./spikeforge check examples/models/*.snn
