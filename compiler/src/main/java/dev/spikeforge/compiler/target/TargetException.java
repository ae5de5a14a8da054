package dev.spikeforge.compiler.target;

import dev.spikeforge.compiler.diag.Diagnostic;
import java.util.List;

/**
 * A target that cannot be resolved or compiled: its request is wrong or its design rules fail (as
 * diagnostics at the request's position), or its folder cannot be written (no diagnostics; the
 * message names the folder and the fix).
 */
public final class TargetException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<Diagnostic> diagnostics;

    public TargetException(String message, List<Diagnostic> diagnostics) {
        super(message);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
