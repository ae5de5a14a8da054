package dev.spikeforge.targets.neurocore;

import java.nio.file.Path;

/**
 * A target spec file that cannot be used, for a reason the user can act on: it cannot be read, it
 * is not JSON, or a field is missing, of the wrong type or out of range. The message is
 * {@code FILE: PROBLEM} and a {@code = help:} line with the fix, the layout of the compiler's
 * diagnostics; a command prints it without a stack trace ({@link #oneLine()} for one line).
 */
public class TargetSpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;
    private final String help;

    public TargetSpecException(Path file, String problem, String help) {
        this(file, problem, help, null);
    }

    public TargetSpecException(Path file, String problem, String help, Throwable cause) {
        super(file + ": " + problem + (help == null ? "" : "\n  = help: " + help), cause);
        this.file = file;
        this.problem = problem;
        this.help = help;
    }

    /** The spec file as the caller named it ({@code presets/NAME.json} for a built-in preset). */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file name: the field, its value and the allowed range. */
    public String problem() {
        return problem;
    }

    /** How to fix it, or null. */
    public String help() {
        return help;
    }

    /** {@code FILE: PROBLEM; HELP} on one line, for command-line errors. */
    public String oneLine() {
        return file + ": " + problem + (help == null ? "" : "; " + help);
    }
}
