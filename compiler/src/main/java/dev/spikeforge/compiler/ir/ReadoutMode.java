package dev.spikeforge.compiler.ir;

/** The output layer's decoding (SEMANTICS.md section 2, "Output layer"). */
public enum ReadoutMode {
    /** out = (1/T) * sum_t I[t]: non-spiking, no leak. */
    ACCUMULATE("accumulate"),
    /** h[t] = beta * v[t-1] + I[t], never fires; out = v[T] / T. */
    MEMBRANE("membrane"),
    /** A spiking layer; out = sum_t s[t]. */
    COUNT("count");

    private final String keyword;

    ReadoutMode(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }

    public boolean spiking() {
        return this == COUNT;
    }
}
