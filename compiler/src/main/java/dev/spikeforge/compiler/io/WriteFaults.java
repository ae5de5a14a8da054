package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seam through which fault tests break a write at a chosen rename: every rename that publishes
 * an output (a file over its target, a staging folder into place, an old folder aside) passes
 * {@link #beforeRename}. Off unless the system property {@code spikeforge.fault.rename} or the
 * environment variable {@code SPIKEFORGE_FAULT_RENAME} is set to {@code N} or {@code N:MODE}:
 * at the N-th rename of the process (counting from 1), MODE {@code halt} (the default) stops the
 * JVM at once with {@link Runtime#halt} (what kill -9 does to the files: nothing is closed or
 * cleaned up), and MODE {@code ioerror} throws an IOException as a full disk would.
 */
public final class WriteFaults {

    static final String PROPERTY = "spikeforge.fault.rename";
    static final String VARIABLE = "SPIKEFORGE_FAULT_RENAME";
    private static final AtomicInteger RENAMES = new AtomicInteger();

    private WriteFaults() {
    }

    /** Counts one rename and breaks it when the plan says so. */
    static void beforeRename(String what) throws IOException {
        String plan = System.getProperty(PROPERTY, System.getenv(VARIABLE));
        int n = RENAMES.incrementAndGet();
        if (plan == null || plan.isBlank()) {
            return;
        }
        String[] parts = plan.trim().split(":", 2);
        int at;
        try {
            at = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            return;
        }
        if (n != at) {
            return;
        }
        String mode = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "halt";
        if (mode.equals("ioerror")) {
            throw new IOException("No space left on device (injected at rename " + n + ": " + what + ")");
        }
        Runtime.getRuntime().halt(137);
    }

    /** Starts the count again (for tests that set the property within one JVM). */
    public static void reset() {
        RENAMES.set(0);
    }

    /** How many renames the process has made since it started or since {@link #reset}. */
    public static int renames() {
        return RENAMES.get();
    }
}
