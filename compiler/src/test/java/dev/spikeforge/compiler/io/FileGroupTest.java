package dev.spikeforge.compiler.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileGroupTest {

    @TempDir
    Path dir;

    @AfterEach
    void noFaults() {
        System.clearProperty(WriteFaults.PROPERTY);
        WriteFaults.reset();
    }

    private Map<Path, AtomicFiles.FileFiller> group(String a, String b) {
        Map<Path, AtomicFiles.FileFiller> files = new LinkedHashMap<>();
        files.put(dir.resolve("m.snn"), t -> Files.writeString(t, a, StandardOpenOption.CREATE_NEW));
        files.put(dir.resolve("sub/m.npz"), t -> Files.writeString(t, b, StandardOpenOption.CREATE_NEW));
        return files;
    }

    private String read(String name) throws Exception {
        return new String(InputFiles.read(dir.resolve(name), "file", 1 << 20), StandardCharsets.UTF_8);
    }

    private List<String> hidden() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && !n.endsWith(".lock")).toList();
        }
    }

    @Test
    void writesEveryFileAndLeavesNoJournalOrTemporary() throws Exception {
        FileGroup.write(group("model 1", "weights 1"));
        assertEquals("model 1", read("m.snn"));
        assertEquals("weights 1", read("sub/m.npz"));
        assertEquals(List.of(), hidden());
    }

    /**
     * A write broken at each of its renames (two journals, two files), as a kill would break it:
     * the next reader of either file finds both old or both new, never one of each.
     */
    @Test
    void aWriteBrokenAtAnyRenameIsReadAllOldOrAllNew() throws Exception {
        FileGroup.write(group("model 1", "weights 1"));
        WriteFaults.reset();
        FileGroup.write(group("model 2", "weights 2"));
        int renames = WriteFaults.renames();
        assertEquals(4, renames);
        int oldSeen = 0;
        int newSeen = 0;
        for (int n = 1; n <= renames; n++) {
            FileGroup.write(group("model 1", "weights 1"));
            WriteFaults.reset();
            System.setProperty(WriteFaults.PROPERTY, n + ":ioerror");
            assertThrows(IOException.class, () -> FileGroup.write(group("model 2", "weights 2")));
            System.clearProperty(WriteFaults.PROPERTY);
            // read the second file first: the journal next to it must finish the first one too
            String weights = read("sub/m.npz");
            String model = read("m.snn");
            assertEquals(weights.replace("weights", "model"), model, "broken at rename " + n);
            if (model.equals("model 1")) {
                oldSeen++;
            } else {
                newSeen++;
            }
            assertFalse(FileGroup.pending(dir.resolve("m.snn")));
            assertFalse(FileGroup.pending(dir.resolve("sub/m.npz")));
        }
        assertEquals(2, oldSeen, "a break while the journals are written leaves the old pair");
        assertEquals(2, newSeen, "a break after the last journal leaves the new pair");
    }

    @Test
    void theNextWriterRemovesWhatABrokenWriteLeft() throws Exception {
        FileGroup.write(group("model 1", "weights 1"));
        WriteFaults.reset();
        System.setProperty(WriteFaults.PROPERTY, "3:ioerror");
        assertThrows(IOException.class, () -> FileGroup.write(group("model 2", "weights 2")));
        System.clearProperty(WriteFaults.PROPERTY);
        assertTrue(FileGroup.pending(dir.resolve("m.snn")));
        try (OutputLock a = OutputLock.acquire(dir.resolve("m.snn")); OutputLock b = OutputLock.acquire(dir.resolve("sub/m.npz"))) {
            assertEquals(List.of(), hidden());
        }
        assertEquals("model 2", Files.readString(dir.resolve("m.snn")));
        assertEquals("weights 2", Files.readString(dir.resolve("sub/m.npz")));
    }

    @Test
    void aJournalNamingFilesThatAreNotOurTemporariesRenamesNothing() throws Exception {
        Path victim = Files.writeString(dir.resolve("precious.txt"), "keep");
        Files.writeString(dir.resolve("other"), "x");
        Files.writeString(FileGroup.journal(dir.resolve("m.snn")), dir.resolve("other") + "\t" + victim + "\n");
        var e = assertThrows(InputFiles.NotUsable.class, () -> InputFiles.read(dir.resolve("m.snn"), "model file", 100));
        assertTrue(e.problem().contains("interrupted write"), e.problem());
        assertEquals("keep", Files.readString(victim));
    }
}
