package dev.spikeforge.runtime.data;

import static dev.spikeforge.runtime.data.IdxFiles.ubyte;
import static dev.spikeforge.runtime.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFormatTest {

    @TempDir
    Path dir;

    private static String failure(Path folder) {
        return assertThrows(DatasetException.class, () -> MnistFormat.load(folder)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message lacks '" + part + "': " + message);
        }
    }

    @Test
    void loadsAGzippedFolder() throws DatasetException {
        IdxFiles.writeMnist(dir, 5, 3, 4, 3, true);
        DatasetSplits s = MnistFormat.load(dir);
        ImageDataset train = s.train();
        assertEquals(5, train.count());
        assertEquals(3, s.test().count());
        assertEquals(1, train.channels());
        assertEquals(4, train.height());
        assertEquals(3, train.width());
        assertEquals(10, train.classes());
        assertEquals(12, train.sampleSize());
        for (int i = 0; i < 5; i++) {
            assertEquals((i * 3 + 1) % 10, train.label(i));
            for (int p = 0; p < 12; p++) {
                assertEquals(IdxFiles.pixel(i, p) & 0xFF, train.pixel(i, p));
            }
        }
        assertEquals(IdxFiles.pixel(2, 7) & 0xFF, s.test().pixel(2, 0, 2, 1), "row-major: y = 2, x = 1 is pixel 7");
    }

    @Test
    void loadsAPlainFolderAndPrefersPlainOverGzip() throws DatasetException {
        IdxFiles.writeMnist(dir, 4, 2, 2, 2, false);
        // A .gz beside the plain file with other counts: the plain one must be the one read.
        write(dir, MnistFormat.TRAIN_LABELS + ".gz", IdxFiles.gzip(ubyte(new int[] {1}, new byte[1])));
        assertEquals(4, MnistFormat.load(dir).train().count());
    }

    @Test
    void aMissingFileIsNamedWithTheFolderSearched() throws IOException {
        IdxFiles.writeMnist(dir, 2, 2, 2, 2, true);
        Files.delete(dir.resolve(MnistFormat.TEST_LABELS + ".gz"));
        String m = failure(dir);
        assertTrue(m.startsWith(dir + ": "), m);
        assertContains(m, "missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) in this folder",
                "an MNIST-format folder holds train-images-idx3-ubyte");
        assertFalse(m.contains("missing train"), "only the missing file is listed: " + m);
    }

    @Test
    void anEmptyFolderListsAllFourFiles() {
        assertContains(failure(dir), "missing train-images-idx3-ubyte (or train-images-idx3-ubyte.gz), "
                + "train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz), t10k-images-idx3-ubyte (or "
                + "t10k-images-idx3-ubyte.gz), t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)");
    }

    @Test
    void aMissingFolder() {
        Path none = dir.resolve("no-such");
        String m = failure(none);
        assertTrue(m.startsWith(none + ": no such folder; "), m);
    }

    @Test
    void countsOfImagesAndLabelsMustAgree() {
        IdxFiles.writeMnist(dir, 5, 3, 2, 2, false);
        write(dir, MnistFormat.TRAIN_LABELS, ubyte(new int[] {4}, IdxFiles.labels(4)));
        assertContains(failure(dir), dir + ": train-images-idx3-ubyte holds 5 images but "
                + "train-labels-idx1-ubyte holds 4 labels; ");
    }

    @Test
    void aLabelAboveNineIsNamedByIndexAndValue() {
        IdxFiles.writeMnist(dir, 3, 4, 2, 2, false);
        Path labels = write(dir, MnistFormat.TEST_LABELS, ubyte(new int[] {4}, new byte[] {0, 9, 10, 11}));
        assertContains(failure(dir), labels + ": label 10 at index 2 (the first out of range)", "classes 0..9");
    }

    @Test
    void imagesMustBeThreeDimensionalAndLabelsOne() {
        IdxFiles.writeMnist(dir, 3, 3, 2, 2, false);
        Path images = write(dir, MnistFormat.TRAIN_IMAGES, ubyte(new int[] {3, 4}, new byte[12]));
        assertContains(failure(dir), images + ": holds a 2-D array (3 x 4) but MNIST-format images are 3-D");
        IdxFiles.writeMnist(dir, 3, 3, 2, 2, false);
        Path labels = write(dir, MnistFormat.TEST_LABELS, ubyte(new int[] {3, 1}, new byte[3]));
        assertContains(failure(dir), labels + ": holds a 2-D array (3 x 1) but MNIST-format labels are 1-D");
    }

    @Test
    void trainAndTestImagesMustHaveOneSize() {
        IdxFiles.writeMnist(dir, 3, 3, 2, 2, false);
        write(dir, MnistFormat.TEST_IMAGES, ubyte(new int[] {3, 3, 2}, new byte[18]));
        assertContains(failure(dir), "training images (train-images-idx3-ubyte) are 2x2 but the test images "
                + "(t10k-images-idx3-ubyte) are 3x2");
    }

    @Test
    void aDamagedFileIsReportedUnderItsOwnName() {
        IdxFiles.writeMnist(dir, 3, 3, 2, 2, true);
        Path images = write(dir, MnistFormat.TEST_IMAGES + ".gz",
                IdxFiles.gzip(ubyte(new int[] {3, 2, 2}, new byte[11])));
        assertContains(failure(dir), images + ": truncated: the header declares 3 x 2 x 2 = 12 bytes of data "
                + "but the file holds 11 (after gunzip)");
    }
}
