#!/usr/bin/env bash
# Benchmark: a trained model on every neurocore preset. For each preset: compile (design rules,
# cores used against the lower bound, placement); for the presets that hold it: verify --target on
# SAMPLES test samples (emulator == integer model, exactly) and emulate (cycles, time, energy per
# inference, utilisation).
# Usage: scripts/bench-neurocore.sh MODEL CHECKPOINT [SAMPLES]   (default 200)
# Writes build/bench/neurocore-<model>.txt and, per preset, the verify and emulate outputs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"
checkpoint="$2"
samples="${3:-200}"
name="$(basename "$model" .snn)"
cd "$root"
./spikeforge --version >/dev/null
out_dir="build/bench/neurocore-$name"
mkdir -p "$out_dir"
out="build/bench/neurocore-$name.txt"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "model: $model, checkpoint: $checkpoint, samples: $samples"
} > "$out"
for preset in $(./spikeforge targets --json | grep '"name"' | sed 's/.*: "//; s/".*//'); do
    echo "== $preset" | tee -a "$out"
    if ./spikeforge compile "$model" --checkpoint "$checkpoint" --target "$preset" --out "$out_dir" \
            > "$out_dir/compile-$preset.txt" 2>&1; then
        grep -E "^$preset:|^  [A-Za-z0-9_.]+ +[0-9]+ cores" "$out_dir/compile-$preset.txt" | tee -a "$out" || true
        ./spikeforge verify "$model" --checkpoint "$checkpoint" --samples "$samples" --target "$preset" \
            --out "$out_dir" --junit "$out_dir/verify-$preset.xml" > "$out_dir/verify-$preset.txt" 2>/dev/null || true
        grep -E 'accuracy|agreement|emulator|cycles per inference|PASS|FAIL' "$out_dir/verify-$preset.txt" | tee -a "$out"
        ./spikeforge emulate "$out_dir/neurocore-$preset" --model "$model" --samples "$samples" \
            > "$out_dir/emulate-$preset.txt" 2>/dev/null || true
        grep -E 'cycles per|time per|energy per|events per' "$out_dir/emulate-$preset.txt" | tee -a "$out"
    else
        echo "does not fit: $(grep -c 'error\[E700\]' "$out_dir/compile-$preset.txt") design-rule violations" | tee -a "$out"
        grep 'error\[E70' "$out_dir/compile-$preset.txt" | sed 's/^[^ ]* error\[E70[01]\]: /  /' | tee -a "$out"
    fi
done
