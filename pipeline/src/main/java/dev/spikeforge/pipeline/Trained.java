package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.QatFormats;
import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/**
 * A model with trained float weights: read from a checkpoint, or trained in this run.
 *
 * @param checkpoint the checkpoint the weights are in (null: weights fine-tuned in memory, {@link Pipeline#fineTune})
 * @param epochs     the epochs trained in this run (empty when read from a checkpoint)
 * @param integerExact the formats of the quantisation-aware epochs that made the weights (their float
 *                   model runs integer-exact, docs/semantics.md section 4.13), or null for a float model's
 * @param best       the checkpoint of the epoch with the highest validation accuracy (the train block's
 *                   {@code validation}), or null
 */
public record Trained(LoadedModel model, Parameters parameters, Path checkpoint, List<Trainer.EpochResult> epochs,
                      QatFormats integerExact, Path best) {

    public Trained {
        epochs = List.copyOf(epochs);
    }

    /** Weights without a best-epoch checkpoint. */
    public Trained(LoadedModel model, Parameters parameters, Path checkpoint, List<Trainer.EpochResult> epochs,
                   QatFormats integerExact) {
        this(model, parameters, checkpoint, epochs, integerExact, null);
    }

    /** Weights of a float model. */
    public Trained(LoadedModel model, Parameters parameters, Path checkpoint, List<Trainer.EpochResult> epochs) {
        this(model, parameters, checkpoint, epochs, null);
    }
}
