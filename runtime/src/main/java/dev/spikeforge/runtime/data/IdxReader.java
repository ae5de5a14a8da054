package dev.spikeforge.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads one IDX file, the format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE"
 * page): two zero bytes, an element-type byte, a dimension-count byte, one big-endian 32-bit
 * size per dimension, then the elements in row-major order. A file may be gzipped; that is told
 * by its first two bytes (0x1f 0x8b, RFC 1952), not by its name, because downloads and
 * package managers rename files but do not change their contents.
 *
 * <p>Every way a file can be wrong is a {@link DatasetException} naming the file, the expected
 * and found numbers, and a fix; every I/O error is wrapped into one.
 */
public final class IdxReader {

    /** The only element type spikeforge reads: unsigned bytes, as pixels and labels are stored. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** Labels have one dimension, images three; four leaves room for N x C x H x W. */
    public static final int MAX_RANK = 4;
    /** The longest Java byte array the JVMs in use allocate (Integer.MAX_VALUE less headroom). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static final String REINSTALL = "re-download or reinstall the dataset";
    /** Data arrays grow up to this before the file shows it really holds that much. */
    private static final int FIRST_CHUNK = 64 << 20;

    private IdxReader() {
    }

    public static IdxArray read(Path file) throws DatasetException {
        DataFiles.check(file);
        boolean gzip = false;
        try (InputStream raw = Files.newInputStream(file)) {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            gzip = startsWithGzipMagic(buffered);
            InputStream in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            return new Parse(file, gzip, in).array();
        } catch (NoSuchFileException e) {
            throw new DatasetException(file, "no such file", "check the path", e);
        } catch (AccessDeniedException e) {
            throw new DatasetException(file, "cannot be read: permission denied",
                    "make the file readable by this user", e);
        } catch (ZipException e) {
            throw new DatasetException(file, "corrupt gzip stream (" + e.getMessage() + "): the file starts "
                    + "with the gzip signature 1f 8b but does not decompress or fails its checksum", REINSTALL, e);
        } catch (EOFException e) {
            // Only a gzip stream throws this: plain reads report their end with -1 and Parse counts it.
            throw new DatasetException(file, "truncated gzip stream: it ends before the gzip end-of-data "
                    + "marker, so the file was cut short", REINSTALL, e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot be read" + (gzip ? " (gzip)" : "") + ": " + describe(e),
                    "check the file and the disk", e);
        }
    }

    static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static boolean startsWithGzipMagic(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    /** The steps of reading one file, each a check with its own message. */
    private static final class Parse {

        private final Path file;
        private final String after;
        private final InputStream in;
        private String cut = "";

        Parse(Path file, boolean gzip, InputStream in) {
            this.file = file;
            this.after = gzip ? " (after gunzip)" : "";
            this.in = in;
        }

        IdxArray array() throws IOException, DatasetException {
            byte[] head = in.readNBytes(4);
            checkMagic(head);
            int rank = head[3] & 0xFF;
            if (rank < 1 || rank > MAX_RANK) {
                throw fail("the header declares " + rank + " dimensions; spikeforge reads IDX arrays of 1 to "
                        + MAX_RANK + " dimensions (labels 1, images 3)", "the file is damaged; " + REINSTALL);
            }
            long[] sizes = readSizes(rank);
            int elements = checkSizes(sizes);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = (int) sizes[i];
            }
            return IdxArray.owning(dims, readData(sizes, elements));
        }

        private void checkMagic(byte[] head) throws DatasetException {
            if (head.length == 0) {
                throw fail(after.isEmpty() ? "empty file (0 bytes)" : "empty file (0 bytes after gunzip)", REINSTALL);
            }
            if (head.length < 4) {
                throw fail("too short for an IDX header: the file holds " + head.length + " bytes" + after
                        + ", the header needs at least 4", REINSTALL);
            }
            if (head[0] != 0 || head[1] != 0) {
                throw fail("not an IDX file: an IDX file starts with two zero bytes, this one starts with "
                        + hex(head[0]) + " " + hex(head[1]) + after + looksLike(head),
                        "check that the path names an IDX file (the MNIST format), or " + REINSTALL);
            }
            int type = head[2] & 0xFF;
            if (type != UNSIGNED_BYTE) {
                String name = typeName(type);
                if (name == null) {
                    throw fail("not an IDX file: element type byte " + hex(head[2])
                            + " is none of the IDX types 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E",
                            "the file is damaged; " + REINSTALL);
                }
                throw fail("unsupported IDX element type " + hex(head[2]) + " (" + name + ")",
                        "spikeforge reads unsigned-byte IDX files (type 0x08); store the values as bytes 0..255");
            }
        }

        private long[] readSizes(int rank) throws IOException, DatasetException {
            byte[] raw = in.readNBytes(4 * rank);
            if (raw.length < 4 * rank) {
                throw fail("too short for its IDX header: " + rank + " dimensions need a " + (4 + 4 * rank)
                        + "-byte header but the file holds " + (4 + raw.length) + " bytes" + after, REINSTALL);
            }
            long[] sizes = new long[rank];
            for (int i = 0; i < rank; i++) {
                // Sizes are unsigned: a size of 2^31 or more is "too large", not "negative".
                sizes[i] = ((raw[4 * i] & 0xFFL) << 24) | ((raw[4 * i + 1] & 0xFFL) << 16)
                        | ((raw[4 * i + 2] & 0xFFL) << 8) | (raw[4 * i + 3] & 0xFFL);
            }
            return sizes;
        }

        /** The number of elements, once every size is >= 1 and their product fits one array. */
        private int checkSizes(long[] sizes) throws DatasetException {
            for (int i = 0; i < sizes.length; i++) {
                if (sizes[i] == 0) {
                    throw fail("the header declares size 0 for dimension " + (i + 1) + " of " + sizes.length
                            + " (" + shape(sizes) + "); every size must be at least 1",
                            "the file is damaged or empty; " + REINSTALL);
                }
            }
            long product = 1;
            for (long s : sizes) {
                product *= s;
                // Each size is below 2^32 and the product so far at most MAX_ELEMENTS: no overflow.
                if (product > MAX_ELEMENTS) {
                    throw fail("the header declares " + shape(sizes) + " elements, more than the "
                            + MAX_ELEMENTS + " bytes one Java array can hold",
                            "the header is damaged (" + REINSTALL + "), or split the data into smaller files");
                }
            }
            return (int) product;
        }

        private byte[] readData(long[] sizes, int expected) throws IOException, DatasetException {
            // Grow towards the declared size instead of trusting it: a damaged header must not make
            // us allocate gigabytes before the file turns out to be short.
            byte[] data = new byte[Math.min(expected, FIRST_CHUNK)];
            int n = 0;
            while (n < expected) {
                if (n == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(expected, 2L * data.length));
                }
                int r = readSome(data, n);
                if (r < 0) {
                    throw fail("truncated: the header declares " + declared(sizes, expected)
                            + " but the file holds " + n + after + cut, REINSTALL);
                }
                n += r;
            }
            // Reading on to the end also makes GZIPInputStream check the stream's CRC and length.
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) {
                throw fail("trailing bytes: the header declares " + declared(sizes, expected)
                        + " but the file holds " + (expected + extra) + after + ", " + extra + " more",
                        "the file is damaged or holds more than one array; " + REINSTALL);
            }
            return data;
        }

        /**
         * Like {@link InputStream#read(byte[], int, int)}, but a gzip stream that breaks off (a
         * cut-short .gz, the common case) also reads as the end, so the message can say how much
         * data there was.
         */
        private int readSome(byte[] data, int n) throws IOException {
            try {
                return in.read(data, n, data.length - n);
            } catch (EOFException e) {
                cut = ", where its gzip stream breaks off";
                return -1;
            }
        }

        private DatasetException fail(String problem, String fix) {
            return new DatasetException(file, problem, fix);
        }
    }

    private static String declared(long[] sizes, int expected) {
        return sizes.length == 1 ? expected + " bytes of data" : shape(sizes) + " = " + expected + " bytes of data";
    }

    private static String shape(long[] sizes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            b.append(i == 0 ? "" : " x ").append(sizes[i]);
        }
        return b.toString();
    }

    /** The IDX element types (LeCun's format description); null for a byte that is none. */
    static String typeName(int type) {
        if (type == 0x08) {
            return "unsigned byte";
        } else if (type == 0x09) {
            return "signed byte";
        } else if (type == 0x0B) {
            return "16-bit integer";
        } else if (type == 0x0C) {
            return "32-bit integer";
        } else if (type == 0x0D) {
            return "float";
        } else if (type == 0x0E) {
            return "double";
        }
        return null;
    }

    private static String hex(byte b) {
        return String.format("0x%02X", b & 0xFF);
    }

    /** A hint for the common wrong files: an archive, a gzip inside a gzip, a saved web page. */
    private static String looksLike(byte[] head) {
        if (head[0] == 'P' && head[1] == 'K') {
            return " (a zip archive: extract it first)";
        }
        if ((head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b) {
            return " (gzip inside gzip: gunzip it once)";
        }
        for (byte b : head) {
            if (b < 0x09 || b > 0x7e) {
                return "";
            }
        }
        return " (text, perhaps a web page saved in place of the data)";
    }
}
