package dev.spikeforge.runtime.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

    /** The reference values of SplitMix64 from seed 0 (as in Vigna's splitmix64.c). */
    @Test
    void matchesTheReferenceSequence() {
        SplitMix64 r = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Property
    void agreesWithTheJdksSplittableRandom(@ForAll long seed) {
        SplitMix64 ours = new SplitMix64(seed);
        SplittableRandom jdk = new SplittableRandom(seed);
        for (int i = 0; i < 8; i++) {
            assertEquals(jdk.nextLong(), ours.nextLong());
        }
    }

    @Property
    void doublesAreInTheUnitInterval(@ForAll long seed) {
        SplitMix64 r = new SplitMix64(seed);
        for (int i = 0; i < 64; i++) {
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1, "u = " + u);
        }
    }

    @Property
    void bulkBitsAreTheTop53BitsOfTheSameDraws(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3000) int len) {
        SplitMix64 one = new SplitMix64(seed);
        SplitMix64 bulk = new SplitMix64(seed);
        long[] bits = new long[len + 1];
        bulk.nextBits53(bits, len);
        for (int i = 0; i < len; i++) {
            assertEquals(one.nextLong() >>> 11, bits[i]);
        }
        assertEquals(one.nextLong(), bulk.nextLong(), "the stream goes on where the bulk draws stopped");
    }

    /** u < p as doubles equals m < bits53Bound(p) as integers, near the bound and at its edges. */
    @Property
    void theIntegerBoundComparesAsTheDoublesDo(@ForAll long seed, @ForAll @IntRange(min = -2, max = 2) int offset) {
        SplitMix64 r = new SplitMix64(seed);
        double[] ps = {0.0, 1.0, r.nextDouble(), (r.nextLong() >>> 11) * 0x1.0p-53, r.nextInt(256) / 255.0,
            Double.MIN_VALUE, Math.nextDown(1.0)};
        for (double p : ps) {
            long bound = SplitMix64.bits53Bound(p);
            for (long m : new long[] {bound + offset, (long) (p * 0x1.0p53) + offset, 0, (1L << 53) - 1}) {
                if (m < 0 || m >= 1L << 53) {
                    continue;
                }
                assertEquals(m * 0x1.0p-53 < p, m < bound, "m=" + m + " p=" + p);
            }
        }
    }

    @Property
    void boundedIntsStayInBounds(@ForAll long seed, @ForAll @IntRange(min = 1, max = 1000) int bound) {
        SplitMix64 r = new SplitMix64(seed);
        for (int i = 0; i < 32; i++) {
            int v = r.nextInt(bound);
            assertTrue(v >= 0 && v < bound);
        }
    }

    @Test
    void samplesAndPurposesGetDistinctStreams() {
        assertNotEquals(SplitMix64.forSample(7, 0).nextLong(), SplitMix64.forSample(7, 1).nextLong());
        assertNotEquals(SplitMix64.forSample(7, 0).nextLong(), SplitMix64.forSample(8, 0).nextLong());
        assertNotEquals(SplitMix64.forSample(7, 3).nextLong(), SplitMix64.forPurpose(7, 1, 3).nextLong());
        assertEquals(SplitMix64.forSample(7, 3).nextLong(), SplitMix64.forSample(7, 3).nextLong());
    }
}
