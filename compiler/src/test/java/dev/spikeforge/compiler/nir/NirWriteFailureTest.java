package dev.spikeforge.compiler.nir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jhdf.HdfFile;
import io.jhdf.exceptions.HdfWritingException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jHDF reports a file it cannot open or a full disk as its own RuntimeException; the store turns
 * them into the IOException its contract names, and the earlier file stays as it was.
 */
class NirWriteFailureTest {

    @TempDir
    Path dir;

    private Path written() throws Exception {
        Path p = dir.resolve("model.nir");
        NirStore.standard().write(p, new NirFile("1.0.7", NirStoreTest.everyNodeType()));
        return p;
    }

    private void unchanged(Path p, byte[] before) throws Exception {
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList(), "no temporary file is left");
        }
    }

    @Test
    void aFullDiskIsAnIOExceptionWithTheReason() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full (Linux)");
        Path p = written();
        byte[] before = Files.readAllBytes(p);
        // jHDF writes the temporary file's bytes to /dev/full, which fails every write with ENOSPC
        NirStore store = new JhdfNirStore(JhdfNirStore.Limits.DEFAULT, temp -> HdfFile.write(full));
        IOException e = assertThrows(IOException.class, () -> store.write(p, new NirFile("1.0.7", NirStoreTest.everyNodeType())));
        assertTrue(e.getMessage().contains("No space left on device"), e.toString());
        unchanged(p, before);
    }

    @Test
    void aFolderThatCannotBeWrittenIsAnIOException() throws Exception {
        Path p = written();
        byte[] before = Files.readAllBytes(p);
        // what jHDF throws when it cannot create the file (a read-only folder; as root permissions do not stop writes)
        NirStore store = new JhdfNirStore(JhdfNirStore.Limits.DEFAULT, temp -> {
            throw new HdfWritingException("Failed to open file: " + temp, new AccessDeniedException(temp.toString()));
        });
        IOException e = assertThrows(IOException.class, () -> store.write(p, new NirFile("1.0.7", NirStoreTest.everyNodeType())));
        assertInstanceOf(AccessDeniedException.class, e);
        unchanged(p, before);
    }
}
