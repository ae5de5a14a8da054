package dev.spikeforge.compiler.summary;

import dev.spikeforge.compiler.ir.Shape;

/**
 * One user-level layer in a model summary.
 *
 * @param neuron    the neuron definition its neurons use, or null
 * @param neurons   spiking neurons (readout: its outputs); 0 for input, flatten
 * @param synapses  connections actually present: a conv or conv1d counts only in-bounds kernel taps, a
 *                  pooling layer one per input of each window, a recurrent dense also its recurrent ones
 * @param parameters trainable weights and biases, recurrent weights included (pooling weights are fixed,
 *                  thresholds and decays are not counted)
 */
public record LayerRow(String layer, String kind, String neuron, Shape shape, long neurons, long synapses,
                       long parameters) {
}
