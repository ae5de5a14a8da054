package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes {@link Audio} as a plain RIFF/WAVE file: a 16-byte fmt chunk (format 1 or 3, no
 * extension) and one data chunk, nothing else. Samples are encoded as {@link WavEncoding#encode}
 * says: 16-bit PCM as round-half-even(x * 32768) clipped to [-32768, 32767], float32 as it is, so
 * float32 files read back bit for bit and 16-bit files whose samples are multiples of 2^-15 too.
 * The file is written atomically ({@link AtomicFiles}: a temporary file, then a rename).
 */
public final class WavWriter {

    private WavWriter() {
    }

    /** Writes {@code audio} to {@code file} in {@code encoding}, atomically. */
    public static void write(Path file, Audio audio, WavEncoding encoding) throws IOException {
        AtomicFiles.write(file, toBytes(audio, encoding));
    }

    /** The bytes of the WAV file {@link #write} writes. */
    public static byte[] toBytes(Audio audio, WavEncoding encoding) {
        int channels = audio.channels();
        int blockAlign = channels * encoding.bytes();
        long dataBytes = (long) audio.frames() * blockAlign;
        if (channels > 0xFFFF || blockAlign > 0xFFFF || 36 + dataBytes + (dataBytes & 1) > 0xFFFFFFFFL
                || 44 + dataBytes + 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("wav writer: " + audio + " in " + encoding.describe()
                    + " does not fit one RIFF/WAVE file (at most 65,535 channels and 2 GiB here)");
        }
        int pad = (int) (dataBytes & 1);
        byte[] b = new byte[(int) (44 + dataBytes + pad)];
        ascii(b, 0, "RIFF");
        int32(b, 4, (int) (36 + dataBytes + pad));
        ascii(b, 8, "WAVE");
        ascii(b, 12, "fmt ");
        int32(b, 16, 16);
        int16(b, 20, encoding.formatCode());
        int16(b, 22, channels);
        int32(b, 24, audio.rate());
        int32(b, 28, audio.rate() * blockAlign);
        int16(b, 32, blockAlign);
        int16(b, 34, encoding.bits());
        ascii(b, 36, "data");
        int32(b, 40, (int) dataBytes);
        float[][] x = audio.samples();
        int at = 44;
        for (int i = 0; i < audio.frames(); i++) {
            for (int c = 0; c < channels; c++, at += encoding.bytes()) {
                encoding.encode(x[c][i], b, at);
            }
        }
        return b;
    }

    private static void ascii(byte[] b, int at, String s) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) s.charAt(i);
        }
    }

    private static void int16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static void int32(byte[] b, int at, int v) {
        int16(b, at, v);
        int16(b, at + 2, v >>> 16);
    }
}
