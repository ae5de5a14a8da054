package dev.spikeforge.compiler.ir;

/**
 * How input samples become spikes (docs/semantics.md section 3).
 *
 * @param bins number of time bins of an {@code events} stream; for {@code rows}, its levels (0: the
 *             analog rows, L >= 1: {@code rows(levels = L)}, a thermometer code of L spikes per pixel);
 *             0 for the other kinds
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
         * With {@code levels = L} each pixel is L spikes instead (a thermometer code, see
         * {@link Encoding#thermometer}) and the input size is W * L.
         */
        ROWS;
    }

    /**
     * Whether the input carries analog values, not spikes: {@code direct} and {@code rows} without
     * levels (pixel / 255 in the float model, the pixel bytes 0..255 in the integer model).
     * {@code rows(levels = L)} is spikes of 0 and 1.
     */
    public boolean analog() {
        return kind == Kind.DIRECT || (kind == Kind.ROWS && bins == 0);
    }

    /** The levels of {@code rows(levels = L)}: L; 0 for analog rows and every other kind. */
    public int levels() {
        return kind == Kind.ROWS ? bins : 0;
    }

    /** {@code rows(levels = L)}: L >= 1 spike inputs per pixel. */
    public static Encoding rows(int levels) {
        return new Encoding(Kind.ROWS, levels);
    }

    /**
     * The thermometer code of {@code rows(levels = L)}: input j (0..L-1) of a pixel of byte value
     * {@code pixel} (0..255) spikes iff pixel / 255 >= (j + 0.5) / L, decided exactly in integers as
     * pixel * 2L >= (2j + 1) * 255. A pixel at a threshold spikes; level j = 0 needs
     * pixel >= 255 / (2L), so black never spikes and white (255) spikes on all L inputs.
     */
    public static boolean thermometer(int pixel, int j, int levels) {
        return (long) pixel * 2 * levels >= (long) (2 * j + 1) * 255;
    }

    public static final Encoding POISSON = new Encoding(Kind.POISSON, 0);

    private static final java.util.regex.Pattern WITH_ARGUMENT =
            java.util.regex.Pattern.compile("(events)\\(bins = ([1-9][0-9]{0,8})\\)|(rows)\\(levels = ([1-9][0-9]{0,8})\\)");

    /**
     * The encoding {@link #toString()} wrote ({@code poisson}, {@code events(bins = 25)},
     * {@code rows(levels = 4)}, ...), or empty for any other text: what files that record an
     * encoding read back. A bare kind ({@code events}) is that kind with no argument, as files
     * that record only the kind write it.
     */
    public static java.util.Optional<Encoding> parse(String text) {
        java.util.regex.Matcher m = WITH_ARGUMENT.matcher(text);
        if (m.matches()) {
            return java.util.Optional.of(m.group(1) != null ? new Encoding(Kind.EVENTS, Integer.parseInt(m.group(2)))
                    : rows(Integer.parseInt(m.group(4))));
        }
        for (Kind k : Kind.values()) {
            if (k.keyword().equals(text)) {
                return java.util.Optional.of(new Encoding(k, 0));
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        if (kind == Kind.EVENTS) {
            return "events(bins = " + bins + ")";
        }
        return kind == Kind.ROWS && bins > 0 ? "rows(levels = " + bins + ")" : kind.keyword();
    }
}
