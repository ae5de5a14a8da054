package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.io.WriteFaults;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk at every rename of {@code compile --out} (injected through WriteFaults): exit 3 with
 * one message, the earlier output folder unchanged file by file, nothing of the new one left.
 */
class OutputWriteFailureTest {

    @TempDir
    Path dir;

    @AfterEach
    void noFaults() {
        System.clearProperty("spikeforge.fault.rename");
        WriteFaults.reset();
    }

    static Map<String, String> files(Path folder) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(folder.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }

    @Test
    void aFullDiskAtAnyRenameIsExit3AndLeavesTheOldFolderWhole() throws Exception {
        Path model = dir.resolve("bars.snn");
        Files.writeString(model, """
                model bars
                input 1x8x8
                timesteps 6
                neuron lif = LIF(beta = 0.875, threshold = 1.0, reset = zero)
                layers {
                    h = dense(16) -> lif
                    out = readout(4)
                }
                deploy {
                    weights  = int(8, per_channel)
                    membrane = int(16)
                    leak     = multiplier(12)
                    target neurocore(preset = loihi_like)
                    target fpga(family = xc7, lanes = 8)
                }
                """);
        Network net = SnnFrontEnd.compile(SourceFile.read(model)).network();
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        new TrainingCheckpoint("", net.name(), 0, 0, Parameters.initialise(net, 3), Map.of(), 0, 3, List.of(), "test").write(a, net);
        new TrainingCheckpoint("", net.name(), 0, 0, Parameters.initialise(net, 4), Map.of(), 0, 4, List.of(), "test").write(b, net);
        Path out = dir.resolve("out");
        CliRun first = CliRun.of("compile", model.toString(), "--checkpoint", a.toString(), "--out", out.toString());
        assertEquals(ExitCodes.OK, first.exit(), first.err());
        Map<String, String> old = files(out);
        int n = 1;
        for (;; n++) {
            WriteFaults.reset();
            System.setProperty("spikeforge.fault.rename", n + ":ioerror");
            CliRun r = CliRun.of("compile", model.toString(), "--checkpoint", b.toString(), "--out", out.toString());
            if (r.exit() == ExitCodes.OK) {
                assertFalse(old.equals(files(out)), "the compile that ran through wrote the new folder");
                break;
            }
            assertEquals(ExitCodes.INPUT_ERROR, r.exit(), "rename " + n + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("No space left on device") && r.err().contains("is unchanged"), r.err());
            assertEquals(old, files(out), "rename " + n);
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(".out.lock", "a.npz", "b.npz", "bars.snn", "out"),
                        s.map(p -> p.getFileName().toString()).sorted().toList(), "rename " + n);
            }
            assertTrue(n < 40);
        }
        assertTrue(n > 8, "only " + (n - 1) + " renames failed");
    }
}
