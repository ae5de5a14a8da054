package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShufflerTest {

    @Property
    void isAPermutation(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1000) int epoch,
                        @ForAll @IntRange(min = 0, max = 2000) int n) {
        int[] order = Shuffler.permutation(seed, epoch, n);
        assertEquals(n, order.length);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Property
    void isDeterministic(@ForAll long seed, @ForAll long epoch, @ForAll @IntRange(min = 0, max = 500) int n) {
        assertArrayEquals(Shuffler.permutation(seed, epoch, n), Shuffler.permutation(seed, epoch, n));
    }

    /** For n >= 10 two epochs coincide with probability at most 1/10! (about 3e-7). */
    @Property
    void differentEpochsGiveDifferentOrders(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1000) int epoch,
                                            @ForAll @IntRange(min = 10, max = 500) int n) {
        assertFalse(Arrays.equals(Shuffler.permutation(seed, epoch, n), Shuffler.permutation(seed, epoch + 1, n)));
    }

    /**
     * Pinned against an independent Python implementation of SplitMix64, forPurpose, the
     * rejection nextInt and Durstenfeld's loop: the order must be the same on every machine.
     */
    @Test
    void matchesTheReferenceOrders() {
        assertArrayEquals(new int[] {7, 2, 6, 9, 3, 8, 0, 4, 1, 5}, Shuffler.permutation(0, 0, 10));
        assertArrayEquals(new int[] {6, 0, 7, 3, 9, 2, 4, 1, 5, 8}, Shuffler.permutation(0, 1, 10));
        assertArrayEquals(new int[] {1, 4, 8, 10, 7, 16, 15, 13, 2, 5, 19, 17, 9, 14, 11, 12, 18, 3, 0, 6},
                Shuffler.permutation(42, 3, 20));
        assertArrayEquals(new int[] {9, 11, 5, 3, 6, 4, 10, 7, 0, 1, 8, 2}, Shuffler.permutation(-1, 7, 12));
    }

    @Test
    void thePurposeIsTheWordShuffle() {
        long word = 0;
        for (byte b : "shuffle".getBytes(StandardCharsets.US_ASCII)) {
            word = word << 8 | b;
        }
        assertEquals(word, Shuffler.PURPOSE_SHUFFLE);
    }

    @Test
    void smallAndInvalidSizes() {
        assertArrayEquals(new int[0], Shuffler.permutation(1, 0, 0));
        assertArrayEquals(new int[] {0}, Shuffler.permutation(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Shuffler.permutation(1, 0, -1));
    }
}
