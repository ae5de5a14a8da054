package dev.spikeforge.runtime.audio;

import static dev.spikeforge.runtime.audio.GoldenAudio.flatten;
import static dev.spikeforge.runtime.audio.GoldenAudio.maxAbsDiff;
import static dev.spikeforge.runtime.audio.GoldenAudio.npy;
import static dev.spikeforge.runtime.audio.GoldenAudio.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * {@link Resampler} against {@code torchaudio.functional.resample} (0.13.1) on the golden clips:
 * 48000 -> 16000 (s32 noise), 44100 -> 16000 (s24 stereo tones), 22050 -> 16000 (speech),
 * 8000 -> 16000 (u8 tones). Measured worst |diff| (full scale 1):
 * <pre>
 *                        vs torchaudio float64   vs torchaudio float32
 *   noise_48000_s32      1.1e-16                 1.3e-7
 *   tone_44100_s24       3.9e-16                 3.7e-6
 *   speech_22050_s16     3.3e-16                 7.4e-6
 *   tone_8000_u8         1.1e-16                 7.9e-8
 * </pre>
 * Asserted: 1e-12 against float64 (the same algorithm in the same precision) and 2e-5 against
 * float32, where torchaudio builds its kernel's time grid in float32 (see {@link Resampler}).
 */
class ResamplerGoldenTest {

    static final double BOUND_F64 = 1e-12;
    static final double BOUND_F32 = 2e-5;

    @TestFactory
    Stream<DynamicTest> resampledClipsEqualTorchaudios() {
        return GoldenAudio.clips().stream().filter(c -> c.get("resample").size() > 0).flatMap(clip -> {
            Stream.Builder<DynamicTest> tests = Stream.builder();
            for (Iterator<Map.Entry<String, JsonNode>> it = clip.get("resample").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                int to = Integer.parseInt(e.getKey());
                tests.add(DynamicTest.dynamicTest(clip.get("name").asText() + " -> " + to, () -> {
                    Audio a = WavReader.read(GoldenAudio.wav(clip));
                    float[][] x = a.samples();
                    double[][] y = new double[a.channels()][];
                    for (int c = 0; c < y.length; c++) {
                        double[] d = new double[x[c].length];
                        for (int i = 0; i < d.length; i++) {
                            d[i] = x[c][i];
                        }
                        y[c] = Resampler.resample(d, a.rate(), to);
                    }
                    NdArray f64 = npy(e.getValue().get("f64").asText());
                    assertArrayEquals(new int[] {a.channels(), y[0].length}, f64.shape());
                    double d64 = maxAbsDiff(flatten(y), values(f64));
                    double d32 = maxAbsDiff(flatten(y), values(npy(e.getValue().get("f32").asText())));
                    System.out.printf(Locale.ROOT, "resample %s -> %d: |diff| f64 %.2g, f32 %.2g%n", clip.get("name").asText(), to, d64, d32);
                    assertTrue(d64 <= BOUND_F64, "vs torchaudio float64: " + d64);
                    assertTrue(d32 <= BOUND_F32, "vs torchaudio float32: " + d32);
                    // the float path is the double one rounded once
                    float[] viaFloat = Resampler.resample(x[0], a.rate(), to);
                    for (int i = 0; i < viaFloat.length; i++) {
                        assertTrue(viaFloat[i] == (float) y[0][i], "float output " + i);
                    }
                }));
            }
            return tests.build();
        });
    }
}
