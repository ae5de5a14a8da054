package dev.spikeforge.targets.fpga;

/**
 * The accelerator's cycle model, apart from the emulator that steps its registers: the cycles one
 * layer engine spends in one step ({@link #layer}), predicted for a whole sample from its input and
 * each layer's spikes alone ({@link #predict}: {@code verify} feeds it the integer model's spikes,
 * never the emulator's buffers), and the worst case a design can take, from the design alone
 * ({@link #worstLayer}, {@link #worstWave}, {@link #worstInference}, {@link #worstLatency}).
 * {@link Schedule} composes the per-layer counts into waves, latency and throughput. The emulator
 * counts cycles by stepping registers, the RTL simulation measures them; both must equal the
 * prediction and stay within the bound.
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

    /**
     * The cycles of every layer engine in every step of one sample ({@code [layer][step]}, as
     * {@link Schedule#compose} takes them), predicted from its input and the spikes of every layer
     * alone: no emulator state is read. Layer 0's events are the input's nonzero values of
     * the step; layer l's are layer l-1's spikes of the same step; a recurrent layer also walks its
     * own spikes of the step before.
     *
     * @param input  {@code steps * inputSize} values, step-major, as the emulator takes them
     * @param spikes per layer, per step, per neuron (flat, channel-major): the spike count, 0 or 1
     *               (as the integer model's spike record holds them)
     */
    public static long[][] predict(FpgaDesign d, int[] input, byte[][][] spikes) {
        int steps = d.timesteps();
        int layers = d.layers().size();
        if (spikes.length != layers) {
            throw new IllegalArgumentException("spikes of " + spikes.length + " layers for a design of " + layers);
        }
        int h = d.inputShape()[1];
        int w = d.inputShape()[2];
        int inputSize = d.inputShape()[0] * h * w;
        if (input.length != steps * inputSize) {
            throw new IllegalArgumentException("input has " + input.length + " values, expected " + steps + " x " + inputSize);
        }
        long[][] out = new long[layers][steps];
        int[] events = new int[0];
        int[] own = new int[0];
        for (int t = 0; t < steps; t++) {
            for (int l = 0; l < layers; l++) {
                FpgaLayer fl = d.layers().get(l);
                int count = 0;
                if (l == 0) {
                    events = grow(events, 3 * inputSize);
                    for (int i = 0; i < inputSize; i++) {
                        if (input[t * inputSize + i] != 0) {
                            events[3 * count] = i / (h * w);
                            events[3 * count + 1] = (i / w) % h;
                            events[3 * count + 2] = i % w;
                            count++;
                        }
                    }
                } else {
                    FpgaLayer src = d.layers().get(l - 1);
                    byte[] s = spikes[l - 1][t];
                    events = grow(events, 3 * s.length);
                    int plane = src.outH() * src.outW();
                    for (int n = 0; n < s.length; n++) {
                        if (s[n] != 0) {
                            events[3 * count] = n / plane;
                            events[3 * count + 1] = (n / src.outW()) % src.outH();
                            events[3 * count + 2] = n % src.outW();
                            count++;
                        }
                    }
                }
                int recurrent = fl.recurrent() && t > 0 ? nonzero(spikes[l][t - 1]) : 0;
                byte[] mine = spikes[l][t];
                own = grow(own, mine.length);
                int nSpikes = 0;
                for (int n = 0; n < mine.length; n++) {
                    if (mine[n] != 0) {
                        own[nSpikes++] = n;
                    }
                }
                out[l][t] = layer(fl, events, count, recurrent, own, nSpikes);
            }
        }
        return out;
    }

    /**
     * The most cycles layer {@code l} can spend in one step, from the design alone: every input
     * position holds an event (layer 0) or every neuron of the layer before spiked, the layer's
     * own units all spiked in the step before when {@code recurrenceNow} (a recurrent layer walks
     * none in step 1), and every neuron of the layer spikes, so that each membrane word stalls its
     * lanes' spikes out one per cycle. Every term of {@link #layer} grows with the events and
     * spikes, so no sample exceeds it.
     */
    public static long worstLayer(FpgaDesign d, int l, boolean recurrenceNow) {
        FpgaLayer fl = d.layers().get(l);
        long cycles = FIXED + (long) fl.memoryWords();
        int inC = l == 0 ? d.inputShape()[0] : d.layers().get(l - 1).outC();
        int inH = l == 0 ? d.inputShape()[1] : d.layers().get(l - 1).outH();
        int inW = l == 0 ? d.inputShape()[2] : d.layers().get(l - 1).outW();
        for (int c = 0; c < inC; c++) {
            for (int y = 0; y < inH; y++) {
                for (int x = 0; x < inW; x++) {
                    cycles += Math.max(1, fl.wordsFor(c, y, x));
                }
            }
        }
        if (fl.recurrent() && recurrenceNow) {
            cycles += (long) fl.outC() * fl.recurrentEventWords();
        }
        if (fl.mode().spiking()) {
            for (int b = 0; b < fl.blocks(); b++) {
                cycles += (long) fl.outH() * fl.outW() * Math.max(0, fl.validLanes(b) - 1);
            }
        }
        return cycles;
    }

    /**
     * The most cycles a wave can take in any stream: the swap cycle and the slowest engine at its
     * worst (a recurrent layer walking all its units, as in every step after its first).
     */
    public static long worstWave(FpgaDesign d) {
        long slowest = 0;
        for (int l = 0; l < d.layers().size(); l++) {
            slowest = Math.max(slowest, worstLayer(d, l, d.timesteps() > 1));
        }
        return Schedule.SWAP + slowest;
    }

    /** The most cycles a sample's share of a stream can take (the inverse of the throughput): its T waves at their worst. */
    public static long worstInference(FpgaDesign d) {
        return d.timesteps() * worstWave(d);
    }

    /** The longest latency a sample can have in a stream: its T + layers - 1 waves at their worst. */
    public static long worstLatency(FpgaDesign d) {
        return (d.timesteps() + d.layers().size() - 1L) * worstWave(d);
    }

    /** When the bound is reached, in words (the reports print it beside the bound). */
    public static String worstNote(FpgaDesign d) {
        boolean recurrent = d.layers().stream().anyMatch(FpgaLayer::recurrent);
        return "worst case from the design alone: every input position an event and every neuron of every spiking layer"
                + " firing in every step (the per-word spike stalls included), so that every wave lasts as long as the"
                + " slowest engine at its worst" + (recurrent ? " (a recurrent layer walks no own events in a sample's first"
                + " step, so its waves there can be shorter)" : "")
                + "; a sample's latency is then at most " + worstLatency(d) + " cycles (its T + layers - 1 waves)"
                + "; reached only where the weights make every neuron fire";
    }

    private static int nonzero(byte[] s) {
        int n = 0;
        for (byte b : s) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    private static int[] grow(int[] a, int n) {
        return a.length >= n ? a : new int[n];
    }
}
