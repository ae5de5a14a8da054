package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.ArrayList;
import java.util.List;

/**
 * What the profile's plots show, gathered from the integer model's full records of the profiled
 * samples as verify produces them (no pass of its own): spikes per layer per step, every neuron's
 * firing rate, one sample's raster and membranes, and the accuracy the readout would give after
 * each step.
 */
public final class SpikeStatistics implements Proving.RecordObserver {

    /**
     * The gathered data.
     *
     * @param traced neurons whose membranes are plotted, as {layer, neuron}
     */
    public record Data(double[][] spikesPerStep, double[][] firingRates, byte[][][] rasterSample, long[][][] membraneSample,
                List<int[]> traced, double[] accuracyByStep, int sample, int label) {
    }

    private final QuantizedNetwork q;
    private final int[] labels;
    private final int sample;
    private final List<int[]> trace;
    private final double[][] perStep;
    private final long[][] perNeuron;
    private final long[] correctByStep;
    private byte[][][] raster;
    private long[][][] membranes;
    private int samples;

    /**
     * @param labels the profiled samples' labels
     * @param sample which sample's raster and membranes to keep
     * @param trace  neurons to trace as {layer, neuron}; empty: the three most active of the last spiking hidden layer
     */
    SpikeStatistics(QuantizedNetwork q, int[] labels, int sample, List<int[]> trace) {
        this.q = q;
        this.labels = labels;
        this.sample = sample;
        this.trace = trace;
        int layers = q.layers().size();
        perStep = new double[layers][q.timesteps()];
        perNeuron = new long[layers][];
        for (int l = 0; l < layers; l++) {
            perNeuron[l] = new long[q.layers().get(l).size()];
        }
        correctByStep = new long[q.timesteps()];
    }

    @Override
    public void chunk(int from, int[][] inputs, List<SampleResult> records) {
        int steps = q.timesteps();
        for (int i = 0; i < records.size(); i++) {
            SampleResult r = records.get(i);
            for (int l = 0; l < perStep.length; l++) {
                for (int t = 0; t < steps; t++) {
                    byte[] s = r.spikeRecord()[l][t];
                    int count = 0;
                    for (int n = 0; n < s.length; n++) {
                        count += s[n];
                        perNeuron[l][n] += s[n];
                    }
                    perStep[l][t] += count;
                }
            }
            accuracyByStep(r, labels[from + i]);
            if (from + i == sample) {
                raster = r.spikeRecord();
                membranes = r.membraneRecord();
            }
        }
        samples += records.size();
    }

    /** The prediction the readout would give after t steps, for every t. */
    private void accuracyByStep(SampleResult r, int label) {
        int last = perStep.length - 1;
        boolean spiking = q.readout().spiking();
        long[] running = new long[q.readout().size()];
        for (int t = 0; t < q.timesteps(); t++) {
            if (spiking) {
                byte[] s = r.spikeRecord()[last][t];
                for (int c = 0; c < running.length; c++) {
                    running[c] += s[c];
                }
            } else {
                running = r.membraneRecord()[last][t];
            }
            correctByStep[t] += IntegerSimulator.argmax(running) == label ? 1 : 0;
        }
    }

    Data data() {
        int steps = q.timesteps();
        int n = Math.max(1, samples);
        double[][] spikesPerStep = new double[perStep.length][steps];
        double[][] rates = new double[perStep.length][];
        for (int l = 0; l < perStep.length; l++) {
            for (int t = 0; t < steps; t++) {
                spikesPerStep[l][t] = perStep[l][t] / n;
            }
            rates[l] = new double[perNeuron[l].length];
            for (int k = 0; k < rates[l].length; k++) {
                rates[l][k] = perNeuron[l][k] / ((double) n * steps);
            }
        }
        double[] acc = new double[steps];
        for (int t = 0; t < steps; t++) {
            acc[t] = correctByStep[t] / (double) n;
        }
        List<int[]> traced = trace.isEmpty() ? mostActive() : trace;
        return new Data(spikesPerStep, rates, raster, membranes, traced, acc, sample, labels[sample]);
    }

    /** The three neurons of the last spiking hidden layer that spiked most in the traced sample. */
    private List<int[]> mostActive() {
        int layer = -1;
        for (int l = 0; l < q.layers().size() - 1; l++) {
            if (q.layers().get(l).spiking()) {
                layer = l;
            }
        }
        if (layer < 0 || raster == null) {
            return List.of();
        }
        int size = q.layers().get(layer).size();
        int[] counts = new int[size];
        for (byte[] step : raster[layer]) {
            for (int n = 0; n < size; n++) {
                counts[n] += step[n];
            }
        }
        List<int[]> out = new ArrayList<>();
        boolean[] taken = new boolean[size];
        for (int k = 0; k < Math.min(3, size); k++) {
            int best = -1;
            for (int n = 0; n < size; n++) {
                if (!taken[n] && (best < 0 || counts[n] > counts[best])) {
                    best = n;
                }
            }
            taken[best] = true;
            out.add(new int[] {layer, best});
        }
        return out;
    }
}
