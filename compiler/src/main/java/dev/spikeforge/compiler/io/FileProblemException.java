package dev.spikeforge.compiler.io;

import java.nio.file.Path;

/**
 * A file the user gave that spikeforge cannot use, for a reason the user can act on: the file,
 * what is wrong (with the place in it, the value and the limit), and how to fix it. The message
 * is {@code FILE: PROBLEM} and a {@code = help:} line, the layout of the compiler's diagnostics;
 * {@link #oneLine()} puts all of it on one line for command-line errors. Commands print these
 * without a stack trace. Subclasses name the kind of file (checkpoint, target spec, mapping).
 */
public abstract class FileProblemException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;
    private final String help;

    protected FileProblemException(Path file, String problem, String help, Throwable cause) {
        super(file + ": " + problem + (help == null ? "" : "\n  = help: " + help), cause);
        this.file = file;
        this.problem = problem;
        this.help = help;
    }

    /** The file as the caller named it. */
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

    /** {@code FILE: PROBLEM; HELP} on one line. */
    public String oneLine() {
        return file + ": " + problem + (help == null ? "" : "; " + help);
    }
}
