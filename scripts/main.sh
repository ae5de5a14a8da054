#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, and check every example model.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"
spikeforge_require
cd "$root"
./spikeforge check examples/models/*.snn
