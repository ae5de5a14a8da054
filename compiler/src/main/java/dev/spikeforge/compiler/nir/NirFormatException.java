package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;

/**
 * A {@code .nir} file that cannot be read or cannot be expressed as a spikeforge model: the file,
 * the place in it ({@code /node/nodes/lif1/tau}), what is wrong and how to fix it.
 */
public final class NirFormatException extends FileProblemException {

    private static final long serialVersionUID = 1L;

    public NirFormatException(Path file, String problem, String help) {
        super(file, problem, help, null);
    }

    public NirFormatException(Path file, String problem, String help, Throwable cause) {
        super(file, problem, help, cause);
    }
}
