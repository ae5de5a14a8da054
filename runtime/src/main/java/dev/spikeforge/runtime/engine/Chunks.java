package dev.spikeforge.runtime.engine;

import java.util.stream.IntStream;

/**
 * Splits independent elements (a layer's neurons of all samples, pooling planes, an optimiser's
 * weights) into chunks run on all cores. Chunks write disjoint ranges, so the result does not
 * depend on how they are scheduled.
 */
public final class Chunks {

    /** Elements per chunk: T x 2048 doubles per work array stays within a core's cache. */
    static final int SIZE = 2048;

    public interface Body {
        void run(int from, int to);
    }

    private Chunks() {
    }

    public static void forEach(int count, int size, Body body) {
        int chunks = (count + size - 1) / size;
        if (chunks <= 1) {
            body.run(0, count);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.run(c * size, Math.min(count, (c + 1) * size)));
    }
}
