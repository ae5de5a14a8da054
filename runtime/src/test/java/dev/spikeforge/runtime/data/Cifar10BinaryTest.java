package dev.spikeforge.runtime.data;

import static dev.spikeforge.runtime.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10BinaryTest {

    private static final int RECORDS = 3;

    @TempDir
    Path dir;

    /** Record r of file f: label (f + r) % 10, then a byte per position that names f, r and the position. */
    private static byte[] batch(int f, int records) {
        byte[] b = new byte[records * Cifar10Binary.RECORD];
        for (int r = 0; r < records; r++) {
            b[r * Cifar10Binary.RECORD] = (byte) ((f + r) % 10);
            for (int p = 0; p < Cifar10Binary.PIXELS; p++) {
                b[r * Cifar10Binary.RECORD + 1 + p] = value(f, r, p);
            }
        }
        return b;
    }

    private static byte value(int f, int r, int p) {
        return (byte) (f * 71 + r * 29 + p * 7 + p / 1024);
    }

    private void writeAll() {
        for (int f = 0; f < 5; f++) {
            write(dir, Cifar10Binary.TRAIN_FILES.get(f), batch(f, RECORDS));
        }
        write(dir, Cifar10Binary.TEST_FILE, batch(5, RECORDS));
    }

    private String failure() {
        return assertThrows(DatasetException.class, () -> Cifar10Binary.load(dir)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message lacks '" + part + "': " + message);
        }
    }

    @Test
    void loadsBatchesInOrderWithChannelMajorPixels() throws DatasetException {
        writeAll();
        DatasetSplits s = Cifar10Binary.load(dir);
        ImageDataset train = s.train();
        assertEquals(5 * RECORDS, train.count());
        assertEquals(RECORDS, s.test().count());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        assertEquals(10, train.classes());
        assertEquals(3072, train.sampleSize());
        for (int f = 0; f < 5; f++) {
            for (int r = 0; r < RECORDS; r++) {
                int sample = f * RECORDS + r;
                assertEquals((f + r) % 10, train.label(sample));
                // Red plane first, then green, then blue, each row by row.
                for (int c = 0; c < 3; c++) {
                    for (int y : new int[] {0, 17, 31}) {
                        for (int x : new int[] {0, 5, 31}) {
                            int p = c * 1024 + y * 32 + x;
                            assertEquals(value(f, r, p) & 0xFF, train.pixel(sample, c, y, x));
                            assertEquals(value(f, r, p) & 0xFF, train.pixel(sample, p));
                        }
                    }
                }
            }
        }
        assertEquals(value(5, 2, 3071) & 0xFF, s.test().pixel(2, 2, 31, 31));
    }

    @Test
    void aLengthThatIsNotWholeRecords() {
        writeAll();
        byte[] b = Arrays.copyOf(batch(2, RECORDS), RECORDS * Cifar10Binary.RECORD + 5);
        Path file = write(dir, "data_batch_3.bin", b);
        assertContains(failure(), file + ": holds 9224 bytes, not a whole number of 3073-byte records "
                + "(1 label + 3072 pixels): 3 records and 5 bytes over; ");
    }

    @Test
    void anEmptyFile() {
        writeAll();
        Path file = write(dir, Cifar10Binary.TEST_FILE, new byte[0]);
        assertContains(failure(), file + ": empty file (0 bytes)");
    }

    @Test
    void cifar100RecordsGetAHint() {
        writeAll();
        write(dir, "data_batch_1.bin", new byte[2 * 3074]);
        assertContains(failure(), "CIFAR-100 records, which spikeforge does not read");
    }

    @Test
    void aLabelAboveNine() {
        writeAll();
        byte[] b = batch(0, RECORDS);
        b[Cifar10Binary.RECORD] = 10;
        Path file = write(dir, "data_batch_1.bin", b);
        assertContains(failure(), file + ": record 1 has label 10 (the first out of range)");
    }

    @Test
    void everyMissingFileIsListed() throws IOException {
        writeAll();
        Files.delete(dir.resolve("data_batch_4.bin"));
        Files.delete(dir.resolve("test_batch.bin"));
        String m = failure();
        assertTrue(m.startsWith(dir + ": missing data_batch_4.bin, test_batch.bin in this folder; "), m);
        assertContains(m, "all six files are needed", "data_batch_1.bin to data_batch_5.bin and test_batch.bin");
    }

    @Test
    void theParentFolderOrThePythonVersionGetAHint() throws IOException {
        Files.createDirectory(dir.resolve("cifar-10-batches-bin"));
        assertContains(failure(), "the folder holds cifar-10-batches-bin/: point the path at that");
        Files.delete(dir.resolve("cifar-10-batches-bin"));
        write(dir, "data_batch_1", new byte[1]);
        assertContains(failure(), "the CIFAR-10 python version");
    }

    @Test
    void aMissingFolder() {
        Path none = dir.resolve("none");
        String m = assertThrows(DatasetException.class, () -> Cifar10Binary.load(none)).getMessage();
        assertTrue(m.startsWith(none + ": no such folder; "), m);
    }
}
