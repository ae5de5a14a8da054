package dev.spikeforge.runtime.checkpoint;

import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be read or written, for a reason the user can act on. The message is
 * {@code FILE: PROBLEM} and a {@code = help:} line with the fix, the layout of the compiler's
 * diagnostics; a command prints it as it is, without a stack trace.
 */
public class CheckpointException extends FileProblemException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem, String help) {
        this(file, problem, help, null);
    }

    public CheckpointException(Path file, String problem, String help, Throwable cause) {
        super(file, problem, help, cause);
    }
}
