package dev.spikeforge.compiler.diag;

/** Errors make a model invalid; warnings are printed but do not change the exit code. */
public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
