package dev.spikeforge.runtime.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The NumPy .npy format (numpy/lib/format.py, NEP 1): a 6-byte magic {@code \x93NUMPY}, a
 * version, a little-endian header length, a Python dict header padded with spaces and a newline
 * so that the data starts at a multiple of 64 bytes, then the elements in C order.
 *
 * <p>Writes version 1.0 byte for byte as numpy 1.24 does (NpyTest holds numpy's own bytes as
 * goldens). Reads versions 1.0, 2.0 (4-byte header length) and 3.0 (UTF-8 header), and checks
 * everything: the magic, the version, the header keys, C order, a supported little-endian dtype,
 * and that the data is exactly as long as the shape says.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic, two version bytes and the 2-byte header length of version 1.0. */
    private static final int PREFIX_V1 = MAGIC.length + 2 + 2;
    /** numpy's ARRAY_ALIGN: data starts on a 64-byte boundary so that it can be memory-mapped. */
    private static final int ARRAY_ALIGN = 64;
    /**
     * Longest header read. The header of any array of a supported dtype is under 1 KiB (rank is at
     * most 32); numpy itself refuses headers over 10,000 bytes by default.
     */
    private static final int MAX_HEADER_BYTES = 65_535;

    private Npy() {
    }

    /** The preamble of a version 1.0 file: magic, version, header length and padded header. */
    public static byte[] preamble(DType dtype, int[] shape) {
        NdArray.checkShape(dtype, shape);
        byte[] dict = NpyHeader.dictText(dtype, shape).getBytes(StandardCharsets.US_ASCII);
        // As numpy's _wrap_header: the header counts its final newline, and the padding is between
        // 1 and 64 spaces (64 when already aligned), never 0.
        int headerLength = dict.length + 1;
        int padding = ARRAY_ALIGN - (PREFIX_V1 + headerLength) % ARRAY_ALIGN;
        int total = headerLength + padding;
        byte[] out = new byte[PREFIX_V1 + total];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) total;
        out[9] = (byte) (total >>> 8);
        System.arraycopy(dict, 0, out, PREFIX_V1, dict.length);
        for (int i = PREFIX_V1 + dict.length; i < out.length - 1; i++) {
            out[i] = ' ';
        }
        out[out.length - 1] = '\n';
        return out;
    }

    /** Writes one array as a version 1.0 .npy. */
    public static void write(NdArray array, OutputStream out) throws IOException {
        out.write(preamble(array.dtype(), array.shape()));
        out.write(array.littleEndianData());
    }

    /** The whole .npy file of one array. */
    public static byte[] toBytes(NdArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(array, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads a .npy held in memory. */
    public static NdArray fromBytes(byte[] npy) throws NpyFormatException {
        try {
            return read(new ByteArrayInputStream(npy), npy.length);
        } catch (NpyFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    /** Reads one .npy from a stream of unknown length that holds one array and nothing after it. */
    public static NdArray read(InputStream in) throws IOException {
        return read(in, -1);
    }

    /**
     * Reads one .npy from a stream that holds exactly one array and nothing after it.
     *
     * @param length the stream's length in bytes when known (a zip entry's size), else -1; when
     *        known, a wrong data length is reported before any data is allocated
     * @throws NpyFormatException when the bytes are not a supported, well-formed .npy
     * @throws IOException when the stream itself fails
     */
    public static NdArray read(InputStream in, long length) throws IOException {
        byte[] start = in.readNBytes(MAGIC.length + 2);
        if (start.length < MAGIC.length || !startsWithMagic(start)) {
            throw new NpyFormatException("does not start with the .npy magic \\x93NUMPY (first bytes: "
                    + hex(start) + ")");
        }
        if (start.length < MAGIC.length + 2) {
            throw new NpyFormatException("ends after " + start.length + " bytes, inside the .npy preamble");
        }
        int major = start[6] & 0xFF;
        int minor = start[7] & 0xFF;
        int lengthBytes = headerLengthBytes(major, minor);
        byte[] len = readExactly(in, lengthBytes, "header length");
        long headerLength = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLength = headerLength << 8 | (len[i] & 0xFF);
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException("header length is " + headerLength + " bytes, more than any supported array needs ("
                    + MAX_HEADER_BYTES + "); the file is corrupt");
        }
        byte[] headerBytes = readExactly(in, (int) headerLength, "header");
        String text = new String(headerBytes, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text);
        return new NdArrayReader(header, MAGIC.length + 2 + lengthBytes + headerLength).read(in, length);
    }

    private static int headerLengthBytes(int major, int minor) throws NpyFormatException {
        if (major == 1 && minor == 0) {
            return 2;
        }
        if ((major == 2 || major == 3) && minor == 0) {
            return 4;
        }
        throw new NpyFormatException("is .npy version " + major + "." + minor
                + "; spikeforge reads versions 1.0, 2.0 and 3.0");
    }

    private static boolean startsWithMagic(byte[] b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readExactly(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new NpyFormatException("ends inside the .npy " + what + " (" + b.length + " of " + n + " bytes)");
        }
        return b;
    }

    static String hex(byte[] b) {
        if (b.length == 0) {
            return "none, it is empty";
        }
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }

    /** The data part: exactly as many bytes as the header's shape and dtype say. */
    private static final class NdArrayReader {
        private final NpyHeader header;
        private final long preambleLength;

        NdArrayReader(NpyHeader header, long preambleLength) {
            this.header = header;
            this.preambleLength = preambleLength;
        }

        NdArray read(InputStream in, long length) throws IOException {
            long expected;
            try {
                expected = NdArray.checkShape(header.dtype, header.shape);
            } catch (IllegalArgumentException e) {
                throw new NpyFormatException("header shape is unusable: " + e.getMessage());
            }
            if (length >= 0 && length - preambleLength != expected) {
                throw wrongLength(expected, Math.max(0, length - preambleLength));
            }
            byte[] data = length >= 0 ? readKnown(in, (int) expected) : in.readNBytes((int) expected);
            if (data.length < expected) {
                throw wrongLength(expected, data.length);
            }
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) {
                throw wrongLength(expected, expected + extra);
            }
            try {
                return NdArray.wrap(header.dtype, header.shape, data);
            } catch (IllegalArgumentException e) {
                throw new NpyFormatException("data is invalid: " + e.getMessage());
            }
        }

        /**
         * The length was checked against the stream's, so the buffer is allocated once at its
         * final size (readNBytes(int) would grow it in chunks, holding the data twice).
         */
        private static byte[] readKnown(InputStream in, int n) throws IOException {
            byte[] data = new byte[n];
            int got = in.readNBytes(data, 0, n);
            return got == n ? data : Arrays.copyOf(data, got);
        }

        private NpyFormatException wrongLength(long expected, long actual) {
            String what = actual < expected ? "data is truncated" : "data is longer than its shape";
            return new NpyFormatException(what + ": shape " + NdArray.shapeString(header.shape) + " of "
                    + header.dtype.numpyName() + " needs " + expected + " bytes, found " + actual);
        }
    }
}
