package dev.spikeforge.compiler.source;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import dev.spikeforge.compiler.io.InputFiles;
import java.nio.file.Path;
import java.util.List;

/** The text of one .snn file and the name it is reported under. */
public final class SourceFile {

    /**
     * The largest model file read: 1 MiB, four hundred times the largest example model. The parse
     * tree of a file costs about a hundred times its size in memory, so this keeps the front end
     * of the worst file within about 100 MB of heap. Larger files, and anything that is not a
     * regular file, are refused before they are read ({@link InputFiles}).
     */
    public static final long MAX_BYTES = 1L << 20;

    private final String name;
    private final String text;
    private final List<String> lines;

    public SourceFile(String name, String text) {
        this.name = name;
        this.text = text;
        this.lines = text.lines().toList();
    }

    /**
     * Reads a file as strict UTF-8 (through {@link InputFiles}: a regular file of at most
     * {@link #MAX_BYTES}).
     *
     * @throws IOException when the file cannot be used (its message is the gate's one line) or is not UTF-8 text
     */
    public static SourceFile read(Path path) throws IOException {
        try {
            return decode(path, InputFiles.read(path, "model file", MAX_BYTES));
        } catch (InputFiles.NotUsable e) {
            throw new IOException(e.oneLine(), e);
        }
    }

    /**
     * The text of a model file's bytes as strict UTF-8.
     *
     * @throws IOException when they are not UTF-8 text
     */
    public static SourceFile decode(Path path, byte[] bytes) throws IOException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new SourceFile(path.toString(), text);
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    /** The 1-based line, or "" past the end (errors at end of file point just after it). */
    public String line(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }

    public int lineCount() {
        return lines.size();
    }
}
