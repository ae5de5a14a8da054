package dev.spikeforge.runtime.engine;

import java.util.Map;

/**
 * One batch through the float model.
 *
 * @param readout  B x classes readout values (accumulate: mean current; membrane: v[T]/T;
 *                 count: spike counts), {@code readout[b * classes + c]}
 * @param recorded for each node asked for, its T*B*size activations, time-major like the input
 * @param spikes   for each spiking node, the number of spikes in the batch
 */
public record ForwardResult(int batch, int classes, float[] readout, Map<String, float[]> recorded,
                            Map<String, Long> spikes) {

    /**
     * argmax of sample b's readout; ties go to the lowest class index (docs/semantics.md
     * section 2.3).
     */
    public int prediction(int b) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (readout[b * classes + c] > readout[b * classes + best]) {
                best = c;
            }
        }
        return best;
    }
}
