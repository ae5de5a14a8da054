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
 */
public record TargetFigures(int samples, String resources, double meanCycles, long minCycles, long maxCycles,
                            double meanStepCycles, long maxStepCycles, Clock clock, Energy energy,
                            List<Counter> counters, FigureTable layers, List<String> notes, double emulatorSeconds) {

    public TargetFigures {
        counters = List.copyOf(counters);
        notes = List.copyOf(notes);
    }

    /** Seconds per inference at the clock. */
    public double meanSeconds() {
        return clock.seconds(meanCycles);
    }

    /** Inferences per second at the clock, one after another. */
    public double inferencesPerSecond() {
        double s = meanSeconds();
        return s > 0 ? 1 / s : 0;
    }

    /** The same figures at another clock (an assumed clock a user restates). */
    public TargetFigures at(Clock other) {
        return new TargetFigures(samples, resources, meanCycles, minCycles, maxCycles, meanStepCycles, maxStepCycles,
                other, energy, counters, layers, notes, emulatorSeconds);
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
