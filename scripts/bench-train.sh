#!/usr/bin/env bash
# Benchmark: train a model for its train block's epochs (or EPOCHS) on its full dataset and
# record accuracy per epoch, wall time and peak resident memory.
# Usage: scripts/bench-train.sh MODEL [EPOCHS] [LIMIT]
# Writes build/bench/train-<name>.json (spikeforge's per-epoch JSON) and train-<name>.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"
epochs="${2:-}"
limit="${3:-}"
name="$(basename "$model" .snn)"
cd "$root"
./spikeforge --version >/dev/null   # builds the jar if needed
mkdir -p build/bench
args=(train "$model" --json --out "build/bench/$name.npz")
[ -n "$epochs" ] && args+=(--epochs "$epochs")
[ -n "$limit" ] && args+=(--limit "$limit")
start=$(date +%s)
/usr/bin/env time -f "%M" -o "build/bench/train-$name.rss" ./spikeforge "${args[@]}" > "build/bench/train-$name.json"
end=$(date +%s)
{
    echo "command: ./spikeforge ${args[*]}"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "wall_seconds: $((end - start))"
    echo "peak_rss_kib: $(cat "build/bench/train-$name.rss")"
    grep -E '"(epoch|test_accuracy|samples_per_second|seconds)"' "build/bench/train-$name.json" | tr -d ' ,' | paste -sd' ' | sed 's/"epoch"/\n"epoch"/g'
} | tee "build/bench/train-$name.txt"
