package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.Checksums;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporal parts of a mapping folder (numerics.current_bits, a layer's synaptic_current,
 * recurrent, conv1d and maxpool synapses, self routes, the target's capabilities): every bad value
 * gives one MappingFileException naming mapping.json (or the image), the place and the problem.
 * The folder is {@link TemporalGoldenTest}'s network on loihi_like with 6 neurons per core: layers
 * c1 (conv1d, CUBA), p1 (maxpool), h1 (recurrent, CUBA, cores 9 and 10), h2 (diagonal), out.
 */
class TemporalMappingFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void writeFolder() throws Exception {
        NeurocoreSpec spec = TestSpecs.with(NeurocoreSpecs.preset("loihi_like"), "neuronsPerCore", 6);
        QuantizedNetwork q = TemporalNets.fixed(14, spec.shiftTowardZero(), true);
        List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
        MappingWriter.write(NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null), rules, dir);
        MappingFiles.read(dir); // the folder as written is good
    }

    private MappingFileException failsAfter(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve("mapping.json").toFile());
        edit.accept(root);
        Files.writeString(dir.resolve("mapping.json"), JSON.writeValueAsString(root));
        return assertThrows(MappingFileException.class, () -> MappingFiles.read(dir));
    }

    private static void assertPlace(MappingFileException e, String place, String... words) {
        assertEquals(place, e.place(), e.getMessage());
        assertTrue(e.help() != null && !e.help().isBlank(), e.getMessage());
        for (String w : words) {
            assertTrue(e.problem().contains(w), "'" + w + "' in: " + e.getMessage());
        }
    }

    private static ObjectNode layer(ObjectNode root, int i) {
        return (ObjectNode) root.get("layers").get(i);
    }

    private static ObjectNode synapse(ObjectNode root, int layer, int s) {
        return (ObjectNode) layer(root, layer).get("synapses").get(s);
    }

    @Test
    void currentBitsMissingOutOfRangeOrWiderThanTheChip() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("numerics")).remove("current_bits")), "numerics",
                "current_bits is missing");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("numerics")).put("current_bits", 1)), "numerics.current_bits",
                "must be 2 to 63");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("numerics")).put("current_bits", 30)), "numerics.current_bits",
                "current_bits is 30", "24-bit current register");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).remove("synaptic_current_bits")),
                "numerics.current_bits", "keeps no synaptic current");
    }

    @Test
    void aSynapticDecayTheChipLacksOrCannotBeIsRefused() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) layer(r, 0).get("synaptic_current")).putObject("decay")
                .put("form", "shift").put("k", 2)), "layers[0].synaptic_current", "decaying by shift",
                "multiplier, none");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) layer(r, 2).get("synaptic_current").get("decay")).put("m", 0)),
                "layers[2].synaptic_current.decay", "multiplier leak needs");
    }

    @Test
    void recurrentSynapsesReadTheirOwnLayerWithDelayOne() throws Exception {
        assertPlace(failsAfter(r -> synapse(r, 2, 1).put("delay", 2)), "layers[2].synapses[1].delay",
                "delay is 2", "delay 1");
        writeFolder();
        assertPlace(failsAfter(r -> synapse(r, 2, 1).put("source", 1)), "layers[2].synapses[1].source",
                "source must be 2");
        writeFolder();
        assertPlace(failsAfter(r -> synapse(r, 2, 1).put("units", 9)), "layers[2].synapses[1].units",
                "units is 9", "10 neurons");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("recurrent_synapses", false)),
                "layers[2].synapses", "recurrent synapse", "recurrent_synapses");
    }

    @Test
    void aSelfRouteOnlyForARecurrentLayer() throws Exception {
        // core 0 holds c1, which is not recurrent
        assertPlace(failsAfter(r -> {
            ArrayNode routes = (ArrayNode) r.get("cores").get(0).get("routes");
            ObjectNode self = routes.addObject();
            self.put("to_core", 0);
            self.put("hops", 0);
            self.putArray("sources").addArray().add(0).add(1);
        }), "cores[0].routes[1].to_core", "the core itself", "not recurrent");
    }

    @Test
    void conv1dAndMaxPoolGeometryAndCapabilities() throws Exception {
        assertPlace(failsAfter(r -> synapse(r, 0, 0).put("kernel", 20)), "layers[0].synapses[0]", "conv1d needs");
        writeFolder();
        assertPlace(failsAfter(r -> synapse(r, 1, 0).put("kernel", 3)), "layers[1].synapses[0]",
                "maxpool produces shape [3, 4]", "[3, 6]");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("max_pool", false)), "layers[1].synapses",
                "maxpool synapse", "max_pool");
        writeFolder();
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("conv1d", "yes")), "target.conv1d",
                "expected true or false");
    }

    @Test
    void aMaxPoolWeightOtherThanOneIsRefused() throws Exception {
        JsonNode root = JSON.readTree(dir.resolve("mapping.json").toFile());
        int core = layer((ObjectNode) root, 1).get("cores").get(0).asInt();
        String file = root.get("cores").get(core).get("synapse_file").asText();
        Path image = dir.resolve(file);
        byte[] b = Files.readAllBytes(image);
        b[0] = 2;
        Files.write(image, b);
        MappingFileException e = failsAfter(r -> {
            for (JsonNode f : r.get("files")) {
                if (f.get("path").asText().equals(file)) {
                    ((ObjectNode) f).put("sha256", Checksums.sha256(b));
                }
            }
        });
        assertEquals(image, e.file(), e.getMessage());
        assertTrue(e.problem().contains("maxpool synapse's weight is 2"), e.getMessage());
    }
}
