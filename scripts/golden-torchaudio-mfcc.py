#!/usr/bin/env python3
"""Writes the audio golden files that the runtime's Wav*, Mfcc* and Resampler* tests compare against.

Into runtime/src/test/resources/audio/ (or the folder given as the first argument):

  <clip>.wav                     the clip, in the format its name says (written here byte by byte)
  <clip>.decoded.npy             float32 (channels, frames): the documented scaling of docs/semantics.md
                                 section 12 applied to the stored integers / floats with numpy
  <clip>.load.npy                float32 (channels, frames): torchaudio.load(<clip>.wav)
  <clip>.mfcc-<set>.f32.npy      torchaudio.transforms.MFCC(<set>) of the decoded samples, float32
                                 (torchaudio's defaults: what a user gets); (n_mfcc, frames) for one
                                 channel, (channels, n_mfcc, frames) for more
  <clip>.mfcc-<set>.f64.npy      the same computed with torch's default dtype float64 (every buffer:
                                 window, filter bank, DCT matrix, in double)
  <clip>.mono.mfcc-seed.*.npy    the seed set on the mixdown (mean of channels) of a stereo clip
  <clip>.resample-16000.*.npy    torchaudio.functional.resample(decoded, rate, 16000), float32 input
                                 (kernel and convolution in float32) and float64 input
  manifest.json                  versions, parameter sets, and per clip its format and what was written
                                 (or the error torchaudio gave)

Run it through scripts/golden-torchaudio-mfcc.sh, which checks that Debian's python3-torchaudio is there.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch
import torchaudio

warnings.filterwarnings("ignore")  # torchaudio's "empty filter bank" and backend notices

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "runtime", "src", "test", "resources", "audio")

# Parameter sets: MFCC(sample_rate=clip's rate, n_mfcc, log_mels, melkwargs). Missing keys are torchaudio's defaults.
PARAMETER_SETS = {
    # the seed's: n_mfcc 20, everything else default (n_fft 400, hop 200, 128 htk mels, top_db 80)
    "seed": {"n_mfcc": 20, "log_mels": False, "melkwargs": {}},
    # a speech front end: 13 coefficients of 40 mels, 512-point FFT, 10 ms hop at 16 kHz
    "speech13": {"n_mfcc": 13, "log_mels": False, "melkwargs": {"n_fft": 512, "hop_length": 160, "n_mels": 40}},
    # slaney scale and area norm, log mels (no top_db floor), a window shorter than the FFT, f_min
    "slaneylog": {"n_mfcc": 24, "log_mels": True,
                  "melkwargs": {"n_fft": 512, "win_length": 400, "hop_length": 128, "n_mels": 64, "f_min": 30.0,
                                "norm": "slaney", "mel_scale": "slaney"}},
}

WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 1, 3, 0xFFFE
ENCODINGS = {  # name: (format code, bits)
    "u8": (WAVE_FORMAT_PCM, 8), "s16": (WAVE_FORMAT_PCM, 16), "s24": (WAVE_FORMAT_PCM, 24),
    "s32": (WAVE_FORMAT_PCM, 32), "f32": (WAVE_FORMAT_IEEE_FLOAT, 32), "f64": (WAVE_FORMAT_IEEE_FLOAT, 64),
}
GUID_TAIL = bytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def quantise(x, encoding):
    """Float samples (channels, frames) in [-1, 1] -> the stored values (numpy integers or floats)."""
    code, bits = ENCODINGS[encoding]
    if code == WAVE_FORMAT_IEEE_FLOAT:
        return x.astype(np.float32 if bits == 32 else np.float64)
    scale = 2.0 ** (bits - 1)
    v = np.clip(np.rint(x.astype(np.float64) * scale), -scale, scale - 1).astype(np.int64)
    return v + 128 if bits == 8 else v


def decode(stored, encoding):
    """The documented scaling (docs/semantics.md section 12), as float32."""
    code, bits = ENCODINGS[encoding]
    if code == WAVE_FORMAT_IEEE_FLOAT:
        return stored.astype(np.float32)
    if bits == 8:
        return ((stored - 128) / 128.0).astype(np.float32)
    return (stored / 2.0 ** (bits - 1)).astype(np.float32)


def data_bytes(stored, encoding):
    code, bits = ENCODINGS[encoding]
    interleaved = stored.T.reshape(-1)
    if code == WAVE_FORMAT_IEEE_FLOAT:
        return interleaved.tobytes()
    if bits == 8:
        return interleaved.astype(np.uint8).tobytes()
    if bits == 16:
        return interleaved.astype("<i2").tobytes()
    if bits == 32:
        return interleaved.astype("<i4").tobytes()
    return b"".join(int(v).to_bytes(3, "little", signed=True) for v in interleaved)


def chunk(cid, body):
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def wav_bytes(stored, encoding, rate, extensible=False, before_data=(), after_data=()):
    code, bits = ENCODINGS[encoding]
    channels = stored.shape[0]
    block = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", WAVE_FORMAT_EXTENSIBLE, channels, rate, rate * block, block, bits, 22, bits,
                          (1 << channels) - 1) + struct.pack("<H", code) + GUID_TAIL
    else:
        fmt = struct.pack("<HHIIHH", code, channels, rate, rate * block, block, bits)
    body = b"WAVE" + chunk(b"fmt ", fmt)
    for c in before_data:
        body += c
    body += chunk(b"data", data_bytes(stored, encoding))
    for c in after_data:
        body += c
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(rate, seconds, *freqs, amplitude=0.5):
    t = np.arange(int(round(rate * seconds))) / rate
    return amplitude * sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)


def speech(text, rate):
    """espeak-ng's voice (22050 Hz, 16-bit), resampled with torchaudio when another rate is asked for."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.wav")
        subprocess.run(["espeak-ng", "-w", path, text], check=True)
        w, sr = torchaudio.load(path)
    if sr != rate:
        w = torchaudio.functional.resample(w.double(), sr, rate)
    return w.numpy().astype(np.float64)


def clips():
    rng = np.random.default_rng(20250601)
    list_chunk = chunk(b"LIST", b"INFOISFT" + struct.pack("<I", 10) + b"spikeforge")
    yield "speech_22050_s16", 22050, "s16", speech("seven", 22050)[:, :16000], {}
    yield "speech_16000_s16", 16000, "s16", speech("three", 16000)[:, :12000], {"after_data": [list_chunk]}
    # an odd number of 8-bit frames: the data chunk has a pad byte, a LIST chunk follows it
    yield "tone_8000_u8", 8000, "u8", tone(8000, 0.5, 440, 1000)[None, :-1], {"after_data": [list_chunk]}
    yield ("tone_44100_s24_stereo", 44100, "s24", np.stack([tone(44100, 0.25, 440), tone(44100, 0.25, 3000, 5000)]),
           {"extensible": True})
    yield "noise_48000_s32", 48000, "s32", rng.uniform(-0.5, 0.5, (1, 9600)), {}
    fact = chunk(b"fact", struct.pack("<I", 8000))
    yield ("noise_16000_f32", 16000, "f32", np.clip(rng.normal(0, 0.2, (1, 8000)), -1, 1),
           {"before_data": [fact, list_chunk]})
    t = np.arange(6615) / 22050
    chirp = 0.7 * np.sin(2 * np.pi * (100 * t + (8000 - 100) / (2 * 0.3) * t * t))
    yield "chirp_22050_f64_ext", 22050, "f64", chirp[None, :], {"extensible": True}
    yield "silence_16000_s16", 16000, "s16", np.zeros((1, 4000)), {}
    yield "clip_16000_s16", 16000, "s16", np.clip(tone(16000, 0.25, 300, amplitude=3.0), -1, 1)[None, :], {}
    yield "short_16000_s16", 16000, "s16", tone(16000, 300 / 16000, 700)[None, :], {}
    yield "tiny_16000_s16", 16000, "s16", tone(16000, 150 / 16000, 700)[None, :], {}


def mfcc(samples, rate, params, dtype):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        transform = torchaudio.transforms.MFCC(sample_rate=rate, n_mfcc=params["n_mfcc"], log_mels=params["log_mels"],
                                               melkwargs=dict(params["melkwargs"]))
        out = transform(torch.from_numpy(samples).to(dtype))
    finally:
        torch.set_default_dtype(previous)
    return out.numpy()


def save(name, array):
    # C order: torch's transposed outputs come out Fortran-ordered, which spikeforge's Npy refuses
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array))
    return name


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {
        "written_by": "scripts/golden-torchaudio-mfcc.py",
        "torchaudio": torchaudio.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "audio_backend": torchaudio.get_audio_backend(),
        "parameter_sets": PARAMETER_SETS,
        "clips": [],
    }
    for name, rate, encoding, x, layout in clips():
        stored = quantise(x, encoding)
        wav = name + ".wav"
        with open(os.path.join(OUT, wav), "wb") as f:
            f.write(wav_bytes(stored, encoding, rate, **layout))
        decoded = decode(stored, encoding)
        loaded, loaded_rate = torchaudio.load(os.path.join(OUT, wav))
        assert loaded_rate == rate, (name, loaded_rate)
        loaded = loaded.numpy()
        entry = {"name": name, "rate": rate, "encoding": encoding, "channels": int(stored.shape[0]),
                 "frames": int(stored.shape[1]), "extensible": bool(layout.get("extensible", False)),
                 "decoded": save(name + ".decoded.npy", decoded), "load": save(name + ".load.npy", loaded),
                 "load_max_abs_diff_from_decoded": float(np.max(np.abs(loaded.astype(np.float64) - decoded))),
                 "mfcc": {}, "mfcc_errors": {}, "resample": {}}
        inputs = {name: decoded}
        if decoded.shape[0] > 1:
            inputs[name + ".mono"] = decoded.astype(np.float64).mean(axis=0, keepdims=True).astype(np.float32)
            entry["mono_mfcc"] = {}
        for set_name, params in PARAMETER_SETS.items():
            for label, samples in inputs.items():
                if label != name and set_name != "seed":
                    continue
                target = entry["mono_mfcc"] if label != name else entry["mfcc"]
                try:
                    f32 = mfcc(samples, rate, params, torch.float32)
                    f64 = mfcc(samples, rate, params, torch.float64)
                except RuntimeError as e:
                    entry["mfcc_errors"][set_name] = str(e).splitlines()[0]
                    continue
                squeeze = (lambda a: a[0]) if samples.shape[0] == 1 else (lambda a: a)
                target[set_name] = {
                    "f32": save(f"{label}.mfcc-{set_name}.f32.npy", squeeze(f32).astype(np.float32)),
                    "f64": save(f"{label}.mfcc-{set_name}.f64.npy", squeeze(f64).astype(np.float64)),
                }
        if rate != 16000 and name != "chirp_22050_f64_ext":
            w = torch.from_numpy(decoded)
            entry["resample"]["16000"] = {
                "f32": save(f"{name}.resample-16000.f32.npy",
                            torchaudio.functional.resample(w, rate, 16000).numpy()),
                "f64": save(f"{name}.resample-16000.f64.npy",
                            torchaudio.functional.resample(w.double(), rate, 16000).numpy()),
            }
        manifest["clips"].append(entry)
        print(f"{name}: {stored.shape[0]} channel(s), {stored.shape[1]} frames at {rate} Hz, {encoding};"
              f" torchaudio.load - decoded <= {entry['load_max_abs_diff_from_decoded']:.3g}"
              + (f"; MFCC errors: {entry['mfcc_errors']}" if entry["mfcc_errors"] else ""))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1024:.0f} KiB, into {OUT}")


if __name__ == "__main__":
    main()
