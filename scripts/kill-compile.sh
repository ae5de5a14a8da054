#!/usr/bin/env bash
# Fault campaign: kill -9 `spikeforge compile --out DIR` at N random moments (default 20) and check
# after every kill that DIR is the old complete folder or the new complete folder (SHA-256 of every
# file), the longer variant of cli's KillDuringWriteIT. Builds the jar with package (never install).
# Usage: scripts/kill-compile.sh [KILLS] [SEED] [FROM:TO]. Kill moments are uniform in FROM..TO times
# an uninterrupted run's wall time (default 0:1.1; 0.8:1.02 aims at the writing near the end).
# Writes build/faults/kill-compile.txt with the tally (OLD / NEW / "finished before the kill, NEW" /
# OTHER); the run fails if any kill landed OTHER. MVN_FLAGS adds Maven flags (e.g. -o to build offline).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills="${1:-20}"
seed="${2:-22}"
window="${3:-0:1.1}"
cd "$root"
mkdir -p build/faults
report="$root/build/faults/kill-compile.txt"
# shellcheck disable=SC2086
mvn -B -ntp ${MVN_FLAGS:-} verify -pl cli -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='KillDuringWriteIT#compileKilledAtRandomMomentsLeavesTheOldOrTheNewCompleteFolder' \
    -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dspikeforge.kills="$kills" -Dspikeforge.kills.seed="$seed" -Dspikeforge.kills.window="$window" -Dspikeforge.kills.report="$report" \
    | grep -E "compile killed at|Tests run:|FAIL|BUILD" || true
cat "$report"
