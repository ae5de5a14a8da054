#!/usr/bin/env bash
# Makes an event-camera version of Fashion-MNIST, the N-MNIST way (three saccades of each image in
# front of a simulated 34x34 event camera; ON/OFF events when a pixel's log intensity changes by a
# contrast threshold), written as Tonic-format .npy files (x int16, y int16, t int64 microseconds,
# p bool) in the layout that dev.spikeforge.runtime.data.EventDataset reads:
#   OUT/train/<class>/<index>.npy and OUT/test/<class>/<index>.npy, classes 0_tshirt .. 9_boot.
# The model and its parameters are documented in runtime/.../data/EventFmnist.java. The output is
# the same byte for byte for the same options on every machine (seeded, StrictMath).
#
# Usage: scripts/make-event-fmnist.sh OUT [--train N] [--test M] [--classes 0,1,...]
#                                         [--threshold C] [--saccades K] [--seed S] [--data DIR]
# Defaults: 10000 train and 2000 test recordings of all ten classes, threshold 0.5, 3 saccades
# (300 ms), seed 2015, the images of the Debian package dataset-fashion-mnist. Measured: 178 s
# wall (154 s of CPU) on two cores shared with other jobs (load average 5), after the build; it
# wrote 438 MB, 33.2 million events (2,770 a recording). EventDataset loads that folder with
# T = 20 in 6.4 s, into 12,000 x 20 x 2,312 bytes (555 MB of heap).
#
# The test recordings committed in runtime/src/test/resources/events/fmnist-tiny were made with:
#   scripts/make-event-fmnist.sh runtime/src/test/resources/events/fmnist-tiny \
#       --train 12 --test 12 --classes 0,1,7 --threshold 1.5 --saccades 1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $0 OUT [--train N] [--test M] [--classes 0,1,...] [--threshold C] [--saccades K] [--seed S] [--data DIR]" >&2
    exit 2
fi
for tool in java:openjdk-17-jdk-headless mvn:maven; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || { echo "$0: ${tool%%:*} is missing; apt-get install -y ${tool#*:}" >&2; exit 3; }
done
if [[ " $* " != *" --data "* ]] && [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    echo "$0: Fashion-MNIST is missing; apt-get install -y dataset-fashion-mnist (or pass --data DIR)" >&2
    exit 3
fi
out="$1"
shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if ! build_log="$(cd "$root" && mvn -B -ntp -q -Dstyle.color=never -pl runtime -am compile 2>&1)"; then
    echo "$build_log" >&2
    echo "$0: the build failed" >&2
    exit 4
fi
java -cp "$root/runtime/target/classes:$root/compiler/target/classes" dev.spikeforge.runtime.data.EventFmnist "$out" "$@"
