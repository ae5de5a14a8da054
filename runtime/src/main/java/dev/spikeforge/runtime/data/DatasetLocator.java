package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.audio.AudioFolders;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Finds and loads the dataset a model's {@code train} block names.
 *
 * <ul>
 *   <li>{@code fashion_mnist}: {@code <root>/fashion-mnist}, where the Debian package
 *       {@code dataset-fashion-mnist} installs the four .gz files;</li>
 *   <li>{@code mnist}: {@code <root>/mnist}; Debian has no MNIST package, so normally the user
 *       passes {@code --data DIR};</li>
 *   <li>{@code idx(path)} and {@code cifar10(path)}: that folder, relative to the folder of the
 *       model file (so a model and its data move together), or to the working directory when the
 *       model did not come from a file.</li>
 * </ul>
 *
 * {@code --data DIR}, when given, is the folder for every kind: it overrides both the system
 * folder and a model's {@code path}, so one model runs on data kept elsewhere. The format still
 * follows the model ({@code cifar10} reads CIFAR-10 binaries, the others IDX files).
 */
public final class DatasetLocator {

    /** Where Debian's dataset packages install (dataset-fashion-mnist: /usr/share/datasets/fashion-mnist). */
    public static final Path SYSTEM_DATA_ROOT = Path.of("/usr/share/datasets");

    private final Path systemRoot;

    public DatasetLocator() {
        this(SYSTEM_DATA_ROOT);
    }

    /** @param systemRoot the folder that stands for /usr/share/datasets (tests pass a temporary one) */
    public DatasetLocator(Path systemRoot) {
        this.systemRoot = systemRoot;
    }

    /**
     * @param dataDir   the {@code --data} folder, or null when not given
     * @param modelFile the .snn file the reference comes from, or null for a model built in code
     */
    public DatasetSplits load(TrainSpec.DatasetRef ref, Path dataDir, Path modelFile) throws DatasetException {
        return load(ref, dataDir, modelFile, null, 0);
    }

    /**
     * As {@link #load(TrainSpec.DatasetRef, Path, Path)}, for a model whose input is {@code input}
     * over {@code steps} time steps: event files are binned into those steps and checked against
     * that shape (the other kinds ignore both).
     */
    public DatasetSplits load(TrainSpec.DatasetRef ref, Path dataDir, Path modelFile, Shape input, int steps)
            throws DatasetException {
        Path dir = folder(ref, dataDir, modelFile);
        if (ref instanceof TrainSpec.AudioDataset audio) {
            return AudioFolders.load(dir, audio);
        }
        if (ref instanceof TrainSpec.EventDataset events) {
            if (input == null) {
                throw new IllegalArgumentException("event files are binned for a model's input and steps");
            }
            return EventDataset.load(dir, events.classes(), input, steps);
        }
        return ref instanceof TrainSpec.Cifar10Dataset ? Cifar10Binary.load(dir) : MnistFormat.load(dir);
    }

    private static String layout(TrainSpec.DatasetRef ref) {
        if (ref instanceof TrainSpec.Cifar10Dataset) {
            return Cifar10Binary.LAYOUT;
        } else if (ref instanceof TrainSpec.AudioDataset) {
            return AudioFolders.LAYOUT;
        } else if (ref instanceof TrainSpec.EventDataset) {
            return EventDataset.LAYOUT;
        }
        return MnistFormat.LAYOUT;
    }

    /** The folder {@link #load} reads, checked to exist, with a message that says how to get it when not. */
    public Path folder(TrainSpec.DatasetRef ref, Path dataDir, Path modelFile) throws DatasetException {
        String layout = layout(ref);
        if (dataDir != null) {
            Path dir = dataDir.toAbsolutePath().normalize();
            requireFolder(dir, "given by --data", "check the path; " + layout, layout);
            return dir;
        }
        if (ref instanceof TrainSpec.IdxDataset idx) {
            return modelPath(idx.path(), "idx", modelFile, layout);
        } else if (ref instanceof TrainSpec.Cifar10Dataset cifar) {
            return modelPath(cifar.path(), "cifar10", modelFile, layout);
        } else if (ref instanceof TrainSpec.AudioDataset audio) {
            return modelPath(audio.path(), "audio", modelFile, layout);
        } else if (ref instanceof TrainSpec.EventDataset events) {
            return modelPath(events.path(), "events", modelFile, layout);
        } else if (ref instanceof TrainSpec.NamedDataset named) {
            return systemFolder(named.keyword());
        }
        throw new IllegalArgumentException("unknown dataset reference " + ref);
    }

    private Path systemFolder(String keyword) throws DatasetException {
        if (keyword.equals("fashion_mnist")) {
            Path dir = systemRoot.resolve("fashion-mnist");
            requireFolder(dir, "the folder of dataset fashion_mnist when --data is not given",
                    "install it with `apt-get install dataset-fashion-mnist`, or pass `--data DIR`",
                    MnistFormat.LAYOUT);
            return dir;
        } else if (keyword.equals("mnist")) {
            Path dir = systemRoot.resolve("mnist");
            requireFolder(dir, "the folder of dataset mnist when --data is not given, and Debian has no MNIST "
                    + "package to install there",
                    "pass `--data DIR`, where " + MnistFormat.LAYOUT.replace("an MNIST-format folder", "DIR")
                            + "; or use dataset = fashion_mnist (`apt-get install dataset-fashion-mnist`)",
                    MnistFormat.LAYOUT);
            return dir;
        }
        throw new IllegalArgumentException("no system folder for dataset '" + keyword + "'");
    }

    private static Path modelPath(String path, String keyword, Path modelFile, String layout)
            throws DatasetException {
        Path given;
        try {
            given = Path.of(path);
        } catch (InvalidPathException e) {
            throw new DatasetException(modelFile != null ? modelFile : Path.of(""), keyword + "(path = \"" + path
                    + "\") is not a valid path: " + e.getReason(), "write the folder's path");
        }
        String origin = keyword + "(path = \"" + path + "\")";
        Path dir;
        if (given.isAbsolute()) {
            dir = given.normalize();
        } else if (modelFile != null) {
            Path modelDir = modelFile.toAbsolutePath().getParent();
            dir = modelDir.resolve(given).normalize();
            origin += " in " + modelFile.getFileName() + ", relative to the model's folder " + modelDir;
        } else {
            dir = given.toAbsolutePath().normalize();
            origin += ", relative to the working directory";
        }
        requireFolder(dir, origin, "check the path, or pass `--data DIR`; " + layout, layout);
        return dir;
    }

    private static void requireFolder(Path dir, String origin, String fix, String layout) throws DatasetException {
        if (!Files.exists(dir)) {
            throw new DatasetException(dir, "no such folder (" + origin + ")", fix);
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir, DataFiles.notAFolder(dir) + " (" + origin + ")",
                    "name the folder that holds the dataset's files; " + layout);
        }
    }
}
