#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, check every example model, and run the
# whole job on the quick example with spikeforge run (train, compile, verify, RTL simulation,
# synthesis, profile with its HTML report) ending with its summary table, then the trained model
# through NIR and back.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
./spikeforge check examples/models/*.snn
# the whole job on the quick example: train one short epoch on 12,000 Fashion-MNIST samples, compile
# for loihi_like and an FPGA, verify on 2,000 test samples (float vs integer; each emulator must equal
# the integer model exactly), simulate the generated Verilog with Verilator on 20 of them (it must
# equal the FPGA emulator cycle for cycle), synthesise it with yosys, profile, and print the summary.
# One short epoch leaves many near ties between classes, so agreement is held to 95% here.
./spikeforge run examples/models/quick.snn --limit 12000 --samples 2000 --tolerance-agreement 0.95 --synth \
    --out build/quick
# and the trained model through NIR and back: every spike of the float and integer models must be
# equal on 200 test samples (the files stay in build/quick/nir)
./spikeforge nir check examples/models/quick.snn --checkpoint build/quick/quick.npz --samples 200 \
    --keep build/quick/nir
