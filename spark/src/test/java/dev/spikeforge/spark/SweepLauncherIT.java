package dev.spikeforge.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.TrainSettings;
import dev.spikeforge.runtime.data.BarsDataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./spikeforge sweep} as a user runs it (failsafe, after {@code package}): the launcher
 * finds the spark jar, its {@code lib/} and Spark's {@code spark-lib/}, opens what Spark needs on
 * Java 17, and the sweep writes its rows; a bad argument is one line and exit 2.
 */
class SweepLauncherIT {

    static final Path ROOT = Path.of(System.getProperty("spikeforge.root", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static Path model;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void trained() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, SweepTest.MODEL);
        Pipeline p = Pipeline.builder().build();
        p.train(p.load(model), TrainSettings.DEFAULTS.to(dir.resolve("bars.npz")));
    }

    static Run launch(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("spikeforge").toString(), "sweep"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the sweep ended");
        return new Run(p.exitValue(), out, err.get());
    }

    @Test
    void theLauncherRunsASweepFromTheSparkJar() throws Exception {
        Path grid = dir.resolve("grid.json");
        Files.writeString(grid, """
                {"checkpoint": "bars.npz", "samples": 32, "grid": {"bits": [4, 8], "qat_epochs": [0, 1]},
                 "targets": ["fpga(lanes = 4)"]}
                """);
        Run r = launch(model.toString(), "--grid", grid.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("4 points run, 0 from earlier rows"), r.out());
        assertFalse(r.err().contains("Exception"), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("out").resolve("rows.csv"));
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertTrue(Files.size(dir.resolve("out").resolve("rows.parquet")) > 0);
        Run again = launch(model.toString(), "--grid", grid.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("0 points run, 4 from earlier rows"), again.out());
    }

    @Test
    void aBadMasterIsOneLineAndExitTwo() throws Exception {
        Run r = launch(model.toString(), "--grid", "g.json", "--master", "nowhere:7077");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--master nowhere:7077 is not a Spark master URL"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
