#!/usr/bin/env bash
# Benchmark: NIR round trips of trained models. For each MODEL CHECKPOINT pair, `spikeforge nir
# check` exports to NIR, reads the file back, imports it and compares every spike of every layer
# at every step and every readout, in the float and the integer model, on the first SAMPLES
# Fashion-MNIST test samples (default 100).
# Usage: [SAMPLES=N] scripts/bench-nir.sh MODEL CHECKPOINT [MODEL CHECKPOINT ...]
# Writes build/bench/nir.txt (the machine, then each model's output and its wall time) and keeps the
# files of each round trip in build/bench/nir/<model>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
samples="${SAMPLES:-100}"
./spikeforge --version >/dev/null
mkdir -p build/bench
out="build/bench/nir.txt"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)" > "$out"
status=0
while [ $# -ge 2 ]; do
    model="$1" checkpoint="$2"
    shift 2
    name="$(basename "$model" .snn)"
    echo "== $model, checkpoint $checkpoint, $samples samples" | tee -a "$out"
    start=$(date +%s.%N)
    if ./spikeforge nir check "$model" --checkpoint "$checkpoint" --samples "$samples" --keep "build/bench/nir/$name" \
            2>&1 | tee -a "$out"; then :; else status=1; fi
    echo "wall: $(echo "$(date +%s.%N) - $start" | bc) s" | tee -a "$out"
done
exit $status
