package dev.spikeforge.runtime.audio;

/**
 * The sample formats of a WAV file that spikeforge reads, each with its scaling to full scale
 * [-1, 1] (little-endian integers, v the stored value):
 *
 * <pre>
 *   PCM_U8    8-bit unsigned   x = (v - 128) / 128          exact in float
 *   PCM_S16  16-bit signed     x = v / 2^15                 exact in float
 *   PCM_S24  24-bit signed     x = v / 2^23                 exact in float
 *   PCM_S32  32-bit signed     x = v / 2^31                 rounded to the nearest float
 *   FLOAT32  IEEE 754 binary32 x = v                        as stored, not clipped
 *   FLOAT64  IEEE 754 binary64 x = v                        rounded to the nearest float, not clipped
 * </pre>
 *
 * These are soundfile's (libsndfile's) rules and torchaudio.load's for 8, 16 and 24 bits. torchaudio
 * 0.13's sox_io backend differs for the last three: it passes every sample through a 32-bit integer
 * and back, x = ((v + 64) &amp; ~127) / 2^31 (a 24-bit grid, values above 2^31 - 65 read as 1.0), and
 * clips floats to [-1, 1] on the way (docs/semantics.md section 12).
 */
public enum WavEncoding {
    PCM_U8(WavEncoding.PCM, 8),
    PCM_S16(WavEncoding.PCM, 16),
    PCM_S24(WavEncoding.PCM, 24),
    PCM_S32(WavEncoding.PCM, 32),
    FLOAT32(WavEncoding.IEEE_FLOAT, 32),
    FLOAT64(WavEncoding.IEEE_FLOAT, 64);

    /** WAVE_FORMAT_PCM. */
    public static final int PCM = 1;
    /** WAVE_FORMAT_IEEE_FLOAT. */
    public static final int IEEE_FLOAT = 3;
    /** WAVE_FORMAT_EXTENSIBLE: the real format code is the first two bytes of the subformat GUID. */
    public static final int EXTENSIBLE = 0xFFFE;

    private final int formatCode;
    private final int bits;

    WavEncoding(int formatCode, int bits) {
        this.formatCode = formatCode;
        this.bits = bits;
    }

    /** The fmt chunk's format code: 1 (PCM) or 3 (IEEE float). */
    public int formatCode() {
        return formatCode;
    }

    public int bits() {
        return bits;
    }

    public int bytes() {
        return bits / 8;
    }

    /** The encoding of a format code and bit depth, or null when spikeforge does not read it. */
    static WavEncoding of(int formatCode, int bits) {
        for (WavEncoding e : values()) {
            if (e.formatCode == formatCode && e.bits == bits) {
                return e;
            }
        }
        return null;
    }

    /** What a person calls it: "16-bit PCM", "32-bit float". */
    public String describe() {
        return bits + "-bit " + (formatCode == PCM ? (bits == 8 ? "unsigned PCM" : "PCM") : "float");
    }

    /** Every format read, for messages. */
    static String supported() {
        return "8-bit unsigned, 16-, 24- and 32-bit signed PCM (format 1) and 32- and 64-bit float (format 3),"
                + " plain or as WAVE_FORMAT_EXTENSIBLE";
    }

    /** The sample stored little-endian at {@code b[at]}, scaled as the table above says. */
    float decode(byte[] b, int at) {
        switch (this) {
            case PCM_U8:
                return ((b[at] & 0xFF) - 128) / 128f;
            case PCM_S16:
                return (short) (b[at] & 0xFF | b[at + 1] << 8) / 32768f;
            case PCM_S24:
                // the third byte carries the sign
                return (b[at] & 0xFF | (b[at + 1] & 0xFF) << 8 | b[at + 2] << 16) / 8388608f;
            case PCM_S32:
                return (float) (int32(b, at) / 2147483648.0);
            case FLOAT32:
                return Float.intBitsToFloat(int32(b, at));
            case FLOAT64:
                return (float) Double.longBitsToDouble(int32(b, at) & 0xFFFFFFFFL | (long) int32(b, at + 4) << 32);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Writes {@code x} at {@code b[at]}: floats as they are (FLOAT64 widened exactly), integers as
     * round-half-even(x * 2^(bits-1)) clipped to the format's range (8-bit then offset by 128).
     */
    void encode(float x, byte[] b, int at) {
        switch (this) {
            case FLOAT32 -> putLittleEndian(Float.floatToRawIntBits(x), 4, b, at);
            case FLOAT64 -> putLittleEndian(Double.doubleToRawLongBits(x), 8, b, at);
            default -> {
                double scale = Math.scalb(1.0, bits - 1);
                long v = (long) Math.max(-scale, Math.min(scale - 1, Math.rint(x * scale)));
                putLittleEndian(this == PCM_U8 ? v + 128 : v, bytes(), b, at);
            }
        }
    }

    private static int int32(byte[] b, int at) {
        return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | b[at + 3] << 24;
    }

    private static void putLittleEndian(long v, int n, byte[] b, int at) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> 8 * i);
        }
    }
}
