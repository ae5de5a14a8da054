package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.TrainSpec;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST of the Debian package dataset-fashion-mnist, through the same path as
 * {@code dataset = fashion_mnist}. It fails (does not skip) when the package is missing: the
 * README's test command installs it, so a missing folder is a broken set-up.
 *
 * <p>The pinned values were read from the files with Python's gzip and struct modules, apart from
 * spikeforge; the labels and the first image are also read here with plain java.util.zip.
 */
class FashionMnistRealDataTest {

    private static final Path DIR = DatasetLocator.SYSTEM_DATA_ROOT.resolve("fashion-mnist");
    private static DatasetSplits splits;

    @BeforeAll
    static void load() throws DatasetException {
        assertTrue(Files.isDirectory(DIR), DIR + " is missing: Fashion-MNIST comes from the Debian package "
                + "dataset-fashion-mnist; install it with `apt-get install dataset-fashion-mnist`");
        splits = new DatasetLocator().load(new TrainSpec.NamedDataset("fashion_mnist"), null, null);
    }

    @Test
    void hasSixtyThousandTrainingAndTenThousandTestImagesOf28x28() {
        assertEquals(60000, splits.train().count());
        assertEquals(10000, splits.test().count());
        assertEquals("60000 samples of 1x28x28, 10 classes", splits.train().toString());
        assertEquals(784, splits.test().sampleSize());
    }

    @Test
    void classesAreBalancedAndLabelsAreZeroToNine() {
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
                classCounts(splits.train()));
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000},
                classCounts(splits.test()));
    }

    @Test
    void pinnedLabelsAndPixels() {
        ImageDataset train = splits.train();
        assertEquals(9, train.label(0), "train sample 0 is an ankle boot (class 9)");
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstLabels(train, 10));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, firstLabels(splits.test(), 10));
        assertEquals(217, train.pixel(0, 0, 14, 14));
        assertEquals(76247, pixelSum(train, 0, 1));
        assertEquals(33456, pixelSum(splits.test(), 0, 1));
        assertEquals(3431114169L, pixelSum(train, 0, 60000));
        assertEquals(573469082L, pixelSum(splits.test(), 0, 10000));
    }

    @Test
    void agreesWithAPlainReadOfTheFiles() throws IOException {
        try (DataInputStream in = open("train-labels-idx1-ubyte.gz")) {
            assertEquals(0x00000801, in.readInt());
            assertEquals(60000, in.readInt());
            for (int i = 0; i < 60000; i++) {
                assertEquals(in.readUnsignedByte(), splits.train().label(i), "label " + i);
            }
        }
        try (DataInputStream in = open("t10k-images-idx3-ubyte.gz")) {
            assertEquals(0x00000803, in.readInt());
            assertArrayEquals(new int[] {10000, 28, 28}, new int[] {in.readInt(), in.readInt(), in.readInt()});
            for (int p = 0; p < 784; p++) {
                assertEquals(in.readUnsignedByte(), splits.test().pixel(0, p), "pixel " + p);
            }
        }
    }

    private static DataInputStream open(String name) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(DIR.resolve(name)))));
    }

    private static int[] classCounts(ImageDataset d) {
        int[] counts = new int[d.classes()];
        for (int i = 0; i < d.count(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static int[] firstLabels(ImageDataset d, int n) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = d.label(i);
        }
        return labels;
    }

    private static long pixelSum(ImageDataset d, int from, int to) {
        long sum = 0;
        for (int s = from; s < to; s++) {
            for (int p = 0; p < d.sampleSize(); p++) {
                sum += d.pixel(s, p);
            }
        }
        return sum;
    }
}
