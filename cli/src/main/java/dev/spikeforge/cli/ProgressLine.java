package dev.spikeforge.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line of progress on standard error: redrawn in place on a terminal, printed every tenth
 * of the way otherwise (CI logs), so that long work is never silent and logs stay short.
 */
final class ProgressLine {

    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private int lastDecile = -1;
    private long lastDraw;

    ProgressLine(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    void update(String label, long done, long total, String details, double perSecond) {
        int decile = (int) (10 * done / Math.max(1, total));
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (terminal && !finished && now - lastDraw < 100_000_000L) {
            return;
        }
        if (!terminal && !finished && decile == lastDecile) {
            return;
        }
        lastDraw = now;
        lastDecile = decile;
        int filled = (int) (BAR * done / Math.max(1, total));
        String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
        String eta = perSecond > 0 && !finished ? "  ETA " + duration((total - done) / perSecond) : "";
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d  %s%s", label, bar, done, total, details, eta);
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            if (finished) {
                err.println();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
