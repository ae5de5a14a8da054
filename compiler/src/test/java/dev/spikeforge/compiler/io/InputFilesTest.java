package dev.spikeforge.compiler.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsARegularFileWithinItsCap() throws Exception {
        Path f = Files.write(dir.resolve("m.snn"), new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, InputFiles.read(f, "model file", 3));
    }

    @Test
    void refusesAFileOverItsCapNamingTheLimit() throws Exception {
        Path f = Files.write(dir.resolve("m.snn"), new byte[2048]);
        var e = assertThrows(InputFiles.NotUsable.class, () -> InputFiles.read(f, "model file", 1024));
        assertEquals("the model file is 2.0 KiB, over the limit of 1.0 KiB", e.problem());
    }

    @Test
    void refusesFoldersDevicesAndMissingFiles() throws Exception {
        assertTrue(assertThrows(InputFiles.NotUsable.class, () -> InputFiles.check(dir, "checkpoint", 10))
                .problem().contains("is a folder"));
        assertTrue(assertThrows(InputFiles.NotUsable.class, () -> InputFiles.check(Path.of("/dev/zero"), "checkpoint", 10))
                .problem().contains("not a regular file (a device: /dev/zero)"));
        Path link = Files.createSymbolicLink(dir.resolve("zero.npz"), Path.of("/dev/zero"));
        assertTrue(assertThrows(InputFiles.NotUsable.class, () -> InputFiles.check(link, "checkpoint", 10))
                .problem().contains("/dev/zero"));
        assertEquals("no such dataset file", assertThrows(InputFiles.NotUsable.class,
                () -> InputFiles.check(dir.resolve("nope"), "dataset file", 10)).problem());
    }

    @Test
    void refusesAPipeWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        assertTrue(assertThrows(InputFiles.NotUsable.class, () -> InputFiles.read(fifo, "model file", 10))
                .problem().contains("not a regular file"));
    }

    @Test
    void sizesReadAsAPersonWould() {
        assertEquals("1 byte", InputFiles.bytes(1));
        assertEquals("1023 bytes", InputFiles.bytes(1023));
        assertEquals("1.5 MiB", InputFiles.bytes(3L << 19));
        assertEquals("8.0 EiB", InputFiles.bytes(Long.MAX_VALUE));
    }
}
