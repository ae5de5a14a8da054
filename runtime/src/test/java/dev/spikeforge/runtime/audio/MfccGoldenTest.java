package dev.spikeforge.runtime.audio;

import static dev.spikeforge.runtime.audio.GoldenAudio.flatten;
import static dev.spikeforge.runtime.audio.GoldenAudio.maxAbsDiff;
import static dev.spikeforge.runtime.audio.GoldenAudio.npy;
import static dev.spikeforge.runtime.audio.GoldenAudio.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Mfcc} against {@code torchaudio.transforms.MFCC} (0.13.1) on every golden clip and
 * parameter set of scripts/golden-torchaudio-mfcc.py ("seed": n_mfcc 20 and defaults; "speech13":
 * 13 of 40 mels, n_fft 512, hop 160; "slaneylog": slaney scale and norm, log mels, win 400 in n_fft
 * 512, hop 128, 64 mels, f_min 30), the WAV read by {@link WavReader}. Stereo clips go in as
 * (2, time), their mixdown as one channel.
 * <p>Measured worst |diff| in dB (natural-log units for slaneylog) over all clips (the test prints
 * each clip's):
 * <pre>
 *                 vs torchaudio float64          vs torchaudio float32 (its defaults)
 *   seed          1.4e-12 (tone_8000_u8)         9.1e-4 (tone_8000_u8; speech_22050_s16 8.6e-4, stereo mixdown 6.3e-4)
 *   speech13      7.1e-13 (chirp_22050_f64)      3.7e-4 (tone_8000_u8)
 *   slaneylog     1.7e-13 (silence_16000_s16)    8.2e-5 (speech_22050_s16)
 * </pre>
 * Asserted: 1e-9 against float64 (the same computation in the same precision) and 1e-3 against
 * float32. The float32 differences are torchaudio's own rounding, not ours: its float32 STFT errs
 * by about 1e-7 of a frame's energy, which in mel bands near the top_db floor (79 dB under the
 * maximum) is up to 3.8e-3 dB of the band's decibels (tone_8000_u8, seed set: 19 of 2,560 band
 * values beyond 1e-3 dB); the DCT's weights (at most sqrt(2 / n_mels)) average those down to the
 * 9.1e-4 dB above. The mel spectrogram in decibels alone therefore agrees with float32 torchaudio
 * only to 3.8e-3 dB, and with float64 torchaudio like the MFCC. Clips torchaudio refuses (150
 * samples, fewer than n_fft / 2 + 1) are refused here too.
 */
class MfccGoldenTest {

    static final double BOUND_F64 = 1e-9;
    static final double BOUND_F32 = 1e-3;

    static MfccParams params(JsonNode set) {
        JsonNode mel = set.get("melkwargs");
        MfccParams p = MfccParams.TORCHAUDIO.withNMfcc(set.get("n_mfcc").asInt()).withLogMels(set.get("log_mels").asBoolean());
        if (mel.has("n_fft")) {
            p = p.withNFft(mel.get("n_fft").asInt());
        }
        if (mel.has("win_length")) {
            p = p.withWinLength(mel.get("win_length").asInt());
        }
        if (mel.has("hop_length")) {
            p = p.withHopLength(mel.get("hop_length").asInt());
        }
        if (mel.has("n_mels")) {
            p = p.withNMels(mel.get("n_mels").asInt());
        }
        if (mel.has("f_min")) {
            p = p.withFMin(mel.get("f_min").asDouble());
        }
        if (mel.has("f_max")) {
            p = p.withFMax(mel.get("f_max").asDouble());
        }
        MelScale scale = mel.has("mel_scale") ? MelScale.valueOf(mel.get("mel_scale").asText().toUpperCase(Locale.ROOT)) : MelScale.HTK;
        MelFilterbank.Norm norm = mel.has("norm") ? MelFilterbank.Norm.valueOf(mel.get("norm").asText().toUpperCase(Locale.ROOT))
                : MelFilterbank.Norm.NONE;
        return p.withMel(scale, norm);
    }

    @TestFactory
    Stream<DynamicTest> everyClipAndParameterSetEqualsTorchaudio() {
        JsonNode sets = GoldenAudio.MANIFEST.get("parameter_sets");
        Stream.Builder<DynamicTest> tests = Stream.builder();
        for (JsonNode clip : GoldenAudio.clips()) {
            String name = clip.get("name").asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = sets.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> set = it.next();
                MfccParams p = params(set.getValue());
                JsonNode golden = clip.get("mfcc").get(set.getKey());
                if (golden != null) {
                    tests.add(DynamicTest.dynamicTest(name + " " + set.getKey(), () -> {
                        Audio a = WavReader.read(GoldenAudio.wav(clip));
                        double[][][] c = new Mfcc(a.rate(), p).compute(a);
                        compare(name, set.getKey(), c.length == 1 ? flatten(c[0]) : flatten(flatten3(c)), golden,
                                c.length == 1 ? new int[] {p.nMfcc(), c[0][0].length} : new int[] {c.length, p.nMfcc(), c[0][0].length});
                    }));
                } else {
                    String error = clip.get("mfcc_errors").get(set.getKey()).asText();
                    tests.add(DynamicTest.dynamicTest(name + " " + set.getKey() + " is refused", () -> {
                        Audio a = WavReader.read(GoldenAudio.wav(clip));
                        assertTrue(error.contains("Padding size should be less than"), error);
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                () -> new Mfcc(a.rate(), p).compute(a));
                        assertEquals(String.format(Locale.ROOT, "spectrogram: %d samples are too few for n_fft %d: reflect"
                                + " padding by %d needs at least %d (torchaudio refuses them too); pad the clip or use a"
                                + " smaller n_fft", a.frames(), p.nFft(), p.nFft() / 2, p.nFft() / 2 + 1), e.getMessage());
                    }));
                }
            }
            JsonNode mono = clip.get("mono_mfcc");
            if (mono != null) {
                tests.add(DynamicTest.dynamicTest(name + " mixdown seed", () -> {
                    Audio a = WavReader.read(GoldenAudio.wav(clip));
                    MfccParams p = params(sets.get("seed"));
                    double[][] c = new Mfcc(a.rate(), p).compute(a.mixdown());
                    compare(name + ".mono", "seed", flatten(c), mono.get("seed"), new int[] {p.nMfcc(), c[0].length});
                }));
            }
        }
        return tests.build();
    }

    private static void compare(String clip, String set, double[] java, JsonNode golden, int[] shape) {
        NdArray f64 = npy(golden.get("f64").asText());
        assertArrayEquals(shape, f64.shape());
        double d64 = maxAbsDiff(java, values(f64));
        double d32 = maxAbsDiff(java, values(npy(golden.get("f32").asText())));
        System.out.printf(Locale.ROOT, "mfcc %-26s %-10s |diff| f64 %.2g, f32 %.2g%n", clip, set, d64, d32);
        assertTrue(d64 <= BOUND_F64, "vs torchaudio float64: " + d64);
        assertTrue(d32 <= BOUND_F32, "vs torchaudio float32: " + d32);
    }

    private static double[][] flatten3(double[][][] x) {
        double[][] out = new double[x.length][];
        for (int c = 0; c < x.length; c++) {
            out[c] = flatten(x[c]);
        }
        return out;
    }
}
