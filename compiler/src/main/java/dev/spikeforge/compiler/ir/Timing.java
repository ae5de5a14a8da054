package dev.spikeforge.compiler.ir;

/**
 * When a layer's spikes reach the layers that read them (docs/semantics.md section 2.7).
 *
 * <ul>
 *   <li>{@link #SEQUENTIAL}: the layers of a step run one after another; a layer reads the spikes
 *       its sources emitted in the same step.</li>
 *   <li>{@link #PIPELINED}: every layer runs at once, as the cores of Loihi, TrueNorth and
 *       SpiNNaker2 do; a synapse whose source is a layer reads that layer's spikes of the previous
 *       step (none at the first), one step of delay per layer hop. Synapses from the network's
 *       input read the step's own input.</li>
 * </ul>
 *
 * Recurrent synapses read s[t-1] under both.
 */
public enum Timing implements Keyword {
    SEQUENTIAL,
    PIPELINED;

    /** The timing named {@code word} (case-insensitive), or null. */
    public static Timing of(String word) {
        for (Timing t : values()) {
            if (t.keyword().equalsIgnoreCase(word)) {
                return t;
            }
        }
        return null;
    }
}
