package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;

/**
 * The result of reading one .snn file: every diagnostic (sorted by position) and, unless the file
 * lacks what a network needs, the network. A network comes with errors too: callers that need a
 * valid model check {@link #ok()}. A file of more than {@code SnnFrontEnd.MAX_DIAGNOSTICS} lists
 * that many and one E106; {@code omittedErrors} and {@code omittedWarnings} count the others.
 */
public record Compilation(SourceFile source, Network network, List<Diagnostic> diagnostics, long omittedErrors,
                          long omittedWarnings) {

    public Compilation {
        diagnostics = List.copyOf(diagnostics);
    }

    /** A compilation that lists every diagnostic it found. */
    public Compilation(SourceFile source, Network network, List<Diagnostic> diagnostics) {
        this(source, network, diagnostics, 0, 0);
    }

    /** The errors of the file: those listed (not the E106 that counts the rest) and those over the limit. */
    public long errorCount() {
        return diagnostics.stream().filter(d -> d.isError() && d.code() != ErrorCode.E106).count() + omittedErrors;
    }

    /** The warnings of the file, listed or over the limit. */
    public long warningCount() {
        return diagnostics.stream().filter(d -> !d.isError()).count() + omittedWarnings;
    }

    public boolean ok() {
        return network != null && diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
