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
        IntegerSimulator sim = new IntegerSimulator(q);
        List<QuantLayer> spiking = q.layers().stream().filter(l -> l.readout() == null).toList();
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
        for (int from = 0; from < samples; from += batch) {
            int b = Math.min(batch, samples - from);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) {
                idx[i] = from + i;
            }
            float[] input = InputEncoder.encode(net, test, idx, runSeed);
            ForwardResult fr = floatModel.forward(input, b, record);
            int[][] ints = integerInputs(input, b, n, steps, direct);
            long start = System.nanoTime();
            List<SampleResult> ir = sim.run(ints, threads, new IntegerSimulator.Recording(IntegerSimulator.Detail.COUNTS, recordIdx));
            intNanos += System.nanoTime() - start;
            for (int s = 0; s < b; s++) {
                int label = test.label(idx[s]);
                fp[from + s] = fr.prediction(s);
                ip[from + s] = ir.get(s).prediction();
                floatCorrect += fp[from + s] == label ? 1 : 0;
                intCorrect += ip[from + s] == label ? 1 : 0;
                agree += fp[from + s] == ip[from + s] ? 1 : 0;
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
            progress.accept(from + b);
        }
        List<LayerCounts> layers = new ArrayList<>();
        for (int li = 0; li < spiking.size(); li++) {
            QuantLayer l = spiking.get(li);
            if (floatCounts[li] == null) {
                continue;
            }
            layers.add(new LayerCounts(l.layer(), l.node(), l.size(), sum(floatCounts[li]), sum(intCounts[li]),
                    pearson(floatCounts[li], intCounts[li])));
        }
        double d = Math.max(1, samples);
        return new Result(samples, floatCorrect / d, intCorrect / d, agree / d, layers, intNanos / 1e9, ops, fp, ip);
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
