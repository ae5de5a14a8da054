#!/usr/bin/env bash
# All the tests: install what is missing, then build and run unit, golden, property and
# end-to-end tests (mvn verify runs surefire, then the packaged-jar tests of failsafe).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
mvn -B -ntp verify "$@"
