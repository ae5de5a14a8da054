package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.runtime.data.DatasetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavWriterTest {

    @TempDir
    Path dir;

    private static float[][] random(int channels, int frames, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[channels][frames];
        for (float[] c : x) {
            for (int i = 0; i < frames; i++) {
                c[i] = (float) (r.nextDouble() * 2.4 - 1.2); // also beyond full scale
            }
        }
        return x;
    }

    @Test
    void floatFilesReadBackBitForBitAndTheFolderHoldsOnlyTheFile() throws IOException, DatasetException {
        Audio a = new Audio(22050, random(3, 101, 1));
        Path f = dir.resolve("a.wav");
        WavWriter.write(f, a, WavEncoding.FLOAT32);
        assertEquals(a, WavReader.read(f));
        assertEquals(List.of(f), Files.list(dir).toList(), "no temporary file is left");
        assertEquals(44 + 3 * 101 * 4, Files.size(f));
    }

    @Test
    void pcmIsRoundHalfEvenClippedToTheRange() throws DatasetException {
        float[] x = {0.5f, 1.5f / 32768, 2.5f / 32768, 1f, -1f, -2f, 2f, Float.NaN};
        Audio back = WavReader.read(WavWriter.toBytes(Audio.mono(16000, x), WavEncoding.PCM_S16), Path.of("mem"));
        assertArrayEquals(new float[] {0.5f, 2 / 32768f, 2 / 32768f, 32767 / 32768f, -1f, -1f, 32767 / 32768f, 0f}, back.channel(0));
    }

    @Test
    void everyEncodingReadsBackWithinHalfItsStep() throws DatasetException {
        float[][] x = random(2, 257, 2); // odd frame count: 8-bit data needs a pad byte
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < x[c].length; i++) {
                x[c][i] = Math.max(-1f, Math.min(0.99f, x[c][i]));
            }
        }
        for (WavEncoding e : WavEncoding.values()) {
            Audio back = WavReader.read(WavWriter.toBytes(new Audio(8000, x), e), Path.of("mem"));
            double half = e.formatCode() == WavEncoding.IEEE_FLOAT ? 0 : Math.scalb(1.0, -e.bits());
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < x[c].length; i++) {
                    assertEquals(x[c][i], back.channel(c)[i], half + Math.ulp(x[c][i]), e + " " + c + " " + i);
                }
            }
        }
    }
}
