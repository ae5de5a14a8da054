package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.io.OutputLock;
import java.io.IOException;
import java.nio.file.Path;

/** The {@link OutputLock}s the pipeline's writers take, with their failures as INPUT failures (exit 3). */
final class Locks {

    private Locks() {
    }

    /** The lock of {@code target}: another writer holding it, or a lock file that cannot be written, is refused at once. */
    static OutputLock take(Path target) throws PipelineException {
        try {
            return OutputLock.acquire(target);
        } catch (OutputLock.Busy e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, target + ": cannot write the lock file "
                    + OutputLock.lockFile(target) + ": " + IoProblems.reason(e) + "; check that the folder is writable");
        }
    }
}
