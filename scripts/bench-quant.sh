#!/usr/bin/env bash
# Benchmark: the float model against the integer model of a trained checkpoint, at 8, 6 and 4
# weight bits, per layer and per channel, on the first SAMPLES Fashion-MNIST test samples
# (default: all 10,000): accuracy of each, class agreement, integer simulator speed.
# QAT="4:per-channel 6:per-layer ..." also fine-tunes the checkpoint for one quantisation-aware
# epoch at each listed format (train --resume with qat_epochs = 1 and that format in the deploy
# block) and verifies the result; QAT=all does it for every format.
# Usage: [QAT=...] scripts/bench-quant.sh MODEL CHECKPOINT [SAMPLES]
# Writes build/bench/quant-<model>.txt (one line per run) and the verify JSON of each run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"
checkpoint="$2"
samples="${3:-}"
name="$(basename "$model" .snn)"
cd "$root"
./spikeforge --version >/dev/null
mkdir -p build/bench
out="build/bench/quant-$name.txt"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "model: $model, checkpoint: $checkpoint, samples: ${samples:-all}"
} > "$out"
extra=()
[ -n "$samples" ] && extra+=(--samples "$samples")
field() { grep "\"$1\"" "$2" | head -1 | sed 's/.*: //; s/,$//'; }
report() {  # label json seconds
    awk -v label="$1" -v secs="$3" -v fa="$(field float_accuracy "$2")" -v ia="$(field integer_accuracy "$2")" \
        -v ag="$(field agreement "$2")" -v dr="$(field accuracy_drop_points "$2")" \
        -v ops="$(field integer_synaptic_ops "$2")" -v is="$(field integer_seconds "$2")" \
        -v th="$(field integer_threads "$2")" 'BEGIN {
        printf "%-34s float %6.2f%%  integer %6.2f%%  agreement %6.2f%%  drop %5.2f  integer model %.3g synaptic ops/s per core (%s s)\n",
            label, 100 * fa, 100 * ia, 100 * ag, dr, (is > 0 ? ops / is / th : 0), secs }' | tee -a "$out"
}
for bits in 8 6 4; do
    for g in per-layer per-channel; do
        json="build/bench/quant-$name-$bits-$g.json"
        start=$(date +%s)
        ./spikeforge verify "$model" --checkpoint "$checkpoint" --bits "$bits" "--$g" --json "${extra[@]}" \
            > "$json" 2>/dev/null || true
        report "int$bits $g" "$json" $(( $(date +%s) - start ))
        if [ "${QAT:-}" = all ] || [[ " ${QAT:-} " == *" $bits:$g "* ]]; then
            gran=${g//-/_}
            variant="build/bench/$name-qat$bits-$gran.snn"
            sed -E "/^ *qat_epochs/d; s/^( *)weights *= *int\([^)]*\)/\1weights  = int($bits, $gran)/; s/^( *)seed( *)= *([0-9]+)/\1seed\2= \3\n\1qat_epochs = 1/" \
                "$model" > "$variant"
            grep -q 'qat_epochs = 1' "$variant" && grep -q "int($bits, $gran)" "$variant" \
                || { echo "cannot make the QAT variant of $model (needs weights = int(...) and seed lines)" >&2; exit 3; }
            ckpt="build/bench/$name-qat$bits-$gran.npz"
            start=$(date +%s)
            ./spikeforge train "$variant" --resume "$checkpoint" --out "$ckpt" > /dev/null 2>&1
            train_s=$(( $(date +%s) - start ))
            json="build/bench/quant-$name-qat$bits-$gran.json"
            ./spikeforge verify "$variant" --checkpoint "$ckpt" --json "${extra[@]}" > "$json" 2>/dev/null || true
            report "int$bits $g + QAT (${train_s} s)" "$json" $(( $(date +%s) - start - train_s ))
        fi
    done
done
