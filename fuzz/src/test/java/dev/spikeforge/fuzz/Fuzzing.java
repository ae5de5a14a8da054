package dev.spikeforge.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What every fuzz test shares: the rule that a loader may only fail with its documented user-error
 * type (anything else escapes to Jazzer and is a finding), a scratch folder for the input files,
 * and the figures scripts/fuzz.sh reports (inputs run, the slowest one, peak memory).
 *
 * <p>The figures are written when the JVM ends, to the folder named by the system property
 * {@value #STATS_PROPERTY} (set by {@link FuzzMain}); a plain {@code mvn verify} writes nothing.
 */
final class Fuzzing {

    static final String STATS_PROPERTY = "spikeforge.fuzz.stats";

    /** A loader call; it may throw anything, and the caller sorts what it threw. */
    @FunctionalInterface
    interface Load {
        void run() throws Exception;
    }

    private static String loader = "unknown";
    private static long inputs;
    private static long firstNanos;
    private static long firstStart;
    private static long warmupSlowestNanos;
    private static long slowestNanos;
    private static byte[] slowestInput = new byte[0];
    private static Path scratch;
    private static long lastWrite = System.nanoTime();

    /** Statistics are also written every few seconds: a timeout or an RSS overrun ends the JVM without its shutdown hooks. */
    private static final long WRITE_EVERY_NANOS = 3_000_000_000L;
    private static final long WARMUP_NANOS = 20_000_000_000L;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            writeStats();
            deleteScratch();
        }, "fuzz-stats"));
    }

    private Fuzzing() {
    }

    /**
     * Runs {@code load} on {@code input}. It may return, or throw one of {@code documented} with a
     * message; any other throwable (a RuntimeException, an Error such as OutOfMemoryError or
     * StackOverflowError), or a documented one without a message, is rethrown as the finding.
     */
    @SafeVarargs
    static void expect(String name, byte[] input, Load load, Class<? extends Throwable>... documented) throws Throwable {
        long start = System.nanoTime();
        try {
            load.run();
        } catch (Throwable t) {
            if (!isDocumented(t, List.of(documented))) {
                throw t;
            }
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                throw new AssertionError("documented " + t.getClass().getName() + " without a message", t);
            }
        } finally {
            record(name, input, System.nanoTime() - start);
        }
    }

    private static boolean isDocumented(Throwable t, List<Class<? extends Throwable>> documented) {
        return documented.stream().anyMatch(c -> c.isInstance(t));
    }

    private static synchronized void record(String name, byte[] input, long nanos) {
        loader = name;
        inputs++;
        // The first inputs load (and Jazzer instruments) the classes the loader uses, and the JIT
        // has not compiled it yet: the first input and the rest of the first WARMUP_NANOS are
        // reported apart, not as the slowest input. libFuzzer's -timeout still bounds them.
        long now = System.nanoTime();
        if (inputs == 1) {
            firstNanos = nanos;
            firstStart = now;
        } else if (now - firstStart < WARMUP_NANOS) {
            warmupSlowestNanos = Math.max(warmupSlowestNanos, nanos);
        } else if (nanos > slowestNanos) {
            slowestNanos = nanos;
            slowestInput = input.clone();
        }
        if (now - lastWrite > WRITE_EVERY_NANOS) {
            lastWrite = now;
            writeStats();
        }
    }

    /** This JVM's scratch folder, deleted when the JVM ends normally. */
    static synchronized Path scratch() {
        if (scratch == null) {
            try {
                scratch = Files.createTempDirectory("spikeforge-fuzz-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scratch;
    }

    /** {@code bytes} written to the scratch file {@code name} (replacing the last input), for loaders that take a path. */
    static Path inputFile(String name, byte[] bytes) throws IOException {
        Path file = scratch().resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static synchronized void deleteScratch() {
        if (scratch == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(scratch)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("fuzz: cannot delete " + scratch + ": " + e);
        }
    }

    private static synchronized void writeStats() {
        String dir = System.getProperty(STATS_PROPERTY);
        if (dir == null || inputs == 0) {
            return;
        }
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        String stats = String.format(Locale.ROOT,
                "loader=%s%ninputs=%d%nfirst_ms=%.1f%nwarmup_slowest_ms=%.1f%nslowest_ms=%.1f%nheap_peak_mb=%d%nrss_peak_mb=%d%nheap_max_mb=%d%n",
                loader, inputs, firstNanos / 1e6, warmupSlowestNanos / 1e6, slowestNanos / 1e6, heapPeak >> 20, peakRssKb() >> 10,
                Runtime.getRuntime().maxMemory() >> 20);
        try {
            Path out = Path.of(dir);
            Files.createDirectories(out);
            String run = Long.toString(ProcessHandle.current().pid());
            Files.writeString(out.resolve("stats-" + run + ".properties"), stats, StandardCharsets.UTF_8);
            Files.write(out.resolve("slowest-" + run + ".bin"), slowestInput);
        } catch (IOException e) {
            System.err.println("fuzz: cannot write the statistics to " + dir + ": " + e);
        }
    }

    /** The process's peak resident memory (VmHWM) in KiB, or 0 where /proc does not say. */
    private static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
