package dev.spikeforge.targets.neurocore.emulator;

import java.util.ArrayList;
import java.util.List;

/**
 * Timing, load, spike-limit and energy figures of many emulated samples, for reports: means per
 * inference, the slowest step, per-layer slowest core and utilisation (busy cycles over total
 * cycles, summed over the samples).
 *
 * @param meanStepCycles  cycles per step, averaged over all steps of all samples
 * @param maxStepCycles   the slowest step of any sample
 * @param meanCycles      cycles per inference (T steps), averaged
 * @param maxCycles       the slowest inference
 * @param meanSeconds     time per inference at the target's clock, averaged
 * @param coreUtilisation per core id: its busy cycles over all cycles
 * @param meanEnergy      energy per inference by category, averaged
 */
public record EmulationSummary(int samples, double meanStepCycles, long maxStepCycles, double meanCycles,
                               long maxCycles, double meanSeconds, List<LayerLoad> layers, double[] coreUtilisation,
                               SpikeLimitTotals spikeLimit, EmulatedSample.Energy meanEnergy, double meanSynapticOps,
                               double meanNeuronUpdates, double meanPackets, double meanHops) {

    /**
     * One layer's load.
     *
     * @param slowestCore        the layer's core with the most busy cycles over all samples (lowest id on ties)
     * @param slowestUtilisation that core's busy cycles over all cycles
     * @param meanUtilisation    the mean utilisation of the layer's cores
     * @param meanCycles         the layer's share of the critical path per inference, averaged
     * @param meanSynapticOps    synaptic operations of the layer's cores per inference
     * @param meanNeuronUpdates  neuron updates of the layer's cores per inference
     * @param meanComputeJ       their energy per inference from the spec's figures (routing and static power are
     *                           the whole chip's, in {@link EmulationSummary#meanEnergy()})
     */
    public record LayerLoad(int layer, String name, int cores, int slowestCore, double slowestUtilisation,
                            double meanUtilisation, double meanCycles, double meanSynapticOps, double meanNeuronUpdates,
                            double meanComputeJ) {
    }

    /**
     * Spikes-per-step limit violations over all samples.
     *
     * @param violations (sample, core, step) triples over the limit
     * @param samples    samples with at least one violation
     * @param worstSample the sample of the largest excess, -1 if none (then the other worst fields are -1 / 0)
     */
    public record SpikeLimitTotals(int limit, long violations, int samples, int worstSample, int worstCore,
                                   int worstStep, int worstSpikes) {
    }

    public static EmulationSummary of(Mapping m, List<EmulatedSample> results) {
        int n = results.size();
        int cores = m.cores().size();
        long totalCycles = 0;
        long maxStep = 0;
        long maxCycles = 0;
        long steps = 0;
        long[] busy = new long[cores];
        long[] coreOps = new long[cores];
        long[] coreUpdates = new long[cores];
        double[] layerCycles = new double[m.layers().size()];
        EmulatedSample.Energy energy = new EmulatedSample.Energy(0, 0, 0, 0);
        double ops = 0;
        double updates = 0;
        double packets = 0;
        double hops = 0;
        long violations = 0;
        int violating = 0;
        int worstSample = -1;
        EmulatedSample.SpikeLimit worst = null;
        for (int s = 0; s < n; s++) {
            EmulatedSample r = results.get(s);
            long c = r.cycles();
            totalCycles += c;
            maxCycles = Math.max(maxCycles, c);
            maxStep = Math.max(maxStep, r.maxStepCycles());
            steps += r.stepCycles().length;
            for (int k = 0; k < cores; k++) {
                busy[k] += r.busyCycles()[k];
                coreOps[k] += r.synapticOps()[k];
                coreUpdates[k] += r.neuronUpdates()[k];
            }
            for (int l = 0; l < layerCycles.length; l++) {
                layerCycles[l] += r.layerCycles()[l];
            }
            energy = energy.plus(r.energy());
            ops += r.totalSynapticOps();
            updates += r.totalNeuronUpdates();
            packets += r.packets();
            hops += r.hops();
            EmulatedSample.SpikeLimit lim = r.spikeLimit();
            violations += lim.violations();
            if (lim.violations() > 0) {
                violating++;
                if (worst == null || lim.worstSpikes() > worst.worstSpikes()) {
                    worst = lim;
                    worstSample = s;
                }
            }
        }
        double d = Math.max(1, n);
        double[] util = new double[cores];
        for (int k = 0; k < cores; k++) {
            util[k] = totalCycles == 0 ? 0 : busy[k] / (double) totalCycles;
        }
        List<LayerLoad> layers = new ArrayList<>();
        for (Mapping.Layer l : m.layers()) {
            int slowest = -1;
            double sum = 0;
            double lOps = 0;
            double lUpdates = 0;
            for (int c : l.cores()) {
                lOps += coreOps[c];
                lUpdates += coreUpdates[c];
                if (slowest < 0 || busy[c] > busy[slowest] || (busy[c] == busy[slowest] && c < slowest)) {
                    slowest = c;
                }
                sum += util[c];
            }
            layers.add(new LayerLoad(l.index(), l.name(), l.cores().length, slowest, slowest < 0 ? 0 : util[slowest],
                    l.cores().length == 0 ? 0 : sum / l.cores().length, layerCycles[l.index()] / d, lOps / d, lUpdates / d,
                    (lOps * m.target().synapticOpPj() + lUpdates * m.target().neuronUpdatePj()) * 1e-12 / d));
        }
        SpikeLimitTotals limits = worst == null
                ? new SpikeLimitTotals(m.target().maxSpikesPerCorePerStep(), 0, 0, -1, -1, 0, 0)
                : new SpikeLimitTotals(worst.limit(), violations, violating, worstSample, worst.worstCore(),
                        worst.worstStep(), worst.worstSpikes());
        return new EmulationSummary(n, steps == 0 ? 0 : totalCycles / (double) steps, maxStep, totalCycles / d,
                maxCycles, m.target().seconds(totalCycles) / d, layers, util, limits, energy.times(1 / d), ops / d,
                updates / d, packets / d, hops / d);
    }
}
