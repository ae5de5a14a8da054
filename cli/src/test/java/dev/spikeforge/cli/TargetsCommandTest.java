package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.targets.neurocore.NeurocoreSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void listsEveryPresetWithItsMainLimits() {
        CliRun r = CliRun.of("targets");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("preset "), r.out());
        for (String h : List.of("cores", "neurons/core", "axons/core", "fan-in", "synapse mem/core", "weight bits",
                "membrane bits", "leak forms", "pJ/synop")) {
            assertTrue(lines.get(0).contains(h), h + " missing from " + lines.get(0));
        }
        for (String name : NeurocoreSpecs.presetNames()) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(name + " ")), name + " missing:\n" + r.out());
        }
        String loihi = lines.stream().filter(l -> l.startsWith("loihi_like")).findFirst().orElseThrow();
        assertTrue(loihi.matches("loihi_like\\s+128\\s+1,024\\s+4,096\\s+memory\\s+128 KiB\\s+1-9\\s+24\\s+"
                + "multiplier/none\\s+23.6"), loihi);
        String trueNorth = lines.stream().filter(l -> l.startsWith("truenorth_like")).findFirst().orElseThrow();
        assertTrue(trueNorth.matches("truenorth_like\\s+4,096\\s+256\\s+256\\s+256\\s+8 KiB\\s+1-9\\s+20\\s+none\\s+26"),
                trueNorth);
    }

    @Test
    void showsEveryFieldOfOnePresetWithItsSource() {
        CliRun r = CliRun.of("targets", "loihi_like");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().startsWith("target loihi_like (schema spikeforge.target.neurocore/1)\n"), r.out());
        assertTrue(r.out().contains("  synaptic_op_pj                23.6 pJ\n"), r.out());
        assertTrue(r.out().contains("source: Davies et al. 2018, Table 2: synaptic spike op (minimum) 23.6 pJ."),
                r.out());
        assertTrue(r.out().contains("  threshold_compare             >\n"), r.out());
        assertEquals(dev.spikeforge.targets.neurocore.NeurocoreField.values().length, r.out().lines().filter(l -> l.trim().startsWith("source: ")).count(), r.out());
        assertFalse(r.out().contains("(none given)"), r.out());
    }

    @Test
    void jsonOfOnePresetIsAValidSpecFile() throws Exception {
        CliRun r = CliRun.of("targets", "xylo_like", "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(NeurocoreSpecs.SCHEMA, doc.get("schema").asText());
        assertEquals(1000, doc.get("neurons_per_core").asInt());
        Path file = tmp.resolve("copy.json");
        Files.writeString(file, r.out());
        assertEquals(NeurocoreSpecs.preset("xylo_like"), NeurocoreSpecs.load(file));
    }

    @Test
    void jsonListHoldsEveryPreset() throws Exception {
        CliRun r = CliRun.of("targets", "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(TargetsCommand.LIST_SCHEMA, doc.get("schema").asText());
        assertEquals(NeurocoreSpecs.presetNames().size(), doc.get("presets").size());
        assertEquals("speck_like", doc.get("presets").get(4).get("name").asText());
    }

    @Test
    void aUsersSpecFileIsShownLikeAPreset() throws Exception {
        ObjectNode doc = NeurocoreSpecs.toJson(NeurocoreSpecs.preset("speck_like"));
        doc.put("name", "my_speck");
        doc.remove("sources");
        Path file = write("my_speck.json", doc.toString());
        CliRun r = CliRun.of("targets", file.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().startsWith("target my_speck "), r.out());
        assertTrue(r.out().contains("source: (none given)"), r.out());
    }

    @Test
    void anInvalidSpecFileIsOneLineNamingFileFieldValueLimitAndFix() throws Exception {
        ObjectNode doc = NeurocoreSpecs.toJson(NeurocoreSpecs.preset("loihi_like"));
        doc.put("cores", 129);
        Path file = write("chip.json", doc.toString());
        CliRun r = CliRun.of("targets", file.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertEquals("", r.out());
        assertEquals("spikeforge targets: error: " + file + ": field 'cores' is 129; allowed: at most mesh_width *"
                + " mesh_height = 16 * 8 = 128; lower \"cores\" to 128 or enlarge the mesh (mesh_width * mesh_height"
                + " >= 129)\n", r.err());
    }

    @Test
    void malformedJsonIsOneLineWithItsPosition() throws Exception {
        Path file = write("broken.json", "{\n  \"schema\": \"spikeforge.target.neurocore/1\"\n  \"name\": \"x\"\n}\n");
        CliRun r = CliRun.of("targets", file.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("spikeforge targets: error: " + file + ": malformed JSON at line 3, column 3: "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aMissingFileOrUnknownPresetIsAnInputError() {
        CliRun missing = CliRun.of("targets", tmp.resolve("nope.json").toString());
        assertEquals(ExitCodes.INPUT_ERROR, missing.exit());
        assertTrue(missing.err().contains("nope.json: cannot read the file: no such file"), missing.err());
        CliRun unknown = CliRun.of("targets", "loihi");
        assertEquals(ExitCodes.INPUT_ERROR, unknown.exit());
        assertTrue(unknown.err().contains("no neurocore preset named 'loihi'"), unknown.err());
        assertTrue(unknown.err().contains("use one of loihi_like, truenorth_like"), unknown.err());
    }

    @Test
    void twoArgumentsAreAUsageError() {
        CliRun r = CliRun.of("targets", "loihi_like", "xylo_like");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("Try 'spikeforge targets --help'."), r.err());
    }

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
