package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;

/** An fpga folder that cannot be run: names the file, the field or line, what is wrong, and the fix. */
public final class FpgaFolderException extends FileProblemException {

    private static final long serialVersionUID = 1L;

    public FpgaFolderException(Path file, String field, String problem) {
        super(file, field + ": " + problem, "write the folder again with spikeforge compile MODEL --checkpoint C (it is never edited by hand)", null);
    }
}
