package dev.spikeforge.compiler.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private static final int[][] INPUTS = {{1}, {2}, {3}, {4}};

    @Test
    void resultsComeBackInInputOrder() {
        assertEquals(List.of(10, 20, 30, 40), Parallel.map(INPUTS, 2, "t", () -> 10, (s, in) -> s * in[0]));
    }

    /** A worker that runs out of memory or stack: the caller gets that Error itself, not a wrapper. */
    @Test
    void aWorkersErrorReachesTheCallerAsItself() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Parallel.map(INPUTS, 2, "t", () -> 0, (s, in) -> {
            throw oom;
        })));
        StackOverflowError soe = new StackOverflowError();
        assertSame(soe, assertThrows(StackOverflowError.class, () -> Parallel.map(INPUTS, 2, "t", () -> 0, (s, in) -> {
            throw soe;
        })));
    }
}
