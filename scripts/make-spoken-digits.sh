#!/usr/bin/env bash
# A seeded spoken-digit data set (zero .. nine) made only from Debian packages: synthetic voices from
# espeak-ng, flite and festival (kal_diphone), augmented with sox, split by voice into train and two
# held-out sets (test: other speakers of the training accents; accents: other accents and speakers),
# and a human test set from asterisk-core-sounds-en-wav. Nothing else is downloaded.
#
# Usage: scripts/make-spoken-digits.sh [--small] [--seed N] [--jobs N] [OUT]
#   OUT      default data/spoken-digits in the repository; replaced whole at the end (the files
#            are made in a temporary folder beside it, so an interrupted run leaves no half set)
#   --small  three voices, five renditions each (150 clips and the 10 human ones), for quick tests
#   --seed   default 1; the same seed gives byte-identical WAV files and manifest
#   --jobs   parallel renderers, default nproc
#
# OUT/train/CLASS/ID.wav, OUT/test/CLASS/ID.wav, OUT/accents/test/CLASS/ID.wav,
# OUT/human/test/CLASS/ID.wav, OUT/manifest.csv and
# OUT/README.txt; every WAV is 16 kHz mono 16-bit PCM of exactly 16000 samples. The voices of each
# split and the augmentation are in scripts/spoken_digits.py, which plans every clip from the seed
# and finishes the rendered clips (centre, gain, noise); this script renders them. The full set
# (17,000 train, 2,320 test, 2,000 accents, 10 human; 672 MB) took 237 s on two idle cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/require.sh"

small=0
seed=1
jobs="$(nproc)"
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --small) small=1 ;;
        --seed) seed="${2:?--seed needs a number}"; shift ;;
        --jobs) jobs="${2:?--jobs needs a number}"; shift ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "make-spoken-digits: unknown option $1" >&2; exit 2 ;;
        *) [ -z "$out" ] || { echo "make-spoken-digits: one OUT only" >&2; exit 2; }; out="$1" ;;
    esac
    shift
done
[[ "$seed" =~ ^[0-9]+$ ]] || { echo "make-spoken-digits: --seed must be a whole number" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "make-spoken-digits: --jobs must be a positive number" >&2; exit 2; }
out="${out:-$root/data/spoken-digits}"

py=/usr/bin/python3   # Debian's python, which has python3-numpy
human=/usr/share/asterisk/sounds/en_US_f_Allison/digits
requirements=(
    "espeak-ng                                                   espeak-ng"
    "flite                                                       flite"
    "festival                                                    festival"
    "/usr/share/festival/voices/english/kal_diphone/festvox/kal_diphone.scm  festvox-kallpc16k"
    "sox                                                         sox"
    "$human/0.wav                                                asterisk-core-sounds-en-wav"
    "$py                                                         python3"
    "/usr/lib/python3/dist-packages/numpy/__init__.py            python3-numpy"
    "xargs                                                       findutils"
)
spikeforge_require_packages "${requirements[@]}" || exit $?
# after an install too: say which tool is still missing rather than fail half-way
for entry in "${requirements[@]}"; do
    read -r what pkg <<<"$entry"
    if [[ "$what" == /* ]]; then
        [ -e "$what" ] && continue
    else
        command -v "$what" >/dev/null && continue
    fi
    echo "make-spoken-digits: $what is missing (Debian package $pkg)" >&2
    exit 3
done
"$py" -c "import numpy" 2>/dev/null || { echo "make-spoken-digits: $py cannot import numpy (python3-numpy)" >&2; exit 3; }

start=$SECONDS
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
if [ -e "$out" ] && [ ! -f "$out/manifest.csv" ] && [ -n "$(ls -A "$out" 2>/dev/null || echo file)" ]; then
    echo "make-spoken-digits: $out exists and is not a spoken-digit set (no manifest.csv); not replacing it" >&2
    exit 2
fi
tmp="$(dirname "$out")/.$(basename "$out").tmp.$$"
for stale in "$(dirname "$out")/.$(basename "$out").tmp."*; do  # left by a run that was killed
    [ -d "$stale" ] && ! kill -0 "${stale##*.}" 2>/dev/null && rm -rf "$stale"
done
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
work="$tmp/.work"
mkdir -p "$work/src" "$work/raw" "$work/fit"

version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }
versions="espeak-ng $(version espeak-ng), flite $(version flite), festival $(version festival) with"
versions+=" festvox-kallpc16k $(version festvox-kallpc16k), sox $(version sox),"
versions+=" asterisk-core-sounds-en-wav $(version asterisk-core-sounds-en-wav), numpy $(version python3-numpy)"

smallflag=()
[ "$small" = 1 ] && smallflag=(--small)
espeak-ng --voices=variant | awk 'NR > 1 { sub(/^!v\//, "", $5); print $5 }' >"$work/variants.txt"
"$py" "$root/scripts/spoken_digits.py" plan "$work" --seed "$seed" "${smallflag[@]}" \
    --variants "$work/variants.txt" --human "$human"

# render one line of clips.tsv: synthesise the word, then with sox: mono, peak -10 dBFS, the clip's
# speed / pitch / reverb, peak -6 dBFS, trim leading and trailing silence, 16 kHz float32; an
# utterance longer than 1 s is sped up with tempo -s (pitch kept) to about 0.98 s
render() {
    local key split class file engine voice variant word synth speed cents reverb rest
    IFS=$'\t' read -r key split class file engine voice variant word synth speed cents reverb rest <<<"$1"
    local src="$WORK/src/$key.wav" raw="$WORK/raw/$key.f32"
    case "$engine" in
        espeak-ng)
            local s p
            read -r s p <<<"$synth"
            espeak-ng -v "$voice+$variant" -s "$s" -p "$p" -w "$src" "$word" || return ;;
        flite) flite -voice "$voice" --setf duration_stretch="$synth" -t "$word" -o "$src" || return ;;
        festival) ;;  # made beforehand, all in one festival process
        human) src="$synth" ;;
    esac
    [ -s "$src" ] || { echo "$engine wrote no $src" >&2; return 1; }
    local fx=(remix - gain -n -10)
    [ "$speed" = - ] || fx+=(speed "$speed")
    [ "$cents" = - ] || fx+=(pitch "$cents")
    [ "$reverb" = - ] || fx+=(pad 0 0.3 reverb "$reverb" 50 50)
    fx+=(gain -n -6 silence 1 0.005 0.3% reverse silence 1 0.005 0.3% reverse rate -h 16k)
    sox -D "$src" -t f32 -r 16000 -c 1 "$raw" "${fx[@]}" || return
    [ "$engine" = human ] || rm -f "$src"
    local n=$(($(stat -c %s "$raw") / 4))
    if [ "$n" -gt 16000 ]; then
        local tempo
        tempo=$(awk -v n="$n" 'BEGIN { printf "%.3f", n / 15680 + 0.0005 }')
        sox -D -t f32 -r 16000 -c 1 "$raw" -t f32 "$raw.fit" tempo -s "$tempo" || return
        mv "$raw.fit" "$raw" && echo "$tempo" >"$WORK/fit/$key"
    fi
}
render_all() {  # render's failures return at once: set -e does not reach into a function under ||
    local line
    for line in "$@"; do
        render "$line" || { echo "make-spoken-digits: could not render ${line%%$'\t'*}" >&2; return 1; }
    done
}
export -f render render_all
export WORK="$work"
# festival takes a third of a second to start, so one process says all its clips (text2wave would
# start one per clip, and its -eval of Duration_Stretch does not reach the synthesis)
awk -F'\t' -v work="$work" '
    BEGIN {
        print "(define (say word stretch file)"
        print "  (Parameter.set (quote Duration_Stretch) stretch)"
        print "  (utt.save.wave (utt.synth (Utterance Text word)) file (quote riff)))"
    }
    $5 == "festival" {
        if ($6 != voice) { voice = $6; print "(voice_" voice ")" }
        printf "(say \"%s\" %s \"%s/src/%s.wav\")\n", $8, $9, work, $1
    }' "$work/clips.tsv" >"$work/festival.scm"
if grep -q '^(say' "$work/festival.scm"; then
    echo "festival: $(grep -c '^(say' "$work/festival.scm") clips"
    festival -b "$work/festival.scm" || { echo "make-spoken-digits: festival failed ($work/festival.scm)" >&2; exit 1; }
fi
clips=$(wc -l <"$work/clips.tsv")
echo "rendering $clips clips on $jobs cores"
if ! xargs -d '\n' -P "$jobs" -n 20 bash -c 'set -euo pipefail; render_all "$@"' _ <"$work/clips.tsv"; then
    echo "make-spoken-digits: rendering failed (see above); nothing was written to $out" >&2
    exit 1
fi
echo "rendered in $((SECONDS - start)) s; finishing (centre, gain, noise, 16-bit WAV)"
"$py" "$root/scripts/spoken_digits.py" finish "$work" "$tmp" --seed "$seed" "${smallflag[@]}" \
    --human "$human" --versions "$versions"
rm -rf "$work"

size=$(du -sm "$tmp" | cut -f1)
wavs=$(find "$tmp" -name '*.wav' | wc -l)
took=$((SECONDS - start))
echo "Made in $took s with $jobs parallel jobs; $wavs WAV files, $size MB on disk (du -sm)." >>"$tmp/README.txt"
if [ -e "$out" ]; then
    mv "$out" "$tmp.old"
fi
mv "$tmp" "$out"
rm -rf "$tmp.old"
trap - EXIT
echo "$wavs WAV files, $size MB, in $took s: $out"
