package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.runtime.data.DatasetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a RIFF/WAVE file into {@link Audio}. The file is
 *
 * <pre>
 *   "RIFF" size:u32 "WAVE" chunk*          chunk = id:4 size:u32 body[size] (pad byte when size is odd)
 *   "fmt " format:u16 channels:u16 rate:u32 byteRate:u32 blockAlign:u16 bits:u16 [cbSize:u16 extension]
 *   "data" frames of blockAlign = channels * bits / 8 bytes, channels interleaved
 * </pre>
 *
 * all little-endian. Formats: {@link WavEncoding} (PCM 1 and IEEE float 3, or
 * WAVE_FORMAT_EXTENSIBLE 0xFFFE whose subformat GUID carries one of them), any number of channels,
 * any rate. Other chunks (LIST, fact, cue, ...) are skipped, with their pad byte; the first fmt and
 * the first data chunk are used. The byte-rate field is not checked (writers get it wrong and
 * nothing depends on it), nor are the extension's valid bits and channel mask.
 *
 * <p>Every problem is one {@link DatasetException} that names the chunk, the expected and the
 * found numbers and a fix; no byte sequence makes it throw anything else ({@code WavReaderPropertyTest}).
 */
public final class WavReader {

    /** Largest file read: 1 GiB (a RIFF file is at most 4 GiB; samples live in Java arrays). */
    public static final long MAX_FILE_BYTES = 1L << 30;
    private static final String WHAT = "WAV file";
    /** The tail of every KSDATAFORMAT_SUBTYPE GUID, after its 16-bit format code and two zero bytes. */
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38,
        (byte) 0x9B, 0x71};
    private static final String REENCODE = "convert it to a plain WAV, for example `sox in.wav -e signed -b 16 out.wav`"
            + " or `ffmpeg -i in.wav -c:a pcm_s16le out.wav`";
    private static final String CUT_SHORT = "the file was cut short (an interrupted copy or download); copy it again,"
            + " or re-encode it if it was written as a stream: " + REENCODE;

    private WavReader() {
    }

    /** Reads the WAV file at {@code file} (a regular file of at most {@link #MAX_FILE_BYTES}). */
    public static Audio read(Path file) throws DatasetException {
        byte[] bytes;
        try {
            bytes = InputFiles.read(file, WHAT, MAX_FILE_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw new DatasetException(e.file(), e.problem(), e.help(), e);
        }
        return read(bytes, file);
    }

    /** Reads a WAV file held in memory; {@code where} names it in messages. */
    public static Audio read(byte[] bytes, Path where) throws DatasetException {
        return new Parse(bytes, where).audio();
    }

    /** One pass over the bytes of one file. */
    private static final class Parse {
        private final byte[] b;
        private final Path where;
        private int fmtAt = -1;
        private long fmtSize;
        private int dataAt = -1;
        private long dataSize;

        Parse(byte[] b, Path where) {
            this.b = b;
            this.where = where;
        }

        Audio audio() throws DatasetException {
            long end = header();
            chunks(end);
            if (fmtAt < 0) {
                throw problem("has no fmt chunk (the sample format), only " + (dataAt < 0 ? "other chunks" : "a data chunk"),
                        "the file is not a complete WAV file; " + REENCODE);
            }
            Format f = format();
            if (dataAt < 0) {
                throw problem("has no data chunk (the samples)", "the file holds no audio; " + REENCODE);
            }
            return samples(f);
        }

        /** Checks "RIFF" size "WAVE"; returns where the RIFF body ends. */
        private long header() throws DatasetException {
            if (b.length < 12) {
                throw problem("is " + b.length + " bytes long, shorter than the 12-byte RIFF/WAVE header",
                        "this is not a WAV file, or it was cut short; give a .wav file");
            }
            String riff = fourCc(0);
            if (!riff.equals("RIFF")) {
                String why = riff.equals("RIFX") ? "a big-endian RIFX file, which is not read"
                        : riff.equals("RF64") ? "an RF64 (64-bit) WAV file, which is not read"
                        : "not a RIFF file (it starts with " + quoted(riff) + ", not \"RIFF\")";
                throw problem("is " + why, "give a little-endian RIFF/WAVE file; " + REENCODE);
            }
            String form = fourCc(8);
            if (!form.equals("WAVE")) {
                throw problem("is a RIFF file of type " + quoted(form) + ", not \"WAVE\"", "give a .wav file; " + REENCODE);
            }
            long declared = u32(4) + 8;
            if (declared > b.length) {
                throw problem(String.format(Locale.ROOT, "is truncated: the RIFF header declares %d bytes, the file has %d",
                        declared, b.length), CUT_SHORT);
            }
            return declared;
        }

        /** Finds the first fmt and data chunks between byte 12 and {@code end}. */
        private void chunks(long end) throws DatasetException {
            long at = 12;
            while (end - at >= 8) {
                String id = fourCc((int) at);
                long size = u32((int) at + 4);
                long body = at + 8;
                if (size > end - body) {
                    throw problem(String.format(Locale.ROOT, "is truncated: chunk %s at byte %d declares %d bytes,"
                            + " only %d follow", quoted(id), at, size, end - body), CUT_SHORT);
                }
                if (id.equals("fmt ") && fmtAt < 0) {
                    fmtAt = (int) body;
                    fmtSize = size;
                } else if (id.equals("data") && dataAt < 0) {
                    dataAt = (int) body;
                    dataSize = size;
                }
                at = body + size + (size & 1); // the pad byte of an odd chunk; a missing last one is no loss
            }
            // fewer than 8 bytes left cannot hold a chunk: trailing padding some writers leave
        }

        private Format format() throws DatasetException {
            if (fmtSize < 16) {
                throw problem("has a fmt chunk of " + fmtSize + " bytes; it needs at least 16", "the header is damaged; " + REENCODE);
            }
            int code = u16(fmtAt);
            int channels = u16(fmtAt + 2);
            long rate = u32(fmtAt + 4);
            int blockAlign = u16(fmtAt + 12);
            int bits = u16(fmtAt + 14);
            String container = "";
            if (code == WavEncoding.EXTENSIBLE) {
                code = extensibleSubformat();
                container = " (in WAVE_FORMAT_EXTENSIBLE)";
            }
            WavEncoding encoding = WavEncoding.of(code, bits);
            if (encoding == null) {
                throw problem("has format " + formatName(code) + " with " + bits + "-bit samples" + container
                        + "; spikeforge reads " + WavEncoding.supported(), REENCODE);
            }
            if (channels == 0) {
                throw problem("declares 0 channels in its fmt chunk", "the header is damaged; " + REENCODE);
            }
            if (rate == 0 || rate > Integer.MAX_VALUE) {
                throw problem("declares a sample rate of " + rate + " Hz in its fmt chunk; it must be 1 to "
                        + Integer.MAX_VALUE, "the header is damaged; " + REENCODE);
            }
            int expected = channels * encoding.bytes();
            if (blockAlign != expected) {
                throw problem(String.format(Locale.ROOT, "declares a block align of %d bytes, but %d channels of %s"
                        + " take %d bytes a frame", blockAlign, channels, encoding.describe(), expected),
                        "the header is damaged; " + REENCODE);
            }
            return new Format(encoding, channels, (int) rate, blockAlign);
        }

        /** The format code inside a WAVE_FORMAT_EXTENSIBLE fmt chunk's subformat GUID. */
        private int extensibleSubformat() throws DatasetException {
            if (fmtSize < 40 || u16(fmtAt + 16) < 22) {
                throw problem("has a WAVE_FORMAT_EXTENSIBLE fmt chunk of " + fmtSize + " bytes (extension "
                        + (fmtSize >= 18 ? u16(fmtAt + 16) : 0) + " bytes); it needs 40 (an extension of 22)",
                        "the header is damaged; " + REENCODE);
            }
            int guid = fmtAt + 24;
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (b[guid + 4 + i] != GUID_TAIL[i] || u16(guid + 2) != 0) {
                    throw problem("has a WAVE_FORMAT_EXTENSIBLE subformat that is not a standard KSDATAFORMAT GUID",
                            "spikeforge reads " + WavEncoding.supported() + "; " + REENCODE);
                }
            }
            return u16(guid);
        }

        private Audio samples(Format f) throws DatasetException {
            if (dataSize == 0) {
                throw problem("has an empty data chunk (0 frames)", "give a file that holds audio");
            }
            if (dataSize % f.blockAlign != 0) {
                throw problem(String.format(Locale.ROOT, "has a data chunk of %d bytes, not a whole number of %d-byte"
                        + " frames (%d channels of %s): %d bytes left over", dataSize, f.blockAlign, f.channels,
                        f.encoding.describe(), dataSize % f.blockAlign), CUT_SHORT);
            }
            int frames = (int) (dataSize / f.blockAlign);
            int step = f.encoding.bytes();
            float[][] out = new float[f.channels][frames];
            for (int i = 0, at = dataAt; i < frames; i++) {
                for (int c = 0; c < f.channels; c++, at += step) {
                    out[c][i] = f.encoding.decode(b, at);
                }
            }
            return new Audio(f.rate, out);
        }

        private DatasetException problem(String what, String fix) {
            return new DatasetException(where, "WAV file " + what, fix);
        }

        private String fourCc(int at) {
            return new String(b, at, 4, StandardCharsets.ISO_8859_1);
        }

        private int u16(int at) {
            return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8;
        }

        private long u32(int at) {
            return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
        }
    }

    private record Format(WavEncoding encoding, int channels, int rate, int blockAlign) {
    }

    /** The name of a WAVE format code, for messages. */
    static String formatName(int code) {
        String name = switch (code) {
            case 1 -> "PCM";
            case 2 -> "Microsoft ADPCM";
            case 3 -> "IEEE float";
            case 6 -> "A-law";
            case 7 -> "mu-law";
            case 0x11 -> "IMA ADPCM";
            case 0x31 -> "GSM 6.10";
            case 0x55 -> "MPEG layer 3";
            case 0xFFFE -> "WAVE_FORMAT_EXTENSIBLE";
            default -> null;
        };
        String hex = String.format(Locale.ROOT, "0x%04X", code);
        return name == null ? hex : hex + " (" + name + ")";
    }

    /** A four-character code as printable text: other bytes as \xNN. */
    private static String quoted(String fourCc) {
        StringBuilder s = new StringBuilder("\"");
        for (char ch : fourCc.toCharArray()) {
            s.append(ch >= 0x20 && ch < 0x7F ? String.valueOf(ch) : String.format(Locale.ROOT, "\\x%02X", (int) ch));
        }
        return s.append('"').toString();
    }
}
