#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the spark module's own jars (no Spark download):
# a master and WORKERS workers (default 2, one core each) on 127.0.0.1, for trying
# `spikeforge sweep ... --master spark://127.0.0.1:PORT` as on a real cluster (docs/scale-out.md).
#
#   scripts/spark-cluster.sh start [WORKERS]   prints the master URL; PORT from SPARK_CLUSTER_PORT (7077)
#   scripts/spark-cluster.sh stop              stops the master, the workers and their executors
#
# The Spark home is build/spark-cluster/home: jars/ links Spark (spark/target/spark-lib) and the
# libraries of spark/target/lib, but not spikeforge's own jars, which reach the executors only as
# the sweep ships them. Logs and the workers' folders are in build/spark-cluster.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/build/spark-cluster"
port="${SPARK_CLUSTER_PORT:-7077}"

stop() {
    if [ -f "$dir/pids" ]; then
        while read -r pid; do
            # the executors are the workers' children
            pkill -KILL -P "$pid" 2>/dev/null || true
            kill "$pid" 2>/dev/null || true
        done <"$dir/pids"
        rm -f "$dir/pids"
    fi
}

case "${1:-}" in
    start)
        workers="${2:-2}"
        case "$workers" in ''|*[!0-9]*|0) echo "spark-cluster: WORKERS must be a whole number of at least 1, got '$workers'" >&2; exit 2;; esac
        stop
        "$root/spikeforge" sweep --version >/dev/null    # builds spark/target (jar, lib/, spark-lib/) when stale
        rm -rf "$dir/home"
        mkdir -p "$dir/home/jars"
        for j in "$root"/spark/target/spark-lib/*.jar "$root"/spark/target/lib/*.jar; do
            case "$(basename "$j")" in spikeforge-*) ;; *) ln -s "$j" "$dir/home/jars/";; esac
        done
        opts="$(cat "$root/spark/target/jvm-options.txt")"
        export SPARK_HOME="$dir/home" SPARK_SCALA_VERSION=2.13   # what a distribution's load-spark-env.sh sets
        # shellcheck disable=SC2086
        java $opts -Xmx256m -cp "$dir/home/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
            --port "$port" --webui-port 0 >"$dir/master.log" 2>&1 &
        echo $! >"$dir/pids"
        for w in $(seq 1 "$workers"); do
            mkdir -p "$dir/work$w"
            # shellcheck disable=SC2086
            java $opts -Xmx256m -cp "$dir/home/jars/*" org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$port" \
                --host 127.0.0.1 --cores 1 --memory 2g --work-dir "$dir/work$w" --webui-port 0 >"$dir/worker$w.log" 2>&1 &
            echo $! >>"$dir/pids"
        done
        for _ in $(seq 1 120); do
            if [ "$(grep -c "Registering worker" "$dir/master.log" 2>/dev/null || true)" -ge "$workers" ]; then
                echo "spark://127.0.0.1:$port"
                exit 0
            fi
            sleep 0.5
        done
        echo "spark-cluster: the workers did not register within 60 s; see $dir/master.log and $dir/worker*.log" >&2
        stop
        exit 1
        ;;
    stop)
        stop
        ;;
    *)
        echo "usage: scripts/spark-cluster.sh start [WORKERS] | stop" >&2
        exit 2
        ;;
esac
