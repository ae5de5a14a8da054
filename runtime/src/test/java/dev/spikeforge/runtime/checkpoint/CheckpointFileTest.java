package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {

    @TempDir
    Path dir;

    /** A checkpoint as a trainer would write one: weights, optimiser state, a manifest. */
    static Checkpoint lenetLike() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("model_source", "model lenet5\ninput 1x28x28 encode poisson\n# ünïcode ✓\n");
        m.put("epoch", 3);
        m.put("seed", 42L);
        m.putObject("optimizer").put("kind", "adam").put("lr", 1e-3).put("step", 1200);
        m.putObject("metrics").put("train_loss", 0.25).putArray("val_accuracy").add(0.91).add(0.935);
        m.put("engine_version", "0.1.0-SNAPSHOT");
        return Checkpoint.builder()
                .put("c1.weight", Samples.of(DType.FLOAT32, 1, 6, 1, 5, 5))
                .put("c1.bias", Samples.of(DType.FLOAT32, 2, 6))
                .put("f1.weight", Samples.of(DType.FLOAT32, 3, 10, 96))
                .put("optimizer.adam.m.c1.weight", Samples.of(DType.FLOAT32, 4, 6, 1, 5, 5))
                .put("optimizer.adam.step", NdArray.ofLongs(new long[] {1200}))
                .manifest(m)
                .build();
    }

    @Test
    void roundTripsEveryDtypeAndShape() throws Exception {
        Checkpoint.Builder b = Checkpoint.builder();
        int[][] shapes = {{}, {0}, {5}, {2, 3, 4}};
        for (DType t : DType.values()) {
            for (int i = 0; i < shapes.length; i++) {
                b.put(t.numpyName() + ".shape" + i, Samples.of(t, t.ordinal() * 10 + i, shapes[i]));
            }
        }
        Checkpoint c = b.manifest(lenetLike().manifest()).build();
        Path file = dir.resolve("all.npz");
        CheckpointWriter.write(file, c);
        Checkpoint back = CheckpointReader.read(file);
        assertEquals(c, back);
        assertEquals(c.names(), back.names());
        assertEquals(c.manifest(), back.manifest());
    }

    @Test
    void writesTheSameBytesForTheSameCheckpoint() throws Exception {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            CheckpointWriter.write(a, lenetLike());
            // Another time zone, another moment, a checkpoint built anew: the same bytes.
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            Thread.sleep(1100);
            CheckpointWriter.write(b, lenetLike());
        } finally {
            TimeZone.setDefault(saved);
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void entriesAreStoredInOrderWithAFixedTimeAndNoExtraFields() throws Exception {
        Path file = dir.resolve("layout.npz");
        CheckpointWriter.write(file, lenetLike());
        ByteBuffer zip = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        int at = 0;
        while (zip.getInt(at) == 0x04034b50) {
            assertEquals(0, zip.getShort(at + 8), "method STORED");
            assertEquals(1, zip.getShort(at + 10), "DOS time 00:00:02 (seconds / 2)");
            assertEquals((1 << 5) | 1, zip.getShort(at + 12), "DOS date 1980-01-01");
            int nameLength = zip.getShort(at + 26);
            assertEquals(0, zip.getShort(at + 28), "extra field length");
            names.add(new String(zip.array(), at + 30, nameLength, StandardCharsets.UTF_8));
            at += 30 + nameLength + zip.getInt(at + 18);
        }
        assertEquals(List.of("c1.weight.npy", "c1.bias.npy", "f1.weight.npy", "optimizer.adam.m.c1.weight.npy",
                "optimizer.adam.step.npy", "manifest.json"), names);
        while (zip.getInt(at) == 0x02014b50) {
            assertEquals(0, zip.getShort(at + 30), "central extra field length");
            at += 46 + zip.getShort(at + 28) + zip.getShort(at + 32);
        }
        assertEquals(0x06054b50, zip.getInt(at), "end of central directory follows");
    }

    @Test
    void theManifestIsPrettyUtf8JsonInInsertionOrder() throws Exception {
        byte[] json = ManifestJson.toBytes(lenetLike().manifestNode());
        String expected = String.join("\n",
                "{",
                "  \"format\": \"spikeforge.checkpoint/1\",",
                "  \"model_source\": \"model lenet5\\ninput 1x28x28 encode poisson\\n# ünïcode ✓\\n\",",
                "  \"epoch\": 3,",
                "  \"seed\": 42,",
                "  \"optimizer\": {",
                "    \"kind\": \"adam\",",
                "    \"lr\": 0.001,",
                "    \"step\": 1200",
                "  },",
                "  \"metrics\": {",
                "    \"train_loss\": 0.25,",
                "    \"val_accuracy\": [",
                "      0.91,",
                "      0.935",
                "    ]",
                "  },",
                "  \"engine_version\": \"0.1.0-SNAPSHOT\"",
                "}",
                "");
        assertEquals(expected, new String(json, StandardCharsets.UTF_8));
    }

    @Test
    void createsMissingFolders() throws Exception {
        Path file = dir.resolve("runs/lenet5/epoch3.npz");
        CheckpointWriter.write(file, lenetLike());
        assertEquals(lenetLike(), CheckpointReader.read(file));
    }

    @Test
    void readsDeflatedEntries() throws Exception {
        Path file = dir.resolve("deflated.npz");
        NdArray w = Samples.of(DType.FLOAT64, 9, 4, 4);
        Files.write(file, ZipBytes.builder().putArray("w", w).putManifest().deflated());
        assertEquals(w, CheckpointReader.read(file).array("w").orElseThrow());
    }
}
