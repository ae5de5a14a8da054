package dev.spikeforge.runtime.audio;

import static dev.spikeforge.runtime.audio.WavBytes.le;
import static dev.spikeforge.runtime.audio.WavBytes.shorts;
import static dev.spikeforge.runtime.audio.WavBytes.wav;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.data.DatasetException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scaling of every sample format (docs/semantics.md section 12.1) and one test per bad-file problem. */
class WavReaderTest {

    private static final Path WHERE = Path.of("clip.wav");

    @TempDir
    Path dir;

    private static Audio read(byte[] b) throws DatasetException {
        return WavReader.read(b, WHERE);
    }

    private static String problem(byte[] b) {
        DatasetException e = assertThrows(DatasetException.class, () -> read(b));
        assertTrue(e.getMessage().startsWith("clip.wav: WAV file "), e.getMessage());
        assertTrue(!e.fix().isBlank(), e.getMessage());
        return e.problem();
    }

    @Test
    void unsignedEightBitIsCentredOn128() throws DatasetException {
        Audio a = read(wav().fmt(1, 1, 8000, 8).data(new byte[] {0, 1, 127, (byte) 128, (byte) 129, (byte) 255}).bytes());
        assertArrayEquals(new float[] {-1f, -127 / 128f, -1 / 128f, 0f, 1 / 128f, 127 / 128f}, a.channel(0));
        assertEquals(8000, a.rate());
    }

    @Test
    void sixteenBitIsOver32768AndChannelsAreInterleaved() throws DatasetException {
        Audio a = read(wav().fmt(1, 2, 16000, 16).data(shorts(-32768, 32767, 1, -1, 0, 16384)).bytes());
        assertEquals(2, a.channels());
        assertEquals(3, a.frames());
        assertArrayEquals(new float[] {-1f, 1 / 32768f, 0f}, a.channel(0));
        assertArrayEquals(new float[] {32767 / 32768f, -1 / 32768f, 0.5f}, a.channel(1));
    }

    @Test
    void twentyFourBitIsOver2To23WithTheSignInTheThirdByte() throws DatasetException {
        byte[] d = {0, 0, (byte) 0x80, (byte) 0xFF, (byte) 0xFF, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x39, 0x30, 0};
        Audio a = read(wav().fmt(1, 1, 44100, 24).data(d).bytes());
        assertArrayEquals(new float[] {-1f, 8388607 / 8388608f, -1 / 8388608f, 12345 / 8388608f}, a.channel(0));
    }

    @Test
    void thirtyTwoBitIsOver2To31RoundedToTheNearestFloat() throws DatasetException {
        int[] v = {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 123456789};
        ByteBuffer b = le(16);
        Arrays.stream(v).forEach(b::putInt);
        Audio a = read(wav().fmt(1, 1, 48000, 32).data(b.array()).bytes());
        assertArrayEquals(new float[] {-1f, 1f, -0x1p-31f, (float) (123456789 / 0x1p31)}, a.channel(0));
    }

    @Test
    void floatsAreReadAsStoredWithoutClipping() throws DatasetException {
        ByteBuffer f = le(16).putFloat(0.5f).putFloat(-2.5f).putFloat(1e-30f).putFloat(Float.MIN_VALUE);
        assertArrayEquals(new float[] {0.5f, -2.5f, 1e-30f, Float.MIN_VALUE},
                read(wav().fmt(3, 1, 8000, 32).data(f.array()).bytes()).channel(0));
        ByteBuffer d = le(24).putDouble(0.1).putDouble(-1.75).putDouble(3e-9);
        assertArrayEquals(new float[] {0.1f, -1.75f, 3e-9f}, read(wav().fmt(3, 1, 8000, 64).data(d.array()).bytes()).channel(0));
    }

    @Test
    void extensibleCarriesThePcmOrFloatCodeInItsSubformat() throws DatasetException {
        assertArrayEquals(new float[] {0.5f, -0.25f},
                read(wav().extensible(1, 1, 16000, 16).data(shorts(16384, -8192)).bytes()).channel(0));
        assertArrayEquals(new float[] {1.5f}, read(wav().extensible(3, 1, 16000, 32).data(le(4).putFloat(1.5f).array()).bytes()).channel(0));
        byte[] guidChanged = wav().extensible(1, 1, 16000, 16).data(shorts(1)).bytes();
        guidChanged[20 + 24 + 15] ^= 1; // the GUID's last byte: fmt body at byte 20, GUID at 24 in it
        assertTrue(problem(guidChanged).contains("not a standard KSDATAFORMAT GUID"));
        assertTrue(problem(wav().extensible(7, 1, 8000, 8).data(new byte[2]).bytes())
                .contains("format 0x0007 (mu-law) with 8-bit samples (in WAVE_FORMAT_EXTENSIBLE)"));
    }

    @Test
    void unknownChunksAndPadBytesAreSkippedAndFmtMayFollowData() throws DatasetException {
        byte[] b = wav()
                .chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'x'}) // odd: a pad byte follows
                .chunk("fact", le(4).putInt(3).array())
                .data(new byte[] {0, (byte) 128, (byte) 255}) // odd data chunk, then its pad byte
                .chunk("junk", new byte[7])
                .fmt(1, 1, 11025, 8)
                .raw(new byte[3]) // trailing bytes too short for a chunk
                .bytes();
        Audio a = read(b);
        assertEquals(11025, a.rate());
        assertArrayEquals(new float[] {-1f, 0f, 127 / 128f}, a.channel(0));
    }

    @Test
    void anyRateAndManyChannels() throws DatasetException {
        short[] frames = new short[6 * 2];
        int[] v = new int[frames.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 1000 - 5000;
        }
        Audio a = read(wav().fmt(1, 6, 7, 16).data(shorts(v)).bytes());
        assertEquals(7, a.rate());
        assertEquals(6, a.channels());
        assertEquals(2, a.frames());
        assertEquals((7 * 1000 - 5000) / 32768f, a.channel(1)[1]);
    }

    @Test
    void notRiffNotWaveAndTooShortAreNamed() {
        assertTrue(problem(new byte[5]).contains("is 5 bytes long, shorter than the 12-byte RIFF/WAVE header"));
        assertTrue(problem(wav().magic("OggS", "WAVE").bytes()).contains("not a RIFF file (it starts with \"OggS\""));
        assertTrue(problem(wav().magic("RIFX", "WAVE").bytes()).contains("big-endian RIFX"));
        assertTrue(problem(wav().magic("RF64", "WAVE").bytes()).contains("RF64"));
        assertTrue(problem(wav().magic("RIFF", "AVI ").bytes()).contains("a RIFF file of type \"AVI \", not \"WAVE\""));
        assertTrue(problem(wav().magic("\0\1\2\3", "WAVE").bytes()).contains("\"\\x00\\x01\\x02\\x03\""));
    }

    @Test
    void missingChunksAreNamed() {
        assertTrue(problem(wav().data(shorts(1)).bytes()).contains("has no fmt chunk (the sample format), only a data chunk"));
        assertTrue(problem(wav().chunk("LIST", new byte[4]).bytes()).contains("has no fmt chunk"));
        assertTrue(problem(wav().fmt(1, 1, 8000, 16).bytes()).contains("has no data chunk"));
    }

    @Test
    void truncationGivesTheDeclaredAndTheFoundBytes() {
        byte[] whole = wav().fmt(1, 1, 8000, 16).data(shorts(1, 2, 3, 4)).bytes();
        assertEquals("WAV file is truncated: the RIFF header declares 52 bytes, the file has 50",
                problem(Arrays.copyOf(whole, 50)));
        byte[] data = wav().fmt(1, 1, 8000, 16).chunk("data", 100, shorts(1, 2)).bytes();
        assertEquals("WAV file is truncated: chunk \"data\" at byte 36 declares 100 bytes, only 4 follow", problem(data));
        byte[] fmt = wav().chunk("fmt ", 16, new byte[10]).bytes();
        assertTrue(problem(fmt).contains("chunk \"fmt \" at byte 12 declares 16 bytes, only 10 follow"));
        byte[] huge = wav().fmt(1, 1, 8000, 16).chunk("data", 0xFFFFFFFFL, shorts(1)).bytes();
        assertTrue(problem(huge).contains("declares 4294967295 bytes, only 2 follow"));
    }

    @Test
    void unsupportedFormatsNameTheFormatAndTheSupportedOnes() {
        String adpcm = problem(wav().fmt(2, 1, 8000, 256, 4).data(new byte[256]).bytes());
        assertTrue(adpcm.contains("has format 0x0002 (Microsoft ADPCM) with 4-bit samples; spikeforge reads 8-bit unsigned,"
                + " 16-, 24- and 32-bit signed PCM (format 1) and 32- and 64-bit float (format 3)"), adpcm);
        assertTrue(problem(wav().fmt(1, 1, 8000, 2, 12).data(new byte[2]).bytes()).contains("format 0x0001 (PCM) with 12-bit samples"));
        assertTrue(problem(wav().fmt(3, 1, 8000, 2, 16).data(new byte[2]).bytes()).contains("0x0003 (IEEE float) with 16-bit"));
        assertTrue(problem(wav().fmt(0x1234, 1, 8000, 16).data(new byte[2]).bytes()).contains("format 0x1234 with 16-bit"));
    }

    @Test
    void impossibleHeaderFieldsAreNamed() {
        assertEquals("WAV file declares 0 channels in its fmt chunk", problem(wav().fmt(1, 0, 8000, 0, 16).data(new byte[2]).bytes()));
        assertTrue(problem(wav().fmt(1, 1, 0, 16).data(new byte[2]).bytes()).contains("sample rate of 0 Hz"));
        assertTrue(problem(wav().fmt(1, 1, -5, 16).data(new byte[2]).bytes()).contains("sample rate of 4294967291 Hz"));
        assertEquals("WAV file declares a block align of 3 bytes, but 2 channels of 16-bit PCM take 4 bytes a frame",
                problem(wav().fmt(1, 2, 8000, 3, 16).data(new byte[6]).bytes()));
        assertTrue(problem(wav().chunk("fmt ", new byte[14]).data(new byte[2]).bytes()).contains("fmt chunk of 14 bytes; it needs at least 16"));
        byte[] shortExtension = wav().chunk("fmt ", le(18).putShort((short) 0xFFFE).putShort((short) 1).putInt(8000)
                .putInt(16000).putShort((short) 2).putShort((short) 16).array()).data(new byte[2]).bytes();
        assertTrue(problem(shortExtension).contains("WAVE_FORMAT_EXTENSIBLE fmt chunk of 18 bytes"));
    }

    @Test
    void emptyAndRaggedDataAreNamed() {
        assertEquals("WAV file has an empty data chunk (0 frames)", problem(wav().fmt(1, 1, 8000, 16).data(new byte[0]).bytes()));
        assertEquals("WAV file has a data chunk of 7 bytes, not a whole number of 4-byte frames (2 channels of 16-bit PCM):"
                + " 3 bytes left over", problem(wav().fmt(1, 2, 8000, 16).data(new byte[7]).bytes()));
    }

    @Test
    void filesPassTheInputGateAndProblemsNameThePath() throws Exception {
        Path missing = dir.resolve("none.wav");
        DatasetException e = assertThrows(DatasetException.class, () -> WavReader.read(missing));
        assertEquals(missing, e.where());
        assertTrue(e.getMessage().contains("no such WAV file"), e.getMessage());
        assertTrue(assertThrows(DatasetException.class, () -> WavReader.read(dir)).getMessage().contains("is a folder"));
        Path bad = Files.write(dir.resolve("bad.wav"), new byte[3]);
        assertTrue(assertThrows(DatasetException.class, () -> WavReader.read(bad)).getMessage().startsWith(bad + ": WAV file is 3 bytes"));
    }
}
