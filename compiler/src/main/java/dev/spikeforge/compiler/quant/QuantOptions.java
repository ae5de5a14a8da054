package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Timing;

/**
 * The integer formats to quantise to: the model's deploy block, with command-line overrides.
 * Without a deploy block: 8-bit per-layer weights, 16-bit saturating membrane, shift leak, and a
 * synaptic current as wide as the membrane.
 *
 * @param shiftTowardZero right shifts round toward zero instead of toward minus infinity
 *                        (a target that names {@code toward_zero})
 * @param currentBits     the width of a CUBA layer's synaptic current ({@code current_bits},
 *                        docs/semantics.md section 4.9)
 * @param decayMinLsb     a leak removes at least 1 LSB from a positive state (a target that names
 *                        {@code decay_min_lsb}, docs/semantics.md section 4.12)
 * @param leakNearest     the leak's right shift rounds to nearest (the fpga target's {@code
 *                        leak_rounding = nearest}, docs/semantics.md section 4.12)
 * @param timing          when a layer reads its sources' spikes (docs/semantics.md section 2.7): the
 *                        deploy block's, or the target's own
 */
public record QuantOptions(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                           DeploySpec.Leak leak, DeploySpec.Overflow overflow, boolean shiftTowardZero,
                           int currentBits, boolean decayMinLsb, boolean leakNearest, Timing timing) {

    public QuantOptions {
        java.util.Objects.requireNonNull(timing, "timing");
    }

    /** Sequential formats whose leaks round as plain shifts. */
    public QuantOptions(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                        DeploySpec.Leak leak, DeploySpec.Overflow overflow, boolean shiftTowardZero, int currentBits) {
        this(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero, currentBits, false, false,
                Timing.SEQUENTIAL);
    }

    /** Formats whose synaptic current is as wide as the membrane. */
    public QuantOptions(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                        DeploySpec.Leak leak, DeploySpec.Overflow overflow, boolean shiftTowardZero) {
        this(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero, membraneBits);
    }

    public static QuantOptions from(DeploySpec deploy) {
        if (deploy == null) {
            return new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, 16, new DeploySpec.ShiftLeak(),
                    DeploySpec.Overflow.SATURATE, false);
        }
        return new QuantOptions(deploy.weightBits(), deploy.granularity(), deploy.membraneBits(), deploy.leak(),
                deploy.overflow(), false, deploy.currentBits(), false, false, deploy.timing());
    }

    public QuantOptions withWeightBits(int bits) {
        return new QuantOptions(bits, granularity, membraneBits, leak, overflow, shiftTowardZero, currentBits,
                decayMinLsb, leakNearest, timing);
    }

    public QuantOptions withGranularity(DeploySpec.Granularity g) {
        return new QuantOptions(weightBits, g, membraneBits, leak, overflow, shiftTowardZero, currentBits,
                decayMinLsb, leakNearest, timing);
    }

    /** The same formats with right shifts rounding toward zero (a target that says so) or toward minus infinity. */
    public QuantOptions withShiftTowardZero(boolean towardZero) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, towardZero, currentBits,
                decayMinLsb, leakNearest, timing);
    }

    /** The same formats with a synaptic current of {@code bits}. */
    public QuantOptions withCurrentBits(int bits) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero, bits,
                decayMinLsb, leakNearest, timing);
    }

    /** The same formats run under {@code t} (a target with its own timing). */
    public QuantOptions withTiming(Timing t) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero,
                currentBits, decayMinLsb, leakNearest, t);
    }

    /** The same formats with leaks that remove at least 1 LSB from a positive state (a target that says so), or not. */
    public QuantOptions withDecayMinLsb(boolean minLsb) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero,
                currentBits, minLsb, leakNearest, timing);
    }

    /** The same formats with the leak's shift rounded to nearest (the fpga target's option), or not. */
    public QuantOptions withLeakNearest(boolean nearest) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, shiftTowardZero, currentBits,
                decayMinLsb, nearest, timing);
    }

    public QuantizedNetwork.Numerics numerics() {
        return new QuantizedNetwork.Numerics(weightBits, granularity, membraneBits, overflow, shiftTowardZero,
                currentBits, decayMinLsb, leakNearest);
    }
}
