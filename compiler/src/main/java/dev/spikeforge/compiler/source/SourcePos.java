package dev.spikeforge.compiler.source;

/**
 * A place in a source file: 1-based line, 1-based column (in characters, a tab counts as one),
 * and the length of the token it points at (at least 1, so a caret can always be drawn).
 * {@link #NONE} marks nodes made by the API rather than from a file.
 */
public record SourcePos(int line, int column, int length) {

    public static final SourcePos NONE = new SourcePos(0, 0, 0);

    public SourcePos {
        if (line < 0 || column < 0 || length < 0) {
            throw new IllegalArgumentException("negative source position " + line + ":" + column);
        }
    }

    public static SourcePos of(int line, int column, int length) {
        return new SourcePos(line, column, Math.max(1, length));
    }

    public boolean isKnown() {
        return line > 0;
    }

    @Override
    public String toString() {
        return isKnown() ? line + ":" + column : "?";
    }
}
