#!/usr/bin/env bash
# Benchmark: spikeforge side by side with snnTorch itself, on this machine, in the same environment
# (scripts/native-env.sh for both, 2 threads each), alternating within every round, for LeNet5 and
# the 784-500-10 MLP at T = 25:
#   - training, surrogate BPTT, batch 128: spikeforge's figure is the second epoch of
#     `train --epochs 2` on the first LIMIT Fashion-MNIST samples (5 x LIMIT for the MLP), the first
#     having warmed the JVM up; snnTorch's (scripts/peer_snntorch_bench.py: its Leaky, fast_sigmoid
#     and ce_rate_loss, Adam) is the steady state after 3 warm-up batches;
#   - inference, LeNet5: spikeforge's `eval` over 2 x LIMIT test samples minus `eval` over LIMIT / 4
#     (the difference removes start-up and loading), snnTorch's forward pass under no_grad at
#     batch 256 after 3 warm-up batches;
#   - and, as a second reference, the hand-written PyTorch loop of examples/bench/torch_lif_baseline.py
#     (training only).
# snnTorch is not a Debian package and is never installed here: give its source tree (the folder
# holding snntorch/, e.g. a clone of github.com/jeshraghian/snntorch) as SNNTORCH_SRC. Without it
# only the PyTorch loop runs.
# Usage: SNNTORCH_SRC=DIR scripts/bench-side-by-side.sh [ROUNDS] [LIMIT] (defaults 3 and 2560);
# writes build/bench/side-by-side.txt: every round's figures, then per comparison the median of
# each side over the rounds, their ratio, and the range of the per-round ratios.
# Needs Debian's python3-torch and libopenblas0-pthread. Run it on an idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
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
snntorch_src="${SNNTORCH_SRC:-}"
if [ -n "$snntorch_src" ] && [ ! -f "$snntorch_src/snntorch/__init__.py" ]; then
    echo "bench-side-by-side: SNNTORCH_SRC=$snntorch_src has no snntorch/__init__.py; give the folder that holds snntorch/" >&2
    exit 2
fi
./spikeforge --version >/dev/null
. scripts/bench-models.sh
spikeforge_bench_models
# snnTorch trains and infers in float: so does spikeforge here. bench-models' LeNet5 keeps a QAT
# epoch, whose checkpoint `eval` runs with the integer model's arithmetic (docs/semantics.md
# section 4.13), a different and slower computation; this copy leaves that epoch out.
sed '/qat_epochs/d' build/bench/lenet5_surrogate.snn > build/bench/lenet5_float.snn
out=build/bench/side-by-side.txt
snn_version=none
if [ -n "$snntorch_src" ]; then
    snn_version=$(PYTHONPATH="$snntorch_src" /usr/bin/python3 -c 'import snntorch; print(snntorch.__version__)')
fi
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
        "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "python: $(/usr/bin/python3 --version 2>&1), torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'),"\
        "snnTorch $snn_version ($snntorch_src), BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
    echo "environment (both sides): scripts/native-env.sh ($(. scripts/native-env.sh; env | grep -E '^(OMP|MALLOC)_' | sort | tr '\n' ' ')), 2 threads"
    echo "rounds: $rounds; spikeforge LIMIT $limit (MLP $((5 * limit)), inference 2 x $limit - $((limit / 4)))"
} | tee "$out"

spikeforge_rate() { # MODEL SAMPLES: samples/s of the second epoch (the first warms the JVM up)
    ./spikeforge train "build/bench/$1.snn" --threads 2 --limit "$2" --epochs 2 --json --out "build/bench/side-$1.npz" 2>/dev/null \
        | grep '"samples_per_second"' | sed -n 2p | tr -dc '0-9.' | xargs printf '%.1f'
}
spikeforge_infer() { # MODEL CHECKPOINT: samples/s of eval, from two sizes (start-up and loading cancel)
    local small=$((limit / 4)) large=$((2 * limit)) t0 t1 t2
    t0=$(date +%s.%N)
    ./spikeforge eval "build/bench/$1.snn" --threads 2 --checkpoint "$2" --limit "$small" >/dev/null 2>&1
    t1=$(date +%s.%N)
    ./spikeforge eval "build/bench/$1.snn" --threads 2 --checkpoint "$2" --limit "$large" >/dev/null 2>&1
    t2=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v n=$((large - small)) 'BEGIN { printf "%.1f", n / ((c - b) - (b - a)) }'
}
snntorch_rate() { # lenet5|mlp train|infer BATCH BATCHES
    (. scripts/native-env.sh; PYTHONPATH="$snntorch_src" /usr/bin/python3 scripts/peer_snntorch_bench.py "$@" 2) \
        | sed -n 's/.*: \([0-9.]*\) samples\/s.*/\1/p'
}
torch_rate() { # lenet5|mlp BATCHES: samples/s after one warm-up batch
    (. scripts/native-env.sh; /usr/bin/python3 examples/bench/torch_lif_baseline.py "$1" "$2" 2) \
        | sed -n 's/.*: \([0-9.]*\) samples\/s.*/\1/p'
}

declare -A fig=()
record() { # KEY VALUE
    fig[$1]="${fig[$1]-} $2"
}
for ((r = 1; r <= rounds; r++)); do
    s=$(spikeforge_rate lenet5_float "$limit"); record sf.lenet5 "$s"
    line="round $r: LeNet5 BPTT spikeforge $s"
    if [ -n "$snntorch_src" ]; then t=$(snntorch_rate lenet5 train 128 8); record st.lenet5 "$t"; line+=", snnTorch $t"; fi
    t=$(torch_rate lenet5 10); record pt.lenet5 "$t"; line+=", PyTorch loop $t"
    s=$(spikeforge_rate mlp_surrogate $((5 * limit))); record sf.mlp "$s"
    line+="; MLP BPTT spikeforge $s"
    if [ -n "$snntorch_src" ]; then t=$(snntorch_rate mlp train 128 40); record st.mlp "$t"; line+=", snnTorch $t"; fi
    t=$(torch_rate mlp 50); record pt.mlp "$t"; line+=", PyTorch loop $t"
    s=$(spikeforge_infer lenet5_float build/bench/side-lenet5_float.npz); record sf.infer "$s"
    line+="; LeNet5 inference spikeforge $s"
    if [ -n "$snntorch_src" ]; then t=$(snntorch_rate lenet5 infer 256 8); record st.infer "$t"; line+=", snnTorch $t"; fi
    echo "$line samples/s" | tee -a "$out"
done
compare() { # LABEL KEY_A KEY_B NAME_B
    [ -n "${fig[$3]-}" ] || return 0
    awk -v label="$1" -v a="${fig[$2]}" -v b="${fig[$3]}" -v nb="$4" '
        function median(v, n,   i, j, t, w) { for (i = 1; i <= n; i++) w[i] = v[i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
            return n % 2 ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2 }
        BEGIN { n = split(a, x, " "); split(b, y, " "); lo = 1e9; hi = 0
            for (i = 1; i <= n; i++) { q = x[i] / y[i]; if (q < lo) lo = q; if (q > hi) hi = q }
            printf "%s: spikeforge %.1f, %s %.1f samples/s (medians of %d rounds): %.2fx (rounds %.2f-%.2fx)\n",
                label, median(x, n), nb, median(y, n), n, median(x, n) / median(y, n), lo, hi }' | tee -a "$out"
}
compare "LeNet5 BPTT" sf.lenet5 st.lenet5 snnTorch
compare "MLP BPTT" sf.mlp st.mlp snnTorch
compare "LeNet5 inference" sf.infer st.infer snnTorch
compare "LeNet5 BPTT" sf.lenet5 pt.lenet5 "the PyTorch loop"
compare "MLP BPTT" sf.mlp pt.mlp "the PyTorch loop"
