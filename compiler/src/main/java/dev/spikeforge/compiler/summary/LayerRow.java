package dev.spikeforge.compiler.summary;

import dev.spikeforge.compiler.ir.Shape;

/**
 * One user-level layer in a model summary.
 *
 * @param neuron    the neuron definition its neurons use, or null
 * @param neurons   spiking neurons (readout: its outputs); 0 for input, flatten
 * @param synapses  connections actually present: a conv counts only in-bounds kernel taps
 * @param parameters trainable weights and biases (pooling weights are fixed, thresholds are not counted)
 */
public record LayerRow(String layer, String kind, String neuron, Shape shape, long neurons, long synapses,
                       long parameters) {
}
