package dev.spikeforge.runtime.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** WAV files built chunk by chunk for tests, with any layout and any (also wrong) header field. */
final class WavBytes {

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private String riff = "RIFF";
    private String form = "WAVE";
    private Long riffSize;

    static WavBytes wav() {
        return new WavBytes();
    }

    WavBytes magic(String riffId, String formType) {
        riff = riffId;
        form = formType;
        return this;
    }

    /** Overrides the RIFF size field (otherwise the body's length). */
    WavBytes riffSize(long size) {
        riffSize = size;
        return this;
    }

    /** A chunk with its true size and a pad byte when odd. */
    WavBytes chunk(String id, byte[] data) {
        return chunk(id, data.length, data);
    }

    /** A chunk whose size field says {@code declared}, followed by {@code data} (and a pad byte when odd). */
    WavBytes chunk(String id, long declared, byte[] data) {
        body.writeBytes(id.getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(le(4).putInt((int) declared).array());
        body.writeBytes(data);
        if (data.length % 2 == 1) {
            body.write(0);
        }
        return this;
    }

    WavBytes fmt(int code, int channels, int rate, int bits) {
        return fmt(code, channels, rate, channels * bits / 8, bits);
    }

    WavBytes fmt(int code, int channels, int rate, int blockAlign, int bits) {
        return chunk("fmt ", le(16).putShort((short) code).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits).array());
    }

    /** A 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk whose subformat GUID carries {@code subCode}. */
    WavBytes extensible(int subCode, int channels, int rate, int bits) {
        int block = channels * bits / 8;
        ByteBuffer b = le(40).putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * block)
                .putShort((short) block).putShort((short) bits).putShort((short) 22).putShort((short) bits)
                .putInt((1 << channels) - 1).putShort((short) subCode).putShort((short) 0);
        b.put(new byte[] {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", b.array());
    }

    WavBytes data(byte[] samples) {
        return chunk("data", samples);
    }

    /** Raw bytes appended to the body as they are. */
    WavBytes raw(byte[] bytes) {
        body.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        byte[] b = body.toByteArray();
        ByteBuffer out = le(12 + b.length);
        out.put(riff.getBytes(StandardCharsets.ISO_8859_1));
        out.putInt((int) (riffSize != null ? riffSize : 4 + b.length));
        out.put(form.getBytes(StandardCharsets.ISO_8859_1));
        out.put(b);
        return out.array();
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] shorts(int... v) {
        ByteBuffer b = le(2 * v.length);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }
}
