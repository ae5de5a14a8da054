#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, train the quick example for one
# short epoch on Fashion-MNIST (6,000 samples), evaluate it, and check every example model.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
./spikeforge train examples/models/quick.snn --limit 6000 --out build/quick/quick.npz
./spikeforge eval examples/models/quick.snn --checkpoint build/quick/quick.npz --limit 2000
./spikeforge check examples/models/*.snn
