package dev.spikeforge.runtime.data;

import dev.spikeforge.runtime.encode.SplitMix64;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Makes event recordings from Fashion-MNIST images the way N-MNIST was recorded (Orchard et al.
 * 2015): a simulated event camera of 34 x 34 pixels looks at the 28 x 28 image while the image
 * makes three saccades along a triangle, and a pixel emits an event whenever its log intensity has
 * changed by a contrast threshold since its last event: ON (p = 1) for an increase, OFF (p = 0)
 * for a decrease. The files are written in Tonic's format ({@link EventFile}) with Tonic's own
 * event dtype, {@code tonic.io.events_struct}: x int16, y int16, t int64 (microseconds), p bool.
 *
 * <p>The model, exactly:
 * <ul>
 *   <li>The image's top-left corner is at offset (ox, oy) of the sensor, moving in straight lines
 *       A = (1, 5) to B = (3, 1) to C = (5, 5) and back to A, each saccade 100 ms, sampled every
 *       1 ms (300 frames after the first; {@code --saccades K} records only the first K). Pixel (x, y) sees the image bilinearly sampled at
 *       (x - ox, y - oy), 0 outside the image, as I = byte / 255.</li>
 *   <li>L = ln(I + 0.1) ({@link StrictMath}, so every JVM writes the same bytes). Each pixel has
 *       an ON and an OFF threshold C (1 +- 0.1 u), u uniform in [-1, 1) (the sensor's mismatch,
 *       fixed by the seed), C = {@code --threshold} (default 0.5).</li>
 *   <li>Each recording starts each pixel's reference level at L(frame 0) + (v - 0.5) C_on with v
 *       uniform in [0, 1) (the sensor's unknown state at the start; drawn from the seed, the split
 *       and the image index). Between frames L moves linearly; each crossing of reference +- C
 *       is an event at the time it is crossed, rounded to the microsecond (half up), and moves
 *       the reference by C. Events are sorted by time, ties in the order x, y, crossing.</li>
 * </ul>
 *
 * <p>Output: {@code OUT/train/<class>/<index>.npy} and {@code OUT/test/...}, the class folders
 * named {@code 0_tshirt} .. {@code 9_boot} (so sorted names give the labels 0..9), the file name
 * the image's 5-digit index in its Fashion-MNIST split. A split of N recordings takes, for each
 * chosen class c in order, the first floor(N / K) images of class c (K chosen classes), one more
 * for the first N mod K classes.
 */
public final class EventFmnist {

    public static final int SENSOR = 34;
    public static final int IMAGE = 28;
    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final long DEFAULT_SEED = 2015;
    static final String[] CLASS_NAMES = {"0_tshirt", "1_trouser", "2_pullover", "3_dress", "4_coat", "5_sandal",
        "6_shirt", "7_sneaker", "8_bag", "9_boot"};

    private static final double[][] CORNERS = {{1, 5}, {3, 1}, {5, 5}};
    private static final int FRAMES_PER_SACCADE = 100;
    private static final long FRAME_US = 1000;
    private static final double EPS = 0.1;
    private static final double MISMATCH = 0.1;
    private static final long PURPOSE_SENSOR = 0x5E45_0A;
    private static final long PURPOSE_RECORDING = 0x5E45_0B;

    private final double[] onThreshold = new double[SENSOR * SENSOR];
    private final double[] offThreshold = new double[SENSOR * SENSOR];
    private final long seed;
    private final int saccades;

    /** @param saccades how many of the three saccades to record (1..3; 100 ms each) */
    public EventFmnist(long seed, double threshold, int saccades) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("threshold must be > 0: " + threshold);
        }
        if (saccades < 1 || saccades > CORNERS.length) {
            throw new IllegalArgumentException("saccades must be 1..3: " + saccades);
        }
        this.seed = seed;
        this.saccades = saccades;
        SplitMix64 r = SplitMix64.forPurpose(seed, PURPOSE_SENSOR, 0);
        for (int i = 0; i < onThreshold.length; i++) {
            onThreshold[i] = threshold * (1 + MISMATCH * (2 * r.nextDouble() - 1));
            offThreshold[i] = threshold * (1 + MISMATCH * (2 * r.nextDouble() - 1));
        }
    }

    /** One recording's events, in Tonic's dtype, as the bytes of a .npy file. */
    public byte[] record(ImageDataset images, int index, int split) {
        return toNpy(events(images, index, split));
    }

    private static byte[] toNpy(List<long[]> events) {
        long[] x = new long[events.size()];
        long[] y = new long[events.size()];
        long[] t = new long[events.size()];
        long[] p = new long[events.size()];
        for (int e = 0; e < events.size(); e++) {
            long[] ev = events.get(e);
            t[e] = ev[0];
            x[e] = ev[1];
            y[e] = ev[2];
            p[e] = ev[3];
        }
        return EventFile.toNpy(List.of(EventFile.Column.ints("x", "<i2", x), EventFile.Column.ints("y", "<i2", y),
                EventFile.Column.ints("t", "<i8", t), EventFile.Column.ints("p", "|b1", p)));
    }

    /** The events {t, x, y, p} of image {@code index}, sorted by time. */
    List<long[]> events(ImageDataset images, int index, int split) {
        int n = SENSOR * SENSOR;
        double[] previous = frame(images, index, 0);
        double[] reference = new double[n];
        SplitMix64 r = SplitMix64.forPurpose(seed, PURPOSE_RECORDING, (long) split << 32 | index);
        for (int i = 0; i < n; i++) {
            reference[i] = previous[i] + (r.nextDouble() - 0.5) * onThreshold[i];
        }
        List<long[]> out = new ArrayList<>();
        int frames = saccades * FRAMES_PER_SACCADE;
        for (int k = 1; k <= frames; k++) {
            double[] now = frame(images, index, k);
            List<long[]> step = new ArrayList<>();
            for (int x = 0; x < SENSOR; x++) {
                for (int y = 0; y < SENSOR; y++) {
                    int i = y * SENSOR + x;
                    double from = previous[i];
                    double to = now[i];
                    while (to - reference[i] >= onThreshold[i]) {
                        reference[i] += onThreshold[i];
                        step.add(new long[] {time(k, from, to, reference[i]), x, y, 1});
                    }
                    while (reference[i] - to >= offThreshold[i]) {
                        reference[i] -= offThreshold[i];
                        step.add(new long[] {time(k, from, to, reference[i]), x, y, 0});
                    }
                }
            }
            step.sort((a, b) -> Long.compare(a[0], b[0]));
            out.addAll(step);
            previous = now;
        }
        return out;
    }

    /** The microsecond at which L, moving linearly from {@code from} to {@code to} during frame k, crosses {@code level}. */
    private static long time(int k, double from, double to, double level) {
        double f = (level - from) / (to - from);
        f = Math.max(0, Math.min(1, f));
        return (long) Math.floor(((k - 1) + f) * FRAME_US + 0.5);
    }

    /** Log intensity of every sensor pixel at frame k (y-major), the image at its offset then. */
    private static double[] frame(ImageDataset images, int index, int k) {
        int saccade = Math.min(k / FRAMES_PER_SACCADE, CORNERS.length - 1);
        double f = (k - saccade * FRAMES_PER_SACCADE) / (double) FRAMES_PER_SACCADE;
        double[] a = CORNERS[saccade];
        double[] b = CORNERS[(saccade + 1) % CORNERS.length];
        double ox = a[0] + (b[0] - a[0]) * f;
        double oy = a[1] + (b[1] - a[1]) * f;
        double[] out = new double[SENSOR * SENSOR];
        for (int y = 0; y < SENSOR; y++) {
            for (int x = 0; x < SENSOR; x++) {
                double u = x - ox;
                double v = y - oy;
                int u0 = (int) Math.floor(u);
                int v0 = (int) Math.floor(v);
                double fu = u - u0;
                double fv = v - v0;
                double i = (1 - fu) * (1 - fv) * pixel(images, index, v0, u0)
                        + fu * (1 - fv) * pixel(images, index, v0, u0 + 1)
                        + (1 - fu) * fv * pixel(images, index, v0 + 1, u0)
                        + fu * fv * pixel(images, index, v0 + 1, u0 + 1);
                out[y * SENSOR + x] = StrictMath.log(i + EPS);
            }
        }
        return out;
    }

    private static double pixel(ImageDataset images, int index, int row, int col) {
        if (row < 0 || col < 0 || row >= IMAGE || col >= IMAGE) {
            return 0;
        }
        return images.pixel(index, 0, row, col) / 255.0;
    }

    /** The indices of a split's recordings: per chosen class, its first images (see the class comment). */
    static List<Integer> choose(ImageDataset images, int[] classes, int count) {
        List<Integer> chosen = new ArrayList<>();
        for (int c = 0; c < classes.length; c++) {
            int want = count / classes.length + (c < count % classes.length ? 1 : 0);
            for (int i = 0; i < images.count() && want > 0; i++) {
                if (images.label(i) == classes[c]) {
                    chosen.add(i);
                    want--;
                }
            }
        }
        return chosen;
    }

    /** Writes both splits under {@code out}; returns the number of events written. */
    public long write(DatasetSplits fmnist, Path out, int[] classes, int train, int test) throws IOException {
        long events = 0;
        String[] splitNames = {EventDataset.TRAIN, EventDataset.TEST};
        ImageDataset[] splits = {fmnist.train(), fmnist.test()};
        int[] counts = {train, test};
        for (int s = 0; s < 2; s++) {
            for (int c : classes) {
                Files.createDirectories(out.resolve(splitNames[s]).resolve(CLASS_NAMES[c]));
            }
            ImageDataset images = splits[s];
            List<Integer> chosen = choose(images, classes, counts[s]);
            Path dir = out.resolve(splitNames[s]);
            int split = s;
            events += IntStream.range(0, chosen.size()).parallel().mapToLong(j -> {
                int index = chosen.get(j);
                List<long[]> ev = events(images, index, split);
                byte[] npy = toNpy(ev);
                Path file = dir.resolve(CLASS_NAMES[images.label(index)])
                        .resolve(String.format(Locale.ROOT, "%05d.npy", index));
                try {
                    Files.write(file, npy);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return ev.size();
            }).sum();
        }
        return events;
    }

    private static final String USAGE = "usage: EventFmnist OUT [--train N] [--test M] [--classes 0,1,...] "
            + "[--threshold C] [--saccades K] [--seed S] [--data DIR]\n"
            + "  N-MNIST-style event recordings (34x34, 2 polarities, 300 ms) from Fashion-MNIST images, as Tonic .npy\n"
            + "  defaults: --train 10000 --test 2000 --classes 0..9 --threshold 0.5 --saccades 3 --seed 2015 "
            + "--data /usr/share/datasets/fashion-mnist";

    public static void main(String[] args) throws Exception {
        Path out = null;
        int train = 10000;
        int test = 2000;
        int[] classes = IntStream.range(0, 10).toArray();
        double threshold = DEFAULT_THRESHOLD;
        int saccades = 3;
        long seed = DEFAULT_SEED;
        Path data = DatasetLocator.SYSTEM_DATA_ROOT.resolve("fashion-mnist");
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--train" -> train = Integer.parseInt(args[++i]);
                    case "--test" -> test = Integer.parseInt(args[++i]);
                    case "--threshold" -> threshold = Double.parseDouble(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--saccades" -> saccades = Integer.parseInt(args[++i]);
                    case "--data" -> data = Path.of(args[++i]);
                    case "--classes" -> {
                        String[] parts = args[++i].split(",");
                        classes = new int[parts.length];
                        for (int c = 0; c < parts.length; c++) {
                            classes[c] = Integer.parseInt(parts[c].strip());
                            if (classes[c] < 0 || classes[c] > 9) {
                                throw new IllegalArgumentException("classes are 0..9: " + classes[c]);
                            }
                        }
                    }
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> {
                        if (a.startsWith("-") || out != null) {
                            throw new IllegalArgumentException("unexpected argument " + a);
                        }
                        out = Path.of(a);
                    }
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("OUT is missing");
            }
            if (train < classes.length || test < classes.length) {
                throw new IllegalArgumentException("--train and --test must be at least the number of classes ("
                        + classes.length + "), so that every class has a recording in both splits");
            }
            if (saccades < 1 || saccades > 3 || !(threshold > 0)) {
                throw new IllegalArgumentException("--saccades must be 1..3 and --threshold above 0");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("EventFmnist: " + (e instanceof ArrayIndexOutOfBoundsException ? "an option lacks its value"
                    : e.getMessage()));
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        long start = System.nanoTime();
        DatasetSplits fmnist;
        try {
            fmnist = MnistFormat.load(data);
        } catch (DatasetException e) {
            System.err.println("EventFmnist: " + e.getMessage());
            System.exit(3);
            return;
        }
        long events = new EventFmnist(seed, threshold, saccades).write(fmnist, out, classes, train, test);
        System.out.printf(Locale.ROOT, "wrote %d train and %d test recordings (%d events) to %s in %.1f s%n",
                train, test, events, out, (System.nanoTime() - start) / 1e9);
    }
}
