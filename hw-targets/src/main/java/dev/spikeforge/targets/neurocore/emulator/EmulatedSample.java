package dev.spikeforge.targets.neurocore.emulator;

/**
 * What the emulated chip did with one sample: its output, its event counters, its cycles and its
 * energy (the timing and energy model of docs/targets.md, "Timing and energy model"; see
 * {@link NeurocoreEmulator}). Per-core arrays are indexed by core id, per-step arrays by
 * t - 1 for steps t = 1..T. Arrays are shared, not copied: treat them as read-only.
 *
 * @param readout       per class: the accumulator after T steps (readout_accumulate, readout_membrane)
 *                      or the spike count (readout_count)
 * @param prediction    argmax of {@code readout}, ties to the lowest class
 * @param synapticOps   per core: weight additions done (packets x in-bounds taps onto the core's neurons)
 * @param neuronUpdates per core: neuron updates (its neurons x T)
 * @param packets       spike packets sent, host input packets included
 * @param inputPackets  packets the host sent (one per non-zero input value per destination core)
 * @param hops          mesh hops summed over all packets
 * @param spikesSent    {@code [step][core]}: spikes of the core's neurons in that step
 * @param stepCycles    {@code [step]}: cycles of the step, barrier included
 * @param layerCycles   per layer: its share of the critical path, summed over the steps
 * @param busyCycles    per core: cycles it computed (its synaptic and neuron phases), summed over the steps
 * @param spikeLimit    the steps where a core sent more spikes than the target allows
 * @param energy        energy of the inference by category
 * @param membranes     with recording, {@code [layer][step][neuron]} in the layer's flat indexing: the
 *                      membrane after reset (non-spiking readouts: the accumulator); else null
 * @param spikes        with recording, {@code [layer][step][neuron]} 0/1; else null
 */
public record EmulatedSample(long[] readout, int prediction, long[] synapticOps, long[] neuronUpdates, long packets,
                             long inputPackets, long hops, int[][] spikesSent, long[] stepCycles, long[] layerCycles,
                             long[] busyCycles, SpikeLimit spikeLimit, Energy energy, long[][][] membranes,
                             byte[][][] spikes) implements dev.spikeforge.compiler.target.TargetSample, java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** The same sample without its records: the counters only, for summaries that keep many samples. */
    public EmulatedSample counters() {
        return new EmulatedSample(readout, prediction, synapticOps, neuronUpdates, packets, inputPackets, hops, spikesSent,
                stepCycles, layerCycles, busyCycles, spikeLimit, energy, null, null);
    }

    /** Cycles of the whole inference (T steps). */
    @Override
    public long cycles() {
        long c = 0;
        for (long s : stepCycles) {
            c += s;
        }
        return c;
    }

    /** The largest cycles of one step. */
    public long maxStepCycles() {
        long c = 0;
        for (long s : stepCycles) {
            c = Math.max(c, s);
        }
        return c;
    }

    /** Busy cycles of {@code core} over the inference's cycles. */
    public double utilisation(int core) {
        long total = cycles();
        return total == 0 ? 0 : busyCycles[core] / (double) total;
    }

    public long totalSynapticOps() {
        long s = 0;
        for (long o : synapticOps) {
            s += o;
        }
        return s;
    }

    public long totalNeuronUpdates() {
        long s = 0;
        for (long o : neuronUpdates) {
            s += o;
        }
        return s;
    }

    /**
     * Spikes-per-step limit violations, like nengo-loihi's "too many spikes".
     *
     * @param limit       the target's max_spikes_per_core_per_step (0 = no limit, then never violated)
     * @param violations  (core, step) pairs over the limit
     * @param worstCore   the core of the largest excess (the earliest step, then the lowest core, on ties); -1 if none
     * @param worstStep   its step t, 1-based as in docs/semantics.md section 1; 0 if none
     * @param worstSpikes the spikes it sent in that step; 0 if none
     */
    public record SpikeLimit(int limit, int violations, int worstCore, int worstStep, int worstSpikes)
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Energy of one inference in joules, by category. */
    public record Energy(double synapticJ, double neuronJ, double routingJ, double staticJ) implements java.io.Serializable {

        private static final long serialVersionUID = 1L;

        public double totalJ() {
            return synapticJ + neuronJ + routingJ + staticJ;
        }

        public Energy plus(Energy o) {
            return new Energy(synapticJ + o.synapticJ, neuronJ + o.neuronJ, routingJ + o.routingJ, staticJ + o.staticJ);
        }

        public Energy times(double f) {
            return new Energy(synapticJ * f, neuronJ * f, routingJ * f, staticJ * f);
        }
    }
}
