package dev.spikeforge.runtime.verify;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * docs/semantics.md section 5.3: the float model and the integer model on the same input
 * spikes (the run's evaluation spikes of the first N test samples). Reports the accuracy of each,
 * the fraction of samples where they predict the same class, and per spiking layer the spike
 * totals of each and the Pearson correlation of per-neuron spike counts (summed over samples and
 * steps).
 *
 * <p>Nothing here assumes a feed-forward network: each model runs its own time loop (recurrent
 * layers and synaptic currents included) and only spike counts and predictions are compared. The
 * spiking layers of the integer model are its neuron populations and its maxpool populations
 * (docs/semantics.md section 4.11), each named by its IR node; a layer whose node the float engine
 * does not record is left out of the per-layer counts rather than compared with nothing.
 */
public final class FloatIntegerComparison {

    /** Pass when agreement >= {@code agreement} and float accuracy - integer accuracy <= {@code dropPoints} / 100. */
    public record Tolerances(double agreement, double dropPoints) {
    }

    /** Rounding slack of the comparisons with the tolerances (fractions of a sample are far larger). */
    static final double EPSILON = 1e-9;

    public record LayerCounts(String layer, String node, int neurons, long floatSpikes, long integerSpikes,
                              double correlation) {
    }

    /**
     * @param integerSeconds wall time of the integer model alone
     * @param layerSynapticOps weight additions the integer model made over all samples, per layer of the
     *                       quantised network (readout included)
     */
    public record Result(int samples, double floatAccuracy, double integerAccuracy, double agreement,
                         List<LayerCounts> layers, double integerSeconds, long[] layerSynapticOps, int[] floatPredictions,
                         int[] integerPredictions) {

        /** Weight additions of all layers over all samples. */
        public long synapticOps() {
            return java.util.Arrays.stream(layerSynapticOps).sum();
        }

        public double dropPoints() {
            return 100 * (floatAccuracy - integerAccuracy);
        }

        /** The broken tolerances, as sentences; empty when it passes. */
        public List<String> failures(Tolerances t) {
            List<String> f = new ArrayList<>();
            // a tolerance equal to the measured value passes: 1 sample in 200 is exactly 0.5 points
            if (agreement < t.agreement() - EPSILON) {
                f.add(String.format(java.util.Locale.ROOT, "class agreement %.2f%% is below the tolerance %.2f%%",
                        100 * agreement, 100 * t.agreement()));
            }
            if (dropPoints() > t.dropPoints() + EPSILON) {
                f.add(String.format(java.util.Locale.ROOT,
                        "integer accuracy is %.2f points below float, over the tolerance %.2f", dropPoints(),
                        t.dropPoints()));
            }
            return f;
        }
    }

    private FloatIntegerComparison() {
    }

    /**
     * @param progress called with the number of samples done after each batch
     */
    public static Result run(Network net, FloatModel floatModel, QuantizedNetwork q, ImageDataset test, int samples,
                             long runSeed, int batch, int threads, IntConsumer progress) {
        return result(q, tally(net, floatModel, q, test, 0, samples, runSeed, batch, threads, progress));
    }

    /**
     * The raw counts of test samples {@code from .. to - 1}: what {@link #result} turns into a
     * {@link Result}. The float model runs batches of {@code batch} samples starting at {@code from};
     * they are the batches {@link #run} runs (so the float model sees the same arrays of the same
     * shape, and gives the same bits) when {@code from} is a multiple of {@code batch}.
     *
     * @param progress called with the number of samples done (counted from 0, not from {@code from}) after each batch
     */
    public static Tally tally(Network net, FloatModel floatModel, QuantizedNetwork q, ImageDataset test, int from, int to,
                              long runSeed, int batch, int threads, IntConsumer progress) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("samples " + from + " to " + to + " are not a range");
        }
        IntegerSimulator sim = new IntegerSimulator(q);
        List<QuantLayer> spiking = spiking(q);
        Set<String> record = new HashSet<>();
        spiking.forEach(l -> record.add(l.node()));
        long[][] floatCounts = new long[spiking.size()][];
        long[][] intCounts = new long[spiking.size()][];
        for (int i = 0; i < spiking.size(); i++) {
            floatCounts[i] = new long[spiking.get(i).size()];
            intCounts[i] = new long[spiking.get(i).size()];
        }
        int[] recordIdx = new int[spiking.size()];
        for (int i = 0; i < spiking.size(); i++) {
            recordIdx[i] = q.layers().indexOf(spiking.get(i));
        }
        int samples = to - from;
        int[] fp = new int[samples];
        int[] ip = new int[samples];
        int floatCorrect = 0;
        int intCorrect = 0;
        int agree = 0;
        long[] ops = new long[q.layers().size()];
        long intNanos = 0;
        int n = q.inputSize();
        int steps = q.timesteps();
        boolean direct = q.encoding().analog();
        for (int at = 0; at < samples; at += batch) {
            int b = Math.min(batch, samples - at);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) {
                idx[i] = from + at + i;
            }
            float[] input = InputEncoder.encode(net, test, idx, runSeed);
            ForwardResult fr = floatModel.forward(input, b, record);
            int[][] ints = integerInputs(input, b, n, steps, direct);
            long start = System.nanoTime();
            List<SampleResult> ir = sim.run(ints, threads, new IntegerSimulator.Recording(IntegerSimulator.Detail.COUNTS, recordIdx));
            intNanos += System.nanoTime() - start;
            for (int s = 0; s < b; s++) {
                int label = test.label(idx[s]);
                fp[at + s] = fr.prediction(s);
                ip[at + s] = ir.get(s).prediction();
                floatCorrect += fp[at + s] == label ? 1 : 0;
                intCorrect += ip[at + s] == label ? 1 : 0;
                agree += fp[at + s] == ip[at + s] ? 1 : 0;
                long[] o = ir.get(s).synapticOps();
                for (int l = 0; l < o.length; l++) {
                    ops[l] += o[l];
                }
            }
            for (int li = 0; li < spiking.size(); li++) {
                int size = spiking.get(li).size();
                float[] acts = fr.recorded().get(spiking.get(li).node());
                if (acts == null) {
                    floatCounts[li] = null;
                    continue;
                }
                long[] fc = floatCounts[li];
                for (int row = 0; row < steps * b; row++) {
                    for (int k = 0; k < size; k++) {
                        fc[k] += acts[row * size + k] != 0 ? 1 : 0;
                    }
                }
                long[] ic = intCounts[li];
                for (SampleResult r : ir) {
                    int[] counts = r.spikeCounts()[recordIdx[li]];
                    for (int k = 0; k < size; k++) {
                        ic[k] += counts[k];
                    }
                }
            }
            progress.accept(at + b);
        }
        return new Tally(from, samples, floatCorrect, intCorrect, agree, floatCounts, intCounts, ops, intNanos, fp, ip);
    }

    /** The comparison's figures from the counts of samples 0 .. N - 1 (one tally, or the tallies of ranges merged). */
    public static Result result(QuantizedNetwork q, Tally t) {
        List<QuantLayer> spiking = spiking(q);
        if (t.floatCounts().length != spiking.size() || t.layerSynapticOps().length != q.layers().size()) {
            throw new IllegalArgumentException("the counts are of another network: " + t.floatCounts().length
                    + " spiking layers and " + t.layerSynapticOps().length + " layers, this one has " + spiking.size()
                    + " and " + q.layers().size());
        }
        List<LayerCounts> layers = new ArrayList<>();
        for (int li = 0; li < spiking.size(); li++) {
            QuantLayer l = spiking.get(li);
            if (t.floatCounts()[li] == null) {
                continue;
            }
            layers.add(new LayerCounts(l.layer(), l.node(), l.size(), sum(t.floatCounts()[li]), sum(t.integerCounts()[li]),
                    pearson(t.floatCounts()[li], t.integerCounts()[li])));
        }
        int samples = t.samples();
        double d = Math.max(1, samples);
        return new Result(samples, t.floatCorrect() / d, t.integerCorrect() / d, t.agree() / d, layers, t.integerNanos() / 1e9,
                t.layerSynapticOps().clone(), t.floatPredictions().clone(), t.integerPredictions().clone());
    }

    private static List<QuantLayer> spiking(QuantizedNetwork q) {
        return q.layers().stream().filter(l -> l.readout() == null).toList();
    }

    /**
     * The raw counts of a comparison over test samples {@code from .. from + samples - 1}: integers
     * only (besides the integer model's wall time), so that the counts of consecutive ranges, run
     * anywhere, add up to exactly the counts of the whole range ({@link #then}), and {@link #result}
     * gives the figures one run over all of it gives. Serializable, to travel from the machine that
     * counted a range to the one that merges them.
     *
     * @param floatCounts   per spiking layer of the integer model, per neuron: the float model's spikes, summed over
     *                      samples and steps; null for a layer whose node the float engine does not record
     * @param integerCounts the same for the integer model
     * @param integerNanos  wall time of the integer model alone (the only field that is not a count)
     */
    public record Tally(int from, int samples, int floatCorrect, int integerCorrect, int agree, long[][] floatCounts,
                        long[][] integerCounts, long[] layerSynapticOps, long integerNanos, int[] floatPredictions,
                        int[] integerPredictions) implements java.io.Serializable {

        private static final long serialVersionUID = 1L;

        /** Samples {@code from .. to - 1}. */
        public int to() {
            return from + samples;
        }

        /**
         * These counts followed by {@code next}'s, which must count the samples right after these, of the same
         * network: the counts one range over both would give (the sums of integers do not depend on their order;
         * the predictions are concatenated in sample order).
         */
        public Tally then(Tally next) {
            if (next.from != to()) {
                throw new IllegalArgumentException("the counts of samples " + next.from + " to " + (next.to() - 1)
                        + " cannot follow those of samples " + from + " to " + (to() - 1) + ": the next range must start at "
                        + to());
            }
            if (next.floatCounts.length != floatCounts.length || next.layerSynapticOps.length != layerSynapticOps.length) {
                throw new IllegalArgumentException("the counts of samples " + next.from + " to " + (next.to() - 1)
                        + " are of another network");
            }
            long[][] fc = new long[floatCounts.length][];
            long[][] ic = new long[floatCounts.length][];
            for (int li = 0; li < fc.length; li++) {
                if (integerCounts[li].length != next.integerCounts[li].length) {
                    throw new IllegalArgumentException("the counts of samples " + next.from + " to " + (next.to() - 1)
                            + " are of another network (layer " + li + " has " + next.integerCounts[li].length
                            + " neurons, not " + integerCounts[li].length + ")");
                }
                ic[li] = add(integerCounts[li], next.integerCounts[li]);
                // a layer the float engine did not record in one range is left out, as one range over both would
                fc[li] = floatCounts[li] == null || next.floatCounts[li] == null ? null
                        : add(floatCounts[li], next.floatCounts[li]);
            }
            return new Tally(from, samples + next.samples, floatCorrect + next.floatCorrect,
                    integerCorrect + next.integerCorrect, agree + next.agree, fc, ic,
                    add(layerSynapticOps, next.layerSynapticOps), integerNanos + next.integerNanos,
                    concat(floatPredictions, next.floatPredictions), concat(integerPredictions, next.integerPredictions));
        }

        private static long[] add(long[] a, long[] b) {
            long[] out = a.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] += b[i];
            }
            return out;
        }

        private static int[] concat(int[] a, int[] b) {
            int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    /**
     * The integer model's inputs from the float engine's time-major batch ({@code (t * B + b) * N + i}):
     * per sample, T*N step-major values; spikes as -1/0/1, direct input as its bytes 0..255.
     */
    public static int[][] integerInputs(float[] input, int batch, int n, int steps, boolean direct) {
        int[][] ints = new int[batch][steps * n];
        for (int s = 0; s < batch; s++) {
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < n; i++) {
                    float v = input[(t * batch + s) * n + i];
                    ints[s][t * n + i] = direct ? Math.round(v * 255f) : (int) v;
                }
            }
        }
        return ints;
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    /** Pearson correlation; two constant vectors correlate 1 when equal and 0 otherwise. */
    static double pearson(long[] a, long[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        if (saa == 0 || sbb == 0) {
            return java.util.Arrays.equals(a, b) ? 1 : 0;
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
