package dev.spikeforge.compiler.diag;

import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;

/**
 * Renders diagnostics the way compilers do:
 *
 * <pre>
 * model.snn:7:25: error[E301]: beta must be between 0 and 1 (exclusive), got 1.2
 *     7 | neuron lif = LIF(beta = 1.2, threshold = 1.0)
 *       |                         ^^^
 *       = help: ...
 * </pre>
 *
 * Tabs in the source line are expanded to the next multiple of 4 so that the caret stands under
 * the token in any terminal; the column in the header stays the character column. A line longer
 * than {@value #MAX_SNIPPET} characters is shown as a window of that width around the caret, with
 * "..." where it was cut, so that a one-line file of a megabyte does not print a megabyte per error.
 */
public final class DiagnosticRenderer {

    private static final int TAB = 4;
    /** The widest source snippet printed under a header. */
    static final int MAX_SNIPPET = 100;
    /** How much of the line before the caret a shortened snippet keeps. */
    private static final int BEFORE_CARET = 40;
    private static final String CUT = "...";

    private DiagnosticRenderer() {
    }

    public static String render(SourceFile source, List<Diagnostic> diagnostics) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : Diagnostics.sorted(diagnostics)) {
            render(source, d, out);
        }
        return out.toString();
    }

    public static String header(String fileName, Diagnostic d) {
        String where = d.pos().isKnown()
                ? fileName + ":" + d.pos().line() + ":" + d.pos().column()
                : fileName;
        return where + ": " + d.severity().label() + "[" + d.code().name() + "]: " + d.message();
    }

    static void render(SourceFile source, Diagnostic d, StringBuilder out) {
        out.append(header(source.name(), d)).append('\n');
        String gutter;
        if (d.pos().isKnown()) {
            String number = Integer.toString(d.pos().line());
            gutter = " ".repeat(number.length() + 2);
            String line = source.line(d.pos().line());
            String shown = expandTabs(line);
            int start = displayWidth(line, d.pos().column() - 1);
            int end = displayWidth(line, d.pos().column() - 1 + d.pos().length());
            int width = Math.max(1, end - start);
            if (shown.length() > MAX_SNIPPET) {
                int from = Math.max(0, Math.min(start - BEFORE_CARET, shown.length() - MAX_SNIPPET));
                int to = Math.min(shown.length(), from + MAX_SNIPPET);
                width = Math.max(1, Math.min(width, to - start));
                start = start - from + (from > 0 ? CUT.length() : 0);
                shown = (from > 0 ? CUT : "") + shown.substring(from, to) + (to < shown.length() ? CUT : "");
            }
            out.append(' ').append(number).append(" | ").append(shown).append('\n');
            out.append(gutter).append("| ").append(" ".repeat(start)).append("^".repeat(width)).append('\n');
        } else {
            gutter = "  ";
        }
        if (d.help() != null) {
            out.append(gutter).append("= help: ").append(d.help()).append('\n');
        }
    }

    private static String expandTabs(String line) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                int pad = TAB - b.length() % TAB;
                b.append(" ".repeat(pad));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Display width of the first {@code chars} characters of a line (past its end: +1 each). */
    private static int displayWidth(String line, int chars) {
        int w = 0;
        for (int i = 0; i < chars; i++) {
            if (i < line.length() && line.charAt(i) == '\t') {
                w += TAB - w % TAB;
            } else {
                w++;
            }
        }
        return w;
    }
}
