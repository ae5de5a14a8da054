package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset file that is a folder, a pipe or a device is reported as exactly that, not as
 * missing, and is never opened: a pipe would block the reader and /dev/zero would feed it zeros
 * until the heap is gone.
 */
class DatasetFileKindsTest {

    private static final Duration QUICK = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private void fifo(Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
    }

    private static DatasetException mnist(Path folder) {
        return assertTimeoutPreemptively(QUICK, () -> assertThrows(DatasetException.class, () -> MnistFormat.load(folder)));
    }

    @Test
    void anMnistFileThatIsAFolderAPipeOrADevice() throws Exception {
        IdxFiles.writeMnist(dir, 4, 2, 2, 2, false);
        Path images = dir.resolve(MnistFormat.TRAIN_IMAGES);
        Files.delete(images);
        Files.createDirectory(images);
        DatasetException e = mnist(dir);
        assertEquals(images, e.where());
        assertEquals("the dataset file is a folder, not a file", e.problem());

        Files.delete(images);
        fifo(images);
        e = mnist(dir);
        assertEquals(images, e.where());
        assertTrue(e.problem().startsWith("the dataset file is not a regular file ("), e.problem());

        Files.delete(images);
        Files.createSymbolicLink(images, Path.of("/dev/zero"));
        e = mnist(dir);
        assertEquals("the dataset file is not a regular file (a device: /dev/zero)", e.problem());
        assertTrue(e.fix().contains("copy the data into a regular file"), e.fix());
    }

    @Test
    void aGzippedMnistFileThatIsAPipe() throws Exception {
        IdxFiles.writeMnist(dir, 4, 2, 2, 2, true);
        Path labels = dir.resolve(MnistFormat.TEST_LABELS + ".gz");
        Files.delete(labels);
        fifo(labels);
        DatasetException e = mnist(dir);
        assertEquals(labels, e.where());
        assertTrue(e.problem().startsWith("the dataset file is not a regular file"), e.problem());
    }

    @Test
    void anIdxFileGivenDirectly() throws Exception {
        Path pipe = dir.resolve("pipe-idx1-ubyte");
        fifo(pipe);
        DatasetException e = assertTimeoutPreemptively(QUICK,
                () -> assertThrows(DatasetException.class, () -> IdxReader.read(pipe)));
        assertTrue(e.problem().startsWith("the dataset file is not a regular file"), e.problem());
        assertEquals("no such dataset file", assertThrows(DatasetException.class,
                () -> IdxReader.read(dir.resolve("nothing"))).problem());
    }

    @Test
    void aCifarBatchThatIsAFolderOrADevice() throws Exception {
        for (String name : Cifar10Binary.TRAIN_FILES) {
            IdxFiles.write(dir, name, new byte[Cifar10Binary.RECORD]);
        }
        Path test = dir.resolve(Cifar10Binary.TEST_FILE);
        Files.createDirectory(test);
        DatasetException e = assertThrows(DatasetException.class, () -> Cifar10Binary.load(dir));
        assertEquals(test, e.where());
        assertEquals("the dataset file is a folder, not a file", e.problem());

        Files.delete(test);
        Files.createSymbolicLink(test, Path.of("/dev/zero"));
        e = assertTimeoutPreemptively(QUICK, () -> assertThrows(DatasetException.class, () -> Cifar10Binary.load(dir)));
        assertEquals("the dataset file is not a regular file (a device: /dev/zero)", e.problem());
    }

    @Test
    void aDataFolderThatIsAPipe() throws Exception {
        Path pipe = dir.resolve("data");
        fifo(pipe);
        DatasetException e = assertThrows(DatasetException.class, () -> MnistFormat.load(pipe));
        assertTrue(e.problem().startsWith("is not a folder (a pipe, socket or device"), e.problem());
    }

    /** A sparse file one byte over the cap: refused from its size, without reading it. */
    @Test
    void aFileOverTheCap() throws Exception {
        IdxFiles.writeMnist(dir, 4, 2, 2, 2, false);
        Path images = dir.resolve(MnistFormat.TRAIN_IMAGES);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(images.toFile(), "rw")) {
            f.setLength(DataFiles.MAX_FILE_BYTES + 1);
        }
        DatasetException e = mnist(dir);
        assertEquals("the dataset file is 8.0 GiB, over the limit of 8.0 GiB", e.problem());
    }
}
