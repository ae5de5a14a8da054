#!/usr/bin/env bash
# Benchmark: wall time of `spikeforge check` on one example, JVM start included.
# Usage: scripts/bench-check.sh [MODEL] [RUNS]; writes build/bench/check-startup.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-examples/models/lenet5.snn}"
runs="${2:-20}"
cd "$root"
./spikeforge check "$model" >/dev/null   # builds the jar if needed; warms the OS file cache
mkdir -p build/bench
out=build/bench/check-startup.txt
times=()
TIMEFORMAT=%R
for _ in $(seq "$runs"); do
    t=$( { time ./spikeforge check "$model" >/dev/null 2>&1; } 2>&1 )
    times+=("$t")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
{
    echo "command: ./spikeforge check $model"
    echo "runs: $runs"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "min_s: $(echo "$sorted" | head -1)"
    echo "median_s: $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")"
    echo "max_s: $(echo "$sorted" | tail -1)"
} | tee "$out"
