package dev.spikeforge.runtime.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wall time per layer of the float model's forward passes, for profiling (docs/benchmarks.md):
 * on with {@code -Dspikeforge.layerClock=true}, it sums each node's time over every pass but the
 * first {@value #WARM_UP} (the JIT compiles the Java kernels during those) and prints the totals to
 * standard error when the JVM exits. Off, it costs one branch per node.
 */
final class LayerClock {

    static final boolean ON = Boolean.getBoolean("spikeforge.layerClock");

    /** Passes of each node left out of its total. */
    static final int WARM_UP = 5;

    private static final Map<String, long[]> TOTALS = new ConcurrentHashMap<>();

    static {
        if (ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(LayerClock::print));
        }
    }

    private LayerClock() {
    }

    static void add(String what, long nanos) {
        long[] t = TOTALS.computeIfAbsent(what, k -> new long[2]);
        synchronized (t) {
            if (t[1] >= WARM_UP) {
                t[0] += nanos;
            }
            t[1]++;
        }
    }

    private static void print() {
        StringBuilder b = new StringBuilder("layer clock (ms in total over the passes after the first " + WARM_UP
                + ", passes in all):\n");
        TOTALS.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                .forEach(e -> b.append(String.format("  %-28s %10.1f %6d%n", e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1])));
        System.err.print(b);
    }
}
