package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bound on a leaky membrane readout (docs/semantics.md section 4.8): whatever the inputs up to C
 * per step and however many steps, |v| stays at most (C + 1) / (1 - beta), so a leaky readout
 * needs fewer bits than T C when T is long.
 */
class LeakyReadoutBoundTest {

    @Test
    void noLeakySequenceOfInputsLeavesTheBound() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int trial = 0; trial < 3000; trial++) {
            long c = 1 + rnd.nextLong(1 << rnd.nextInt(1, 20));
            QuantLeak leak = rnd.nextBoolean() ? new QuantLeak.Shift(1 + rnd.nextInt(10))
                    : new QuantLeak.Multiplier(1 + rnd.nextLong(4095), 12);
            long bound = Quantizer.leakyBound(leak, c);
            boolean towardZero = rnd.nextBoolean();
            long v = 0;
            long seen = 0;
            int pattern = rnd.nextInt(3);
            for (int t = 0; t < 20_000; t++) {
                long in = switch (pattern) {
                    case 0 -> c;
                    case 1 -> -c;
                    default -> rnd.nextLong(-c, c + 1);
                };
                v = leak.apply(v, towardZero) + in;
                seen = Math.max(seen, Math.abs(v));
            }
            assertTrue(seen <= bound, leak.describe() + " C = " + c + ": |v| reached " + seen + " > bound " + bound);
        }
    }

    @Test
    void theBoundIsCPlusOneOverOneMinusBeta() {
        assertEquals(101L << 4, Quantizer.leakyBound(new QuantLeak.Shift(4), 100));
        // beta = 3584 / 4096 = 0.875: (100 + 1) * 4096 / 512 = 808
        assertEquals(808, Quantizer.leakyBound(new QuantLeak.Multiplier(3584, 12), 100));
        // rounded up: (7 + 1) * 4096 / 3 = 10922.67
        assertEquals(10923, Quantizer.leakyBound(new QuantLeak.Multiplier(4093, 12), 7));
        assertEquals(0, Quantizer.leakyBound(new QuantLeak.None(), 100), "no leak, no bound");
        assertEquals(0, Quantizer.leakyBound(new QuantLeak.Multiplier(4096, 12), 100), "beta = 1, no bound");
    }
}
