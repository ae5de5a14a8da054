package dev.spikeforge.runtime.data;

import static dev.spikeforge.runtime.data.IdxFiles.gzip;
import static dev.spikeforge.runtime.data.IdxFiles.ubyte;
import static dev.spikeforge.runtime.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] counting(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 13 + 100);
        }
        return data;
    }

    @Test
    void readsAPlainFileWithUnsignedBytesInFileOrder() throws DatasetException {
        byte[] data = counting(24);
        IdxArray a = IdxReader.read(write(dir, "a-idx3-ubyte", ubyte(new int[] {2, 3, 4}, data)));
        assertArrayEquals(new int[] {2, 3, 4}, a.dims());
        assertEquals(24, a.size());
        assertEquals("2 x 3 x 4", a.shapeText());
        assertArrayEquals(data, a.copyData());
        assertEquals((100 + 13 * 23) % 256, a.get(23));
        assertEquals(230, a.get(10), "bytes above 127 read as 128..255");
    }

    @Test
    void gzipIsToldByItsMagicBytesNotByTheName() throws DatasetException {
        byte[] file = ubyte(new int[] {5}, counting(5));
        IdxArray zipped = IdxReader.read(write(dir, "labels-no-extension", gzip(file)));
        IdxArray plain = IdxReader.read(write(dir, "labels.gz", file));
        assertArrayEquals(counting(5), zipped.copyData());
        assertArrayEquals(counting(5), plain.copyData());
    }

    @Test
    void theArrayIsImmutable() throws DatasetException {
        IdxArray a = IdxReader.read(write(dir, "a", ubyte(new int[] {3}, counting(3))));
        a.copyData()[0] = 0;
        a.dims()[0] = 7;
        assertEquals(100, a.get(0));
        assertEquals(3, a.dim(0));
        byte[] data = counting(3);
        IdxArray b = IdxArray.of(new int[] {3}, data);
        data[0] = 0;
        assertEquals(100, b.get(0));
    }

    // --- every way a file can be wrong: one message naming the file and the problem ---

    private void assertFails(byte[] content, String... parts) {
        assertFailsOn(write(dir, "bad-idx3-ubyte", content), parts);
    }

    private static void assertFailsOn(Path file, String... parts) {
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), "names the file first: " + m);
        for (String part : parts) {
            assertTrue(m.contains(part), "message lacks '" + part + "': " + m);
        }
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(e.fix().isBlank(), "has a fix: " + m);
    }

    @Test
    void emptyFile() {
        assertFails(new byte[0], "empty file (0 bytes)", "re-download or reinstall the dataset");
        assertFails(gzip(new byte[0]), "empty file (0 bytes after gunzip)");
    }

    @Test
    void fileShorterThanTheFixedHeader() {
        assertFails(new byte[] {0, 0, 8},
                "too short for an IDX header: the file holds 3 bytes, the header needs at least 4");
    }

    @Test
    void fileShorterThanItsSizes() {
        byte[] full = ubyte(new int[] {2, 2, 2}, counting(8));
        assertFails(Arrays.copyOf(full, 12), "3 dimensions need a 16-byte header but the file holds 12 bytes");
    }

    @Test
    void badLeadingBytes() {
        byte[] bytes = ubyte(new int[] {2}, counting(2));
        bytes[0] = 1;
        assertFails(bytes, "not an IDX file", "starts with two zero bytes, this one starts with 0x01 0x00");
    }

    @Test
    void zipArchiveAndWebPageGetAHint() {
        assertFails(new byte[] {'P', 'K', 3, 4, 0, 0}, "starts with 0x50 0x4B", "a zip archive: extract it first");
        assertFails("<!DOCTYPE html>".getBytes(StandardCharsets.US_ASCII),
                "perhaps a web page saved in place of the data");
    }

    @Test
    void unsupportedElementType() {
        byte[] bytes = IdxFiles.idx(0x0D, new int[] {1}, new byte[4]);
        assertFails(bytes, "unsupported IDX element type 0x0D (float)", "spikeforge reads unsigned-byte IDX files");
    }

    @Test
    void unknownElementType() {
        assertFails(IdxFiles.idx(0x07, new int[] {1}, new byte[1]), "element type byte 0x07 is none of the IDX types");
    }

    @Test
    void zeroDimensions() {
        assertFails(ubyte(new int[0], new byte[0]), "the header declares 0 dimensions",
                "IDX arrays of 1 to 4 dimensions");
    }

    @Test
    void fiveDimensions() {
        assertFails(ubyte(new int[] {1, 1, 1, 1, 1}, new byte[1]), "the header declares 5 dimensions");
    }

    @Test
    void aZeroSize() {
        assertFails(ubyte(new int[] {3, 0, 2}, new byte[0]), "size 0 for dimension 2 of 3 (3 x 0 x 2)",
                "every size must be at least 1");
    }

    @Test
    void aProductTooLargeForOneArray() {
        assertFails(ubyte(new int[] {65536, 65536, 65536, 65536}, new byte[0]),
                "declares 65536 x 65536 x 65536 x 65536 elements, more than the 2147483639 bytes");
    }

    @Test
    void sizesAreUnsigned() {
        assertFails(ubyte(new int[] {-1}, new byte[0]), "declares 4294967295 elements");
    }

    @Test
    void truncatedData() {
        assertFails(ubyte(new int[] {3, 2, 2}, counting(10)),
                "truncated: the header declares 3 x 2 x 2 = 12 bytes of data but the file holds 10;",
                "re-download or reinstall the dataset");
    }

    @Test
    void truncatedDataInsideAGzip() {
        assertFails(gzip(ubyte(new int[] {4}, counting(3))),
                "truncated: the header declares 4 bytes of data but the file holds 3 (after gunzip)");
    }

    @Test
    void trailingBytes() {
        assertFails(ubyte(new int[] {3, 2, 2}, counting(15)),
                "trailing bytes: the header declares 3 x 2 x 2 = 12 bytes of data but the file holds 15, 3 more");
    }

    @Test
    void corruptGzipStream() {
        byte[] z = gzip(ubyte(new int[] {64}, counting(64)));
        // After the 10-byte gzip header, 0xFF starts a deflate block of the reserved type 3.
        Arrays.fill(z, 10, z.length - 8, (byte) 0xFF);
        assertFails(z, "corrupt gzip stream (",
                "starts with the gzip signature 1f 8b but does not decompress or fails its checksum");
    }

    @Test
    void gzipWithABadChecksum() {
        byte[] z = gzip(ubyte(new int[] {64}, counting(64)));
        z[z.length - 8] ^= 0x55;
        assertFails(z, "corrupt gzip stream (");
    }

    @Test
    void gzipCutShortInItsData() {
        byte[] noise = new byte[4000];
        new SplittableRandom(1).nextBytes(noise);
        byte[] z = gzip(ubyte(new int[] {40, 100}, noise));
        assertFails(Arrays.copyOf(z, z.length / 2),
                "truncated: the header declares 40 x 100 = 4000 bytes of data but the file holds ",
                " (after gunzip), where its gzip stream breaks off; re-download or reinstall the dataset");
    }

    @Test
    void gzipCutShortInItsHeader() {
        byte[] z = gzip(ubyte(new int[] {4000}, counting(4000)));
        assertFails(Arrays.copyOf(z, 11), "truncated gzip stream", "cut short");
    }

    @Test
    void missingFileAndFolder() {
        assertFailsOn(dir.resolve("nothing-here"), "no such dataset file");
        assertFailsOn(dir, "the dataset file is a folder, not a file");
    }
}
