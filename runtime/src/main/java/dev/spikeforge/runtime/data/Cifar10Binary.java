package dev.spikeforge.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary version of CIFAR-10 (Krizhevsky 2009, "cifar-10-binary.tar.gz", which unpacks to
 * {@code cifar-10-batches-bin/}). Each record is one label byte, then 3072 pixel bytes: the
 * 32 x 32 red plane, then green, then blue, each row by row. That is already channel-major, so
 * records are copied as they are.
 */
public final class Cifar10Binary {

    public static final int CLASSES = 10;
    public static final int CHANNELS = 3;
    public static final int SIDE = 32;
    public static final int PIXELS = CHANNELS * SIDE * SIDE;
    /** One label byte and the pixels. */
    public static final int RECORD = 1 + PIXELS;
    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";

    public static final String LAYOUT = "a CIFAR-10 binary folder (cifar-10-batches-bin/ from cifar-10-binary.tar.gz) "
            + "holds data_batch_1.bin to data_batch_5.bin and test_batch.bin";

    /** CIFAR-100's binary records carry a coarse and a fine label. */
    private static final int CIFAR100_RECORD = 2 + PIXELS;

    private Cifar10Binary() {
    }

    public static DatasetSplits load(Path dir) throws DatasetException {
        Folders.requireFolder(dir, LAYOUT);
        requireAllFiles(dir);
        List<Path> train = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            train.add(dir.resolve(name));
        }
        return new DatasetSplits(read(train), read(List.of(dir.resolve(TEST_FILE))));
    }

    private static void requireAllFiles(Path dir) throws DatasetException {
        List<String> missing = new ArrayList<>();
        List<String> all = new ArrayList<>(TRAIN_FILES);
        all.add(TEST_FILE);
        for (String name : all) {
            Path file = dir.resolve(name);
            if (!DataFiles.present(file)) {
                missing.add(name);
            } else {
                // A folder, a pipe or a device in a file's place is reported as that.
                DataFiles.check(file);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String hint = "";
        if (Files.isDirectory(dir.resolve("cifar-10-batches-bin"))) {
            hint = " (the folder holds cifar-10-batches-bin/: point the path at that)";
        } else if (Files.exists(dir.resolve("data_batch_1"))) {
            hint = " (data_batch_1 without .bin is the CIFAR-10 python version; spikeforge reads the binary version)";
        }
        throw new DatasetException(dir, "missing " + String.join(", ", missing) + " in this folder" + hint,
                "all six files are needed; " + LAYOUT);
    }

    /** The records of {@code files}, concatenated in that order. */
    private static ImageDataset read(List<Path> files) throws DatasetException {
        long[] records = new long[files.size()];
        long total = 0;
        for (int f = 0; f < files.size(); f++) {
            records[f] = recordsIn(files.get(f), size(files.get(f)));
            total += records[f];
        }
        if (total * PIXELS > IdxReader.MAX_ELEMENTS) {
            throw new DatasetException(files.get(0).getParent(), "the files hold " + total
                    + " records, more than one Java array can hold", "use CIFAR-10's own six files");
        }
        int count = (int) total;
        byte[] pixels = new byte[count * PIXELS];
        byte[] labels = new byte[count];
        int at = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            byte[] bytes = readAll(file);
            if (bytes.length != records[f] * RECORD) {
                throw new DatasetException(file, "changed while being read: it held " + records[f] * RECORD
                        + " bytes, then " + bytes.length, "read it again when nothing is writing to it");
            }
            for (int r = 0; r < records[f]; r++, at++) {
                int label = bytes[r * RECORD] & 0xFF;
                if (label >= CLASSES) {
                    throw new DatasetException(file, "record " + r + " has label " + label
                            + " (the first out of range); CIFAR-10 labels are classes 0.." + (CLASSES - 1),
                            "the file is damaged or not CIFAR-10; " + IdxReader.REINSTALL);
                }
                labels[at] = (byte) label;
                System.arraycopy(bytes, r * RECORD + 1, pixels, at * PIXELS, PIXELS);
            }
        }
        return ImageDataset.owning(count, CHANNELS, SIDE, SIDE, CLASSES, pixels, labels);
    }

    private static long recordsIn(Path file, long size) throws DatasetException {
        if (size == 0) {
            throw new DatasetException(file, "empty file (0 bytes); a CIFAR-10 batch holds records of "
                    + RECORD + " bytes (1 label + " + PIXELS + " pixels)", IdxReader.REINSTALL);
        }
        if (size % RECORD != 0) {
            String cifar100 = size % CIFAR100_RECORD == 0
                    ? " (it is a multiple of " + CIFAR100_RECORD
                            + ": CIFAR-100 records, which spikeforge does not read)"
                    : "";
            throw new DatasetException(file, "holds " + size + " bytes, not a whole number of " + RECORD
                    + "-byte records (1 label + " + PIXELS + " pixels): " + size / RECORD + " records and "
                    + size % RECORD + " bytes over" + cifar100, "the file is damaged; " + IdxReader.REINSTALL);
        }
        return size / RECORD;
    }

    private static long size(Path file) throws DatasetException {
        return DataFiles.check(file);
    }

    private static byte[] readAll(Path file) throws DatasetException {
        return DataFiles.read(file);
    }
}
