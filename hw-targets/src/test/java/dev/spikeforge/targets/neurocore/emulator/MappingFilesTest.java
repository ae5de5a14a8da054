package dev.spikeforge.targets.neurocore.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every damaged or inconsistent mapping folder gives one MappingFileException naming the file, the place and a fix. */
class MappingFilesTest {

    @TempDir
    Path tmp;

    Path dir;

    /** The dense network of the emulator test: hidden layer on cores 0 and 1, readout on core 2. */
    @BeforeEach
    void writeGoodFolder() {
        TestNet net = NeurocoreEmulatorTest.denseNet("default", new Random(1));
        dir = new MappingFolder(net).core(0, 1, 0, new int[] {0, 3}).core(0, 0, 1, new int[] {3, 5})
                .core(1, 1, 1, new int[] {0, 3}).write(tmp.resolve("good"));
    }

    private MappingFileException fails() {
        MappingFileException e = assertThrows(MappingFileException.class, () -> MappingFiles.read(dir));
        assertNotNull(e.help(), "every error says how to fix it");
        assertTrue(e.getMessage().startsWith(e.file().toString()), e.getMessage());
        return e;
    }

    private MappingFileException failsAfter(Consumer<ObjectNode> edit) throws IOException {
        MappingFolder.editJson(dir, edit);
        return fails();
    }

    private static ObjectNode at(ObjectNode root, String first, int i) {
        return (ObjectNode) root.get(first).get(i);
    }

    private void assertPlace(MappingFileException e, String file, String place, String... words) {
        assertEquals(dir.resolve(file), e.file(), e.getMessage());
        assertEquals(place, e.place(), e.getMessage());
        for (String w : words) {
            assertTrue(e.problem().contains(w), "'" + w + "' in: " + e.getMessage());
        }
    }

    @Test
    void theGoodFolderReads() throws Exception {
        Mapping m = MappingFiles.read(dir);
        assertEquals(2, m.layers().size());
        assertEquals("test_chip", m.target().name());
        assertEquals(5 * 6 * 2 / 2, m.cores().get(0).image().length + m.cores().get(1).image().length);
    }

    @Test
    void aChangedByteFailsTheChecksum() throws Exception {
        Path syn = dir.resolve("cores/core-0001.syn");
        byte[] b = Files.readAllBytes(syn);
        b[3] ^= 1;
        Files.write(syn, b);
        assertPlace(fails(), "cores/core-0001.syn", "files[1]", "SHA-256");
    }

    @Test
    void aMissingCoreFileIsNamed() throws Exception {
        Files.delete(dir.resolve("cores/core-0002.syn"));
        assertPlace(fails(), "cores/core-0002.syn", "files[2]", "missing");
    }

    @Test
    void aTruncatedImageIsNamedBySizeOrBySegments() throws Exception {
        Path syn = dir.resolve("cores/core-0000.syn");
        byte[] b = Files.readAllBytes(syn);
        Files.write(syn, Arrays.copyOf(b, b.length - 3));
        assertPlace(fails(), "cores/core-0000.syn", "files[0]", "bytes", "truncated");
        MappingFolder.rehash(dir);
        assertPlace(fails(), "cores/core-0000.syn", "core 0", "truncated", (b.length - 3) + " bytes");
    }

    @Test
    void aCoreFileNotListedInFilesIsRefused() throws Exception {
        assertPlace(failsAfter(r -> ((ArrayNode) r.get("files")).remove(1)), "mapping.json",
                "cores[1].synapse_file", "not listed");
    }

    @Test
    void aPathOutsideTheFolderIsRefused() throws Exception {
        assertPlace(failsAfter(r -> at(r, "files", 0).put("path", "../x.syn")), "mapping.json", "files[0].path",
                "inside");
    }

    @Test
    void outOfRangeCoreIdsAreNamed() throws Exception {
        MappingFileException e = failsAfter(r -> ((ObjectNode) at(r, "cores", 0).get("routes").get(0))
                .put("to_core", 7));
        assertPlace(e, "mapping.json", "cores[0].routes[0].to_core", "to_core 7", "does not exist");
    }

    @Test
    void anInputRouteToAMissingCoreIsNamed() throws Exception {
        assertPlace(failsAfter(r -> at(r, "input_routes", 1).put("to_core", -1)), "mapping.json",
                "input_routes[1].to_core", "does not exist");
    }

    @Test
    void aLayerListingAMissingCoreIsNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ArrayNode) at(r, "layers", 1).get("cores")).add(9)), "mapping.json",
                "layers[1].cores[1]", "core 9 does not exist");
    }

    @Test
    void aCoreIdThatIsNotItsPositionIsNamed() throws Exception {
        assertPlace(failsAfter(r -> at(r, "cores", 1).put("id", 5)), "mapping.json", "cores[1].id", "position 1");
    }

    @Test
    void aRowBeyondTheSynapsesRowsIsNamed() throws Exception {
        MappingFileException e = failsAfter(r -> ((ArrayNode) at(r, "cores", 1).get("segments").get(0).get("rows"))
                .set(1, 12));
        assertPlace(e, "mapping.json", "cores[1].segments[0].rows[1]", "row 12", "rows 0 to 4");
    }

    @Test
    void aNeuronWhoseRowIsNotStoredIsNamed() throws Exception {
        // core 0 holds neurons 0-2; claim its third stored row is row 4 instead of 2
        MappingFileException e = failsAfter(r -> ((ArrayNode) at(r, "cores", 0).get("segments").get(0).get("rows"))
                .set(2, 4));
        assertPlace(e, "mapping.json", "cores[0]", "core 0 holds neuron 2", "row 2", "does not store");
    }

    @Test
    void aSourceIndexOutOfRangeIsNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) at(r, "layers", 1).get("synapses").get(0)).put("source", 4)),
                "mapping.json", "layers[1].synapses[0].source", "source is 4");
        writeGoodFolder();
        assertPlace(failsAfter(r -> ((ArrayNode) ((ObjectNode) at(r, "cores", 1).get("routes").get(0))
                        .get("sources").get(0)).set(1, 6)), "mapping.json",
                "cores[1].routes[0].sources[0]", "[3, 6)", "5 indices");
        writeGoodFolder();
        assertPlace(failsAfter(r -> ((ArrayNode) at(r, "input_routes", 0).get("sources").get(0)).set(1, 7)),
                "mapping.json", "input_routes[0].sources[0]", "6 indices");
    }

    @Test
    void overlappingNeuronRangesAreNamed() throws Exception {
        MappingFileException e = failsAfter(r -> ((ArrayNode) at(r, "cores", 1).get("neurons").get(0)).set(0, 2));
        assertPlace(e, "mapping.json", "cores[1].neurons", "neuron 2", "also on core 0");
    }

    @Test
    void aNeuronOnNoCoreIsNamed() throws Exception {
        // core 1 holds [3, 5) -> [3, 4): neuron 4 is on no core (its row is still stored, so only coverage fails)
        MappingFileException e = failsAfter(r -> ((ArrayNode) at(r, "cores", 1).get("neurons").get(0)).set(1, 4));
        assertPlace(e, "mapping.json", "layers[0]", "neuron 4 of layer 0 (h) is on no core");
    }

    @Test
    void rangesOutsideTheLayerAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ArrayNode) at(r, "cores", 1).get("neurons").get(0)).set(1, 9)),
                "mapping.json", "cores[1].neurons[0]", "[3, 9)", "5 neurons");
    }

    @Test
    void wrongHopsAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) at(r, "cores", 0).get("routes").get(0)).put("hops", 3)),
                "mapping.json", "cores[0].routes[0].hops", "hops is 3", "distance to core 2 is 1");
    }

    @Test
    void aWeightBeyondTheWeightBitsIsNamed() throws Exception {
        Path syn = dir.resolve("cores/core-0002.syn");
        byte[] b = Files.readAllBytes(syn);
        b[4] = (byte) 200;
        b[5] = 0;
        Files.write(syn, b);
        MappingFolder.rehash(dir);
        assertPlace(fails(), "cores/core-0002.syn", "core 2, int16 value 2", "weight 200", "+-127");
    }

    @Test
    void aMissingFieldAndAWrongTypeAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) at(r, "layers", 0).get("leak")).remove("k")), "mapping.json",
                "layers[0].leak", "missing field 'k'");
        writeGoodFolder();
        assertPlace(failsAfter(r -> at(r, "layers", 0).put("size", "five")), "mapping.json", "layers[0].size",
                "expected an integer");
    }

    @Test
    void notJsonAnotherSchemaAndNoFolderAreNamed() throws Exception {
        Files.writeString(dir.resolve("mapping.json"), "{ \"schema\": ");
        MappingFileException e = fails();
        assertEquals(dir.resolve("mapping.json"), e.file());
        assertTrue(e.problem().startsWith("not valid JSON"), e.getMessage());
        writeGoodFolder();
        assertPlace(failsAfter(r -> r.put("schema", "spikeforge.mapping/9")), "mapping.json", "schema",
                "spikeforge.mapping/1");
        dir = tmp.resolve("nothing");
        MappingFileException none = fails();
        assertEquals(tmp.resolve("nothing"), none.file());
        assertTrue(none.problem().contains("no such folder"));
    }

    @Test
    void geometryThatDoesNotMatchTheLayerIsNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) at(r, "layers", 1).get("synapses").get(0)).put("out_features", 4)),
                "mapping.json", "layers[1].synapses[0].out_features", "3 neurons");
        writeGoodFolder();
        assertPlace(failsAfter(r -> at(r, "layers", 0).put("role", "readout_count")), "mapping.json",
                "layers[0].role", "only for the last layer");
    }

    @Test
    void segmentsThatDoNotFollowEachOtherAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) at(r, "cores", 0).get("segments").get(0)).put("offset", 2)),
                "mapping.json", "cores[0].segments[0].offset", "offset is 2");
    }

    // ---- paths from mapping.json: only plain names inside the folder ----------------------------

    @Test
    void aNulOrALoneSurrogateOrAnAbsolutePathIsRefusedAsTheLoadersError() throws Exception {
        for (String bad : new String[] {"cores/core\u0000-0000.syn", "/etc/passwd", "cores/../../x.syn",
                "cores/sub/core.syn", "cores\\core.syn", ""}) {
            writeGoodFolder();
            MappingFileException e = failsAfter(r -> at(r, "files", 0).put("path", bad));
            assertPlace(e, "mapping.json", "files[0].path", "is not a plain file name inside the mapping folder");
        }
        // a lone surrogate, written as the JSON escape (Jackson cannot write one as UTF-8)
        writeGoodFolder();
        Path json = dir.resolve("mapping.json");
        Files.writeString(json, Files.readString(json).replace("\"cores/core-0000.syn\"", "\"cores/\\ud800.syn\""));
        assertPlace(fails(), "mapping.json", "files[0].path", "'cores/\\ud800.syn' is not a plain file name");
    }

    @Test
    void aSynapseFileNameWithAControlCharacterIsRefused() throws Exception {
        assertPlace(failsAfter(r -> at(r, "cores", 0).put("synapse_file", "cores/core-0000.syn\n")), "mapping.json",
                "cores[0].synapse_file", "'cores/core-0000.syn\\u000a' is not a plain file name");
    }

    // ---- every file through the input gate ------------------------------------------------------

    @Test
    void aMappingJsonThatIsAFolderIsNotCalledMissing() throws Exception {
        Files.delete(dir.resolve("mapping.json"));
        Files.createDirectory(dir.resolve("mapping.json"));
        assertPlace(fails(), "mapping.json", null, "is a folder, not a file");
    }

    @Test
    void aListedFileThatIsAFolderIsNamed() throws Exception {
        Path syn = dir.resolve("cores/core-0001.syn");
        Files.delete(syn);
        Files.createDirectory(syn);
        assertPlace(fails(), "cores/core-0001.syn", "files[1]", "is a folder, not a file");
    }

    @Test
    void aListedFileFarLargerThanRecordedIsNotReadWhole() throws Exception {
        Path syn = dir.resolve("cores/core-0001.syn");
        Files.write(syn, new byte[8 << 20]);
        assertPlace(fails(), "cores/core-0001.syn", "files[1]", "the file has " + (8 << 20) + " bytes but mapping.json says");
    }

    @Test
    void recordedSizesBeyondTheLimitAreRefused() throws Exception {
        assertPlace(failsAfter(r -> at(r, "files", 0).put("bytes", MappingFiles.MAX_LISTED_BYTES + 1)), "mapping.json",
                "files[0].bytes", "outside 0 to " + MappingFiles.MAX_LISTED_BYTES);
    }

    // ---- cores against the chip's capacities ------------------------------------------------------

    @Test
    void moreNeuronsOnACoreThanTheChipHoldsAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("neurons_per_core", 2)), "mapping.json",
                "cores[0].neurons", "the core holds 3 neurons, over the chip's 2 (target.neurons_per_core)");
    }

    @Test
    void moreCoresThanTheChipHasAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("cores", 2)), "mapping.json", "cores",
                "the mapping uses 3 cores but the chip (target.cores) has 2");
    }

    @Test
    void moreAxonsThanACoreHasAreNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("axons_per_core", 1)), "mapping.json",
                "cores[0].axons", "over the chip's 1 (target.axons_per_core)");
    }

    @Test
    void aSynapseImageLargerThanTheCoresMemoryIsNamed() throws Exception {
        assertPlace(failsAfter(r -> ((ObjectNode) r.get("target")).put("synapse_memory_bits_per_core", 8)), "mapping.json",
                "cores[0].segments", "over the chip's 8 (target.synapse_memory_bits_per_core)");
    }

    @Test
    void capacitiesTheChipHasAreAccepted() throws Exception {
        MappingFolder.editJson(dir, r -> ((ObjectNode) r.get("target")).put("neurons_per_core", 3).put("cores", 3)
                .put("axons_per_core", 1000).put("synapse_memory_bits_per_core", 1 << 20));
        MappingFiles.read(dir);
    }

    /** A layer over the limit is refused at its shape, before the coverage check allocates an int per neuron. */
    @Test
    void aLayerOverTheSizeLimitIsRefusedBeforeAnythingIsAllocated() throws Exception {
        int n = Integer.MAX_VALUE - 2; // 5 x 429496729: the layer's 5 features divide it
        assertPlace(failsAfter(r -> {
            at(r, "layers", 0).putArray("shape").add(n);
            at(r, "layers", 0).put("size", n);
            ((ObjectNode) at(r, "layers", 0).get("synapses").get(0)).put("out_features", n);
        }), "mapping.json", "layers[0].shape", "holds more than " + MappingChecks.MAX_LAYER_SIZE + " values");
    }
}
