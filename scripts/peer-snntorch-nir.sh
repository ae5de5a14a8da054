#!/usr/bin/env bash
# The snnTorch peer for NIR's temporal nodes (issue 23). Not part of CI or the README: it runs
# code that spikeforge does not ship. It needs:
#   - Debian's PyTorch, h5py and numpy:  apt-get install -y python3-torch python3-h5py
#   - the sources of snnTorch, NIRTorch and NIR, each unpacked into a folder outside the
#     repository (the folder that holds the package: snntorch/, nirtorch/, nir/), given as
#     SNNTORCH_SRC, NIRTORCH_SRC and NIR_SRC (default /work/peers/{snntorch,nirtorch,nir}).
#     Checked with snnTorch 634fc223, NIRTorch 2604ce2b and NIR 7232ada6 (v1.0.7 + 9 commits).
#
# Usage: scripts/peer-snntorch-nir.sh [OUT]
#   1. snnTorch builds four small nets (Synaptic; RLeaky all-to-all and one-to-one; RSynaptic),
#      exports each with its own export_to_nir, simulates it on fixed random input spikes and
#      writes NAME.nir, input.npy and every spiking layer's spikes and membranes into OUT
#      (default cli/src/test/resources/peers/snntorch, where SnnTorchPeerTest reads them), then
#      compares snnTorch's spikes with docs/semantics.md computed in numpy on the same weights, and
#      measures what snnTorch's default delayed reset would change in RSynaptic.
#   2. spikeforge exports a CUBA model with a recurrent layer (compiler/src/test/resources/nir/cuba_recurrent.snn)
#      and NIR's own reader reads it back with its type check (nir.read, NIRGraph(type_check=True)).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/cli/src/test/resources/peers/snntorch}"
py=/usr/bin/python3   # Debian's python, which has python3-torch; not a pyenv one
src_snntorch="${SNNTORCH_SRC:-/work/peers/snntorch}"
src_nirtorch="${NIRTORCH_SRC:-/work/peers/nirtorch}"
src_nir="${NIR_SRC:-/work/peers/nir}"
for d in "$src_snntorch/snntorch" "$src_nirtorch/nirtorch" "$src_nir/nir"; do
    if [ ! -d "$d" ]; then
        echo "peer-snntorch-nir: $d is missing; unpack the package's source there or set SNNTORCH_SRC, NIRTORCH_SRC, NIR_SRC" >&2
        exit 2
    fi
done
if ! "$py" -c "import torch, h5py, numpy" 2>/dev/null; then
    echo "peer-snntorch-nir: $py lacks torch, h5py or numpy; run: apt-get install -y python3-torch python3-h5py" >&2
    exit 2
fi
export PYTHONPATH="$src_snntorch:$src_nirtorch:$src_nir"
mkdir -p "$out"
echo "== snnTorch: export and simulate into $out"
"$py" "$root/scripts/peer_snntorch_nir.py" "$out"
echo "== snnTorch's spikes against docs/semantics.md computed in numpy on the same weights"
"$py" "$root/scripts/peer_snntorch_nir.py" --reference "$out"

echo "== NIR's reader on spikeforge's export of a CUBA + recurrent model"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
if ! ./spikeforge nir export compiler/src/test/resources/nir/cuba_recurrent.snn -o "$tmp/cuba_recurrent.nir"; then
    # until the float engine draws initial weights for conv1d and recurrent layers, NirTemporalTest
    # writes the same model's export with seeded random weights
    echo "(nir export failed; NirTemporalTest writes the file instead)"
    mvn -B -ntp -o -q test -pl compiler -Dtest='NirTemporalTest#writesTheFileForNirsOwnReader' \
        -Dsurefire.failIfNoSpecifiedTests=false -Dspikeforge.nir.peer="$tmp" >"$tmp/mvn.log" 2>&1 \
        || { tail -n 30 "$tmp/mvn.log" >&2; exit 1; }
fi
"$py" "$root/scripts/peer_snntorch_nir.py" --check-spikeforge "$tmp/cuba_recurrent.nir"
