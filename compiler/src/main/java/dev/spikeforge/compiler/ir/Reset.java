package dev.spikeforge.compiler.ir;

/** What a neuron's membrane becomes after it fires (docs/semantics.md section 2.1). */
public enum Reset implements Keyword {
    /** v[t] = h[t] - s[t] * theta: the charge above threshold is kept. */
    SUBTRACT,
    /** v[t] = h[t] * (1 - s[t]). */
    ZERO;
}
