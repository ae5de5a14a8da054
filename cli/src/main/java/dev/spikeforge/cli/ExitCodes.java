package dev.spikeforge.cli;

/** The exit codes of every spikeforge command (documented in README.md and docs/language.md). */
public final class ExitCodes {

    /** Success: the model is valid, the command did its work. */
    public static final int OK = 0;
    /** A check failed: an invalid model, a verification outside its tolerances, a training run that diverged. */
    public static final int CHECK_FAILED = 1;
    /** The command line is wrong: unknown option, missing argument. */
    public static final int USAGE = 2;
    /**
     * A user's input cannot be used: a file that cannot be read, a corrupt dataset or checkpoint;
     * or it is too large for this machine: the JVM ran out of memory or of stack, or training's
     * estimated memory is above the machine's (the message says what to change).
     */
    public static final int INPUT_ERROR = 3;
    /** A bug in spikeforge: the message asks for a report; --stacktrace shows where. */
    public static final int INTERNAL = 4;

    private ExitCodes() {
    }
}
