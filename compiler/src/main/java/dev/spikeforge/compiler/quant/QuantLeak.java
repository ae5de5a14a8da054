package dev.spikeforge.compiler.quant;

/**
 * The integer leak of one layer (docs/semantics.md section 4.5), applied to the membrane left by
 * the previous step before the step's current is added: {@code h = leak(v) + I}. Right shifts are
 * arithmetic and round toward minus infinity, unless {@code towardZero}.
 */
public sealed interface QuantLeak {

    /** leak(v), exact in 64-bit arithmetic for every |v| below 2^(63 - fraction bits). */
    long apply(long v, boolean towardZero);

    /** The beta this leak represents. */
    double beta();

    /** For reports and JSON: {@code shift(4)}, {@code multiplier(3840, 12)}, {@code none}. */
    String describe();

    /**
     * leak(v) on a chip whose decay removes at least 1 LSB from a positive state (docs/semantics.md
     * section 4.12, {@code decay_min_lsb}; SynSense Xylo): where the leak would leave a positive v
     * unchanged it gives v - 1. A negative v already moves toward 0 under a floor shift, 0 stays 0,
     * and {@code none} (no leak) is never changed.
     */
    static long decay(QuantLeak leak, long v, boolean towardZero, boolean minLsb) {
        return decay(leak, v, towardZero, minLsb, false);
    }

    /**
     * As {@link #decay(QuantLeak, long, boolean, boolean)}, and with {@code nearest} (the fpga
     * target's {@code leak_rounding = nearest}, docs/semantics.md section 4.12) the leak's right shift
     * rounds to nearest, ties up: shift {@code v - ((v + 2^(k-1)) >> k)}, multiplier
     * {@code (v m + 2^(F-1)) >> F}; the negative-only fixed points of a floor shift (-7..-1 at beta
     * 0.875) become nearly symmetric around 0 (-3..4).
     */
    static long decay(QuantLeak leak, long v, boolean towardZero, boolean minLsb, boolean nearest) {
        long d = nearest ? nearest(leak, v) : leak.apply(v, towardZero);
        if (minLsb && v > 0 && d == v && !(leak instanceof None)) {
            return v - 1;
        }
        return d;
    }

    /** leak(v) with its right shift rounded to nearest, ties toward plus infinity. */
    private static long nearest(QuantLeak leak, long v) {
        if (leak instanceof Shift s) {
            return v - ((v + (1L << (s.k() - 1))) >> s.k());
        }
        if (leak instanceof Multiplier x) {
            return (v * x.m() + (1L << (x.fractionBits() - 1))) >> x.fractionBits();
        }
        return v;
    }

    /** {@code v >> k} with the chosen rounding. */
    static long shiftRight(long v, int k, boolean towardZero) {
        if (towardZero && v < 0) {
            return -((-v) >> k);
        }
        return v >> k;
    }

    /** v - (v >> k): beta = 1 - 2^-k. */
    record Shift(int k) implements QuantLeak {
        public Shift {
            if (k < 1 || k > 62) {
                throw new IllegalArgumentException("shift must be 1 to 62, got " + k);
            }
        }

        @Override
        public long apply(long v, boolean towardZero) {
            return v - shiftRight(v, k, towardZero);
        }

        @Override
        public double beta() {
            return 1 - Math.pow(2, -k);
        }

        @Override
        public String describe() {
            return "shift(" + k + ")";
        }
    }

    /** (v * m) >> F: beta = m / 2^F. */
    record Multiplier(long m, int fractionBits) implements QuantLeak {
        public Multiplier {
            if (fractionBits < 1 || fractionBits > 30 || m < 1 || m > (1L << fractionBits)) {
                throw new IllegalArgumentException("multiplier needs 1 <= m <= 2^F, 1 <= F <= 30; got m=" + m
                        + " F=" + fractionBits);
            }
        }

        /**
         * {@code (v * m) >> F} with the chosen rounding. {@link LeakMutation} (a test-only seam) can
         * make it round to nearest, to prove that no target emulator shares this code.
         */
        @Override
        public long apply(long v, boolean towardZero) {
            if (LeakMutation.multiplierToNearest) {
                return (v * m + (1L << (fractionBits - 1))) >> fractionBits;
            }
            return shiftRight(v * m, fractionBits, towardZero);
        }

        @Override
        public double beta() {
            return m / (double) (1L << fractionBits);
        }

        @Override
        public String describe() {
            return "multiplier(" + m + ", " + fractionBits + ")";
        }
    }

    /** v: integrate and fire. */
    record None() implements QuantLeak {
        @Override
        public long apply(long v, boolean towardZero) {
            return v;
        }

        @Override
        public double beta() {
            return 1;
        }

        @Override
        public String describe() {
            return "none";
        }
    }
}
