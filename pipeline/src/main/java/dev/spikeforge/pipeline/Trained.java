package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/**
 * A model with trained float weights: read from a checkpoint, or trained in this run.
 *
 * @param checkpoint the checkpoint the weights are in (null: weights fine-tuned in memory, {@link Pipeline#fineTune})
 * @param epochs     the epochs trained in this run (empty when read from a checkpoint)
 */
public record Trained(LoadedModel model, Parameters parameters, Path checkpoint, List<Trainer.EpochResult> epochs) {

    public Trained {
        epochs = List.copyOf(epochs);
    }
}
