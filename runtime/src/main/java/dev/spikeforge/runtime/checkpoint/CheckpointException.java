package dev.spikeforge.runtime.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be read or written, for a reason the user can act on. The message is
 * {@code FILE: PROBLEM} and a {@code = help:} line with the fix, the layout of the compiler's
 * diagnostics; a command prints it as it is, without a stack trace.
 */
public class CheckpointException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;
    private final String help;

    public CheckpointException(Path file, String problem, String help) {
        this(file, problem, help, null);
    }

    public CheckpointException(Path file, String problem, String help, Throwable cause) {
        super(file + ": " + problem + (help == null ? "" : "\n  = help: " + help), cause);
        this.file = file;
        this.problem = problem;
        this.help = help;
    }

    /** The checkpoint file, as the caller named it. */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }

    /** How to fix it, or null. */
    public String help() {
        return help;
    }
}
