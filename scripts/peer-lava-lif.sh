#!/usr/bin/env bash
# The Lava peer for loihi_like's neuron arithmetic (issue 24). Not part of CI or the README: it
# runs code that spikeforge does not ship. It needs:
#   - Debian's numpy:  apt-get install -y python3-numpy
#   - Lava's source (lava-nc/lava), unpacked so that LAVA_SRC/lava/proc/lif/models.py exists
#     (default /work/peers/lava/src). Checked with Lava b6822fbc.
#
# Usage: scripts/peer-lava-lif.sh [OUT]
#   Runs Lava's bit-accurate LIF (PyLifModelBitAcc, its own file, unmodified) on 60 random cases
#   (LIF with biases, CUBA with fast and slow currents; 48 steps, 12 inputs, 6 neurons) and writes
#   its spikes, currents and voltages with the cases' parameters to OUT (default
#   hw-targets/src/test/resources/peers/lava/lif.json, where LavaLifVectorsTest reads them).
#   scripts/peer_lava_lif.py says what runs and what does not.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/hw-targets/src/test/resources/peers/lava/lif.json}"
py=/usr/bin/python3   # Debian's python, which has python3-numpy; not a pyenv one
src="${LAVA_SRC:-/work/peers/lava/src}"
if [ ! -f "$src/lava/proc/lif/models.py" ]; then
    echo "peer-lava-lif: $src/lava/proc/lif/models.py is missing; unpack Lava's source there or set LAVA_SRC" >&2
    exit 2
fi
if ! "$py" -c "import numpy" 2>/dev/null; then
    echo "peer-lava-lif: $py lacks numpy; run: apt-get install -y python3-numpy" >&2
    exit 2
fi
commit="${LAVA_COMMIT:-$(git -C "$src" rev-parse --short=8 HEAD 2>/dev/null || echo b6822fbc)}"
mkdir -p "$(dirname "$out")"
tmp="$out.$$.tmp"
trap 'rm -f "$tmp"' EXIT
"$py" "$root/scripts/peer_lava_lif.py" "$src" "$tmp" "$commit"
mv -f "$tmp" "$out"
