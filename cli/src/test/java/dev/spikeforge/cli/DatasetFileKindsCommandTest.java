package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.data.MnistFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset file that is a pipe or a link to /dev/zero: one line saying so, exit 3, no hang. */
class DatasetFileKindsCommandTest {

    @TempDir
    Path dir;

    @Test
    void aPipeOrADeviceInPlaceOfADatasetFile() throws Exception {
        Path data = dir.resolve("bars");
        Files.createDirectories(data);
        BarsDataset.write(data, 64, 16);
        Path model = dir.resolve("m.snn");
        Files.writeString(model, """
                model m
                input 1x8x8
                timesteps 2
                neuron lif = LIF(beta = 0.875, threshold = 1.0)
                layers {
                    h = dense(8) -> lif
                    out = readout(4)
                }
                train {
                    method    = surrogate
                    dataset   = idx(path = "bars")
                    epochs    = 1
                    batch     = 16
                    optimizer = adam(lr = 0.01)
                    seed      = 5
                }
                """);
        Path labels = Files.list(data).filter(p -> p.getFileName().toString().startsWith(MnistFormat.TRAIN_LABELS))
                .findFirst().orElseThrow();
        Files.delete(labels);
        assertEquals(0, new ProcessBuilder("mkfifo", labels.toString()).start().waitFor());
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> CliRun.of("train", model.toString(), "--out", dir.resolve("m.npz").toString()));
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(labels + ": the dataset file is not a regular file ("), r.err());

        Files.delete(labels);
        Files.createSymbolicLink(labels, Path.of("/dev/zero"));
        r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> CliRun.of("train", model.toString(), "--out", dir.resolve("m.npz").toString()));
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains(labels + ": the dataset file is not a regular file (a device: /dev/zero); "
                + "copy the data into a regular file"), r.err());
    }
}
