package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;

/**
 * A mapping folder (docs/targets.md, "Mapping files") that cannot be run, for a reason the user can act on:
 * the file, the place in it (a JSON path such as {@code cores[3].segments[0].rows[2]}, or a core),
 * what is wrong and how to fix it. The message is {@code FILE: PLACE: PROBLEM} and a
 * {@code = help:} line, the layout of the compiler's diagnostics; a command prints it as it is,
 * without a stack trace.
 */
public class MappingFileException extends FileProblemException {

    private static final long serialVersionUID = 1L;

    /** The fix for a file that does not follow the schema: it was not written by spikeforge, or was edited. */
    public static final String RECOMPILE = "recompile with spikeforge compile MODEL --target NAME";

    private final String place;
    private final String problem;

    public MappingFileException(Path file, String place, String problem, String help) {
        this(file, place, problem, help, null);
    }

    public MappingFileException(Path file, String place, String problem, String help, Throwable cause) {
        super(file, (place == null ? "" : place + ": ") + problem, help, cause);
        this.place = place;
        this.problem = problem;
    }

    /** Where in the file: a JSON path or a core, or null for the whole file. */
    public String place() {
        return place;
    }

    /** What is wrong, without the file name and place. */
    @Override
    public String problem() {
        return problem;
    }
}
