package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.DeploySpec;

/** How a float beta is stored in a deploy block's leak form (docs/semantics.md section 4.5). */
public final class Leaks {

    private Leaks() {
    }

    /**
     * The integer leak for {@code beta}, or null when the form cannot represent it. beta = 1 (IF)
     * is always {@link QuantLeak.None}. {@code shift}: k = max(1, round(-log2(1 - beta))).
     * {@code multiplier(F)}: m = round_half_away(beta * 2^F), which must be at least 1 and below
     * 2^F (m = 2^F would silently turn a LIF into an IF). {@code none}: only beta = 1.
     */
    public static QuantLeak represent(double beta, DeploySpec.Leak form) {
        if (beta == 1) {
            return new QuantLeak.None();
        }
        if (form instanceof DeploySpec.ShiftLeak) {
            return new QuantLeak.Shift(DeploySpec.shiftFor(beta));
        }
        if (form instanceof DeploySpec.MultiplierLeak ml) {
            long one = 1L << ml.fractionBits();
            long m = Rounding.halfAway(beta * one);
            return m >= 1 && m < one ? new QuantLeak.Multiplier(m, ml.fractionBits()) : null;
        }
        return null;
    }

    /** Why {@link #represent} returned null, as a message tail and a fix. */
    public static String[] whyNot(double beta, DeploySpec.Leak form) {
        if (form instanceof DeploySpec.MultiplierLeak ml) {
            long m = Rounding.halfAway(beta * (1L << ml.fractionBits()));
            String what = m < 1 ? "0, a membrane that forgets everything each step"
                    : "2^" + ml.fractionBits() + "/2^" + ml.fractionBits() + " = 1, no leak at all";
            return new String[] {"beta " + beta + " with leak = multiplier(" + ml.fractionBits() + ") rounds to "
                    + what, "use more fraction bits, leak = multiplier(" + Math.min(24, ml.fractionBits() + 8)
                    + "), or leak = shift"};
        }
        return new String[] {"beta " + beta + " needs a leak but the deploy block says leak = none",
                "use leak = shift or leak = multiplier(12), or make the neuron IF"};
    }
}
