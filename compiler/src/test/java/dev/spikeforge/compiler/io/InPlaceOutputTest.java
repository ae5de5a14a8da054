package dev.spikeforge.compiler.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InPlaceOutputTest {

    @TempDir
    Path root;
    Path out;

    @BeforeEach
    void oldBuild() throws Exception {
        out = root.resolve("build");
        Files.createDirectories(out.resolve("compiled"));
        Files.writeString(out.resolve(OutputFolder.MARKER), "");
        Files.writeString(out.resolve("summary.txt"), "old summary");
        Files.writeString(out.resolve("compiled/model.json"), "old model");
        Files.writeString(out.resolve("kept.nir"), "someone else's file");
    }

    @AfterEach
    void noFaults() {
        System.clearProperty(WriteFaults.PROPERTY);
        WriteFaults.reset();
    }

    private Map<String, String> contents() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(out.relativize(p).toString(), Files.readString(p));
            }
        }
        return m;
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".build.") && !n.endsWith(".lock")).toList();
        }
    }

    private static void newBuild(Path d) throws IOException {
        // a later stage reads what an earlier one wrote, under the folder's own name
        Files.createDirectories(d.resolve("compiled"));
        Files.writeString(d.resolve("compiled/model.json"), "new model");
        Files.writeString(d.resolve("summary.txt"), "new summary of " + Files.readString(d.resolve("compiled/model.json")));
    }

    @Test
    void aBuildThatRunsThroughReplacesItsEntriesAndKeepsTheOthers() throws Exception {
        OutputFolder.writeInPlace(out, Set.of("compiled", "summary.txt"), d -> {
            assertEquals(out.toAbsolutePath().normalize(), d);
            assertTrue(Files.exists(d.resolve(AtomicFiles.INCOMPLETE)), "unfinished while it is written");
            assertFalse(Files.exists(d.resolve("summary.txt")), "a replaced entry is not carried over");
            newBuild(d);
        });
        Map<String, String> c = contents();
        assertEquals("new summary of new model", c.get("summary.txt"));
        assertEquals("someone else's file", c.get("kept.nir"));
        assertFalse(c.containsKey(AtomicFiles.INCOMPLETE));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aFailingBuildPutsTheOldFolderBackAtOnce() throws Exception {
        Map<String, String> before = contents();
        assertThrows(IOException.class, () -> OutputFolder.writeInPlace(out, Set.of("compiled", "summary.txt"), d -> {
            newBuild(d);
            throw new IOException("No space left on device");
        }));
        assertEquals(before, contents());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aBuildBrokenAtEachRenameOrAtItsCommitLeavesTheOldFolder() throws Exception {
        Map<String, String> before = contents();
        for (int n = 1; n <= 3; n++) { // old aside, new in, the commit
            WriteFaults.reset();
            System.setProperty(WriteFaults.PROPERTY, n + ":ioerror");
            assertThrows(IOException.class, () -> OutputFolder.writeInPlace(out, Set.of("compiled", "summary.txt"),
                    InPlaceOutputTest::newBuild), "rename " + n);
            System.clearProperty(WriteFaults.PROPERTY);
            assertEquals(before, contents(), "rename " + n);
            assertEquals(List.of(), leftovers(), "rename " + n);
        }
    }

    /** What a kill leaves (the unfinished folder, marked, and the old one aside) is undone by the next reader. */
    @Test
    void aKilledBuildIsRolledBackByTheNextReader() throws Exception {
        Map<String, String> before = contents();
        Path aside = root.resolve(".build.old-1a2b");
        Files.move(out, aside);
        Files.createDirectories(out.resolve("compiled"));
        Files.writeString(out.resolve(AtomicFiles.INCOMPLETE), "being written by pid 1");
        Files.writeString(out.resolve("compiled/model.json"), "half a new model");
        assertTrue(AtomicFiles.unsettled(out));
        AtomicFiles.settleForReading(out);
        assertEquals(before, contents());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aKilledFirstBuildLeavesNoFolder() throws Exception {
        Path first = root.resolve("first");
        Files.createDirectories(first);
        Files.writeString(first.resolve(AtomicFiles.INCOMPLETE), "being written by pid 1");
        Files.writeString(first.resolve("summary.txt"), "half");
        AtomicFiles.settleForReading(first);
        assertFalse(Files.exists(first));
    }

    /** Lock files are written in place: carried as hard links, a new writer's pid would reach the old copy. */
    @Test
    void theOldFoldersLockFilesAreNotSharedWithTheNewOne() throws Exception {
        Files.writeString(out.resolve(".compiled.lock"), "");
        Map<String, String> before = contents();
        assertThrows(IOException.class, () -> OutputFolder.writeInPlace(out, Set.of("summary.txt"), d -> {
            try (OutputLock l = OutputLock.acquire(d.resolve("compiled"))) {
                assertTrue(Files.size(d.resolve(".compiled.lock")) > 0, "the lock holds this writer's pid");
                Path aside;
                try (Stream<Path> s = Files.list(root)) {
                    aside = s.filter(p -> p.getFileName().toString().startsWith(".build.old-")).findFirst().orElseThrow();
                }
                // what a kill at this moment would leave as the old copy
                assertEquals(0, Files.size(aside.resolve(".compiled.lock")), "the old copy's lock file was written");
                throw new IOException("No space left on device");
            }
        }));
        assertEquals(before, contents());
    }

    @Test
    void aFolderThatIsNotOursIsNeverBuiltInPlace() throws Exception {
        Path home = Files.createDirectories(root.resolve("home"));
        Files.writeString(home.resolve("thesis.tex"), "years of work");
        assertThrows(OutputFolder.NotOurs.class, () -> OutputFolder.writeInPlace(home, Set.of(), d -> { }));
        assertEquals("years of work", Files.readString(home.resolve("thesis.tex")));
    }
}
