package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DataFiles;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * An audio dataset (docs/language.md section 4.2): sound clips in class folders, made into a
 * model's input by the dataset's front end.
 *
 * <pre>
 *   DIR/train/CLASS/*.wav      training clips; the folder may be missing (a set for evaluation only)
 *   DIR/test/CLASS/*.wav       test clips
 * </pre>
 *
 * The classes are the dataset's {@code classes} in that order, or else every folder of train/ (of
 * test/ when there is no train/) in name order; label k is the k-th class. Files are read in name
 * order within a class, classes in label order, so a dataset's sample order never depends on the
 * file system (names starting with '.' are not read, as in every folder layout: {@link
 * DataFiles#entries}). Every clip goes through {@link AudioClips#load} (mono, the dataset's rate, its
 * length) and the front end; the result is bytes per sample, as images are:
 * <ul>
 *   <li>filterbank: 1 x T x channels event bits (0 or 1), row t the events of step t;</li>
 *   <li>mfcc: 1 x n_mfcc x frames bytes ({@link MfccFrontend#bytes}).</li>
 * </ul>
 */
public final class AudioFolders {

    public static final String LAYOUT = "an audio folder holds train/CLASS/*.wav and test/CLASS/*.wav (16-bit, 24-bit,"
            + " 32-bit, 8-bit or float WAV, any rate and channels), one folder per class";

    private AudioFolders() {
    }

    /**
     * Both splits of {@code dir}; a missing train/ gives an empty training set. Each training clip's
     * group is its speaker as the file name says ({@link DatasetSplits#groupOf}), so a validation
     * split holds out whole speakers.
     */
    public static DatasetSplits load(Path dir, TrainSpec.AudioDataset spec) throws DatasetException {
        List<String> classes = classes(dir, spec);
        Path train = dir.resolve("train");
        List<Path> trainFiles = new ArrayList<>();
        ImageDataset trainSet = Files.isDirectory(train) ? split(train, classes, spec, trainFiles)
                : empty(spec, classes.size());
        Path test = dir.resolve("test");
        if (!Files.isDirectory(test)) {
            throw new DatasetException(test, "no such folder: the audio dataset has no test/ split", LAYOUT);
        }
        return new DatasetSplits(trainSet, split(test, classes, spec, new ArrayList<>()), groups(trainFiles), null);
    }

    /** Group numbers in order of first appearance of each file's {@link DatasetSplits#groupOf}. */
    static int[] groups(List<Path> files) {
        Map<String, Integer> ids = new HashMap<>();
        int[] g = new int[files.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = ids.computeIfAbsent(DatasetSplits.groupOf(files.get(i).getFileName().toString()), k -> ids.size());
        }
        return g;
    }

    /** The class names in label order. */
    public static List<String> classes(Path dir, TrainSpec.AudioDataset spec) throws DatasetException {
        if (!spec.classes().isEmpty()) {
            return spec.classes();
        }
        Path from = Files.isDirectory(dir.resolve("train")) ? dir.resolve("train") : dir.resolve("test");
        if (!Files.isDirectory(from)) {
            throw new DatasetException(dir, "neither train/ nor test/ is in the audio folder", LAYOUT);
        }
        List<String> names = DataFiles.entries(from).stream().filter(Files::isDirectory)
                .map(p -> p.getFileName().toString()).toList();
        if (names.isEmpty()) {
            throw new DatasetException(from, "no class folders", LAYOUT);
        }
        if (names.size() > 256) {
            throw new DatasetException(from, names.size() + " class folders, at most 256 are supported",
                    "name the classes to use with classes = [\"...\"]");
        }
        return names;
    }

    private static ImageDataset empty(TrainSpec.AudioDataset spec, int classes) {
        int[] chw = sampleShape(spec);
        return new ImageDataset(0, chw[0], chw[1], chw[2], classes, new byte[0], new byte[0]);
    }

    /** channels, height, width of a sample's bytes. */
    static int[] sampleShape(TrainSpec.AudioDataset spec) {
        if (spec.frontend() instanceof Frontend.Filterbank f) {
            return new int[] {1, spec.eventSteps(), f.channels()};
        }
        Frontend.Mfcc m = (Frontend.Mfcc) spec.frontend();
        return new int[] {1, m.nMfcc(), m.frames(spec.samples())};
    }

    /** The clips of {@code folder}'s class folders, their paths added to {@code files} in sample order. */
    private static ImageDataset split(Path folder, List<String> classes, TrainSpec.AudioDataset spec, List<Path> files)
            throws DatasetException {
        List<Integer> labels = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            Path classDir = folder.resolve(classes.get(k));
            if (!Files.isDirectory(classDir)) {
                throw new DatasetException(classDir, "no such class folder (class " + k + ", '" + classes.get(k) + "')",
                        "add the folder, or leave '" + classes.get(k) + "' out of classes = [...]");
            }
            List<Path> wavs = DataFiles.entries(classDir).stream()
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav"))
                    .filter(Files::isRegularFile).toList();
            if (wavs.isEmpty()) {
                throw new DatasetException(classDir, "no .wav files in class folder '" + classes.get(k) + "'",
                        "add its clips, or leave the class out of classes = [...]");
            }
            for (Path w : wavs) {
                files.add(w);
                labels.add(k);
            }
        }
        int[] chw = sampleShape(spec);
        int size = chw[0] * chw[1] * chw[2];
        byte[] bytes = new byte[Math.multiplyExact(files.size(), size)];
        byte[] labelBytes = new byte[files.size()];
        // Clips are made on every core; a bad file is reported as the first bad one in the
        // dataset's order, whichever thread met it first.
        DatasetException[] failures = new DatasetException[files.size()];
        AtomicInteger firstFailure = new AtomicInteger(Integer.MAX_VALUE);
        FrontendRunner runner = FrontendRunner.of(spec);
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            if (i > firstFailure.get()) {
                return; // a file before this one is bad: that one is reported, this one need not be read
            }
            try {
                float[] clip = AudioClips.load(files.get(i), spec.rate(), spec.samples());
                System.arraycopy(runner.bytes(clip), 0, bytes, i * size, size);
            } catch (DatasetException e) {
                failures[i] = e;
                firstFailure.accumulateAndGet(i, Math::min);
            }
        });
        for (DatasetException e : failures) {
            if (e != null) {
                throw e;
            }
        }
        for (int i = 0; i < labelBytes.length; i++) {
            labelBytes[i] = (byte) (int) labels.get(i);
        }
        return new ImageDataset(files.size(), chw[0], chw[1], chw[2], classes.size(), bytes, labelBytes);
    }
}
