package dev.spikeforge.compiler.diag;

import dev.spikeforge.compiler.source.SourcePos;

/**
 * One problem in one model: a code from the catalogue, where it is, a message that names the
 * thing, the value and the limit, and (when there is one) a help line saying how to fix it.
 */
public record Diagnostic(ErrorCode code, SourcePos pos, String message, String help) {

    public Diagnostic {
        if (code == null || pos == null || message == null) {
            throw new IllegalArgumentException("diagnostic needs a code, a position and a message");
        }
    }

    public static Diagnostic of(ErrorCode code, SourcePos pos, String message) {
        return new Diagnostic(code, pos, message, null);
    }

    public Diagnostic withHelp(String newHelp) {
        return new Diagnostic(code, pos, message, newHelp);
    }

    public Severity severity() {
        return code.severity();
    }

    public boolean isError() {
        return code.severity() == Severity.ERROR;
    }
}
