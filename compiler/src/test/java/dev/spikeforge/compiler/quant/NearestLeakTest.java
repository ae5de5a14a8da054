package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The leak rounded to nearest (the fpga target's {@code leak_rounding = nearest}, docs/semantics.md
 * section 4.12) against its definition in exact arithmetic: floor(x / 2^s + 1/2) for the shifted
 * amount, with x = v m for the multiplier and x = v for the shift leak.
 */
class NearestLeakTest {

    /** floor(x / 2^s + 1/2) = floor((2x + 2^s) / 2^(s+1)), exactly. */
    private static long nearest(BigInteger x, int s) {
        BigInteger num = x.shiftLeft(1).add(BigInteger.ONE.shiftLeft(s));
        BigInteger[] qr = num.divideAndRemainder(BigInteger.ONE.shiftLeft(s + 1));
        BigInteger q = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        return q.longValueExact();
    }

    @Test
    void nearestLeakIsFloorOfAHalfAddedOnRandomStates() {
        SplittableRandom rnd = new SplittableRandom(24);
        int ties = 0;
        for (int i = 0; i < 100_000; i++) {
            long v = rnd.nextLong(-(1L << 31), 1L << 31);
            int f = 1 + rnd.nextInt(24);
            long m = 1 + rnd.nextLong((1L << f) - 1);
            QuantLeak mult = new QuantLeak.Multiplier(m, f);
            assertEquals(nearest(BigInteger.valueOf(v).multiply(BigInteger.valueOf(m)), f),
                    QuantLeak.decay(mult, v, false, false, true), "v " + v + ", m " + m + ", F " + f);
            int k = 1 + rnd.nextInt(20);
            QuantLeak shift = new QuantLeak.Shift(k);
            assertEquals(v - nearest(BigInteger.valueOf(v), k), QuantLeak.decay(shift, v, false, false, true),
                    "v " + v + ", k " + k);
            ties += Math.floorMod(v, 1L << k) == 1L << (k - 1) ? 1 : 0;
        }
        assertTrue(ties > 100, "half-way states were drawn: " + ties);
    }

    /**
     * The bias that nearest removes: at beta = 0.875 (multiplier 3584 / 2^12) a floor shift keeps
     * -7..-1 as fixed points while every positive state decays to 0; rounded to nearest (ties up) the
     * fixed points are -3..4: one-sided no more, off by the tie only.
     */
    @Test
    void nearestRemovesTheOneSidedFixedPoints() {
        QuantLeak m = new QuantLeak.Multiplier(3584, 12);
        StringBuilder floor = new StringBuilder();
        StringBuilder near = new StringBuilder();
        for (long v = -10; v <= 10; v++) {
            if (QuantLeak.decay(m, v, false, false, false) == v && v != 0) {
                floor.append(v).append(' ');
            }
            if (QuantLeak.decay(m, v, false, false, true) == v && v != 0) {
                near.append(v).append(' ');
            }
        }
        assertEquals("-7 -6 -5 -4 -3 -2 -1 ", floor.toString());
        assertEquals("-3 -2 -1 1 2 3 4 ", near.toString());
    }
}
