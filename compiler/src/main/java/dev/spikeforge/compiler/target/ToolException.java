package dev.spikeforge.compiler.target;

/**
 * An external tool a target needs (an RTL simulator, a synthesis flow) is missing or failed; the
 * message names the tool, what went wrong, and the fix (the package to install, the log to read).
 */
public final class ToolException extends Exception {

    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message);
    }
}
