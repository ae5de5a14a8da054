package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;

/**
 * The result of reading one .snn file: every diagnostic (sorted by position) and, unless the file
 * lacks what a network needs, the network. A network comes with errors too: callers that need a
 * valid model check {@link #ok()}.
 */
public record Compilation(SourceFile source, Network network, List<Diagnostic> diagnostics) {

    public Compilation {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean ok() {
        return network != null && diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
