package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;

/**
 * The input spikes every engine gets (docs/semantics.md section 3.3): the model's evaluation
 * encoding of dataset samples with the run seed, as the integer engines take them.
 */
final class InputSpikes {

    private InputSpikes() {
    }

    /** Samples {@code from .. from + count - 1} of {@code set}: per sample, T x N step-major integer values. */
    static int[][] integer(LoadedModel model, ImageDataset set, int from, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = from + i;
        }
        float[] input = InputEncoder.encode(model.network(), set, idx, model.seed());
        return FloatIntegerComparison.integerInputs(input, count, Math.toIntExact(model.network().input().shape().size()),
                model.network().timesteps(), model.network().input().encoding().analog());
    }
}
