#!/usr/bin/env bash
# Benchmark: how fast ND4J runs the dense convolutions and products of the speed benchmark's
# models on this machine, one batch (128 samples x T = 25) at a time, each alone: the floor under
# a training batch (docs/benchmarks.md, "What the dense arithmetic costs").
# Usage: scripts/bench-kernels.sh [REPS]; writes build/bench/kernels.txt. Run it on an idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-5}"
cd "$root"
./spikeforge --version >/dev/null   # builds the jar and its lib/ folder if needed
mkdir -p build/bench
cp="$(find cli/target/lib -name '*.jar' | sort | paste -sd:)"
. scripts/native-env.sh   # the natives' environment the launcher gives training runs
out=build/bench/kernels.txt
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    java -XX:+UseSerialGC -cp "$cp" examples/src/main/java/dev/spikeforge/examples/bench/KernelThroughput.java "$reps"
} | tee "$out"
