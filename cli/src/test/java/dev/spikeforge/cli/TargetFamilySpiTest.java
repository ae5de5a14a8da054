package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new target family is a package and a service entry: the test chip of {@code testchip/}, which
 * nothing in the main sources names, goes through check, compile, verify and run like the shipped
 * families, with its own numerics (toward-zero shifts) and its own figures.
 */
class TargetFamilySpiTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path checkpoint;

    static final String MODEL = FpgaCommandsTest.MODEL.replace("target fpga(lanes = 4, family = ice40, device = hx8k)",
            "target testchip(cycles = 3)");

    @BeforeAll
    static void trained() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, MODEL);
        checkpoint = dir.resolve("bars.npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", checkpoint.toString(), "--epochs", "1");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
    }

    @Test
    void checkAcceptsTheFamilyAndReportsItsBadArguments() throws Exception {
        assertEquals(ExitCodes.OK, CliRun.of("check", model.toString()).exit());
        Path bad = dir.resolve("bad.snn");
        Files.writeString(bad, MODEL.replace("testchip(cycles = 3)", "testchip(cycles = 0)"));
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("error[E701]: testchip takes cycles = N (N at least 1), got 0"), r.err());
    }

    @Test
    void verifyCompilesEmulatesAndComparesTheFakeTarget() throws Exception {
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "8",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--target", "testchip(cycles = 2)", "--out",
                dir.resolve("v").toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("testchip(cycles = 2) emulator: 8 of 8 samples exactly equal to the integer model"),
                r.out());
        String marker = Files.readString(dir.resolve("v/testchip-c2/testchip.json"));
        assertTrue(marker.contains("\"shift_rounding\": \"toward_zero\""), "quantised with the chip's own rounding: " + marker);
    }

    @Test
    void runTakesTheFakeTargetFromTheDeployBlock() throws Exception {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("run", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "8",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*\\ntestchip\\(cycles = 3\\) +8/8 +[0-9]+ +[0-9.]+ [mu]s .*not modelled.*"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("compiled/testchip-c3/testchip.json")));
        CliRun e = CliRun.of("emulate", out.resolve("compiled/testchip-c3").toString(), "--model", model.toString(),
                "--samples", "4");
        assertEquals(ExitCodes.OK, e.exit(), e.out() + e.err());
        assertTrue(e.out().contains("model bars on testchip(cycles = 3): 1 test chip, 4 test samples, T = 6"), e.out());
    }
}
