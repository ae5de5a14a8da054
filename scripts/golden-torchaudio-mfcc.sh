#!/usr/bin/env bash
# Rewrites the audio golden files of the runtime tests (WavGoldenTest, MfccGoldenTest,
# ResamplerGoldenTest) with torchaudio: WAV clips of every supported format, torchaudio.load's
# samples, MFCC for three parameter sets and resample outputs (scripts/golden-torchaudio-mfcc.py
# says what each file is). Not part of CI: the tests read the committed files without torch.
# Needs Debian's python3-torchaudio (0.13.1 made the committed files) and espeak-ng (the speech
# clips); as root it installs what is missing with apt-get, otherwise it prints the command.
#
# Usage: scripts/golden-torchaudio-mfcc.sh [OUT]   (default runtime/src/test/resources/audio)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=/usr/bin/python3   # Debian's python, which has python3-torchaudio; not a pyenv one
missing=()
"$py" -c "import torchaudio" 2>/dev/null || missing+=(python3-torchaudio)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "golden-torchaudio-mfcc: installing ${missing[*]}" >&2
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    else
        echo "golden-torchaudio-mfcc: missing Debian packages; run as root:" >&2
        echo "    apt-get install -y ${missing[*]}" >&2
        exit 3
    fi
fi
exec "$py" "$root/scripts/golden-torchaudio-mfcc.py" "$@"
