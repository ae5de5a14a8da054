package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;

/**
 * A target spec file that cannot be used, for a reason the user can act on: it cannot be read, it
 * is not JSON, or a field is missing, of the wrong type or out of range. The message is
 * {@code FILE: PROBLEM} and a {@code = help:} line with the fix, the layout of the compiler's
 * diagnostics; a command prints it without a stack trace ({@link #oneLine()} for one line).
 */
public class TargetSpecException extends FileProblemException {

    private static final long serialVersionUID = 1L;

    public TargetSpecException(Path file, String problem, String help) {
        this(file, problem, help, null);
    }

    public TargetSpecException(Path file, String problem, String help, Throwable cause) {
        super(file, problem, help, cause);
    }
}
