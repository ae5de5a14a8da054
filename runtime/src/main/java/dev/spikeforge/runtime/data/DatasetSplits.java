package dev.spikeforge.runtime.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A dataset's training and test samples, and the validation samples a train block holds out of
 * its training set ({@link #holdOut}). All have one sample shape and one set of classes, so a model
 * that fits one fits the others.
 *
 * @param trainGroups for each training sample, its group (a speaker of an audio folder, {@link
 *                    #groupOf}): a hold-out takes whole groups, so that no group is heard in both
 *                    training and validation; null when the samples have none
 * @param validation  the held-out samples, or null
 */
public record DatasetSplits(ImageDataset train, ImageDataset test, int[] trainGroups, ImageDataset validation) {

    /** Purpose constant of the SplitMix64 stream that chooses the validation samples. */
    static final long PURPOSE_VALIDATION = 0x7A11D;

    public DatasetSplits {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        sameShape(train, test, "test");
        if (validation != null) {
            sameShape(train, validation, "validation");
        }
        if (trainGroups != null && trainGroups.length != train.count()) {
            throw new IllegalArgumentException(trainGroups.length + " groups for " + train.count() + " training samples");
        }
    }

    public DatasetSplits(ImageDataset train, ImageDataset test) {
        this(train, test, null, null);
    }

    private static void sameShape(ImageDataset train, ImageDataset other, String what) {
        if (train.channels() != other.channels() || train.height() != other.height()
                || train.width() != other.width() || train.classes() != other.classes()) {
            throw new IllegalArgumentException("train (" + train + ") and " + what + " (" + other
                    + ") differ in sample shape or classes");
        }
    }

    /** The splits cut to their first {@code trainCount} and {@code testCount} samples (quick runs). */
    public DatasetSplits limit(int trainCount, int testCount) {
        ImageDataset t = train.limit(trainCount);
        int[] groups = trainGroups == null ? null : Arrays.copyOf(trainGroups, t.count());
        return new DatasetSplits(t, test.limit(testCount), groups, validation);
    }

    /**
     * A share {@code fraction} of the training samples moved to {@link #validation}, chosen by
     * {@code seed} (the train block's): with groups, whole groups in a seeded order until at least
     * round(fraction x count) samples are held out; without, round(fraction x n) of each class's n
     * samples, so that every class keeps its share. The training set keeps its order; the
     * validation set is in the training set's order too.
     *
     * @throws IllegalArgumentException when the share holds out no sample or every sample
     */
    public DatasetSplits holdOut(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation must be above 0 and below 1, got " + fraction);
        }
        int n = train.count();
        boolean[] held = trainGroups != null ? byGroup(fraction, seed) : byClass(fraction, seed);
        int[] keep = IntStream.range(0, n).filter(i -> !held[i]).toArray();
        int[] out = IntStream.range(0, n).filter(i -> held[i]).toArray();
        if (out.length == 0 || keep.length == 0) {
            throw new IllegalArgumentException("validation = " + fraction + " of " + n + " training samples"
                    + (trainGroups != null ? " in " + Arrays.stream(trainGroups).distinct().count() + " groups" : "")
                    + " holds out " + (out.length == 0 ? "none" : "every one") + " of them");
        }
        int[] groups = trainGroups == null ? null : Arrays.stream(keep).map(i -> trainGroups[i]).toArray();
        return new DatasetSplits(train.subset(keep), test, groups, train.subset(out));
    }

    private boolean[] byGroup(double fraction, long seed) {
        int n = train.count();
        int[] ids = shuffled(Arrays.stream(trainGroups).distinct().sorted().toArray(), seed, 0);
        int want = (int) Math.round(fraction * n);
        int[] size = new int[ids.length == 0 ? 0 : Arrays.stream(ids).max().getAsInt() + 1];
        for (int g : trainGroups) {
            size[g]++;
        }
        boolean[] chosen = new boolean[size.length];
        int taken = 0;
        for (int i = 0; i < ids.length && taken < want; i++) {
            chosen[ids[i]] = true;
            taken += size[ids[i]];
        }
        boolean[] held = new boolean[n];
        for (int i = 0; i < n; i++) {
            held[i] = chosen[trainGroups[i]];
        }
        return held;
    }

    private boolean[] byClass(double fraction, long seed) {
        int n = train.count();
        boolean[] held = new boolean[n];
        for (int c = 0; c < train.classes(); c++) {
            int cls = c;
            int[] members = shuffled(IntStream.range(0, n).filter(i -> train.label(i) == cls).toArray(), seed, 1 + c);
            int want = (int) Math.round(fraction * members.length);
            for (int i = 0; i < want; i++) {
                held[members[i]] = true;
            }
        }
        return held;
    }

    /** {@code a} in the order of {@link Shuffler}'s permutation for (seed, PURPOSE_VALIDATION, index). */
    private static int[] shuffled(int[] a, long seed, long index) {
        int[] order = Shuffler.permutation(seed, PURPOSE_VALIDATION, index, a.length);
        return Arrays.stream(order).map(i -> a[i]).toArray();
    }

    /**
     * The group of an audio clip: its file name without the extension, up to the last '_'
     * ({@code espeak-ng_en-us_Alex_03.wav} is {@code espeak-ng_en-us_Alex}; Speech Commands'
     * {@code 0a7c2a8d_nohash_1.wav} is {@code 0a7c2a8d_nohash}); a name without '_' is its own group.
     */
    public static String groupOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        int cut = stem.lastIndexOf('_');
        return cut > 0 ? stem.substring(0, cut) : stem;
    }

    @Override
    public String toString() {
        return "DatasetSplits[train=" + train + ", test=" + test + (trainGroups != null ? ", grouped" : "")
                + (validation != null ? ", validation=" + validation : "") + "]";
    }
}
