package dev.spikeforge.compiler.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole-folder writes, their recovery after a kill, the output lock, and the injected write failures. */
class AtomicOutputTest {

    @TempDir
    Path dir;

    @AfterEach
    void noFaults() {
        System.clearProperty(WriteFaults.PROPERTY);
        WriteFaults.reset();
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void two(Path out, String a, String b) throws IOException {
        Files.writeString(out.resolve("a.txt"), a);
        Files.createDirectories(out.resolve("sub"));
        Files.writeString(out.resolve("sub/b.txt"), b);
    }

    @Test
    void aWrittenFolderHasThePermissionsMkdirGives() throws Exception {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        AtomicFiles.writeFolder(dir.resolve("out"), f -> two(f, "1", "2"));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("out"))));
    }

    @Test
    void aFailingSecondRenameLeavesTheOldFolderWholeAndNothingElse() throws Exception {
        Path out = dir.resolve("out");
        OutputFolder.write(out, f -> two(f, "old", "old"));
        WriteFaults.reset();
        // rename 1 moves the old folder aside, rename 2 would put the new one in its place
        System.setProperty(WriteFaults.PROPERTY, "2:ioerror");
        IOException e = assertThrows(IOException.class, () -> OutputFolder.write(out, f -> two(f, "new", "new")));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals("old", Files.readString(out.resolve("a.txt")));
        assertEquals("old", Files.readString(out.resolve("sub/b.txt")));
        assertEquals(List.of(".out.lock", "out"), names(dir));
    }

    @Test
    void aFailingFillLeavesTheOldFolderAndNoStagingFolder() throws Exception {
        Path out = dir.resolve("out");
        OutputFolder.write(out, f -> two(f, "old", "old"));
        assertThrows(IOException.class, () -> OutputFolder.write(out, f -> {
            Files.writeString(f.resolve("a.txt"), "new");
            throw new IOException("No space left on device");
        }));
        assertEquals("old", Files.readString(out.resolve("a.txt")));
        assertEquals(List.of(".out.lock", "out"), names(dir));
    }

    @Test
    void aKillBetweenTheTwoRenamesIsRolledBackByTheNextWriter() throws Exception {
        Path out = dir.resolve("out");
        // what a kill after the first rename of a swap leaves: the old folder aside, the new one staged
        Path old = Files.createDirectory(dir.resolve(".out.old-1a2b"));
        two(old, "old", "old");
        Files.writeString(old.resolve(OutputFolder.MARKER), "");
        Path staged = Files.createDirectory(dir.resolve(".out.stage-3c4d"));
        two(staged, "new", "new");
        Files.writeString(dir.resolve(".out.55aa.tmp"), "half");
        try (OutputLock l = OutputLock.acquire(out)) {
            assertEquals("old", Files.readString(out.resolve("a.txt")));
            assertEquals(List.of(".out.lock", "out"), names(dir));
        }
    }

    @Test
    void aReaderRollsBackAHalfSwapWhenNoWriterHoldsTheFolder() throws Exception {
        Path out = dir.resolve("out");
        Path old = Files.createDirectory(dir.resolve(".out.old-77"));
        two(old, "old", "old");
        AtomicFiles.settleForReading(out);
        assertEquals("old", Files.readString(out.resolve("sub/b.txt")));
        assertFalse(Files.exists(old));
    }

    @Test
    void aFinishedSwapsLeftoversAreRemovedAndTheNewFolderKept() throws Exception {
        Path out = dir.resolve("out");
        OutputFolder.write(out, f -> two(f, "new", "new"));
        Files.createDirectory(dir.resolve(".out.old-99"));
        Files.writeString(dir.resolve("out.keep"), "not ours");
        try (OutputLock l = OutputLock.acquire(out)) {
            assertEquals("new", Files.readString(out.resolve("a.txt")));
        }
        assertEquals(List.of(".out.lock", "out", "out.keep"), names(dir));
    }

    @Test
    void aFolderSpikeforgeDidNotWriteIsNeverReplaced() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve("thesis.tex"), "years of work");
        var e = assertThrows(OutputFolder.NotOurs.class, () -> OutputFolder.write(home, f -> two(f, "x", "x")));
        assertTrue(e.oneLine().contains("not empty and was not written by spikeforge"), e.oneLine());
        assertEquals(List.of("thesis.tex"), names(home));
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(OutputFolder.NotOurs.class, () -> OutputFolder.write(file, f -> two(f, "x", "x")));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        OutputFolder.write(empty, f -> two(f, "x", "y"));
        assertEquals(List.of(OutputFolder.MARKER, "a.txt", "sub"), names(empty));
        OutputFolder.write(empty, f -> two(f, "again", "y"));
        assertEquals("again", Files.readString(empty.resolve("a.txt")));
    }

    @Test
    void aSecondWriterIsRefusedAtOnceNamingTheLockAndTheWriter() throws Exception {
        Path ckpt = dir.resolve("m.npz");
        try (OutputLock l = OutputLock.acquire(ckpt)) {
            try (OutputLock again = OutputLock.acquire(ckpt)) {
                assertTrue(OutputLock.heldHere(ckpt));
            }
            assertTrue(OutputLock.heldHere(ckpt), "a nested hold must not drop the outer one");
            OutputLock.Busy e = CompletableFuture.supplyAsync(() -> assertThrows(OutputLock.Busy.class,
                    () -> OutputLock.acquire(ckpt))).get();
            assertTrue(e.oneLine().contains("lock file " + dir.resolve(".m.npz.lock")), e.oneLine());
            assertTrue(e.oneLine().contains("another session of this process"), e.oneLine());
        }
        assertFalse(OutputLock.heldHere(ckpt));
        CompletableFuture.runAsync(() -> {
            try (OutputLock l = OutputLock.acquire(ckpt)) {
                assertTrue(OutputLock.heldHere(ckpt));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).get();
    }

    @Test
    void anInjectedRenameFailureOfAFileKeepsTheOldFile() throws Exception {
        Path f = dir.resolve("f.txt");
        AtomicFiles.writeString(f, "old");
        WriteFaults.reset();
        System.setProperty(WriteFaults.PROPERTY, "1:ioerror");
        assertThrows(IOException.class, () -> AtomicFiles.writeString(f, "new"));
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("f.txt"), names(dir));
    }

    @Test
    void anUpdateOfSomeEntriesKeepsTheOthersInTheSameSwap() throws Exception {
        Path out = dir.resolve("out");
        OutputFolder.write(out, f -> two(f, "model", "target A"));
        OutputFolder.write(out, true, f -> {
            Files.createDirectories(f.resolve("sub"));
            Files.writeString(f.resolve("sub/b.txt"), "target B");
        });
        assertEquals("model", Files.readString(out.resolve("a.txt")));
        assertEquals("target B", Files.readString(out.resolve("sub/b.txt")));
        OutputFolder.write(out, f -> Files.writeString(f.resolve("c.txt"), "whole"));
        assertEquals(List.of(OutputFolder.MARKER, "c.txt"), names(out));
    }

    @Test
    void anOutputOfAnEarlierVersionWithoutTheMarkerIsStillReplaced() throws Exception {
        Path out = Files.createDirectory(dir.resolve("compiled"));
        Files.createDirectories(out.resolve("neurocore-loihi_like"));
        Files.writeString(out.resolve("neurocore-loihi_like/mapping.json"), "{}");
        OutputFolder.write(out, f -> two(f, "x", "y"));
        assertEquals(List.of(OutputFolder.MARKER, "a.txt", "sub"), names(out));
    }
}
