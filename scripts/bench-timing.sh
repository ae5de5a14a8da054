#!/usr/bin/env bash
# Benchmark: a trained model on a neurocore preset in both timings (docs/semantics.md section 2.7,
# docs/targets.md "Timing and energy model"). One verify run compiles the chip twice, with
# timing = sequential and timing = pipelined, checks each emulator against its own integer model
# on SAMPLES test samples, and compares the float and integer models under each timing.
# Usage: scripts/bench-timing.sh MODEL CHECKPOINT PRESET [SAMPLES]   (default 500)
# Writes build/bench/timing-<model>-<preset>.txt (the verify output, with the machine first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"
checkpoint="$2"
preset="$3"
samples="${4:-500}"
name="$(basename "$model" .snn)"
cd "$root"
./spikeforge --version >/dev/null
out_dir="build/bench/timing-$name-$preset"
mkdir -p "$out_dir"
out="build/bench/timing-$name-$preset.txt"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "model: $model, checkpoint: $checkpoint, preset: $preset, samples: $samples"
    ./spikeforge verify "$model" --checkpoint "$checkpoint" --samples "$samples" \
        --target "neurocore(preset = $preset, timing = sequential)" \
        --target "neurocore(preset = $preset, timing = pipelined)" \
        --out "$out_dir" --tolerance-agreement 0 --tolerance-drop 100 2>/dev/null || true
} > "$out.tmp"
mv -f "$out.tmp" "$out"
grep -E "accuracy|agreement|runs (sequential|pipelined)|emulator:|cycles per inference|PASS|FAIL" "$out"
