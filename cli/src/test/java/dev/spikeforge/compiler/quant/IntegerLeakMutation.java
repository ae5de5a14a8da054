package dev.spikeforge.compiler.quant;

/**
 * Test helper: runs code while the integer model's multiplier leak is mutated to round to nearest
 * ({@link LeakMutation}, the package-private seam in QuantLeak), and restores it afterwards.
 */
public final class IntegerLeakMutation {

    private IntegerLeakMutation() {
    }

    /** Runs {@code body} with {@link QuantLeak.Multiplier#apply} rounding to nearest; the flag is cleared even if it throws. */
    public static <T> T roundMultiplierToNearest(java.util.function.Supplier<T> body) {
        LeakMutation.multiplierToNearest = true;
        try {
            return body.get();
        } finally {
            LeakMutation.multiplierToNearest = false;
        }
    }
}
