package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NeurocoreSpecsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static List<String> presets() {
        return NeurocoreSpecs.presetNames();
    }

    @Test
    void thereAreFivePresetsInListingOrder() {
        assertEquals(List.of("loihi_like", "truenorth_like", "spinnaker2_like", "xylo_like", "speck_like"),
                NeurocoreSpecs.presetNames());
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetLoadsAndValidates(String name) throws TargetSpecException {
        NeurocoreSpec spec = NeurocoreSpecs.preset(name);
        assertEquals(name, spec.name());
        assertFalse(spec.description().isBlank());
        assertTrue(spec.cores() <= spec.meshWidth() * spec.meshHeight(), name);
        assertTrue(spec.minWeightBits() <= spec.maxWeightBits(), name);
        assertTrue(spec.thresholdBits() < spec.membraneBits(), name);
        assertFalse(spec.leakForms().isEmpty(), name);
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyFigureOfEveryPresetNamesItsSource(String name) throws TargetSpecException {
        NeurocoreSpec spec = NeurocoreSpecs.preset(name);
        for (NeurocoreField f : NeurocoreField.values()) {
            String source = spec.sources().get(f.json());
            assertNotNull(source, name + " has no source for " + f.json());
            assertTrue(source.length() > 20, name + "." + f.json() + ": a source says where: " + source);
        }
        assertTrue(NeurocoreField.values().length > 0);
        assertTrue(java.util.Arrays.stream(NeurocoreField.values()).filter(NeurocoreField::numeric).count() >= 20);
    }

    @ParameterizedTest
    @MethodSource("presets")
    void aPresetWrittenAsJsonReadsBackEqual(String name) throws Exception {
        NeurocoreSpec spec = NeurocoreSpecs.preset(name);
        Path file = tmp.resolve(name + ".json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(NeurocoreSpecs.toJson(spec)));
        assertEquals(spec, NeurocoreSpecs.load(file));
    }

    @Test
    void loihiLikeHasThePublishedFigures() throws TargetSpecException {
        NeurocoreSpec s = NeurocoreSpecs.preset("loihi_like");
        assertEquals(128, s.cores());
        assertEquals(1024, s.neuronsPerCore());
        assertEquals(128 * 1024 * 8, s.synapseMemoryBitsPerCore());
        assertEquals(1, s.minWeightBits());
        assertEquals(9, s.maxWeightBits());
        assertEquals(24, s.membraneBits());
        assertEquals(23.6, s.synapticOpPj());
        assertEquals(DeploySpec.Overflow.SATURATE, s.overflow());
        assertEquals(Set.of("multiplier", "none"), s.leakForms());
        assertTrue(s.shiftTowardZero());
        assertTrue(s.thresholdGreaterThan());
    }

    @Test
    void trueNorthLikeHasThePublishedFigures() throws TargetSpecException {
        NeurocoreSpec s = NeurocoreSpecs.preset("truenorth_like");
        assertEquals(64, s.meshWidth());
        assertEquals(64, s.meshHeight());
        assertEquals(4096, s.cores());
        assertEquals(256, s.neuronsPerCore());
        assertEquals(256, s.axonsPerCore());
        assertEquals(256 * 256, s.synapseMemoryBitsPerCore());
        assertEquals(26.0, s.synapticOpPj());
        assertFalse(s.thresholdGreaterThan());
    }

    @Test
    void aUsersFileLoadsLikeAPresetAndNeedsNoSources() throws Exception {
        ObjectNode doc = presetJson("xylo_like");
        doc.put("name", "my_chip");
        doc.remove("sources");
        Path file = write("my_chip.json", doc.toString());
        NeurocoreSpec spec = NeurocoreSpecs.load(file);
        assertEquals("my_chip", spec.name());
        assertEquals(1000, spec.neuronsPerCore());
        assertTrue(spec.sources().isEmpty());
    }

    @Test
    void theTemporalCapabilitiesOfThePresets() throws TargetSpecException {
        // preset: synaptic current bits, its decay forms, recurrence, conv1d, max pooling (sources in each preset)
        Object[][] want = {
                {"loihi_like", 24, Set.of("multiplier", "none"), true, true, true},
                {"truenorth_like", 0, Set.of(), true, true, true},
                {"spinnaker2_like", 32, Set.of("shift", "multiplier", "none"), true, true, true},
                {"xylo_like", 16, Set.of("shift"), true, true, false},
                {"speck_like", 0, Set.of(), false, true, false}};
        for (Object[] w : want) {
            NeurocoreSpec s = NeurocoreSpecs.preset((String) w[0]);
            assertEquals(w[1], s.synapticCurrentBits(), (String) w[0]);
            assertEquals(w[2], s.synapticLeakForms(), (String) w[0]);
            assertEquals(w[3], s.recurrentSynapses(), (String) w[0]);
            assertEquals(w[4], s.conv1d(), (String) w[0]);
            assertEquals(w[5], s.maxPool(), (String) w[0]);
        }
    }

    @Test
    void presetsRefuseTheTemporalLayersTheirChipLacks() throws TargetSpecException {
        // conv1d + CUBA (multiplier decay), maxpool, full recurrence + CUBA (multiplier), diagonal recurrence
        dev.spikeforge.compiler.quant.QuantizedNetwork q = TemporalNets.fixed(14, false, true);
        java.util.Map<String, List<String>> failed = new java.util.TreeMap<>();
        for (String name : presets()) {
            failed.put(name, DesignRules.check(q, NeurocoreSpecs.preset(name), true).stream()
                    .filter(r -> !r.passed()).map(DesignRules.Result::rule).toList());
        }
        assertTrue(failed.get("truenorth_like").contains("Layers with a synaptic current run on a chip that keeps one"),
                failed.toString());
        assertFalse(failed.get("truenorth_like").contains(
                "Recurrent layers run on a chip that feeds a layer's spikes back to it"), failed.toString());
        assertTrue(failed.get("speck_like").containsAll(List.of("Layers with a synaptic current run on a chip that keeps one",
                "Recurrent layers run on a chip that feeds a layer's spikes back to it")), failed.toString());
        assertTrue(failed.get("xylo_like").containsAll(List.of("The chip implements every layer's synaptic decay",
                "Max pooling runs on a chip whose neurons can reset to zero")), failed.toString());
        for (String name : List.of("loihi_like", "spinnaker2_like")) {
            assertTrue(failed.get(name).stream().noneMatch(r -> r.contains("synaptic") || r.contains("Recurrent")
                    || r.contains("1-D") || r.contains("Max pooling")), name + ": " + failed.get(name));
        }
    }

    @Test
    void aUsersFileWithoutTheTemporalFieldsDescribesAChipWithoutThem() throws Exception {
        ObjectNode doc = presetJson("loihi_like");
        doc.remove("sources");
        for (String f : List.of("synaptic_current_bits", "synaptic_leak_forms", "recurrent_synapses", "conv1d", "max_pool")) {
            doc.remove(f);
        }
        NeurocoreSpec spec = NeurocoreSpecs.load(write("old_chip.json", doc.toString()));
        assertEquals(0, spec.synapticCurrentBits());
        assertTrue(spec.synapticLeakForms().isEmpty());
        assertFalse(spec.recurrentSynapses() || spec.conv1d() || spec.maxPool());
        // a preset must give them
        ObjectNode preset = presetJson("loihi_like");
        preset.remove("max_pool");
        TargetSpecException e = assertThrows(TargetSpecException.class,
                () -> NeurocoreSpecReader.read(preset.toString(), Path.of("presets/loihi_like.json"), true));
        assertTrue(e.problem().startsWith("missing field 'max_pool'"), e.problem());
    }

    /** The fields of the chips' real limits are optional in a user's file: without them a spec judges as before. */
    @Test
    void aUsersFileWithoutTheLimitFieldsJudgesAsBefore() throws Exception {
        List<String> added = List.of("reset_modes", "neurons_per_chip", "fan_out_per_neuron", "output_axons_per_core",
                "destinations_per_core", "routing_table_entries", "axon_types", "conv_weight_sharing", "split_layers");
        ObjectNode doc = presetJson("truenorth_like");
        doc.remove("sources");
        added.forEach(doc::remove);
        NeurocoreSpec spec = NeurocoreSpecs.load(write("older_chip.json", doc.toString()));
        assertEquals(Set.of("zero", "subtract"), spec.resetModes());
        assertEquals(List.of(0, 0, 0, 0, 0, 0), List.of(spec.neuronsPerChip(), spec.fanOutPerNeuron(),
                spec.outputAxonsPerCore(), spec.destinationsPerCore(), spec.routingTableEntries(), spec.axonTypes()));
        assertTrue(spec.convWeightSharing() && spec.splitLayers());
        for (String f : added) {
            ObjectNode preset = presetJson("speck_like");
            preset.remove(f);
            TargetSpecException e = assertThrows(TargetSpecException.class,
                    () -> NeurocoreSpecReader.read(preset.toString(), Path.of("presets/speck_like.json"), true));
            assertTrue(e.problem().startsWith("missing field '" + f + "'"), e.problem());
        }
    }

    @Test
    void theLimitFieldsAreCheckedWithAFix() throws Exception {
        TargetSpecException typo = bad(doc -> doc.putArray("reset_modes").add("zreo"));
        assertEquals("field 'reset_modes[0]' is \"zreo\" (a string); allowed: one of \"zero\", \"subtract\"",
                typo.problem());
        assertEquals("did you mean \"zero\"?", typo.help());
        assertEquals("field 'reset_modes' is a JSON array; allowed: a non-empty array of distinct names from \"zero\","
                + " \"subtract\"", bad(doc -> doc.putArray("reset_modes")).problem());
        assertEquals("field 'reset_modes[1]' is \"zero\" (a string); allowed: each reset mode once",
                bad(doc -> doc.putArray("reset_modes").add("zero").add("zero")).problem());
        assertEquals("field 'fan_out_per_neuron' is -1; allowed: 0..16777216",
                bad(doc -> doc.put("fan_out_per_neuron", -1)).problem());
        assertEquals("field 'axon_types' is 65; allowed: 0..64", bad(doc -> doc.put("axon_types", 65)).problem());
        TargetSpecException bool = bad(doc -> doc.put("conv_weight_sharing", "no"));
        assertEquals("field 'conv_weight_sharing' is \"no\" (a string); allowed: true or false", bool.problem());
        assertEquals("write \"conv_weight_sharing\": true or false, without quotes", bool.help());
        assertEquals("field 'routing_table_entries' is 1.5; allowed: 0..16777216",
                bad(doc -> doc.put("routing_table_entries", 1.5)).problem());
    }

    @Test
    void thePresetsLimitsAreTheirChips() throws TargetSpecException {
        assertEquals(Set.of("zero"), NeurocoreSpecs.preset("loihi_like").resetModes());
        assertEquals(Set.of("subtract"), NeurocoreSpecs.preset("xylo_like").resetModes());
        assertEquals(Set.of("zero", "subtract"), NeurocoreSpecs.preset("truenorth_like").resetModes());
        assertEquals(Set.of("zero", "subtract"), NeurocoreSpecs.preset("speck_like").resetModes());
        assertEquals(1000, NeurocoreSpecs.preset("xylo_like").neuronsPerChip());
        assertEquals(1, NeurocoreSpecs.preset("truenorth_like").fanOutPerNeuron());
        assertEquals(4, NeurocoreSpecs.preset("truenorth_like").axonTypes());
        assertEquals(4096, NeurocoreSpecs.preset("loihi_like").outputAxonsPerCore());
        assertEquals(2, NeurocoreSpecs.preset("speck_like").destinationsPerCore());
        assertEquals(16384, NeurocoreSpecs.preset("spinnaker2_like").routingTableEntries());
        assertFalse(NeurocoreSpecs.preset("truenorth_like").convWeightSharing());
        assertFalse(NeurocoreSpecs.preset("xylo_like").convWeightSharing());
        assertTrue(NeurocoreSpecs.preset("speck_like").convWeightSharing());
        assertTrue(NeurocoreSpecs.preset("spinnaker2_like").convWeightSharing());
        assertFalse(NeurocoreSpecs.preset("speck_like").splitLayers());
    }

    @Test
    void theSynapticCurrentAndItsDecayFormsAgree() throws Exception {
        TargetSpecException none = bad(doc -> doc.putArray("synaptic_leak_forms"));
        assertTrue(none.problem().contains("'synaptic_leak_forms' is empty but synaptic_current_bits is 24"),
                none.problem());
        TargetSpecException extra = bad(doc -> doc.put("synaptic_current_bits", 0));
        assertTrue(extra.problem().contains("lists 2 decay form(s) but synaptic_current_bits is 0"), extra.problem());
        assertEquals("field 'synaptic_current_bits' is 1; allowed: 0 (no synaptic current) or 2..64",
                bad(doc -> doc.put("synaptic_current_bits", 1)).problem());
        assertEquals("field 'synaptic_current_bits' is 65; allowed: 0..64",
                bad(doc -> doc.put("synaptic_current_bits", 65)).problem());
        assertEquals("field 'recurrent_synapses' is \"yes\" (a string); allowed: true or false",
                bad(doc -> doc.put("recurrent_synapses", "yes")).problem());
        TargetSpecException form = bad(doc -> doc.putArray("synaptic_leak_forms").add("shfit"));
        assertEquals("did you mean \"shift\"?", form.help());
    }

    @Test
    void resolveTakesAPresetNameOrAPathNextToTheModel() throws Exception {
        assertEquals("speck_like", NeurocoreSpecs.resolve("speck_like", tmp).name());
        Path models = Files.createDirectories(tmp.resolve("models"));
        ObjectNode doc = presetJson("loihi_like");
        doc.put("name", "next_to_model");
        Files.writeString(models.resolve("chip.json"), doc.toString());
        assertEquals("next_to_model", NeurocoreSpecs.resolve("chip.json", models).name());
        assertEquals("next_to_model", NeurocoreSpecs.resolve(models.resolve("chip.json").toString(), tmp).name());
    }

    @Test
    void anUnknownPresetSuggestsTheNearestName() {
        TargetSpecException e = assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.preset("loihi_lik"));
        assertTrue(e.problem().contains("no neurocore preset named 'loihi_lik'; did you mean 'loihi_like'?"),
                e.getMessage());
    }

    @Test
    void malformedJsonIsOneMessageWithLineAndColumn() throws Exception {
        Path file = write("bad.json", "{\n  \"schema\": \"spikeforge.target.neurocore/1\",\n  \"cores\": 12 }\n  }\n");
        TargetSpecException e = assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(file));
        assertEquals(file, e.file());
        assertTrue(e.problem().startsWith("malformed JSON at line 4, column 3: "), e.problem());
        assertTrue(e.help().contains("line 4, column 3"), e.help());
        assertFalse(e.getMessage().contains("\tat "), "no stack trace in the message");
        assertFalse(e.problem().contains("Source"), e.problem());
        assertFalse(e.problem().contains("\n"), e.problem());
    }

    @Test
    void aMissingCommaNamesItsPosition() throws Exception {
        Path file = write("comma.json", "{\"schema\": \"x\"\n \"name\": \"y\"}");
        TargetSpecException e = assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(file));
        assertTrue(e.problem().startsWith("malformed JSON at line 2, column 2: "), e.getMessage());
        assertTrue(e.problem().contains("expecting comma"), e.problem());
    }

    @Test
    void aMissingFieldIsNamedWithWhatItHolds() throws Exception {
        TargetSpecException e = bad(doc -> doc.remove("neurons_per_core"));
        assertEquals("missing field 'neurons_per_core'; allowed: 1..16777216 (neurons (compartments) one core updates)",
                e.problem());
        assertTrue(e.help().contains("add \"neurons_per_core\""), e.help());
    }

    @Test
    void anOutOfRangeValueNamesFieldValueRangeAndFix() throws Exception {
        TargetSpecException e = bad(doc -> doc.put("membrane_bits", 80));
        assertEquals("field 'membrane_bits' is 80; allowed: 4..64", e.problem());
        assertEquals("set \"membrane_bits\" to a whole number in 4..64", e.help());
        assertTrue(e.getMessage().startsWith(tmp.resolve("chip.json") + ": field 'membrane_bits' is 80"), e.getMessage());
    }

    @Test
    void moreCoresThanTheMeshHoldsIsReported() throws Exception {
        TargetSpecException e = bad(doc -> doc.put("cores", 200));
        assertEquals("field 'cores' is 200; allowed: at most mesh_width * mesh_height = 16 * 8 = 128", e.problem());
        assertTrue(e.help().startsWith("lower \"cores\" to 128 or enlarge the mesh"), e.help());
    }

    @Test
    void weightBitsMustBeOrderedAndAtMostSixteen() throws Exception {
        assertEquals("field 'max_weight_bits' is 17; allowed: 1..16",
                bad(doc -> doc.put("max_weight_bits", 17)).problem());
        assertTrue(bad(doc -> doc.put("min_weight_bits", 10)).problem()
                .startsWith("field 'min_weight_bits' is 10; allowed: at most max_weight_bits = 9"));
    }

    @Test
    void wrongTypesAreNamedWithTheirValue() throws Exception {
        TargetSpecException quoted = bad(doc -> doc.put("cores", "128"));
        assertEquals("field 'cores' is \"128\" (a string); allowed: 1..16777216", quoted.problem());
        assertTrue(quoted.help().endsWith("without quotes"), quoted.help());
        assertEquals("field 'mesh_width' is 1.5; allowed: 1..4096", bad(doc -> doc.put("mesh_width", 1.5)).problem());
        assertEquals("field 'clock_mhz' is 0; allowed: a number above 0, at most 100000",
                bad(doc -> doc.put("clock_mhz", 0)).problem());
        assertEquals("field 'synaptic_op_pj' is -1.0; allowed: a number from 0 to 1000000000",
                bad(doc -> doc.put("synaptic_op_pj", -1.0)).problem());
    }

    @Test
    void choicesAndLeakFormsAreChecked() throws Exception {
        assertEquals("field 'overflow' is \"clamp\" (a string); allowed: \"saturate\" or \"wrap\"",
                bad(doc -> doc.put("overflow", "clamp")).problem());
        assertEquals("field 'threshold_compare' is \"=>\" (a string); allowed: \">=\" or \">\"",
                bad(doc -> doc.put("threshold_compare", "=>")).problem());
        TargetSpecException leak = bad(doc -> doc.putArray("leak_forms").add("none").add("shfit"));
        assertEquals("field 'leak_forms[1]' is \"shfit\" (a string); allowed: one of"
                + " \"shift\", \"multiplier\", \"none\"", leak.problem());
        assertEquals("did you mean \"shift\"?", leak.help());
        assertTrue(bad(doc -> doc.putArray("leak_forms")).problem().startsWith("field 'leak_forms' is a JSON array"));
    }

    @Test
    void anUnknownFieldSuggestsTheRightName() throws Exception {
        TargetSpecException e = bad(doc -> {
            doc.set("mesh_widht", doc.remove("mesh_width"));
        });
        assertEquals("unknown field 'mesh_widht'; did you mean 'mesh_width'?", e.problem());
    }

    @Test
    void theSchemaMustBeTheOneThisVersionReads() throws Exception {
        assertTrue(bad(doc -> doc.put("schema", "spikeforge.target.neurocore/2")).problem()
                .startsWith("field 'schema' is \"spikeforge.target.neurocore/2\""));
        assertTrue(bad(doc -> doc.remove("schema")).problem().startsWith("missing field 'schema'"));
    }

    @Test
    void thresholdMustFitTheMembrane() throws Exception {
        assertTrue(bad(doc -> doc.put("threshold_bits", 24)).problem()
                .startsWith("field 'threshold_bits' is 24; allowed: at most membrane_bits - 1 = 23"));
    }

    @Test
    void sourcesMustNameRealFieldsAndPresetsMustCoverEveryFigure() throws Exception {
        TargetSpecException e = bad(doc -> ((ObjectNode) doc.get("sources")).put("coers", "a paper"));
        assertEquals("field 'sources.coers' names no field of the spec; did you mean 'cores'?", e.problem());
        ObjectNode doc = presetJson("loihi_like");
        ((ObjectNode) doc.get("sources")).remove("clock_mhz");
        TargetSpecException preset = assertThrows(TargetSpecException.class,
                () -> NeurocoreSpecReader.read(doc.toString(), Path.of("presets/loihi_like.json"), true));
        assertTrue(preset.problem().startsWith("field 'sources.clock_mhz' is missing"), preset.problem());
    }

    @Test
    void unreadableAndNonJsonFilesAreClearErrors() throws Exception {
        TargetSpecException none = assertThrows(TargetSpecException.class,
                () -> NeurocoreSpecs.load(tmp.resolve("nope.json")));
        assertEquals("cannot read the file: no such file", none.problem());
        assertEquals("the file is empty",
                assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(write("e.json", "  "))).problem());
        assertTrue(assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(write("a.json", "[1, 2]")))
                .problem().startsWith("the file holds a JSON array"));
        Path binary = tmp.resolve("b.json");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertEquals("the file is not UTF-8 text",
                assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(binary)).problem());
        TargetSpecException dup = assertThrows(TargetSpecException.class,
                () -> NeurocoreSpecs.load(write("d.json", "{\"cores\": 1, \"cores\": 2}")));
        assertTrue(dup.problem().contains("Duplicate field 'cores'"), dup.problem());
    }

    private TargetSpecException bad(Consumer<ObjectNode> edit) throws IOException, TargetSpecException {
        ObjectNode doc = presetJson("loihi_like");
        edit.accept(doc);
        Path file = write("chip.json", doc.toString());
        return assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(file));
    }

    private static ObjectNode presetJson(String name) throws TargetSpecException {
        return NeurocoreSpecs.toJson(NeurocoreSpecs.preset(name));
    }

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void aSpecThatIsAFolderOrOverTheLimitIsOneMessage() throws Exception {
        Path folder = write("x.json", "{}").resolveSibling("folder.json");
        java.nio.file.Files.createDirectory(folder);
        TargetSpecException e = assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(folder));
        assertTrue(e.getMessage().contains("the target spec is a folder, not a file"), e.getMessage());
        Path big = write("big.json", " ".repeat((int) NeurocoreSpecReader.MAX_BYTES + 1));
        e = assertThrows(TargetSpecException.class, () -> NeurocoreSpecs.load(big));
        assertTrue(e.getMessage().contains("the target spec is 1.0 MiB, over the limit of 1.0 MiB"), e.getMessage());
    }
}
