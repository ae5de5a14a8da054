package dev.spikeforge.runtime.data;

import java.nio.file.Path;

/**
 * A data file or folder that spikeforge cannot use: missing, cut short, of the wrong format or
 * with impossible contents. These are the user's input problems, not bugs, so the message is the
 * whole report: {@code <where>: <what is wrong, with expected and found numbers>; <how to fix>}.
 * A command prints {@link #getMessage()} alone (exit code 3, input error), never a stack trace.
 */
public final class DatasetException extends Exception {

    private final transient Path where;
    private final String problem;
    private final String fix;

    public DatasetException(Path where, String problem, String fix) {
        this(where, problem, fix, null);
    }

    /** {@code cause} keeps the I/O error behind the problem for {@code --stacktrace}. */
    public DatasetException(Path where, String problem, String fix, Throwable cause) {
        super(where + ": " + problem + "; " + fix, cause);
        this.where = where;
        this.problem = problem;
        this.fix = fix;
    }

    /** The file or folder the problem is in. */
    public Path where() {
        return where;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
