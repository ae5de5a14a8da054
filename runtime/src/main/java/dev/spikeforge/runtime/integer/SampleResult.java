package dev.spikeforge.runtime.integer;

/**
 * What the integer model did with one sample.
 *
 * @param readout     the readout per class: the sum of T steps of current (accumulate), the final
 *                    membrane (membrane) or the spike count (count); integers, unscaled
 * @param prediction  argmax of {@code readout}, ties to the lowest class
 * @param spikes      spikes per layer over all steps
 * @param synapticOps weight additions per layer over all steps (events x in-bounds fan-out)
 * @param inputEvents non-zero input values over all steps
 * @param spikeCounts per recorded layer, spikes per neuron over the run; null for layers not recorded
 * @param spikeRecord per recorded layer (detail SPIKES or FULL) {@code [step][neuron]} 0/1, null for layers not recorded
 * @param membraneRecord per recorded layer (detail FULL) {@code [step][neuron]}: the membrane after reset
 *                    (readouts: the accumulator), null for layers not recorded
 */
public record SampleResult(long[] readout, int prediction, long[] spikes, long[] synapticOps, long inputEvents,
                           int[][] spikeCounts, byte[][][] spikeRecord, long[][][] membraneRecord) {
}
