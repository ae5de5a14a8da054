#!/usr/bin/env bash
# Coverage-guided fuzzing of every loader of user files (Jazzer; module fuzz, docs/architecture.md,
# "Fuzzing"). Usage:
#
#   scripts/fuzz.sh DURATION [LOADER...]
#
# DURATION is per loader (30s, 5m, 1h). LOADERs are snn npz idx nir neurocore-folder fpga-folder
# chip-spec wav events (default: all, one after the other: Jazzer fuzzes one test per JVM). Each loader runs
# in its own JVM with a 1 GB heap and a 5 s limit per input; a finding that ends the JVM (a
# timeout, memory over the limit) is saved and fuzzing goes on for the rest of the loader's time.
#
# Writes build/fuzz/results.txt (per loader: inputs run, findings, slowest input, peak memory) and
# keeps, under build/fuzz/LOADER/, the generated corpus (.cifuzz-corpus, reused by the next run),
# every finding (crash-*, timeout-*, oom-*, slow-unit-*) and the logs. Exit 0 when no loader found
# anything, 1 when one did, 3 when the build failed.
#
# Environment: MVN_FLAGS (extra Maven flags, e.g. -o), FUZZ_KEEP_GOING (distinct findings one JVM
# collects before it stops, default 20), FUZZ_JAVA_OPTS (extra JVM options).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

declare -A CLASS=(
    [snn]=SnnFuzzTest
    [npz]=CheckpointFuzzTest
    [idx]=IdxFuzzTest
    [nir]=NirFuzzTest
    [neurocore-folder]=NeurocoreFolderFuzzTest
    [fpga-folder]=FpgaFolderFuzzTest
    [chip-spec]=ChipSpecFuzzTest
    [wav]=WavFuzzTest
    [events]=EventFileFuzzTest
)
ALL=(snn npz idx nir neurocore-folder fpga-folder chip-spec wav events)

if [ $# -lt 1 ] || [[ "$1" == -h || "$1" == --help ]]; then
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
fi
duration="$1"; shift
case "$duration" in
    *s) seconds=${duration%s} ;;
    *m) seconds=$(( ${duration%m} * 60 )) ;;
    *h) seconds=$(( ${duration%h} * 3600 )) ;;
    *)  echo "fuzz.sh: DURATION is a number with s, m or h (30s, 5m, 1h), not '$duration'" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "fuzz.sh: bad DURATION '$duration'" >&2; exit 2; }
loaders=("$@")
[ ${#loaders[@]} -gt 0 ] || loaders=("${ALL[@]}")
for l in "${loaders[@]}"; do
    [ -n "${CLASS[$l]:-}" ] || { echo "fuzz.sh: unknown loader '$l'; one of: ${ALL[*]}" >&2; exit 2; }
done

out="$root/build/fuzz"
mkdir -p "$out"
# One build: the fuzz module's test classes and the test class path (sibling modules' target/classes).
# shellcheck disable=SC2086
if ! mvn -B -ntp -q ${MVN_FLAGS:-} test-compile dependency:build-classpath -pl fuzz -am \
        -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test >"$out/build.log" 2>&1; then
    grep -E "ERROR" "$out/build.log" | head -20 >&2 || tail -n 40 "$out/build.log" >&2
    echo "fuzz.sh: the build failed; the whole log is $out/build.log" >&2
    exit 3
fi
cp="$root/fuzz/target/test-classes:$(cat "$root/fuzz/target/test.classpath")"
keep_going="${FUZZ_KEEP_GOING:-20}"

status=0
results="$out/results.txt"
{
    echo "# scripts/fuzz.sh $duration per loader, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
    echo "# limits: 5 s per input (libFuzzer -timeout), 1 GB heap (-Xmx1g), 2048 MB resident (-rss_limit_mb)"
    echo "# slowest_ms: the slowest input after the first 20 s of each JVM (warmup_ms: the slowest before, while classes load and compile)"
    printf '%-17s %12s %9s %11s %10s %13s %12s %s\n' loader inputs findings slowest_ms warmup_ms heap_peak_mb rss_peak_mb runs
} >"$results"

for l in "${loaders[@]}"; do
    dir="$out/$l"
    mkdir -p "$dir"
    # A new campaign: old findings, logs and statistics go; the generated corpus stays.
    find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \
        -o -name 'leak-*' -o -name 'stats-*' -o -name 'slowest-*' -o -name 'run-*.log' \) -delete
    start=$(date +%s)
    run=0
    while :; do
        left=$(( seconds - ($(date +%s) - start) ))
        [ "$left" -ge 5 ] || break  # Jazzer needs a few seconds to start
        run=$((run + 1))
        echo "fuzz.sh: $l: run $run, ${left}s" >&2
        set +e
        # Every finding with its stack: without -XX:-OmitStackTraceInFastThrow a hot NullPointerException
        # comes without one, and Jazzer then counts it as a new finding.
        # shellcheck disable=SC2086
        timeout --kill-after=10 $((left + 120)) java -Xmx1g -XX:-OmitStackTraceInFastThrow ${FUZZ_JAVA_OPTS:-} -cp "$cp" \
            dev.spikeforge.fuzz.FuzzMain "${CLASS[$l]}" "${left}s" "$dir" "$keep_going" >"$dir/run-$run.log" 2>&1
        code=$?
        set -e
        echo "fuzz.sh: $l: run $run exit $code" >>"$dir/run-$run.log"
        # 0: the time is up without a finding. Otherwise a finding stopped the JVM (1: findings
        # collected, 70: timeout, 71: memory, 124: our watchdog): fuzz on for the time that is left.
        [ "$code" -ne 0 ] || break
        [ "$run" -lt 20 ] || break
    done
    inputs=$(cat "$dir"/stats-*.properties 2>/dev/null | sed -n 's/^inputs=//p' | awk '{s+=$1} END {print s+0}')
    slowest=$(cat "$dir"/stats-*.properties 2>/dev/null | sed -n 's/^slowest_ms=//p' | sort -g | tail -1)
    warmup=$(cat "$dir"/stats-*.properties 2>/dev/null | sed -n 's/^warmup_slowest_ms=//p' | sort -g | tail -1)
    heap=$(cat "$dir"/stats-*.properties 2>/dev/null | sed -n 's/^heap_peak_mb=//p' | sort -n | tail -1)
    rss=$(cat "$dir"/stats-*.properties 2>/dev/null | sed -n 's/^rss_peak_mb=//p' | sort -n | tail -1)
    findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
        -o -name 'slow-unit-*' \) | wc -l)
    # A run that ended with a failure but left no artifact (a configuration error) counts too.
    if [ "$findings" -eq 0 ] && grep -qvE '^fuzz.sh: .* exit 0$' <(tail -qn1 "$dir"/run-*.log); then
        findings=1
    fi
    # An input over the 5 s limit that libFuzzer's one-second timer let through is a finding too
    # (its bytes: slowest-PID.bin of the JVM whose stats-PID.properties has that slowest_ms).
    if awk -v s="${slowest:-0}" 'BEGIN { exit !(s > 5000) }'; then
        findings=$((findings + 1))
    fi
    printf '%-17s %12s %9s %11s %10s %13s %12s %s\n' "$l" "$inputs" "$findings" "${slowest:-?}" "${warmup:-?}" "${heap:-?}" "${rss:-?}" "$run" >>"$results"
    [ "$findings" -eq 0 ] || status=1
done

cat "$results"
[ "$status" -eq 0 ] || echo "fuzz.sh: findings under $out/*/ (crash-*, timeout-*, oom-*, slow-unit-*); logs run-*.log" >&2
exit "$status"
