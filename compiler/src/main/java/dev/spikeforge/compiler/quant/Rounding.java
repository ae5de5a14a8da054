package dev.spikeforge.compiler.quant;

/** The project's one rounding rule to integers: halves away from zero (2.5 -> 3, -2.5 -> -3). */
public final class Rounding {

    private Rounding() {
    }

    /**
     * Exact for every finite double: {@link Math#round(double)} rounds halves up without the
     * error of {@code floor(x + 0.5)} (which turns 0.49999999999999994 into 1), and the sign is
     * applied outside so halves go away from zero. Magnitudes beyond 2^63 saturate; NaN gives 0.
     */
    public static long halfAway(double v) {
        return v < 0 ? -Math.round(-v) : Math.round(v);
    }
}
