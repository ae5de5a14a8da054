#!/usr/bin/env bash
# Benchmark: the embedded sweep of examples/sweeps/quick-bits.json (weight bits 4/6/8 x
# per_layer/per_channel x QAT 0/1 epochs = 12 points, 200 samples, loihi_like and fpga xc7) against
# the same points run one after another with the CLI (`spikeforge verify`, after
# `spikeforge train --fine-tune` for the QAT points), JVM starts included; then checks that every
# row equals its CLI run's figures. With SPARK_MASTER=spark://HOST:PORT (scripts/spark-cluster.sh
# start prints one) the same sweep also runs on that cluster and its rows must equal the embedded ones.
#
# Usage: [SPARK_MASTER=URL] scripts/bench-sweep.sh [CHECKPOINT]; trains the quick model on 12,000
# samples when no checkpoint is given and build/bench/sweep/quick.npz is missing.
# Writes build/bench/sweep.txt.
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
./spikeforge sweep --version >/dev/null                    # builds the spark jar if needed
TIMEFORMAT=%R
rm -rf "$work/out" "$work/cluster"
sweep_s=$( { time ./spikeforge sweep "$model" --grid "$grid" --checkpoint "$ckpt" --out "$work/out" \
    >"$work/sweep.log" 2>&1; } 2>&1 )
resume_s=$( { time ./spikeforge sweep "$model" --grid "$grid" --checkpoint "$ckpt" --out "$work/out" \
    >"$work/resume.log" 2>&1; } 2>&1 )
cluster_s=-
if [ -n "${SPARK_MASTER:-}" ]; then
    cluster_s=$( { time ./spikeforge sweep "$model" --grid "$grid" --checkpoint "$ckpt" --out "$work/cluster" \
        --master "$SPARK_MASTER" >"$work/cluster.log" 2>&1; } 2>&1 )
fi
start=$(date +%s.%N)
for bits in 4 6 8; do
    for g in per-layer per-channel; do
        for qat in 0 1; do
            from="$ckpt"
            if [ "$qat" -gt 0 ]; then
                from="$work/ft-$bits-$g.npz"
                ./spikeforge train "$model" --fine-tune "$ckpt" --qat-epochs "$qat" --bits "$bits" --"$g" \
                    --out "$from" >/dev/null 2>&1
            fi
            ./spikeforge verify "$model" --checkpoint "$from" --bits "$bits" --"$g" --samples 200 \
                --target loihi_like --target 'fpga(family = xc7, lanes = 8)' --out "$work/verify-$bits-$g-$qat" --json \
                >"$work/verify-$bits-$g-$qat.json" 2>/dev/null || [ $? = 1 ]   # 1: a tolerance broken, as in the sweep
        done
    done
done
seq_s=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }")
# every row against its CLI run: accuracies, agreement, and per target exact samples, cycles, latency, energy
python3 - "$work" <<'EOF'
import csv, json, sys
work = sys.argv[1]
rows = list(csv.DictReader(open(f"{work}/out/rows.csv")))
bad = 0
for r in rows:
    g = r["granularity"].replace("_", "-")
    v = json.load(open(f"{work}/verify-{r['bits']}-{g}-{r['qat_epochs']}.json"))
    pairs = [("float_accuracy", v["float_accuracy"]), ("integer_accuracy", v["integer_accuracy"]),
             ("agreement", v["agreement"])]
    for k, t in enumerate(v["targets"], 1):
        pairs += [(f"target{k}_exact", t["exact_samples"]), (f"target{k}_cycles", t["cycles_per_inference"]),
                  (f"target{k}_latency_s", t["seconds_per_inference"])]
        if t.get("energy_per_inference_j") is not None:
            pairs.append((f"target{k}_energy_j", t["energy_per_inference_j"]))
    for col, want in pairs:
        if float(r[col]) != float(want):
            bad += 1
            print(f"point {r['point']}: {col} sweep {r[col]} verify {want}")
print(f"rows against their CLI runs: {len(rows)} rows, {bad} differences")
sys.exit(1 if bad else 0)
EOF
cluster_equal=-
if [ -n "${SPARK_MASTER:-}" ]; then
    if diff <(sed 's/,[^,]*$//' "$work/out/rows.csv") <(sed 's/,[^,]*$//' "$work/cluster/rows.csv") >/dev/null; then
        cluster_equal="yes (rows.csv equal but for wall_seconds)"
    else
        cluster_equal="NO: diff $work/out/rows.csv $work/cluster/rows.csv"
    fi
fi
{
    echo "commands: ./spikeforge sweep $model --grid $grid --checkpoint $ckpt; then the same 12 points with the CLI one after another"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
    echo "sweep_s: $sweep_s"
    echo "sweep_again_s (every point has its row): $resume_s"
    echo "cli_one_after_another_s: $seq_s"
    echo "ratio sweep/cli: $(awk "BEGIN { printf \"%.3f\", $sweep_s / $seq_s }")"
    echo "cluster ${SPARK_MASTER:-(none)}: sweep_s $cluster_s, rows equal to embedded: $cluster_equal"
} | tee build/bench/sweep.txt
