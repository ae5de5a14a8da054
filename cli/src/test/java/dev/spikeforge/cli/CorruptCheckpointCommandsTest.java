package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint given to {@code train --resume}, {@code eval} or {@code compile} is one
 * line naming the file, the entry and the fix, with exit code 3: never a silent load, a stack
 * trace or exit 4.
 */
class CorruptCheckpointCommandsTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path good;

    @BeforeAll
    static void trainOneEpoch() throws Exception {
        Path data = dir.resolve("bars");
        Files.createDirectories(data);
        BarsDataset.write(data, 128, 32);
        model = dir.resolve("bars.snn");
        Files.writeString(model, """
                model bars
                input 1x8x8
                timesteps 4
                neuron lif = LIF(beta = 0.875, threshold = 1.0)
                layers {
                    h = dense(16) -> lif
                    out = readout(4)
                }
                train {
                    method    = surrogate
                    dataset   = idx(path = "bars")
                    epochs    = 2
                    batch     = 32
                    optimizer = adam(lr = 0.01)
                    seed      = 5
                }
                """);
        good = dir.resolve("good.npz");
        CliRun r = CliRun.of("train", model.toString(), "--epochs", "1", "--out", good.toString(), "--threads", "1");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
    }

    /** The reproducer: one byte of the first entry's name in the central directory. */
    private static Path renamedInCentralDirectory(String[] names) throws Exception {
        byte[] zip = Files.readAllBytes(good);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int central = b.getInt(zip.length - 22 + 16);
        int nameLength = b.getShort(central + 28);
        names[0] = new String(zip, central + 46, nameLength, StandardCharsets.UTF_8);
        zip[central + 46] = (byte) (zip[central + 46] == 'x' ? 'y' : 'x');
        names[1] = new String(zip, central + 46, nameLength, StandardCharsets.UTF_8);
        Path bad = dir.resolve("renamed.npz");
        Files.write(bad, zip);
        return bad;
    }

    private static void oneLineExitThree(CliRun r, String command, String expectedLine) {
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("spikeforge " + command + ": error: " + expectedLine, r.err().strip());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aCentralDirectoryNameThatDisagreesWithItsLocalHeader() throws Exception {
        String[] names = new String[2];
        Path bad = renamedInCentralDirectory(names);
        String line = bad + ": is a corrupt zip archive: entry '" + names[1] + "' is named '" + names[0]
                + "' in its local header at byte 0; the file is damaged; use an earlier checkpoint";
        Path out = dir.resolve("resumed.npz");
        oneLineExitThree(CliRun.of("train", model.toString(), "--resume", bad.toString(), "--out", out.toString()),
                "train", line);
        assertFalse(Files.exists(out), "nothing written from a damaged checkpoint");
        oneLineExitThree(CliRun.of("eval", model.toString(), "--checkpoint", bad.toString()), "eval", line);
        oneLineExitThree(CliRun.of("compile", model.toString(), "--checkpoint", bad.toString(), "--no-targets",
                "--out", dir.resolve("compiled").toString()), "compile", line);
    }

    /** A checkpoint without one layer's second moment: resuming would restart it from zero. */
    @Test
    void resumeRefusesIncompleteOptimiserState() throws Exception {
        Checkpoint c = CheckpointReader.read(good);
        Map<String, NdArray> arrays = new LinkedHashMap<>(c.arrays());
        assertTrue(arrays.remove("optimizer.second.h.weight") != null, c.names().toString());
        Path partial = dir.resolve("partial.npz");
        CheckpointWriter.write(partial, Checkpoint.of(arrays, c.manifest()));
        long steps = c.manifest().get("optimizer_steps").asLong();
        Path out = dir.resolve("from-partial.npz");
        oneLineExitThree(CliRun.of("train", model.toString(), "--resume", partial.toString(), "--out", out.toString()),
                "train", partial + ": optimiser state 'optimizer.second.h.weight' is missing: Adam's second moment of "
                + "'h.weight' after " + steps + " steps; without it the run would restart it from zero (optimizer_steps = "
                + steps + ", optimizer = adam); resume from a complete checkpoint of this run written with the same "
                + "optimizer (an earlier one), or train again without --resume");
        assertFalse(Files.exists(out));
    }

    @Test
    void aPipeGivenAsCheckpointIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.npz");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        CliRun r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> CliRun.of("eval", model.toString(), "--checkpoint", fifo.toString()));
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().startsWith("spikeforge eval: error: " + fifo + ": the checkpoint is not a regular file ("),
                r.err());
    }
}
