package dev.spikeforge.runtime.engine;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one forward pass keeps for the backward pass: every node's output over all T*B rows,
 * the membranes h[t] and leak totals of spiking nodes, dropout masks, and the readout.
 */
final class Tape {

    final int batch;
    final int steps;
    final Map<String, INDArray> acts = new HashMap<>();
    /**
     * Under pipelined timing, each spiking node's own spikes s[t]; its entry in {@link #acts} is then
     * what the next layers read, s[t-1].
     */
    final Map<String, INDArray> spikes = new HashMap<>();
    final Map<String, INDArray> membranes = new HashMap<>();
    final Map<String, double[]> leak = new HashMap<>();
    /** Spike counts of the neuron nodes whose spikes a fused kernel counted as it wrote them (inference). */
    final Map<String, Long> counts = new HashMap<>();
    /** Per dropout node: B x features, 0 or 1/(1-p), the same for all T steps. */
    final Map<String, INDArray> masks = new HashMap<>();
    /** The readout's current I[t] (T*B x classes); for mode = count also its spikes and membranes. */
    INDArray readoutCurrent;
    INDArray readoutSpikes;
    INDArray readoutMembranes;
    /** B x classes: mean current, v[T]/T, or spike counts. */
    double[] readout;

    Tape(int batch, int steps) {
        this.batch = batch;
        this.steps = steps;
    }

    /** A node's own output: its spikes s[t] (not delayed), or its activation. */
    INDArray spikesOf(String node) {
        INDArray s = spikes.get(node);
        return s != null ? s : acts.get(node);
    }

    int rows() {
        return steps * batch;
    }
}
