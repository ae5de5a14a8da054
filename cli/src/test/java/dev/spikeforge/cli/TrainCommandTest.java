package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and eval through the CLI, in-process, on a small synthetic IDX dataset. */
class TrainCommandTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    /** Four classes of 8x8 bars, as MNIST-format IDX files (gzipped, like the Debian package). */
    @BeforeAll
    static void dataset() throws IOException {
        data = dir.resolve("bars");
        Files.createDirectories(data);
        writeSplit("train", 256, 1);
        writeSplit("t10k", 64, 2);
        model = dir.resolve("bars.snn");
        Files.writeString(model, """
                model bars
                input 1x8x8
                timesteps 6
                neuron lif  = LIF(beta = 0.875, threshold = 1.0)
                neuron pool = IF(threshold = 0.75)
                layers {
                    c = conv(4, kernel = 3, padding = 1) -> lif
                    p = avgpool(2) -> pool
                    h = dense(16) -> lif dropout 0.25
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
    }

    private static void writeSplit(String prefix, int count, long seed) throws IOException {
        byte[] pixels = new byte[count * 64];
        byte[] labels = new byte[count];
        long s = seed;
        for (int i = 0; i < count; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            int cls = (int) ((s >>> 33) % 4);
            int pos = 1 + (int) ((s >>> 40) % 6);
            labels[i] = (byte) cls;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = cls == 0 ? y == pos : cls == 1 ? x == pos : cls == 2 ? x == y : x == 7 - y;
                    pixels[i * 64 + y * 8 + x] = (byte) (on ? 230 : 10);
                }
            }
        }
        try (DataOutputStream o = gz(data.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            o.writeInt(0x803);
            o.writeInt(count);
            o.writeInt(8);
            o.writeInt(8);
            o.write(pixels);
        }
        try (DataOutputStream o = gz(data.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            o.writeInt(0x801);
            o.writeInt(count);
            o.write(labels);
        }
    }

    private static DataOutputStream gz(Path p) throws IOException {
        OutputStream f = Files.newOutputStream(p);
        return new DataOutputStream(new GZIPOutputStream(f));
    }

    @Test
    void trainWritesACheckpointThatEvalReads() throws Exception {
        Path out = dir.resolve("a.npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", out.toString(), "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(2, doc.get("epochs").size());
        assertTrue(doc.get("epochs").get(1).get("test_accuracy").asDouble() > 0.5, r.out());
        assertTrue(r.err().contains("epoch 2/2: test accuracy"), r.err());
        CliRun e = CliRun.of("eval", model.toString(), "--checkpoint", out.toString(), "--json");
        assertEquals(ExitCodes.OK, e.exit(), e.err());
        JsonNode ev = new ObjectMapper().readTree(e.out());
        assertEquals(64, ev.get("samples").asInt());
        assertEquals(doc.get("epochs").get(1).get("test_accuracy").asDouble(), ev.get("accuracy").asDouble(), 1e-12);
        assertTrue(ev.get("layers").get("c").get("firing_rate").asDouble() > 0);
    }

    /**
     * Two epochs straight, against one epoch then --resume to two. The model's learning rate is
     * constant, so a run told to stop after epoch 1 is exactly an interrupted 2-epoch run.
     */
    @Test
    void aResumedRunEndsWithTheSameWeightsBitForBit() throws Exception {
        Path straight = dir.resolve("straight.npz");
        Path afterOne = dir.resolve("after-one.npz");
        Path resumed = dir.resolve("resumed.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--out", straight.toString(), "--threads", "2").exit());
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--epochs", "1", "--out", afterOne.toString(),
                "--threads", "2").exit());
        CliRun r = CliRun.of("train", model.toString(), "--epochs", "2", "--resume", afterOne.toString(), "--out",
                resumed.toString(), "--threads", "2");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("epoch 2/2") && !r.err().contains("epoch 1/2"), r.err());
        Checkpoint a = CheckpointReader.read(straight);
        Checkpoint c = CheckpointReader.read(resumed);
        assertEquals(a.names(), c.names());
        for (String name : a.names()) {
            if (name.startsWith("optimizer.")) {
                assertArrayEquals(a.array(name).orElseThrow().doubles(), c.array(name).orElseThrow().doubles(), 0, name);
            } else {
                assertArrayEquals(a.array(name).orElseThrow().floats(), c.array(name).orElseThrow().floats(), 0, name);
            }
        }
    }

    @Test
    void aCorruptDatasetIsOneLineAndExitThree() throws IOException {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                      "t10k-labels-idx1-ubyte"}) {
            Files.write(broken.resolve(f), new byte[] {0, 0, 8, 3, 0, 0});
        }
        CliRun r = CliRun.of("train", model.toString(), "--data", broken.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte"), r.err());
    }

    @Test
    void aCorruptOrForeignCheckpointIsOneLineAndExitThree() throws IOException {
        Path junk = dir.resolve("junk.npz");
        Files.write(junk, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        CliRun r = CliRun.of("eval", model.toString(), "--checkpoint", junk.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertTrue(r.err().startsWith("spikeforge eval: error: " + junk), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
