#!/usr/bin/env bash
# Benchmark: the embedded sweep of examples/sweeps/quick-bits.json (6 points, 200 samples, two
# targets) against the same points run one after another with `spikeforge verify`, JVM starts
# included. Usage: scripts/bench-sweep.sh [CHECKPOINT]; trains the quick model on 12,000 samples
# when no checkpoint is given and build/bench/sweep/quick.npz is missing. Writes build/bench/sweep.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
model=examples/models/quick.snn
grid=examples/sweeps/quick-bits.json
work=build/bench/sweep
mkdir -p "$work"
ckpt="${1:-$work/quick.npz}"
if [ ! -f "$ckpt" ]; then
    ./spikeforge train "$model" --limit 12000 --out "$ckpt" >/dev/null
fi
./spikeforge check "$model" >/dev/null                     # builds the main jar if needed
./spikeforge sweep --help >/dev/null                       # builds the spark jar if needed
TIMEFORMAT=%R
rm -rf "$work/out"
sweep_s=$( { time ./spikeforge sweep "$model" --grid "$grid" --checkpoint "$ckpt" --out "$work/out" \
    >"$work/sweep.log" 2>&1; } 2>&1 )
resume_s=$( { time ./spikeforge sweep "$model" --grid "$grid" --checkpoint "$ckpt" --out "$work/out" \
    >"$work/resume.log" 2>&1; } 2>&1 )
start=$(date +%s.%N)
for bits in 4 6 8; do
    for g in per-layer per-channel; do
        ./spikeforge verify "$model" --checkpoint "$ckpt" --bits "$bits" --"$g" --samples 200 \
            --target loihi_like --target 'fpga(family = xc7, lanes = 8)' --out "$work/verify-$bits-$g" --json \
            >"$work/verify-$bits-$g.json" 2>/dev/null || [ $? = 1 ]   # 1: a tolerance broken, as in the sweep
    done
done
seq_s=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }")
{
    echo "commands: ./spikeforge sweep $model --grid $grid --checkpoint $ckpt; then the same 6 points with spikeforge verify one after another"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "sweep_s: $sweep_s"
    echo "sweep_again_s (every point has its row): $resume_s"
    echo "verify_one_after_another_s: $seq_s"
} | tee build/bench/sweep.txt
