package dev.spikeforge.compiler.ir;

/** What a neuron's membrane becomes after it fires (SEMANTICS.md section 2). */
public enum Reset {
    /** v[t] = h[t] - s[t] * theta: the charge above threshold is kept. */
    SUBTRACT("subtract"),
    /** v[t] = h[t] * (1 - s[t]). */
    ZERO("zero");

    private final String keyword;

    Reset(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
