package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.DeploySpec;

/**
 * The integer formats to quantise to: the model's deploy block, with command-line overrides.
 * Without a deploy block: 8-bit per-layer weights, 16-bit saturating membrane, shift leak.
 *
 * @param shiftTowardZero right shifts round toward zero instead of toward minus infinity
 *                        (a target that names {@code toward_zero})
 */
public record QuantOptions(int weightBits, DeploySpec.Granularity granularity, int membraneBits,
                           DeploySpec.Leak leak, DeploySpec.Overflow overflow, boolean shiftTowardZero) {

    public static QuantOptions from(DeploySpec deploy) {
        if (deploy == null) {
            return new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, 16, new DeploySpec.ShiftLeak(),
                    DeploySpec.Overflow.SATURATE, false);
        }
        return new QuantOptions(deploy.weightBits(), deploy.granularity(), deploy.membraneBits(), deploy.leak(),
                deploy.overflow(), false);
    }

    public QuantOptions withWeightBits(int bits) {
        return new QuantOptions(bits, granularity, membraneBits, leak, overflow, shiftTowardZero);
    }

    public QuantOptions withGranularity(DeploySpec.Granularity g) {
        return new QuantOptions(weightBits, g, membraneBits, leak, overflow, shiftTowardZero);
    }

    /** The same formats with right shifts rounding toward zero (a target that says so) or toward minus infinity. */
    public QuantOptions withShiftTowardZero(boolean towardZero) {
        return new QuantOptions(weightBits, granularity, membraneBits, leak, overflow, towardZero);
    }

    public QuantizedNetwork.Numerics numerics() {
        return new QuantizedNetwork.Numerics(weightBits, granularity, membraneBits, overflow, shiftTowardZero);
    }
}
