#!/usr/bin/env bash
# Benchmark: spikeforge's training speed side by side with an snnTorch-style PyTorch loop
# (examples/bench/torch_lif_baseline.py: snnTorch's Leaky neuron, fast-sigmoid surrogate, BPTT,
# Adam, in plain PyTorch, because snnTorch is not packaged for Debian), on this machine, in the
# same environment (scripts/native-env.sh, which the launcher gives spikeforge), alternating, for
# LeNet5 (T = 25, batch 128, surrogate BPTT) and the 784-500-10 MLP.
# Both are timed warm: spikeforge's figure is the second epoch of `train --epochs 2` on the first
# LIMIT Fashion-MNIST samples (5 x LIMIT for the MLP), the first epoch having warmed up the JVM;
# PyTorch's is the loop after one warm-up batch. (scripts/bench-speed.sh reports epoch 1 too.)
# Usage: scripts/bench-side-by-side.sh [ROUNDS] [LIMIT]; writes build/bench/side-by-side.txt.
# Needs Debian's python3-torch and libopenblas0-pthread. Run it on an idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-2}"
limit="${2:-2560}"
cd "$root"
. scripts/require.sh
# Only what this benchmark adds to the README's requirements (without OpenBLAS, Debian's PyTorch
# falls back to the reference BLAS and the MLP runs at 83 samples/s).
SPIKEFORGE_REQUIREMENTS=(
    "/usr/bin/python3                                               python3"
    "/usr/lib/python3/dist-packages/torch/__init__.py               python3-torch"
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0    libopenblas0-pthread"
)
spikeforge_require || exit 3
./spikeforge --version >/dev/null
. scripts/bench-models.sh
spikeforge_bench_models
out=build/bench/side-by-side.txt
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "environment: scripts/native-env.sh for both; rounds: $rounds; spikeforge LIMIT $limit (MLP $((5 * limit)))"
} > "$out"

spikeforge_rate() { # MODEL SAMPLES: samples/s of the second epoch (the first warms the JVM up)
    ./spikeforge train "build/bench/$1.snn" --limit "$2" --epochs 2 --json --out "build/bench/side-$1.npz" 2>/dev/null \
        | grep '"samples_per_second"' | sed -n 2p | tr -dc '0-9.' | xargs printf '%.1f'
}
torch_rate() { # lenet5|mlp BATCHES: samples/s after one warm-up batch
    (. scripts/native-env.sh; /usr/bin/python3 examples/bench/torch_lif_baseline.py "$1" "$2" 2) \
        | sed -n 's/.*: \([0-9.]*\) samples\/s.*/\1/p'
}

declare -A sf=() pt=()
for ((r = 1; r <= rounds; r++)); do
    for m in lenet5 mlp; do
        if [ "$m" = lenet5 ]; then
            s=$(spikeforge_rate lenet5_surrogate "$limit"); t=$(torch_rate lenet5 10)
        else
            s=$(spikeforge_rate mlp_surrogate $((5 * limit))); t=$(torch_rate mlp 50)
        fi
        sf[$m]="${sf[$m]-} $s"
        pt[$m]="${pt[$m]-} $t"
        echo "round $r, $m: spikeforge $s, PyTorch $t samples/s" | tee -a "$out"
    done
done
for m in lenet5 mlp; do
    awk -v m="$m" -v a="${sf[$m]}" -v b="${pt[$m]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
        printf "%s: spikeforge %.1f, PyTorch %.1f samples/s (means of %d rounds): %.2fx\n", m, sx / n, sy / n, n, sx / sy
    }' | tee -a "$out"
done
