package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.TrainSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLocatorTest {

    private static final TrainSpec.DatasetRef FASHION = new TrainSpec.NamedDataset("fashion_mnist");
    private static final TrainSpec.DatasetRef MNIST = new TrainSpec.NamedDataset("mnist");

    @TempDir
    Path tmp;

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message lacks '" + part + "': " + message);
        }
    }

    private String failure(TrainSpec.DatasetRef ref, Path dataDir, Path model) {
        DatasetLocator locator = new DatasetLocator(tmp.resolve("system"));
        return assertThrows(DatasetException.class, () -> locator.load(ref, dataDir, model)).getMessage();
    }

    @Test
    void fashionMnistWithoutItsSystemFolderSaysHowToInstallIt() {
        String m = failure(FASHION, null, null);
        assertEquals(tmp.resolve("system/fashion-mnist") + ": no such folder (the folder of dataset fashion_mnist "
                + "when --data is not given); install it with `apt-get install dataset-fashion-mnist`, "
                + "or pass `--data DIR`", m);
    }

    @Test
    void mnistHasNoDebianPackageSoTheMessageAsksForData() {
        assertContains(failure(MNIST, null, null), tmp.resolve("system/mnist") + ": no such folder",
                "Debian has no MNIST package", "pass `--data DIR`, where DIR holds train-images-idx3-ubyte, "
                        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
    }

    @Test
    void namedDatasetsLoadFromTheSystemRoot() throws IOException, DatasetException {
        Path fashion = Files.createDirectories(tmp.resolve("system/fashion-mnist"));
        IdxFiles.writeMnist(fashion, 3, 2, 2, 2, true);
        DatasetLocator locator = new DatasetLocator(tmp.resolve("system"));
        assertEquals(fashion, locator.folder(FASHION, null, null));
        assertEquals(3, locator.load(FASHION, null, null).train().count());
    }

    @Test
    void theDataOptionOverridesEveryKind() throws IOException, DatasetException {
        Path data = Files.createDirectories(tmp.resolve("elsewhere"));
        IdxFiles.writeMnist(data, 4, 2, 2, 2, false);
        DatasetLocator locator = new DatasetLocator(tmp.resolve("system"));
        assertEquals(4, locator.load(FASHION, data, null).train().count());
        assertEquals(4, locator.load(MNIST, data, null).train().count());
        assertEquals(data, locator.folder(new TrainSpec.IdxDataset("not/there"), data, tmp.resolve("m.snn")));
        assertContains(failure(FASHION, tmp.resolve("typo"), null),
                tmp.resolve("typo") + ": no such folder (given by --data); check the path");
    }

    @Test
    void aRelativeIdxPathIsResolvedAgainstTheModelsFolder() throws IOException, DatasetException {
        Path models = Files.createDirectories(tmp.resolve("models"));
        Path model = Files.writeString(models.resolve("lenet5.snn"), "model lenet5 {}");
        Path data = Files.createDirectories(models.resolve("data/mnist"));
        IdxFiles.writeMnist(data, 3, 2, 2, 2, true);
        DatasetLocator locator = new DatasetLocator(tmp.resolve("system"));
        TrainSpec.DatasetRef ref = new TrainSpec.IdxDataset("data/mnist");
        assertEquals(data, locator.folder(ref, null, model));
        assertEquals(3, locator.load(ref, null, model).train().count());
        assertEquals(data, locator.folder(new TrainSpec.IdxDataset("../models/./data/mnist"), null, model));
        assertEquals(data, locator.folder(new TrainSpec.IdxDataset(data.toString()), null, tmp.resolve("x.snn")));
    }

    @Test
    void aMissingRelativePathNamesWhereItWasLookedFor() throws IOException {
        Path models = Files.createDirectories(tmp.resolve("models"));
        String m = failure(new TrainSpec.IdxDataset("data/mnist"), null, models.resolve("lenet5.snn"));
        assertTrue(m.startsWith(models.resolve("data/mnist") + ": no such folder (idx(path = \"data/mnist\") in "
                + "lenet5.snn, relative to the model's folder " + models + "); check the path, or pass `--data DIR`"), m);
    }

    @Test
    void cifar10IsReadFromItsModelRelativeFolder() throws IOException, DatasetException {
        Path data = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        for (String name : Cifar10Binary.TRAIN_FILES) {
            IdxFiles.write(data, name, new byte[Cifar10Binary.RECORD]);
        }
        IdxFiles.write(data, Cifar10Binary.TEST_FILE, new byte[2 * Cifar10Binary.RECORD]);
        DatasetSplits s = new DatasetLocator(tmp.resolve("system"))
                .load(new TrainSpec.Cifar10Dataset("cifar-10-batches-bin"), null, tmp.resolve("vgg7.snn"));
        assertEquals(5, s.train().count());
        assertEquals(2, s.test().count());
        assertEquals(3, s.train().channels());
        assertContains(failure(new TrainSpec.Cifar10Dataset("nope"), null, tmp.resolve("vgg7.snn")),
                "cifar10(path = \"nope\") in vgg7.snn", "data_batch_1.bin to data_batch_5.bin and test_batch.bin");
    }

    @Test
    void anInvalidPathIsAnInputError() {
        assertContains(failure(new TrainSpec.IdxDataset("a\0b"), null, tmp.resolve("m.snn")),
                tmp.resolve("m.snn") + ": idx(path = \"a\0b\") is not a valid path");
    }

    @Test
    void aFileWhereAFolderIsExpected() throws IOException {
        Files.writeString(tmp.resolve("data"), "x");
        assertContains(failure(new TrainSpec.IdxDataset("data"), null, tmp.resolve("m.snn")),
                tmp.resolve("data") + ": is a file, not a folder");
    }
}
