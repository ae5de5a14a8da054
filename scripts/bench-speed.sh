#!/usr/bin/env bash
# Benchmark: training throughput (samples/s, the train loop only) and peak resident memory of
# LeNet5 (T = 25, batch 128) with spike_bp and with surrogate BPTT, and of the 784-500-10 MLP
# (T = 25, batch 128, surrogate), each trained for two epochs on the first LIMIT Fashion-MNIST
# samples (5 x LIMIT for the MLP, whose batches are short). Epoch 1 includes the start-up (JIT
# warm-up, buffer allocation); epoch 2 repeats the same work warm, as PyTorch loops are timed after
# a warm-up batch. LeNet5's model files add a quantisation-aware third epoch (qat_epochs = 1),
# reported too.
# Usage: scripts/bench-speed.sh [LIMIT]; writes build/bench/speed.txt. Run it on an idle machine.
# LIMIT = 60000 trains full epochs, the figures docs/benchmarks.md reports first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
limit="${1:-5120}"
cd "$root"
./spikeforge --version >/dev/null
. scripts/bench-models.sh
spikeforge_bench_models
out=build/bench/speed.txt
mlp=$((5 * limit))
[ "$mlp" -gt 60000 ] && mlp=60000 # train stops at the set's 60,000 samples; say so
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "limit: $limit training samples per epoch (MLP: $mlp), --epochs 2"
} > "$out"
for m in lenet5_spike_bp lenet5_surrogate mlp_surrogate; do
    n=$limit
    [ "$m" = mlp_surrogate ] && n=$mlp
    json="build/bench/speed-$m.json"
    if command -v /usr/bin/time >/dev/null; then
        /usr/bin/time -f "%M" -o "build/bench/speed-$m.rss" ./spikeforge train "build/bench/$m.snn" --limit "$n" \
            --epochs 2 --json --out "build/bench/$m.npz" > "$json" 2>/dev/null
        rss="$(cat "build/bench/speed-$m.rss") KiB"
    else
        ./spikeforge train "build/bench/$m.snn" --limit "$n" --epochs 2 --json --out "build/bench/$m.npz" > "$json" 2>/dev/null
        rss="n/a (install the Debian package time)"
    fi
    rates=$(grep '"samples_per_second"' "$json" | tr -dc '0-9.\n' | xargs printf '%.1f, ' | sed 's/, $//')
    echo "$m: $n samples an epoch, samples/s by epoch: $rates; peak RSS $rss" | tee -a "$out"
done
