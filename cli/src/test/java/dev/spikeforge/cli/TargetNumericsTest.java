package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each target is quantised with its own numerics, never another's: verify with an fpga target
 * (floor shifts) and loihi_like (toward-zero shifts) writes each folder with its own rounding, and
 * a folder edited to another rounding is refused by its reader, naming both.
 */
class TargetNumericsTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path out;
    static String verifyOut;

    @BeforeAll
    static void verifiedOnTwoTargets() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, FpgaCommandsTest.MODEL);
        Path checkpoint = dir.resolve("bars.npz");
        CliRun t = CliRun.of("train", model.toString(), "--out", checkpoint.toString(), "--epochs", "1");
        assertEquals(ExitCodes.OK, t.exit(), t.err());
        out = dir.resolve("out");
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "6",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--target", "fpga(family = xc7, lanes = 8)",
                "--target", "loihi_like", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        verifyOut = r.out();
    }

    private static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(Files.readString(p));
    }

    @Test
    void eachFolderHasItsOwnTargetsRounding() throws Exception {
        JsonNode fpga = json(out.resolve("fpga-xc7-p8/fpga.json"));
        assertEquals("floor", fpga.get("numerics").get("shift_rounding").asText());
        for (JsonNode l : fpga.get("layers")) {
            assertEquals(false, l.get("leak").get("toward_zero").asBoolean(), l.toString());
        }
        JsonNode mapping = json(out.resolve("neurocore-loihi_like/mapping.json"));
        assertEquals("toward_zero", mapping.get("target").get("shift_rounding").asText());
        assertEquals("toward_zero", mapping.get("numerics").get("shift_rounding").asText());
        assertTrue(verifyOut.contains("loihi_like emulator: 6 of 6 samples exactly equal"), verifyOut);
        assertTrue(verifyOut.contains("fpga(lanes = 8, family = xc7, device = xc7a35t) emulator: 6 of 6 samples exactly equal"),
                verifyOut);
    }

    @Test
    void aMappingEditedToAnotherRoundingIsRefused() throws Exception {
        Path copy = dir.resolve("edited-loihi");
        copyTree(out.resolve("neurocore-loihi_like"), copy);
        Path file = copy.resolve("mapping.json");
        Files.writeString(file, Files.readString(file).replace("\"shift_rounding\" : \"toward_zero\",\n    \"threshold_compare\"",
                "\"shift_rounding\" : \"floor\",\n    \"threshold_compare\""));
        assertTrue(json(file).get("numerics").get("shift_rounding").asText().equals("floor"), "the edit took");
        CliRun r = CliRun.of("emulate", copy.toString(), "--model", model.toString(), "--samples", "2");
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("numerics.shift_rounding is 'floor' but loihi_like (target.shift_rounding) says"
                + " 'toward_zero'"), r.err());
    }

    @Test
    void anFpgaFolderEditedToAnotherRoundingIsRefused() throws Exception {
        Path copy = dir.resolve("edited-fpga");
        copyTree(out.resolve("fpga-xc7-p8"), copy);
        Path file = copy.resolve("fpga.json");
        Files.writeString(file, Files.readString(file).replace("\"shift_rounding\" : \"floor\"",
                "\"shift_rounding\" : \"toward_zero\""));
        CliRun r = CliRun.of("emulate", copy.toString(), "--model", model.toString(), "--samples", "2");
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("numerics.shift_rounding: is 'toward_zero' but the fpga accelerator's RTL rounds"
                + " shifts 'floor'"), r.err());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
    }
}
