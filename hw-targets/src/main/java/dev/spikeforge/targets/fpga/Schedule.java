package dev.spikeforge.targets.fpga;

/**
 * The accelerator's schedule: how the cycles of each layer in each step compose into waves, and
 * waves into each sample's latency and the stream's throughput. The only place that composition
 * is written: the emulator, the RTL trace's parser and any static prediction call it.
 *
 * <p>The engines run in waves (docs/targets.md, "Schedule"): in wave {@code w} engine {@code l}
 * works on item {@code w - l} of the stream, where item {@code i} is step {@code i % T} of sample
 * {@code i / T} (samples follow one another with no gap). A wave lasts {@link #SWAP} cycle, in
 * which every engine that will work swaps its event buffer's banks, plus the cycles of the
 * slowest engine that works in it (its {@link CycleFormula#layer} count); an engine with no item
 * idles. A stream of {@code S} samples of {@code T} steps through {@code L} engines takes
 * {@code S * T + L - 1} waves.
 */
public final class Schedule {

    /** The wave's first cycle: the banks swap and the engines' start is registered. */
    public static final int SWAP = 1;

    public static final String TEXT = "wave(w) = " + SWAP + " + max over engines l with an item i = w - l in the stream"
            + " (0 <= i < samples x steps) of cycles(layer l, sample i / steps, step i % steps); a stream of S samples takes"
            + " S x steps + layers - 1 waves; latency(sample s) = sum of waves s x steps .. s x steps + steps + layers - 2;"
            + " cycles(sample s) = sum of waves s x steps .. s x steps + steps - 1 (its share of the stream: throughput ="
            + " clock / mean cycles(sample))";

    private Schedule() {
    }

    /** How many waves a stream of {@code samples} samples of {@code steps} steps through {@code layers} engines takes. */
    public static int waves(int samples, int steps, int layers) {
        return samples == 0 ? 0 : samples * steps + layers - 1;
    }

    /**
     * The cycles of every wave of a stream.
     *
     * @param layerCycles {@code [sample][layer][step]}: each engine's cycles on each item ({@link CycleFormula#layer})
     */
    public static long[] compose(long[][][] layerCycles) {
        int samples = layerCycles.length;
        if (samples == 0) {
            return new long[0];
        }
        int layers = layerCycles[0].length;
        int steps = layerCycles[0][0].length;
        long[] waves = new long[waves(samples, steps, layers)];
        for (int w = 0; w < waves.length; w++) {
            long slowest = 0;
            for (int l = 0; l < layers; l++) {
                int item = w - l;
                if (item >= 0 && item < samples * steps) {
                    slowest = Math.max(slowest, layerCycles[item / steps][l][item % steps]);
                }
            }
            waves[w] = SWAP + slowest;
        }
        return waves;
    }

    /** The first wave of sample {@code s}. */
    public static int firstWave(int s, int steps) {
        return s * steps;
    }

    /** From the start of sample {@code s}'s first wave to the end of its last (its last step leaving the last engine). */
    public static long latency(long[] waves, int s, int steps, int layers) {
        long sum = 0;
        for (int w = s * steps; w < s * steps + steps + layers - 1; w++) {
            sum += waves[w];
        }
        return sum;
    }

    /** Sample {@code s}'s share of the stream: the waves in which its steps enter the first engine. */
    public static long[] share(long[] waves, int s, int steps) {
        long[] out = new long[steps];
        System.arraycopy(waves, s * steps, out, 0, steps);
        return out;
    }

    /**
     * The cycle, counted from the start of sample {@code s}'s first wave, at which engine {@code l}
     * starts step {@code t} of it: the waves before its wave, then the swap cycle.
     */
    public static long engineStart(long[] waves, int s, int steps, int l, int t) {
        long c = 0;
        for (int w = s * steps; w < s * steps + t + l; w++) {
            c += waves[w];
        }
        return c + SWAP;
    }
}
