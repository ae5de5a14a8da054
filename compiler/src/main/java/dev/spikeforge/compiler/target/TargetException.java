package dev.spikeforge.compiler.target;

import dev.spikeforge.compiler.diag.Diagnostic;
import java.util.List;

/** A target cannot be compiled: its design rules fail (as diagnostics), or its folder cannot be written. */
public final class TargetException extends Exception {

    private final transient List<Diagnostic> diagnostics;

    public TargetException(String message, List<Diagnostic> diagnostics) {
        super(message);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
