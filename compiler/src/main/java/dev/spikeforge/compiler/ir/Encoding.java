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
        EVENTS;
    }

    public static final Encoding POISSON = new Encoding(Kind.POISSON, 0);

    @Override
    public String toString() {
        return kind == Kind.EVENTS ? "events(bins = " + bins + ")" : kind.keyword();
    }
}
