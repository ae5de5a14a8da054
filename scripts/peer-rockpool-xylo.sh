#!/usr/bin/env bash
# The Rockpool peer for xylo_like's neuron arithmetic (issue 24). Not part of CI or the README: it
# runs code that spikeforge does not ship. It needs:
#   - Debian's numpy:  apt-get install -y python3-numpy
#   - Rockpool's source (synsense/rockpool), unpacked so that
#     ROCKPOOL_SRC/docs/devices/xylo-overview.ipynb exists (default /work/peers/rockpool/src).
#     Checked with Rockpool 42cee1c9.
#
# Usage: scripts/peer-rockpool-xylo.sh [OUT]
#   Runs Rockpool's Xylo bit-shift decay (the bitshift() function of its Xylo overview, executed
#   unmodified from the notebook) inside a Xylo-like neuron step on 60 random cases (LIF with
#   biases, CUBA, CUBA with recurrence; dashes 1..15, weight shifts 0..4, 16-bit saturation;
#   48 steps, 16 inputs, 8 neurons) and writes spikes, currents and membranes with the cases'
#   parameters to OUT (default hw-targets/src/test/resources/peers/rockpool/xylo.json, where
#   XyloRockpoolVectorsTest reads them). scripts/peer_rockpool_xylo.py says what of Rockpool runs
#   and what does not (its neuron update lives in the closed `xylosim` package).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/hw-targets/src/test/resources/peers/rockpool/xylo.json}"
py=/usr/bin/python3   # Debian's python, which has python3-numpy; not a pyenv one
src="${ROCKPOOL_SRC:-/work/peers/rockpool/src}"
if [ ! -f "$src/docs/devices/xylo-overview.ipynb" ]; then
    echo "peer-rockpool-xylo: $src/docs/devices/xylo-overview.ipynb is missing; unpack Rockpool's source there or set ROCKPOOL_SRC" >&2
    exit 2
fi
if ! "$py" -c "import numpy" 2>/dev/null; then
    echo "peer-rockpool-xylo: $py lacks numpy; run: apt-get install -y python3-numpy" >&2
    exit 2
fi
# an unpacked archive is no git work tree: then the commit is the one checked above (or ROCKPOOL_COMMIT)
if [ -e "$src/.git" ]; then commit="$(git -C "$src" rev-parse --short=8 HEAD)"; else commit=42cee1c9; fi
commit="${ROCKPOOL_COMMIT:-$commit}"
mkdir -p "$(dirname "$out")"
tmp="$out.$$.tmp"
trap 'rm -f "$tmp"' EXIT
"$py" "$root/scripts/peer_rockpool_xylo.py" "$src" "$tmp" "$commit"
mv -f "$tmp" "$out"
