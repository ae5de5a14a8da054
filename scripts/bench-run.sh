#!/usr/bin/env bash
# Benchmark: wall time of the whole job (`spikeforge run` on the quick model with a checkpoint, 2,000
# verify and profile samples, RTL simulation and yosys synthesis) at this checkout against an earlier
# commit, the two alternating, RUNS runs each after one warm-up run each (which also builds each jar).
# Usage: scripts/bench-run.sh [BASE_COMMIT] [RUNS]; writes build/bench/run-speed.txt.
# BASE_COMMIT defaults to 874a053, the commit before the pipeline became a library.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:-874a053}"
runs="${2:-3}"
cd "$root"
mkdir -p build/bench
wt="$root/build/bench/run-base-$base"
if [ ! -d "$wt" ]; then
    git worktree add --detach "$wt" "$base" >/dev/null
fi
ckpt="$root/build/bench/quick-12000.npz"
if [ ! -f "$ckpt" ]; then
    ./spikeforge train examples/models/quick.snn --limit 12000 --out "$ckpt" >/dev/null 2>&1
fi
model=examples/models/quick.snn
cmd() {  # $1: checkout; the run's files go under build/bench/run-out-<name>
    (cd "$1" && ./spikeforge run "$model" --checkpoint "$ckpt" --samples 2000 --synth \
        --out "$root/build/bench/run-out-$(basename "$1")" >/dev/null 2>&1) || true
}
TIMEFORMAT=%R
cmd "$root"
cmd "$wt"
new=()
old=()
for _ in $(seq "$runs"); do
    new+=("$( { time cmd "$root"; } 2>&1 )")
    old+=("$( { time cmd "$wt"; } 2>&1 )")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mn=$(median "${new[@]}")
mo=$(median "${old[@]}")
{
    echo "command: ./spikeforge run $model --checkpoint $ckpt --samples 2000 --synth --out DIR"
    echo "this checkout: $(git rev-parse --short HEAD); base: $base; runs: $runs each, alternating"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "this checkout wall s: ${new[*]} (median $mn)"
    echo "base wall s: ${old[*]} (median $mo)"
    echo "median ratio this/base: $(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }')"
} | tee build/bench/run-speed.txt
