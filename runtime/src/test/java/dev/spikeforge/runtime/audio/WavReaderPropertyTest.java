package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.data.DatasetException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * No byte sequence makes {@link WavReader} throw anything but {@link DatasetException}: valid files
 * of every encoding, with extra chunks, are truncated, have bytes flipped and header fields
 * overwritten, and each result is either a valid {@link Audio} or one clean problem report.
 */
class WavReaderPropertyTest {

    private static final Path WHERE = Path.of("m.wav");

    /** A valid file: random samples, encoding, channels, rate, and optionally LIST/fact chunks. */
    @Provide
    Arbitrary<byte[]> validWavs() {
        return Combinators.combine(Arbitraries.of(WavEncoding.values()), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 40), Arbitraries.longs(), Arbitraries.integers().between(0, 3))
                .as((encoding, channels, frames, seed, extras) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    float[][] x = new float[channels][frames];
                    for (float[] c : x) {
                        for (int i = 0; i < frames; i++) {
                            c[i] = (float) (r.nextDouble() * 2 - 1);
                        }
                    }
                    byte[] plain = WavWriter.toBytes(new Audio(1 + r.nextInt(200_000), x), encoding);
                    return extras == 0 ? plain : withExtraChunks(plain, extras, r);
                });
    }

    /** Moves the data chunk behind the fmt chunk's neighbours: a LIST (odd size) and a fact chunk. */
    private static byte[] withExtraChunks(byte[] plain, int extras, SplittableRandom r) {
        WavBytes w = WavBytes.wav();
        byte[] list = new byte[1 + 2 * r.nextInt(5)];
        r.nextBytes(list);
        if ((extras & 1) != 0) {
            w.chunk("LIST", list);
        }
        w.raw(java.util.Arrays.copyOfRange(plain, 12, 36));
        if ((extras & 2) != 0) {
            w.chunk("fact", new byte[] {1, 0, 0, 0});
        }
        return w.raw(java.util.Arrays.copyOfRange(plain, 36, plain.length)).bytes();
    }

    @Property(tries = 300)
    void validFilesReadAndTheirFramesMatchTheirSize(@ForAll("validWavs") byte[] wav) throws DatasetException {
        Audio a = WavReader.read(wav, WHERE);
        assertTrue(a.frames() >= 1 && a.channels() >= 1);
    }

    @Property(tries = 1000)
    void truncatedFilesAreRefusedCleanly(@ForAll("validWavs") byte[] wav, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] shorter = java.util.Arrays.copyOf(wav, Math.min(cut, wav.length - 1));
        assertOnlyCleanOutcomes(shorter);
    }

    @Property(tries = 2000)
    void flippedBytesGiveAudioOrOneProblem(@ForAll("validWavs") byte[] wav, @ForAll List<@IntRange(min = 0, max = 100) Integer> at,
            @ForAll long seed) {
        byte[] b = wav.clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i : at) {
            // mostly the 44 header bytes, where every field lives
            int pos = r.nextInt(4) == 0 ? r.nextInt(b.length) : Math.min(i % 48, b.length - 1);
            b[pos] = (byte) r.nextInt(256);
        }
        assertOnlyCleanOutcomes(b);
    }

    @Property(tries = 1000)
    void headerFieldsOverwrittenWithAnyValue(@ForAll("validWavs") byte[] wav, @ForAll @IntRange(min = 0, max = 22) int field,
            @ForAll int value) {
        byte[] b = wav.clone();
        int pos = 2 * field; // every 16-bit boundary of the first 46 bytes
        for (int k = 0; k < 4 && pos + k < b.length; k++) {
            b[pos + k] = (byte) (value >>> 8 * k);
        }
        assertOnlyCleanOutcomes(b);
    }

    @Property(tries = 500)
    void randomBytesBehindAValidHeader(@ForAll("validWavs") byte[] wav, @ForAll byte[] tail) {
        byte[] b = java.util.Arrays.copyOf(wav, 12 + tail.length);
        System.arraycopy(tail, 0, b, 12, tail.length);
        assertOnlyCleanOutcomes(b);
    }

    private static void assertOnlyCleanOutcomes(byte[] b) {
        try {
            Audio a = WavReader.read(b, WHERE);
            assertTrue(a.rate() >= 1 && a.channels() >= 1 && a.frames() >= 1, a.toString());
            assertEquals(a.channels(), a.samples().length);
        } catch (DatasetException e) {
            assertTrue(e.getMessage().startsWith("m.wav: WAV file "), e.getMessage());
            assertTrue(!e.problem().isBlank() && !e.fix().isBlank(), e.getMessage());
        }
        // anything else (IndexOutOfBounds, NegativeArraySize, OutOfMemory...) escapes and fails the property
    }
}
