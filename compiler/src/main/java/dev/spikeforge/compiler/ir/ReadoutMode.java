package dev.spikeforge.compiler.ir;

/** The output layer's decoding (docs/semantics.md section 2.3). */
public enum ReadoutMode implements Keyword {
    /** out = (1/T) * sum_t I[t]: non-spiking, no leak. */
    ACCUMULATE,
    /** h[t] = beta * v[t-1] + I[t], never fires; out = v[T] / T. */
    MEMBRANE,
    /** A spiking layer; out = sum_t s[t]. */
    COUNT;

    public boolean spiking() {
        return this == COUNT;
    }
}
