package dev.spikeforge.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder in the layout of MNIST and Fashion-MNIST: four IDX files, each plain or gzipped.
 * Images are N x H x W unsigned bytes (one channel), labels N bytes, classes 0..9.
 */
public final class MnistFormat {

    public static final int CLASSES = 10;
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** What such a folder holds, for every message that has to say it. */
    public static final String LAYOUT = "an MNIST-format folder holds " + TRAIN_IMAGES + ", " + TRAIN_LABELS + ", "
            + TEST_IMAGES + " and " + TEST_LABELS + ", each plain or gzipped (.gz)";

    private MnistFormat() {
    }

    public static DatasetSplits load(Path dir) throws DatasetException {
        Folders.requireFolder(dir, LAYOUT);
        List<Path> files = find(dir);
        ImageDataset train = split(dir, files.get(0), files.get(1));
        ImageDataset test = split(dir, files.get(2), files.get(3));
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new DatasetException(dir, "the training images (" + files.get(0).getFileName() + ") are "
                    + train.height() + "x" + train.width() + " but the test images (" + files.get(2).getFileName()
                    + ") are " + test.height() + "x" + test.width(),
                    "the files must come from one dataset; " + IdxReader.REINSTALL);
        }
        return new DatasetSplits(train, test);
    }

    /**
     * The four files, in the order of {@link #FILES}. When both {@code name} and {@code name.gz}
     * are there, the plain one is read: it is what gunzip left and reads faster. A name taken by
     * something that is not a regular file (and no usable file beside it) is reported as what it
     * is, not as missing.
     */
    private static List<Path> find(Path dir) throws DatasetException {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            Path plain = dir.resolve(name);
            Path gz = dir.resolve(name + ".gz");
            if (Files.isRegularFile(plain)) {
                found.add(plain);
            } else if (Files.isRegularFile(gz)) {
                found.add(gz);
            } else if (DataFiles.present(plain) || DataFiles.present(gz)) {
                // A folder, a pipe, a device or a dangling link where the file should be: say so.
                DataFiles.check(DataFiles.present(plain) ? plain : gz);
                throw new IllegalStateException("the gate accepted a path that is not a regular file");
            } else {
                missing.add(name + " (or " + name + ".gz)");
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(dir, "missing " + String.join(", ", missing) + " in this folder", LAYOUT);
        }
        return found;
    }

    private static ImageDataset split(Path dir, Path imagesFile, Path labelsFile) throws DatasetException {
        IdxArray images = IdxReader.read(imagesFile);
        if (images.rank() != 3) {
            throw new DatasetException(imagesFile, "holds a " + images.rank() + "-D array (" + images.shapeText()
                    + ") but MNIST-format images are 3-D (count x height x width)",
                    "check that this is an images file; " + LAYOUT);
        }
        IdxArray labels = IdxReader.read(labelsFile);
        if (labels.rank() != 1) {
            throw new DatasetException(labelsFile, "holds a " + labels.rank() + "-D array (" + labels.shapeText()
                    + ") but MNIST-format labels are 1-D (one byte per image)",
                    "check that this is a labels file; " + LAYOUT);
        }
        int count = images.dim(0);
        if (labels.dim(0) != count) {
            throw new DatasetException(dir, imagesFile.getFileName() + " holds " + count + " images but "
                    + labelsFile.getFileName() + " holds " + labels.dim(0) + " labels",
                    "the two files must come from one dataset; " + IdxReader.REINSTALL);
        }
        byte[] labelBytes = labels.sharedData();
        for (int i = 0; i < count; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= CLASSES) {
                throw new DatasetException(labelsFile, "label " + label + " at index " + i
                        + " (the first out of range); MNIST-format labels are classes 0.." + (CLASSES - 1),
                        "the file is damaged or from a dataset with other classes; " + IdxReader.REINSTALL);
            }
        }
        return ImageDataset.owning(count, 1, images.dim(1), images.dim(2), CLASSES, images.sharedData(), labelBytes);
    }
}
