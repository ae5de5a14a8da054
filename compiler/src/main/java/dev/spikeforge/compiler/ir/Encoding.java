package dev.spikeforge.compiler.ir;

/**
 * How input samples become spikes (docs/semantics.md section 3).
 *
 * @param bins number of time bins of an {@code events} stream; 0 for the other kinds
 */
public record Encoding(Kind kind, int bins) {

    public enum Kind implements Keyword {
        POISSON,
        BIPOLAR,
        LATENCY,
        DIRECT,
        EVENTS,
        /**
         * Row-sequential images: each image of H rows of W pixels is fed as H steps of W analog
         * values (row t at step t, pixel / 255 as {@code direct}); timesteps = H, input size = W.
         */
        ROWS;
    }

    /**
     * Whether the input carries analog values, not spikes: {@code direct} and {@code rows}
     * (pixel / 255 in the float model, the pixel bytes 0..255 in the integer model).
     */
    public boolean analog() {
        return kind == Kind.DIRECT || kind == Kind.ROWS;
    }

    public static final Encoding POISSON = new Encoding(Kind.POISSON, 0);

    @Override
    public String toString() {
        return kind == Kind.EVENTS ? "events(bins = " + bins + ")" : kind.keyword();
    }
}
