#!/usr/bin/env bash
# All the tests: install what is missing, then build and run unit, golden, property and
# end-to-end tests (mvn verify runs surefire, then the packaged-jar tests of failsafe; the fuzz
# module replays its seeds and saved findings), then fuzz every loader for a bounded time
# (scripts/fuzz.sh; FUZZ_CI_DURATION per loader, default 10s, 0 to skip; under 3 minutes on
# 2 cores for the nine loaders: 2 min 31 s measured, build included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
mvn -B -ntp verify "$@"
fuzz="${FUZZ_CI_DURATION:-10s}"
if [ "$fuzz" != "0" ]; then
    "$root/scripts/fuzz.sh" "$fuzz"
fi
