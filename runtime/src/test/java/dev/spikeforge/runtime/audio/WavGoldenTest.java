package dev.spikeforge.runtime.audio;

import static dev.spikeforge.runtime.audio.GoldenAudio.flatten;
import static dev.spikeforge.runtime.audio.GoldenAudio.maxAbsDiff;
import static dev.spikeforge.runtime.audio.GoldenAudio.npy;
import static dev.spikeforge.runtime.audio.GoldenAudio.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden clip read with {@link WavReader} against torchaudio 0.13.1 (sox_io backend):
 * <ul>
 * <li>equal, float for float, to the documented scaling computed by numpy ({@code decoded.npy}),
 *     for every clip;</li>
 * <li>equal to {@code torchaudio.load} for 8-, 16- and 24-bit PCM (speech, tones, silence,
 *     clipping, stereo); for 32-bit PCM and float files torchaudio differs by sox's 24-bit grid
 *     (section 12.1): measured worst |diff| 2.98e-8 (s32 and f32 noise) and 5.96e-8 (f64 chirp),
 *     each at most one float ulp of the sample, asserted here as at most 2^-24.</li>
 * </ul>
 */
class WavGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyClipReadsAsNumpyDecodesItAndAsTorchaudioLoadsIt() {
        return GoldenAudio.clips().stream().map(clip -> DynamicTest.dynamicTest(clip.get("name").asText(), () -> {
            Audio a = WavReader.read(GoldenAudio.wav(clip));
            assertEquals(clip.get("rate").asInt(), a.rate());
            assertEquals(clip.get("channels").asInt(), a.channels());
            assertEquals(clip.get("frames").asInt(), a.frames());
            NdArray decoded = npy(clip.get("decoded").asText());
            assertArrayEquals(new int[] {a.channels(), a.frames()}, decoded.shape());
            assertArrayEquals(decoded.floats(), flatten32(a), "the documented scaling, exactly");
            double diff = maxAbsDiff(flatten(a.samples()), values(npy(clip.get("load").asText())));
            if (isSoxExact(clip)) {
                assertEquals(0.0, diff, "torchaudio.load, exactly");
            } else {
                assertTrue(diff <= 0x1p-24, "torchaudio.load within sox's 24-bit grid: " + diff);
            }
        }));
    }

    private static boolean isSoxExact(JsonNode clip) {
        return Stream.of("u8", "s16", "s24").anyMatch(clip.get("encoding").asText()::equals);
    }

    private static float[] flatten32(Audio a) {
        float[] out = new float[a.channels() * a.frames()];
        for (int c = 0; c < a.channels(); c++) {
            System.arraycopy(a.channel(c), 0, out, c * a.frames(), a.frames());
        }
        return out;
    }
}
