#!/usr/bin/env bash
# Benchmark: float inference (`eval`) with the event-driven kernels (the default) against ND4J's
# dense kernels everywhere (SPIKEFORGE_JAVA_OPTS=-Dspikeforge.events=false, the engine before the
# event kernels), alternating within every round, on LeNet5 (T = 25, batch 128, as
# scripts/bench-models.sh writes it) and optionally the 784-500-10 MLP. Each figure is samples/s
# of `eval` over 2 x LIMIT test samples minus `eval` over LIMIT / 4 (start-up, loading and most of
# the JIT warm-up cancel), as scripts/bench-side-by-side.sh measures inference.
# Usage: scripts/bench-inference.sh LENET5_CHECKPOINT [MLP_CHECKPOINT] [ROUNDS] [LIMIT]
#        (ROUNDS default 3, LIMIT default 2560; MLP_CHECKPOINT "-" skips the MLP).
# Writes build/bench/inference.txt: every round's figures, then the medians and their ratio.
# A busy machine slows both sides; compare them only within one run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: scripts/bench-inference.sh LENET5_CHECKPOINT [MLP_CHECKPOINT|-] [ROUNDS] [LIMIT]" >&2
    exit 2
fi
lenet="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
mlp="${2:--}"
if [ "$mlp" != - ]; then
    if [ ! -f "$mlp" ]; then
        echo "bench-inference: no MLP checkpoint $mlp" >&2
        exit 2
    fi
    mlp="$(cd "$(dirname "$mlp")" && pwd)/$(basename "$mlp")"
fi
rounds="${3:-3}"
limit="${4:-2560}"
cd "$root"
./spikeforge --version >/dev/null
. scripts/bench-models.sh
spikeforge_bench_models
out=build/bench/inference.txt
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
        "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); rounds: $rounds; eval 2 x $limit - $((limit / 4)) samples"
} | tee "$out"

rate() { # MODEL CHECKPOINT EVENTS: samples/s of eval, from two sizes
    local small=$((limit / 4)) large=$((2 * limit)) t0 t1 t2
    local opts="-Dspikeforge.events=$3"
    t0=$(date +%s.%N)
    SPIKEFORGE_JAVA_OPTS="$opts" ./spikeforge eval "build/bench/$1.snn" --threads 2 --checkpoint "$2" --limit "$small" >/dev/null 2>&1
    t1=$(date +%s.%N)
    SPIKEFORGE_JAVA_OPTS="$opts" ./spikeforge eval "build/bench/$1.snn" --threads 2 --checkpoint "$2" --limit "$large" >/dev/null 2>&1
    t2=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v n=$((large - small)) 'BEGIN { printf "%.1f", n / ((c - b) - (b - a)) }'
}

declare -A fig=()
for ((r = 1; r <= rounds; r++)); do
    # the order alternates between rounds, so a load that rises or falls during a round favours neither
    if ((r % 2)); then order="false true"; else order="true false"; fi
    line="round $r:"
    for ev in $order; do
        s=$(rate lenet5_surrogate "$lenet" "$ev"); fig[lenet.$ev]="${fig[lenet.$ev]-} $s"
        line+=" LeNet5 events=$ev $s;"
        if [ "$mlp" != - ]; then
            s=$(rate mlp_surrogate "$mlp" "$ev"); fig[mlp.$ev]="${fig[mlp.$ev]-} $s"
            line+=" MLP events=$ev $s;"
        fi
    done
    echo "$line (samples/s; load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$out"
done
compare() { # LABEL KEY
    [ -n "${fig[$2.true]-}" ] || return 0
    awk -v label="$1" -v a="${fig[$2.true]}" -v b="${fig[$2.false]}" '
        function median(v, n,   i, j, t, w) { for (i = 1; i <= n; i++) w[i] = v[i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
            return n % 2 ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2 }
        BEGIN { n = split(a, x, " "); split(b, y, " "); lo = 1e9; hi = 0
            for (i = 1; i <= n; i++) { q = x[i] / y[i]; if (q < lo) lo = q; if (q > hi) hi = q }
            printf "%s: event kernels %.1f, dense kernels %.1f samples/s (medians of %d rounds): %.2fx (rounds %.2f-%.2fx)\n",
                label, median(x, n), median(y, n), n, median(x, n) / median(y, n), lo, hi }' | tee -a "$out"
}
compare "LeNet5 inference" lenet
compare "MLP inference" mlp
