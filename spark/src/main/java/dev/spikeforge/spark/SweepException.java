package dev.spikeforge.spark;

/**
 * A sweep that cannot start or finish, as one message and the exit code of the command line's
 * convention: 1 a model or checkpoint the pipeline refuses, 2 a bad option or grid, 3 an unreadable
 * or unwritable file.
 */
public final class SweepException extends Exception {

    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int INPUT = 3;

    private final int exitCode;

    public SweepException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
