package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A NIR file that cannot be written is the user's problem (exit 3) with the path, the reason and the fix. */
class NirExchangeWriteTest {

    private final Path out = Path.of("out", "model.nir");

    @Test
    void aFullDiskNamesThePathTheReasonAndTheFix() {
        PipelineException e = NirExchange.writeFailed(out, new IOException("No space left on device"));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().startsWith(out + ": cannot write the file: No space left on device; check that the folder"
                + " is writable and the disk is not full"), e.getMessage());
    }

    @Test
    void aReadOnlyFolderNamesTheFolder() {
        PipelineException e = NirExchange.writeFailed(out, new AccessDeniedException(out + ".tmp"));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().contains("no file can be created in " + out.toAbsolutePath().getParent()
                + " (permission denied)"), e.getMessage());
    }
}
