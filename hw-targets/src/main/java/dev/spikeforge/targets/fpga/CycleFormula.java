package dev.spikeforge.targets.fpga;

/**
 * The closed-form cycle count of one layer's engine in one timestep: a pure function of the layer's
 * input events and spikes, with no state. The emulator counts cycles by stepping registers; this
 * formula counts them from the spikes alone; the RTL simulation measures them. All three must
 * agree. {@link Schedule} composes these counts into waves, latency and throughput.
 */
public final class CycleFormula {

    /**
     * A layer's cycles besides its membrane words, walks and stalls: the start cycle, the walk's
     * first cycle (it loads the first event into the walker's register), the five cycles the last
     * word the neuron counters choose spends in the pipeline (n1 read, n2 bias, n3 fire and reset, n4
     * spikes and the leak's multiply, n5 the leak's shift and the write-back), and the done cycle.
     * The synaptic pipeline's two stages overlap the neuron phase's first cycles and add none.
     */
    public static final int FIXED = 8;

    public static final String TEXT = "cycles(layer, step) = " + FIXED + " + membrane_words + sum over the layer's input "
            + "events of max(1, words(event)) + sum over membrane words of max(0, spikes(word) - 1); words(event) = dense: "
            + "blocks; conv: blocks x (kernel rows that reach an output row) x (kernel columns that reach an output column); "
            + "pool: 1 if the event falls inside the pooled output, else 0; a recurrent layer's own spikes of the previous step are "
            + "events too, each walking blocks (full) or 1 word (diagonal); spikes(word) = spikes of the lanes of one "
            + "membrane word (one output position, one block of lanes) in that step";

    private CycleFormula() {
    }

    /**
     * Cycles of one layer in one step.
     *
     * @param events  the layer's input events as {c, y, x} triples, flattened ({@code 3 * count} entries)
     * @param count   how many events
     * @param recurrent how many of the layer's own spikes of the previous step it walks (0 unless recurrent)
     * @param spikes  the layer's output spikes in the step, as flat neuron indices
     * @param nSpikes how many spikes
     */
    public static long layer(FpgaLayer l, int[] events, int count, int recurrent, int[] spikes, int nSpikes) {
        long cycles = FIXED + (long) l.memoryWords() + (long) recurrent * l.recurrentEventWords();
        for (int e = 0; e < count; e++) {
            cycles += Math.max(1, l.wordsFor(events[3 * e], events[3 * e + 1], events[3 * e + 2]));
        }
        if (nSpikes > 1) {
            int plane = l.outH() * l.outW();
            int[] perWord = new int[l.memoryWords()];
            for (int i = 0; i < nSpikes; i++) {
                int n = spikes[i];
                int c = n / plane;
                int pos = n % plane;
                perWord[pos * l.blocks() + c / l.lanes()]++;
            }
            for (int k : perWord) {
                cycles += Math.max(0, k - 1);
            }
        }
        return cycles;
    }
}
