"""The two Python steps of scripts/make-spoken-digits.sh (run with Debian's python3 and numpy).

  plan WORK --seed N [--small] --variants FILE --human DIR
      decides every clip: its split, class, voice, synthesis settings and augmentation, all drawn
      from one numpy RandomState(seed) in a fixed order, and writes WORK/clips.tsv (one line per
      clip, tab-separated; the shell renders each line with espeak-ng, flite or festival and sox).
  finish WORK OUT --seed N [--small] --versions TEXT
      turns each rendered clip (WORK/raw/KEY.f32: float32, 16 kHz, mono, trimmed of silence) into
      OUT/FILE: peak gain, centred in 1.0 s of zeros, Gaussian noise at the clip's SNR, 16-bit PCM;
      writes OUT/manifest.csv and OUT/README.txt and prints the counts.

The voices of each split are listed below; no voice of either held-out set is heard in training:
  test     held-out speakers: the training accents (espeak-ng base voices) spoken by espeak-ng
           variants that no training clip has, and flite's rms, another speaker than the training
           ones: the usual keyword-spotting split, by speaker;
  accents  held-out accents and speakers: held-out base voices with the same held-out variants
           (neither is in any training voice), and flite's rms and awb.
The plan draws the accents set before the test set, and the training voices' further renditions
("more": espeak-ng's third and fourth) after both, so adding the test set and then those
renditions left every earlier clip byte for byte as it was.
"""
import argparse
import os
import sys
import textwrap
import wave

import numpy as np

CLASSES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
RATE = 16000
LENGTH = RATE  # every clip is exactly 1.0 s
FADE = 80  # 5 ms raised-cosine fade in and out of the trimmed utterance
FIT = 15680  # a trimmed utterance longer than 1 s is sped up (sox tempo) to about 0.98 s

# espeak-ng's English base voices (accents). Left out: en-us-nyc (7 of the 10 digits come out byte
# for byte as en-us) and the mbrola voices (mb-*), which need the mbrola synthesiser and voices.
ESPEAK_BASES = {
    "train": ["en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan"],
    "accents": ["en-029", "en-gb-x-gbcwmd"],
}
# espeak-ng's voice variants (espeak-ng --voices=variant; named by file, as -v BASE+FILE takes
# them). Families (steph*, iven*, Gene*) stay on one side. Left out: "Mr serious" (a space in its
# file name: espeak-ng falls back to the plain voice), fast (only sets the speed), caleb and
# klatt6 (the same output as klatt).
ESPEAK_VARIANTS = {
    "held-out": [
        "f2", "f5", "steph", "steph2", "steph3", "Annie", "linda", "whisperf",
        "m3", "m6", "croak", "iven", "iven2", "iven3", "iven4", "Gene", "Gene2",
        "boris", "Denis", "john", "klatt4", "travis",
    ],
    "train": [
        "f1", "f3", "f4", "Alicia", "Andrea", "aunty", "belinda", "anika", "anikaRobot", "grandma",
        "m1", "m2", "m4", "m5", "m7", "m8", "whisper", "klatt", "klatt2", "klatt3", "klatt5",
        "adam", "Alex", "Andy", "AnxiousAndy", "antonio", "benjamin", "david", "Demonic", "Diogo",
        "ed", "edward", "edward2", "grandpa", "gustave", "announcer", "Henrique", "Hugo",
        "Jacky", "kaukovalta", "Lee", "marcelo", "Marco", "Mario", "max", "Michael", "michel",
        "miguel", "Mike", "Nguyen", "norbert", "pablo", "paul", "pedro", "quincy",
        "RicishayMax", "RicishayMax2", "RicishayMax3", "rob", "robert",
        "robosoft", "robosoft2", "robosoft3", "robosoft4", "robosoft5", "robosoft6", "robosoft7",
        "robosoft8", "sandro", "shelby", "Storm", "Tweaky", "UniRobot", "victor", "zac",
    ],
}
# flite's built-in voices and festival's kal_diphone (festvox-kallpc16k; the same speaker as flite's
# kal and kal16, so all three train). Left out: flite's awb_time, a limited-domain voice for clock
# times that cannot say "zero".
OTHER_VOICES = {
    "train": [("flite", "kal"), ("flite", "kal16"), ("flite", "slt"), ("festival", "kal_diphone")],
    "accents": [("flite", "rms"), ("flite", "awb")],
    "test": [("flite", "rms")],
}
# renditions of each digit per voice
PER_VOICE = {"espeak-ng": {"train": 2, "accents": 4, "test": 2, "more": 2},
             "flite": {"train": 50, "accents": 12, "test": 12},
             "festival": {"train": 50}}
# the order in which the plan draws the splits (accents before test, and the training voices'
# further renditions, "more", after both: see the top)
PLAN_ORDER = ("train", "accents", "test", "more")
# where each split's files go ("more" is training data)
FOLDERS = {"train": "train", "test": "test", "accents": "accents/test", "human": "human/test", "more": "train"}

# --small: three voices, five renditions each
SMALL_VOICES = {
    "train": [("espeak-ng", "en-us", "m1"), ("flite", "slt", "none")],
    "test": [("espeak-ng", "en-029", "f2")],
}
SMALL_PER_VOICE = 5

HUMAN_VOICE = "en_US_f_Allison"  # asterisk-core-sounds-en-wav: digits/0.wav .. digits/9.wav

COLUMNS = ["key", "split", "class", "file", "engine", "voice", "variant", "word", "synth",
           "speed", "cents", "reverb", "gain", "snr", "seed"]


def voices(small):
    """[(split, engine, voice, variant, renditions)] in a fixed order."""
    out = []
    if small:
        for split in ("train", "test"):
            for engine, voice, variant in SMALL_VOICES[split]:
                out.append((split, engine, voice, variant, SMALL_PER_VOICE))
        return out
    for split in PLAN_ORDER:
        bases = ESPEAK_BASES["accents" if split == "accents" else "train"]
        for base in bases:
            for variant in ESPEAK_VARIANTS["train" if split in ("train", "more") else "held-out"]:
                out.append((split, "espeak-ng", base, variant, PER_VOICE["espeak-ng"][split]))
        for engine, voice in OTHER_VOICES.get(split, []):
            out.append((split, engine, voice, "none", PER_VOICE[engine][split]))
    return out


def draw(rs, engine, train):
    """One clip's synthesis settings and augmentation; always 11 uniforms and one seed, so
    every clip takes the same share of the random stream. A training clip's pitch moves more
    often and further (80% of them, -400 to +400 cents: sox's pitch moves the formants too, as a
    longer or shorter vocal tract would) than a held-out clip's (half of them, -200 to +200), which
    keeps every held-out clip as it was before training clips moved further."""
    u = rs.random_sample(11)
    if engine == "espeak-ng":
        synth = "%d %d" % (140 + int(u[0] * 61), 20 + int(u[1] * 61))  # -s words/min, -p pitch
    else:
        synth = "%.3f" % (0.85 + 0.35 * u[0])  # duration stretch
    speed = "%.3f" % (0.9 + 0.2 * u[3]) if u[2] < 0.5 else "-"
    if train:
        cents = "%d" % round(-400 + 800 * u[5]) if u[4] < 0.8 else "-"
    else:
        cents = "%d" % round(-200 + 400 * u[5]) if u[4] < 0.5 else "-"
    reverb = "%d" % (10 + int(u[7] * 41)) if u[6] < 0.3 else "-"
    gain = "%.1f" % (-12 + 11 * u[8])  # peak level in dBFS
    snr = "%.1f" % (10 + 20 * u[10]) if u[9] < 0.8 else "-"
    seed = int(rs.randint(1, 2**31 - 1))
    return synth, speed, cents, reverb, gain, snr, seed


def plan(args):
    available = set(open(args.variants).read().split("\n"))
    listed = ESPEAK_VARIANTS["train"] + ESPEAK_VARIANTS["held-out"]
    missing = [v for v in listed if v not in available]
    if missing:
        sys.exit("make-spoken-digits: espeak-ng lacks the variants %s (espeak-ng --voices=variant)"
                 % " ".join(missing))
    if not args.small:
        assert not set(ESPEAK_BASES["train"]) & set(ESPEAK_BASES["accents"])
        assert not set(ESPEAK_VARIANTS["train"]) & set(ESPEAK_VARIANTS["held-out"])
        trained = {voice for _, voice in OTHER_VOICES["train"]}
        assert not trained & {voice for _, voice in OTHER_VOICES["accents"] + OTHER_VOICES["test"]}
    rs = np.random.RandomState(args.seed)
    rows = []
    said = {}  # renditions already planned per voice: a voice in both held-out sets numbers on
    for split, engine, voice, variant, count in voices(args.small):
        first = said.get((engine, voice, variant), 0)
        said[(engine, voice, variant)] = first + count
        for k, word in enumerate(CLASSES):
            for r in range(first, first + count):
                name = "%s_%s_%s_%02d" % (engine, voice, variant, r)
                synth, speed, cents, reverb, gain, snr, seed = draw(rs, engine, split in ("train", "more"))
                rows.append(["%s-%s" % (name, word), "train" if split == "more" else split, word,
                             "%s/%s/%s.wav" % (FOLDERS[split], word, name),
                             engine, voice, variant, word, synth, speed, cents, reverb, gain, snr, seed])
    for word in CLASSES:
        path = os.path.join(args.human, "%d.wav" % CLASSES.index(word))
        if not os.path.isfile(path):
            sys.exit("make-spoken-digits: %s is missing (asterisk-core-sounds-en-wav)" % path)
        name = "human_%s" % HUMAN_VOICE
        rows.append(["%s-%s" % (name, word), "human", word, "%s/%s/%s.wav" % (FOLDERS["human"], word, name),
                     "human", HUMAN_VOICE, "none", word, path, "-", "-", "-", "-3.0", "-", 0])
    with open(os.path.join(args.work, "clips.tsv"), "w") as f:
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")
    print("planned %d clips" % len(rows))


def read_plan(work):
    with open(os.path.join(work, "clips.tsv")) as f:
        return [dict(zip(COLUMNS, line.rstrip("\n").split("\t"))) for line in f]


def augmentation(row, fit, cut):
    parts = []
    if row["engine"] == "espeak-ng":
        s, p = row["synth"].split()
        parts += ["espeak-s=" + s, "espeak-p=" + p]
    elif row["engine"] in ("flite", "festival"):
        parts.append("stretch=" + row["synth"])
    for key, name in (("speed", "speed"), ("cents", "pitch"), ("reverb", "reverb")):
        if row[key] != "-":
            parts.append("%s=%s" % (name, row[key]))
    parts.append("gain=" + row["gain"])
    if row["snr"] != "-":
        parts.append("snr=" + row["snr"])
    if fit:
        parts.append("fit-tempo=" + fit)
    if cut:
        parts.append("cut=%d" % cut)
    return " ".join(parts)


def finish_clip(x, row):
    """float32 utterance -> int16[LENGTH]; returns (pcm, samples cut off the end)."""
    cut = max(0, len(x) - LENGTH)
    x = x[:LENGTH].astype(np.float64)
    peak = np.max(np.abs(x))
    if len(x) == 0 or peak == 0:
        raise ValueError("silent after trimming")
    x *= 10 ** (float(row["gain"]) / 20) / peak
    ramp = min(FADE, len(x) // 2)  # no step where the trimmed utterance meets the zeros
    fade = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
    x[:ramp] *= fade
    x[len(x) - ramp:] *= fade[::-1]
    out = np.zeros(LENGTH)
    start = (LENGTH - len(x)) // 2
    out[start:start + len(x)] = x
    if row["snr"] != "-":
        rms = np.sqrt(np.mean(x * x))
        sigma = rms / 10 ** (float(row["snr"]) / 20)
        out += sigma * np.random.RandomState(int(row["seed"])).standard_normal(LENGTH)
    pcm = np.clip(np.round(out * 32767), -32768, 32767).astype("<i2")
    return pcm, cut


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def finish(args):
    rows = read_plan(args.work)
    order = {"train": 0, "test": 1, "accents": 2, "human": 3}
    manifest = []
    lengths = {split: [] for split in order}
    fitted = cut_total = 0
    for row in rows:
        x = np.fromfile(os.path.join(args.work, "raw", row["key"] + ".f32"), dtype="<f4")
        fit_file = os.path.join(args.work, "fit", row["key"])
        fit = open(fit_file).read().strip() if os.path.exists(fit_file) else ""
        try:
            pcm, cut = finish_clip(x, row)
        except ValueError as e:
            sys.exit("make-spoken-digits: %s (%s): %s" % (row["key"], row["file"], e))
        fitted += bool(fit)
        cut_total += bool(cut)
        lengths[row["split"]].append(min(len(x), LENGTH))
        path = os.path.join(args.out, row["file"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_wav(path, pcm)
        manifest.append((order[row["split"]], CLASSES.index(row["class"]), row["file"],
                         [row["split"], row["class"], row["file"], row["engine"], row["voice"],
                          row["variant"], augmentation(row, fit, cut), row["seed"], str(LENGTH)]))
    manifest.sort(key=lambda m: m[:3])
    with open(os.path.join(args.out, "manifest.csv"), "w") as f:
        f.write("split,class,file,engine,voice,variant,augmentation,seed,samples\n")
        for m in manifest:
            assert not any("," in field for field in m[3])
            f.write(",".join(m[3]) + "\n")
    counts = count(rows)
    table = counts_table(counts)
    print(table)
    print("%d clips longer than 1 s after trimming were sped up (sox tempo), %d of them then cut"
          % (fitted, cut_total))
    write_readme(args, rows, table, lengths, fitted, cut_total)


def count(rows):
    counts = {}
    for row in rows:
        counts.setdefault(row["split"], {c: 0 for c in CLASSES})[row["class"]] += 1
    return counts


def counts_table(counts):
    lines = ["%-7s %s  %6s" % ("split", " ".join("%5s" % c[:5] for c in CLASSES), "total")]
    for split in ("train", "test", "accents", "human"):
        if split in counts:
            c = counts[split]
            lines.append("%-7s %s  %6d" % (split, " ".join("%5d" % c[k] for k in CLASSES),
                                            sum(c.values())))
    return "\n".join(lines)


def split_voices(rows):
    """{split: {(engine, voice): [variants]}} in plan order."""
    out = {}
    for row in rows:
        variants = out.setdefault(row["split"], {}).setdefault((row["engine"], row["voice"]), [])
        if row["variant"] not in variants:
            variants.append(row["variant"])
    return out


def wrap(text, indent=""):
    return textwrap.fill(text, 96, initial_indent=indent, subsequent_indent=indent)


def write_readme(args, rows, table, lengths, fitted, cut_total):
    sv = split_voices(rows)
    text = []
    add = text.append
    add(wrap("Spoken digits, zero to nine, made by spikeforge's scripts/make-spoken-digits.sh%s "
             "(seed %d) from Debian packages only: %s."
             % (" --small" if args.small else "", args.seed, args.versions)))
    add("")
    add("Layout: train/CLASS/ID.wav, test/CLASS/ID.wav (held-out speakers), accents/test/CLASS/ID.wav")
    add("(held-out accents and speakers; not made with --small), human/test/CLASS/ID.wav (a person's")
    add("recordings), manifest.csv (one row per file: split,class,file,engine,voice,variant,")
    add("augmentation,seed,samples; split is train, test, accents or human; samples is the file's")
    add("length, always 16000; seed is the clip's noise seed, 0 for human; augmentation lists the")
    add("synthesis settings and effects applied, space-separated).")
    add("")
    add("Every WAV is 16 kHz, mono, 16-bit PCM and exactly 1.0 s (16000 samples): the utterance,")
    add("trimmed of leading and trailing silence (sox silence, threshold 0.3% of full scale after")
    add("normalising to -6 dBFS), faded in and out over 5 ms, centred and zero-padded to 1 s. An")
    add("utterance longer than 1 s after trimming is sped up with sox tempo -s (pitch kept) to about")
    add("0.98 s, and if still longer, its end is cut (fit-tempo= and cut= in the augmentation column;")
    add("here %d sped up, %d cut)." % (fitted, cut_total))
    add("")
    add("Voices (a voice is engine + voice + variant). No held-out voice is heard in training. test")
    add("holds out speakers: the training accents (espeak-ng base voices) with variants no training")
    add("voice has, and flite's rms. accents holds out accents too: held-out base voices with the same")
    add("held-out variants, and flite's rms and awb. Each voice says every digit several times")
    add("(renditions), each with its own settings drawn from the seed:")
    add("  espeak-ng -s 140..200 words/min, -p 20..80; flite and festival duration stretch 0.85..1.2;")
    add("  then sox: speed 0.9..1.1 (half of the clips), pitch -200..+200 cents (half of the held-out")
    add("  clips; -400..+400 cents on 80% of the training clips, which moves their formants further),")
    add("  reverb with reverberance 10..50 and room scale 50 (30%); peak level -12..-1 dBFS; white")
    add("  Gaussian noise at an SNR of 10..30 dB over the whole second (80%). Sox runs without dither")
    add("  (-D), so the same seed gives byte-identical files.")
    for split in ("train", "test", "accents"):
        if split not in sv:
            continue
        n = sum(len(v) for v in sv[split].values())
        add("")
        add("%s voices (%d):" % (split, n))
        groups = {}  # base voices that share one list of variants: one entry
        for (engine, voice), variants in sv[split].items():
            groups.setdefault((engine, tuple(variants)), []).append(voice)
        for (engine, variants), bases in groups.items():
            if variants == ("none",):
                add("  %s: %s" % (engine, " ".join(bases)))
            else:
                add(wrap("%s: each of the %d base voices %s with each of the %d variants:"
                         % (engine, len(bases), " ".join(bases), len(variants)), "  "))
                add(wrap(" ".join(variants), "    "))
    add("")
    add(wrap("human: the 10 recordings of the digits 0-9 by one speaker (Allison, US English, "
             "female) in asterisk-core-sounds-en-wav, %s/N.wav. They are 8 kHz telephone "
             "recordings, resampled to 16 kHz, so they hold nothing above 4 kHz; no augmentation, "
             "peak at -3 dBFS." % args.human))
    add("")
    add("Counts:")
    add(table)
    for split in ("train", "test", "accents", "human"):
        if lengths[split]:
            a = np.array(lengths[split]) / RATE
            add("%s utterance length after trimming: mean %.2f s, min %.2f s, max %.2f s"
                % (split, a.mean(), a.min(), a.max()))
    with open(os.path.join(args.out, "README.txt"), "w") as f:
        f.write("\n".join(text) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["plan", "finish"])
    p.add_argument("work")
    p.add_argument("out", nargs="?")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--small", action="store_true")
    p.add_argument("--variants")
    p.add_argument("--human")
    p.add_argument("--versions", default="")
    args = p.parse_args()
    if args.step == "plan":
        plan(args)
    else:
        finish(args)


if __name__ == "__main__":
    main()
