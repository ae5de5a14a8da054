package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.ir.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A folder of event recordings, one folder per class:
 *
 * <pre>
 *   DIR/train/&lt;class&gt;/*.npy
 *   DIR/test/&lt;class&gt;/*.npy
 * </pre>
 *
 * Each .npy is one recording ({@link EventFile}). Class c is the c-th name of the sorted folder
 * names of {@code train/} (String order, so "0_tshirt" .. "9_boot" keep their digits' order);
 * {@code test/} must have folders of exactly the same names. Within a class, files are read in the
 * order of their names. A split's samples are its classes in order, each class's files in order.
 * Names starting with '.' are ignored; any other entry that is not a class folder (in
 * {@code train/} or {@code test/}) or a .npy file (in a class folder) is an error, and so is a
 * class folder without recordings.
 *
 * <p>Each recording is binned by {@link EventBinning} for the model's input shape and T bins, and
 * becomes one {@link ImageDataset} sample of 1 x T x N bytes (channels 1, height T, width N = the
 * input's size): row t is bin t, byte n is the count of input n in that bin (0..255). A recording
 * without events is allowed and gives T rows of zeros. The whole dataset is held in memory:
 * recordings x T x N bytes.
 */
public final class EventDataset {

    public static final String TRAIN = "train";
    public static final String TEST = "test";

    /** What such a folder holds, for every message that has to say it. */
    public static final String LAYOUT = "an event dataset folder holds train/<class>/*.npy and test/<class>/*.npy, "
            + "one folder per class with the same class names in both";

    private EventDataset() {
    }

    /**
     * Loads both splits.
     *
     * @param input the model's input shape: C x H x W, C x L or N (see {@link EventBinning})
     * @param bins  T, the model's time steps
     */
    public static DatasetSplits load(Path dir, Shape input, int bins) throws DatasetException {
        return load(dir, List.of(), input, bins);
    }

    /**
     * As {@link #load(Path, Shape, int)}, with the classes {@code chosen} in that label order
     * (every class folder of both splits must exist; others are not read), or every class when
     * {@code chosen} is empty.
     */
    public static DatasetSplits load(Path dir, List<String> chosen, Shape input, int bins) throws DatasetException {
        Folders.requireFolder(dir, LAYOUT);
        EventBinning binning = binning(dir, input, bins);
        Path train = split(dir, TRAIN);
        Path test = split(dir, TEST);
        if (!chosen.isEmpty()) {
            for (Path s : List.of(train, test)) {
                for (String c : chosen) {
                    if (!Files.isDirectory(s.resolve(c))) {
                        throw new DatasetException(s.resolve(c), "no such class folder (class '" + c + "' of classes = "
                                + chosen + ")", "add the folder, or leave '" + c + "' out of classes = [...]");
                    }
                }
            }
            return new DatasetSplits(read(train, chosen, binning), read(test, chosen, binning));
        }
        List<String> classes = classNames(train);
        List<String> testClasses = classNames(test);
        if (!testClasses.equals(classes)) {
            TreeSet<String> onlyTrain = new TreeSet<>(classes);
            onlyTrain.removeAll(testClasses);
            TreeSet<String> onlyTest = new TreeSet<>(testClasses);
            onlyTest.removeAll(classes);
            List<String> parts = new ArrayList<>();
            if (!onlyTrain.isEmpty()) {
                parts.add("test/ lacks " + String.join(", ", onlyTrain));
            }
            if (!onlyTest.isEmpty()) {
                parts.add("test/ has " + String.join(", ", onlyTest) + ", which train/ does not have");
            }
            throw new DatasetException(dir, "the class folders of train/ and test/ differ: " + String.join("; ", parts)
                    + " (train/ has " + String.join(", ", classes) + ")",
                    "give test/ one folder per class of train/, with the same names; " + LAYOUT);
        }
        return new DatasetSplits(read(train, classes, binning), read(test, classes, binning));
    }

    private static EventBinning binning(Path dir, Shape input, int bins) throws DatasetException {
        try {
            return new EventBinning(input, bins);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(dir, "the model's input " + input + " with " + bins
                    + " time steps cannot take event recordings: " + e.getMessage(),
                    "declare the input as the sensor: input CxHxW (C = 1 or 2 polarities), CxL or N for a 1-D sensor");
        }
    }

    private static Path split(Path dir, String name) throws DatasetException {
        Path p = dir.resolve(name);
        if (!DataFiles.present(p)) {
            throw new DatasetException(dir, "missing " + name + "/ in this folder", LAYOUT);
        }
        if (!Files.isDirectory(p)) {
            throw new DatasetException(p, DataFiles.notAFolder(p), LAYOUT);
        }
        return p;
    }

    /** The sorted class folder names of a split; anything else there (not hidden) is an error. */
    private static List<String> classNames(Path split) throws DatasetException {
        List<String> names = new ArrayList<>();
        for (Path entry : DataFiles.entries(split)) {
            String name = entry.getFileName().toString();
            if (!Files.isDirectory(entry)) {
                throw new DatasetException(entry, "is a file in " + split.getFileName() + "/, where only class "
                        + "folders belong", "move recordings into " + split.getFileName() + "/<class>/; " + LAYOUT);
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new DatasetException(split, "has no class folders", LAYOUT);
        }
        if (names.size() > 256) {
            throw new DatasetException(split, "has " + names.size() + " class folders; spikeforge takes at most 256 "
                    + "classes (labels are bytes)", "merge classes or use fewer");
        }
        return names;
    }


    private static ImageDataset read(Path split, List<String> classes, EventBinning binning) throws DatasetException {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path folder = split.resolve(classes.get(c));
            int before = files.size();
            for (Path entry : DataFiles.entries(folder)) {
                String name = entry.getFileName().toString();
                if (!name.endsWith(".npy") || Files.isDirectory(entry)) {
                    throw new DatasetException(entry, (Files.isDirectory(entry) ? "is a folder" : "is not a .npy file")
                            + " in the class folder " + split.getFileName() + "/" + classes.get(c) + "/",
                            "class folders hold only .npy recordings; move it out of the dataset");
                }
                files.add(entry);
                labels.add(c);
            }
            if (files.size() == before) {
                throw new DatasetException(folder, "holds no .npy recordings",
                        "put the recordings of class " + classes.get(c) + " there, or remove the folder from both "
                                + "train/ and test/");
            }
        }
        long size = (long) binning.bins() * binning.inputs();
        if (size * files.size() > IdxReader.MAX_ELEMENTS) {
            throw new DatasetException(split, files.size() + " recordings of " + binning.bins() + " bins x "
                    + binning.inputs() + " inputs need " + size * files.size() + " bytes, more than one Java array "
                    + "can hold (" + IdxReader.MAX_ELEMENTS + ")", "use fewer recordings or fewer time steps");
        }
        byte[] pixels = new byte[(int) (size * files.size())];
        byte[] labelBytes = new byte[files.size()];
        for (int i = 0; i < files.size(); i++) {
            binning.binInto(EventFile.read(files.get(i)), pixels, (int) (i * size));
            labelBytes[i] = (byte) (int) labels.get(i);
        }
        return ImageDataset.owning(files.size(), 1, binning.bins(), binning.inputs(), classes.size(), pixels,
                labelBytes);
    }
}
