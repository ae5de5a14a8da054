package dev.spikeforge.pipeline;

import java.nio.file.Path;

/**
 * How to train: the train block's settings with these overrides.
 *
 * @param epochs float epochs instead of the train block's (null: the block's); its QAT epochs follow
 * @param out    the checkpoint to write after every epoch (null: build/NAME/NAME.npz)
 * @param resume a checkpoint whose run to continue, or null
 * @param limit  train and evaluate on the first N samples of each split (null: the session's limit)
 */
public record TrainSettings(Integer epochs, Path out, Path resume, Integer limit) {

    public static final TrainSettings DEFAULTS = new TrainSettings(null, null, null, null);

    public TrainSettings to(Path checkpoint) {
        return new TrainSettings(epochs, checkpoint, resume, limit);
    }

    public TrainSettings limit(Integer n) {
        return new TrainSettings(epochs, out, resume, n);
    }
}
