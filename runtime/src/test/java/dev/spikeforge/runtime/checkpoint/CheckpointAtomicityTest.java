package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write replaces the checkpoint whole or not at all, and leaves no temporary file behind. */
class CheckpointAtomicityTest {

    @TempDir
    Path dir;

    private Path file;
    private byte[] old;

    @BeforeEach
    void writeAnOldCheckpoint() throws Exception {
        file = dir.resolve("epoch3.npz");
        CheckpointWriter.write(file, Checkpoint.builder().put("w", NdArray.of(new float[] {1, 2}, 2)).build());
        old = Files.readAllBytes(file);
    }

    @Test
    void writingOverACheckpointReplacesIt() throws Exception {
        Checkpoint next = CheckpointFileTest.lenetLike();
        CheckpointWriter.write(file, next);
        assertEquals(next, CheckpointReader.read(file));
        assertEquals(List.of("epoch3.npz"), filesIn(dir));
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldCheckpoint() {
        AtomicInteger entries = new AtomicInteger();
        Runnable diskFullAfterTwoEntries = () -> {
            if (entries.incrementAndGet() == 2) {
                throw new UncheckedIOException(new IOException("No space left on device (simulated)"));
            }
        };
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(file, CheckpointFileTest.lenetLike(), diskFullAfterTwoEntries));
        assertEquals("cannot write the checkpoint: No space left on device (simulated)", e.problem());
        assertTrue(e.help().contains("an earlier checkpoint at this path is unchanged"), e.help());
        assertUnchanged();
    }

    @Test
    void aProgrammingErrorHalfWayAlsoRemovesTheTemporaryFile() {
        Runnable bug = () -> {
            throw new IllegalStateException("bug");
        };
        assertThrows(IllegalStateException.class, () -> CheckpointWriter.write(file, CheckpointFileTest.lenetLike(), bug));
        assertUnchanged();
    }

    @Test
    void aRejectedArrayNameNeverStartsAWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointWriter.write(file,
                Checkpoint.builder().put("w", NdArray.of(new float[] {1}, 1)).put("../escape", NdArray.of(new float[] {1}, 1))
                        .build()));
        assertTrue(e.getMessage().startsWith("array name '../escape' contains"), e.getMessage());
        assertUnchanged();
    }

    @Test
    void aTargetFolderThatIsAFile() throws Exception {
        Path notAFolder = dir.resolve("runs");
        Files.writeString(notAFolder, "a file");
        Path target = notAFolder.resolve("lenet5").resolve("epoch3.npz");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(target, CheckpointFileTest.lenetLike()));
        assertTrue(e.problem().startsWith("cannot create the folder " + notAFolder.resolve("lenet5")), e.problem());
        assertEquals("a file", Files.readString(notAFolder));
        assertUnchanged();
    }

    @Test
    void aTargetThatIsAFolder() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("epoch4.npz"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.write(folder, CheckpointFileTest.lenetLike()));
        assertEquals("is a folder, not a checkpoint file", e.problem());
        assertEquals(List.of(), filesIn(folder));
        assertUnchanged();
    }

    private void assertUnchanged() {
        try {
            assertArrayEquals(old, Files.readAllBytes(file), "the old checkpoint is byte-identical");
            assertTrue(filesIn(dir).stream().noneMatch(n -> n.endsWith(".tmp")), "temporary files: " + filesIn(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
