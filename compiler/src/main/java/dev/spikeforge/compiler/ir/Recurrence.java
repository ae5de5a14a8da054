package dev.spikeforge.compiler.ir;

/**
 * Whether a dense layer's own spikes come back into its current, one step later
 * (docs/semantics.md section 2.6): I[t] = W x[t] + b + W_rec s[t-1], s[-1] = 0.
 */
public enum Recurrence {
    /** Feed-forward only. */
    NONE,
    /** All to all: W_rec is units x units (self-connections included). */
    FULL,
    /** Each neuron to itself only: W_rec is a vector of units weights. */
    DIAGONAL;

    /** As written in the language and in dumps: false, true, diagonal. */
    public String keyword() {
        return switch (this) {
            case NONE -> "false";
            case FULL -> "true";
            case DIAGONAL -> "diagonal";
        };
    }

    /** The number of recurrent weights of a layer of {@code units} neurons. */
    public long weights(int units) {
        return switch (this) {
            case NONE -> 0;
            case FULL -> (long) units * units;
            case DIAGONAL -> units;
        };
    }
}
