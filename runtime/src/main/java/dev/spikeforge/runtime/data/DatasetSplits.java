package dev.spikeforge.runtime.data;

import java.util.Objects;

/**
 * A dataset's training and test samples. Both have one sample shape and one set of classes, so a
 * model that fits one fits the other.
 */
public record DatasetSplits(ImageDataset train, ImageDataset test) {

    public DatasetSplits {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.channels() != test.channels() || train.height() != test.height()
                || train.width() != test.width() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train (" + train + ") and test (" + test
                    + ") differ in sample shape or classes");
        }
    }

    /** Both splits cut to their first {@code trainCount} and {@code testCount} samples (quick runs). */
    public DatasetSplits limit(int trainCount, int testCount) {
        return new DatasetSplits(train.limit(trainCount), test.limit(testCount));
    }
}
