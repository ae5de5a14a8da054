package dev.spikeforge.compiler.target;

import java.util.List;
import java.util.Map;

/**
 * A target's figures over the samples its emulator ran, per inference: the common ones every
 * report shows, and the family's own as a table and notes, so that text, JSON and HTML are all
 * rendered from the same data.
 *
 * @param samples        samples the figures are over
 * @param resources      what the design occupies in a few words (e.g. {@code 9 cores}); empty if nothing to say
 * @param meanCycles     cycles per inference, averaged
 * @param minCycles      the fastest inference
 * @param maxCycles      the slowest inference
 * @param meanStepCycles cycles per step, averaged over all steps
 * @param maxStepCycles  the slowest step
 * @param clock          the clock latency is stated at
 * @param energy         energy per inference, estimated from the target's figures; null when not modelled
 * @param counters       the family's event counters per inference (synaptic ops, hops, spikes, ...)
 * @param layers         the family's per-layer figures
 * @param notes          sentences the reports print as they are (limits exceeded, what is not modelled and why)
 * @param emulatorSeconds wall time the emulator took for these samples
 * @param cycleModel     the family's cycle model checked against the emulator, or null when it has none
 */
public record TargetFigures(int samples, String resources, double meanCycles, long minCycles, long maxCycles,
                            double meanStepCycles, long maxStepCycles, Clock clock, Energy energy,
                            List<Counter> counters, FigureTable layers, List<String> notes, double emulatorSeconds,
                            CycleModel cycleModel) {

    public TargetFigures {
        counters = List.copyOf(counters);
        notes = List.copyOf(notes);
    }

    /** Figures of a family without a cycle model of its own. */
    public TargetFigures(int samples, String resources, double meanCycles, long minCycles, long maxCycles,
                         double meanStepCycles, long maxStepCycles, Clock clock, Energy energy,
                         List<Counter> counters, FigureTable layers, List<String> notes, double emulatorSeconds) {
        this(samples, resources, meanCycles, minCycles, maxCycles, meanStepCycles, maxStepCycles, clock, energy, counters,
                layers, notes, emulatorSeconds, null);
    }

    /**
     * A family's cycle model beside its emulator: the cycles of each sample predicted from its input
     * and the integer reference's spikes alone (never the emulator's state), and the most cycles a
     * step and an inference can take, from the design alone.
     *
     * @param formula              the formula in words
     * @param predictedSamples     samples whose cycles were predicted (0 where no integer reference ran: emulate, profile)
     * @param equalSamples         of those, the samples whose every step the emulator took exactly the predicted cycles
     * @param firstDifference      the first sample and step where prediction and emulator differ, or null
     * @param meanPredictedCycles  predicted cycles per inference, averaged over {@code predictedSamples}
     * @param rtlSamples           samples an RTL simulation ran whose cycles were compared with the prediction
     * @param rtlEqualSamples      of those, the samples whose every step the RTL took exactly the predicted cycles
     * @param worstStepCycles      the most cycles one step can take
     * @param worstInferenceCycles the most cycles one inference can take
     * @param worstNote            where the bound is not reached, or how it is reached, in words
     */
    public record CycleModel(String formula, long predictedSamples, long equalSamples, String firstDifference,
                             double meanPredictedCycles, long rtlSamples, long rtlEqualSamples, long worstStepCycles,
                             long worstInferenceCycles, String worstNote) {

        /** True when every predicted sample (emulator and RTL) took the predicted cycles. */
        public boolean holds() {
            return equalSamples == predictedSamples && rtlEqualSamples == rtlSamples;
        }
    }

    /** Seconds per inference at the clock. */
    public double meanSeconds() {
        return clock.seconds(meanCycles);
    }

    /**
     * From a sample's first input to its result, at the clock: the {@code latency_seconds} counter
     * where the family reports one (a design whose samples overlap in a stream, so that a sample's
     * share of the time, {@link #meanSeconds}, is shorter than its latency), else {@link #meanSeconds}.
     */
    public double latencySeconds() {
        return counters.stream().filter(c -> c.key().equals("latency_seconds")).mapToDouble(Counter::perInference)
                .findFirst().orElse(meanSeconds());
    }

    /** Inferences per second at the clock, one after another (or, where samples overlap, in a steady stream). */
    public double inferencesPerSecond() {
        double s = meanSeconds();
        return s > 0 ? 1 / s : 0;
    }

    /** The same figures at another clock (an assumed clock a user restates). */
    public TargetFigures at(Clock other) {
        return new TargetFigures(samples, resources, meanCycles, minCycles, maxCycles, meanStepCycles, maxStepCycles,
                other, energy, counters, layers, notes, emulatorSeconds, cycleModel);
    }

    /**
     * The clock latency is stated at.
     *
     * @param assumed true when the clock is an assumption, not a timing result (a user may restate it)
     * @param basis   where the clock comes from, in words the reports print beside it (e.g. {@code Fmax
     *                measured by nextpnr-ice40 on hx8k}); {@code assumed} for an assumption, empty when
     *                it is the target's own clock and needs no word
     */
    public record Clock(double mhz, boolean assumed, String basis) {

        public Clock {
            basis = basis == null ? "" : basis;
        }

        /** A target's own clock ({@code assumed} false), or an assumption. */
        public Clock(double mhz, boolean assumed) {
            this(mhz, assumed, assumed ? "assumed" : "");
        }

        public double seconds(double cycles) {
            return cycles / (mhz * 1e6);
        }
    }

    /**
     * Energy per inference in joules: by category (summing to the total) and, where known, the
     * synaptic and neuron part of each layer.
     */
    public record Energy(Map<String, Double> parts, Map<String, Double> perLayerCompute) {

        public Energy {
            parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
            perLayerCompute = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perLayerCompute));
        }

        public double total() {
            return parts.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        public double part(String name) {
            return parts.getOrDefault(name, 0.0);
        }
    }

    /**
     * An event counter.
     *
     * @param key   its JSON key, e.g. {@code synaptic_ops_per_inference}
     * @param label how text names it, e.g. {@code synaptic ops}
     */
    public record Counter(String key, String label, double perInference) {
    }
}
