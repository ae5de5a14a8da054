package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.Timing;
import java.util.List;

/**
 * A network in the integer semantics of docs/semantics.md section 4: the populations in execution
 * order (the last one is the readout), each with its integer synapses, thresholds and leak, and
 * the number formats they were quantised to. Immutable; this is what the integer reference
 * simulator runs and what targets map.
 *
 * @param inputLimit the largest |input value|: 1 for spike encodings (values -1, 0, 1), 255 for
 *                   {@code direct} input, whose values are the raw bytes 0..255
 * @param readoutBits the signed width that holds the readout's output after T steps (at most 64)
 * @param timing      when a layer reads its sources' spikes: the same step, or the previous one
 *                    (docs/semantics.md section 2.7)
 */
public record QuantizedNetwork(String name, int timesteps, Encoding encoding, Shape inputShape, int inputLimit,
                               List<QuantLayer> layers, Numerics numerics, int readoutBits, Timing timing) {

    public QuantizedNetwork {
        layers = List.copyOf(layers);
        java.util.Objects.requireNonNull(timing, "timing");
    }

    /** A sequential network. */
    public QuantizedNetwork(String name, int timesteps, Encoding encoding, Shape inputShape, int inputLimit,
                            List<QuantLayer> layers, Numerics numerics, int readoutBits) {
        this(name, timesteps, encoding, inputShape, inputLimit, layers, numerics, readoutBits, Timing.SEQUENTIAL);
    }

    /** The same integer network run under another timing (a target that declares its own). */
    public QuantizedNetwork withTiming(Timing t) {
        return t == timing ? this
                : new QuantizedNetwork(name, timesteps, encoding, inputShape, inputLimit, layers, numerics, readoutBits, t);
    }

    public QuantLayer readout() {
        return layers.get(layers.size() - 1);
    }

    public int inputSize() {
        return Math.toIntExact(inputShape.size());
    }

    public QuantLayer layer(String nameOrNode) {
        for (QuantLayer l : layers) {
            if (l.layer().equals(nameOrNode) || l.node().equals(nameOrNode)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer '" + nameOrNode + "'");
    }

    /**
     * The number formats every layer shares.
     *
     * @param decayMinLsb a leak removes at least 1 LSB from a positive state (a target that names
     *                    {@code decay_min_lsb}, docs/semantics.md section 4.12)
     * @param leakNearest the leak's right shift rounds to nearest, ties up (the fpga target's
     *                    {@code leak_rounding = nearest}, docs/semantics.md section 4.12)
     */
    public record Numerics(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                           DeploySpec.Overflow overflow, boolean shiftTowardZero, int currentBits,
                           boolean decayMinLsb, boolean leakNearest) {

        /** Formats whose leaks round their shift as {@code shift_rounding} says. */
        public Numerics(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                        DeploySpec.Overflow overflow, boolean shiftTowardZero, int currentBits, boolean decayMinLsb) {
            this(weightBits, granularity, membraneBits, overflow, shiftTowardZero, currentBits, decayMinLsb, false);
        }

        /** Formats whose leaks round as plain shifts (no minimum decay). */
        public Numerics(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                        DeploySpec.Overflow overflow, boolean shiftTowardZero, int currentBits) {
            this(weightBits, granularity, membraneBits, overflow, shiftTowardZero, currentBits, false);
        }

        /** leak(v) with these numerics' rounding: {@code shift_rounding}, {@code decay_min_lsb}, {@code leak_rounding}. */
        public long leak(QuantLeak leak, long v) {
            return QuantLeak.decay(leak, v, shiftTowardZero, decayMinLsb, leakNearest);
        }

        /** Formats whose synaptic current (CUBA) is as wide as the membrane. */
        public Numerics(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                        DeploySpec.Overflow overflow, boolean shiftTowardZero) {
            this(weightBits, granularity, membraneBits, overflow, shiftTowardZero, membraneBits, false);
        }

        /** Saturate (or wrap) a synaptic current to {@code currentBits}, once per step. */
        public long clampCurrent(long c) {
            return clampTo(c, currentBits);
        }

        /** The largest weight magnitude: 2^(B-1) - 1 (symmetric, so -2^(B-1) is never used). */
        public int weightLimit() {
            return (1 << (weightBits - 1)) - 1;
        }

        public long membraneMin() {
            return -(1L << (membraneBits - 1));
        }

        public long membraneMax() {
            return (1L << (membraneBits - 1)) - 1;
        }

        /** Saturate (or wrap) a step's sum to M bits, once per step. */
        public long clampMembrane(long h) {
            return clampTo(h, membraneBits);
        }

        private long clampTo(long x, int bits) {
            if (overflow == DeploySpec.Overflow.WRAP) {
                int drop = 64 - bits;
                return (x << drop) >> drop;
            }
            return Math.max(-(1L << (bits - 1)), Math.min((1L << (bits - 1)) - 1, x));
        }
    }
}
