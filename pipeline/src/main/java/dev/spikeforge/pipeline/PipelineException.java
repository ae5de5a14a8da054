package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;

/**
 * A stage that cannot go on, for a reason the user can act on: a model with errors or a broken
 * design rule (with its diagnostics, rendered against the model's source), a file that cannot be
 * read, or options that do not fit together. Never a bug: bugs are plain runtime exceptions.
 */
public final class PipelineException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of failure, which the command line maps to its exit codes (1, 2 and 3). */
    public enum Kind {
        /** The model, its quantisation or a target's rules fail, or a check did (exit 1). */
        CHECK_FAILED,
        /** Options that do not fit together (exit 2). */
        USAGE,
        /** A file that cannot be read or written, a damaged folder, a missing tool (exit 3). */
        INPUT
    }

    private final Kind kind;
    private final boolean located;
    private final transient SourceFile source;
    private final transient List<Diagnostic> diagnostics;

    private PipelineException(Kind kind, String message, boolean located, SourceFile source, List<Diagnostic> diagnostics) {
        super(message);
        this.kind = kind;
        this.located = located;
        this.source = source;
        this.diagnostics = List.copyOf(diagnostics);
    }

    /** A failure the message says all of; a command prints it after its own name ({@code spikeforge verify: error: }). */
    public static PipelineException of(Kind kind, String message) {
        return new PipelineException(kind, message, false, null, List.of());
    }

    /** A failure whose message starts with its place ({@code FILE: error: ...}) and is printed as it is. */
    public static PipelineException located(Kind kind, String message) {
        return new PipelineException(kind, message, true, null, List.of());
    }

    /** Diagnostics of {@code source} (the model's errors, a target's broken rules): the message is their summary. */
    public static PipelineException diagnostics(SourceFile source, List<Diagnostic> diagnostics, String summary) {
        return new PipelineException(Kind.CHECK_FAILED, summary, false, source, diagnostics);
    }

    /** Whether the message starts with its own place and needs no command name before it. */
    public boolean located() {
        return located;
    }

    public Kind kind() {
        return kind;
    }

    /** The file the diagnostics point into, or null when there are none. */
    public SourceFile source() {
        return source;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /**
     * The failure in one line, for a result row or a task's error: the message, then the first
     * diagnostic's code and message when there are diagnostics.
     */
    public String oneLine() {
        String m = getMessage() == null ? "" : getMessage();
        if (!diagnostics.isEmpty()) {
            Diagnostic d = diagnostics.get(0);
            m = (m.isEmpty() ? "" : m + ": ") + "error[" + d.code() + "]: " + d.message();
        }
        return m;
    }
}
