package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    static final Path ROOT = Golden.projectRoot();
    static final String LENET = ROOT.resolve("examples/models/lenet5.snn").toString();

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aValidModelPrintsItsTableAndExitsZero() {
        CliRun r = CliRun.of("check", LENET);
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains("model lenet5"), r.out());
        assertTrue(r.out().contains("c2     conv 5x5            lif     50x8x8      3,200  1,600,000      25,000"), r.out());
        assertTrue(r.out().contains("total"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void aModelThatCannotFitItsTargetIsReportedBeforeTraining() throws IOException {
        String lenet = java.nio.file.Files.readString(Path.of(LENET));
        Path bad = write("tn.snn", lenet.replace("preset = spinnaker2_like", "preset = truenorth_like"));
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("error[E700]: truenorth_like: Every neuron's fan-in fits the core: layer 'c2' each neuron"
                + " has 500 synapses, the core allows 256 (244 over)"), r.err());
        assertTrue(r.err().contains("target neurocore(preset = truenorth_like)"), "the caret line: " + r.err());
        CliRun ok = CliRun.of("check", LENET);
        assertFalse(ok.err().contains("E700"), "LeNet5 fits spinnaker2_like: " + ok.err());
    }

    @Test
    void aModelOverXylosInputsAndOutputsIsToldBothLimitsBeforeTraining() throws IOException {
        String quick = java.nio.file.Files.readString(Path.of(LENET).resolveSibling("quick.snn"));
        Path bad = write("xylo.snn", quick.replace("preset = loihi_like", "preset = xylo_like").replace("reset = zero",
                "reset = subtract"));
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("error[E700]: xylo_like: The input fits the chip's input channels: the input: 784 values"
                + " (1x28x28) a step; the chip takes 16 input channels (768 over)"), r.err());
        assertTrue(r.err().contains("= help: reduce the input to at most 16 values (fewer channels or a smaller front end),"
                + " or use a chip with more inputs such as loihi_like"), r.err());
        assertTrue(r.err().contains("error[E700]: xylo_like: The readout fits the chip's output channels: layer 'out' reads"
                + " out 10 classes; the chip has 8 output neurons (2 over)"), r.err());
        assertTrue(r.err().contains("= help: use at most 8 classes, or a chip with more outputs such as loihi_like"), r.err());
    }

    /** The E700 lines (message and help) of {@code check} on {@code text}, which must fail. */
    private List<String> designRuleErrors(String name, String text) throws IOException {
        CliRun r = CliRun.of("check", write(name, text).toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        return r.err().lines().filter(l -> l.contains("error[") || l.contains("= help:"))
                .map(l -> l.replaceFirst("^.*?error\\[", "error[").trim()).toList();
    }

    private static String chipModel(String input, String neuron, String layers, String deploy) {
        return "model held_out\ninput " + input + " encode poisson\ntimesteps 10\nneuron n = " + neuron + "\nlayers {\n"
                + layers + "\n}\ndeploy {\n    weights  = int(8)\n    membrane = int(16)\n" + deploy + "\n}\n";
    }

    /** Issue 24's held-out cases: chips over their real limits, each limit one E700 line with its fix. */
    @Test
    void quickWithSubtractOnLoihiIsToldLoihiResetsToZero() throws IOException {
        String quick = Files.readString(Path.of(LENET).resolveSibling("quick.snn"));
        assertTrue(quick.contains("reset = zero") && quick.contains("preset = loihi_like"), quick);
        assertEquals(List.of("error[E700]: loihi_like: Every layer resets its neurons as the chip's neurons can: layers c1,"
                        + " p1, f1 reset by subtracting the threshold (reset = subtract); the chip's neurons only reset to zero"
                        + " (3 layers over)",
                "= help: declare their neurons with reset = zero, or use a chip that resets by subtracting the threshold"
                        + " such as spinnaker2_like"),
                designRuleErrors("quick_subtract.snn", quick.replace("reset = zero", "reset = subtract")));
        assertFalse(CliRun.of("check", Path.of(LENET).resolveSibling("quick.snn").toString()).err().contains("E700"));
    }

    @Test
    void an784x50x10MlpOnXyloIsOverItsInputsAndOutputs() throws IOException {
        assertEquals(List.of("error[E700]: xylo_like: The input fits the chip's input channels: the input: 784 values (784)"
                        + " a step; the chip takes 16 input channels (768 over)",
                "= help: reduce the input to at most 16 values (fewer channels or a smaller front end), or use a chip with"
                        + " more inputs such as loihi_like",
                "error[E700]: xylo_like: The readout fits the chip's output channels: layer 'out' reads out 10 classes; the"
                        + " chip has 8 output neurons (2 over)",
                "= help: use at most 8 classes, or a chip with more outputs such as loihi_like"),
                designRuleErrors("mlp50.snn", chipModel("784", "LIF(beta = 0.875)", "    h = dense(50) -> n\n"
                        + "    out = readout(10, mode = membrane, beta = 0.75)", "    leak = shift\n"
                        + "    target neurocore(preset = xylo_like)")));
    }

    /**
     * Xylo's hidden layers share its one hidden core (pack_layers): two recurrent hidden layers pass the design
     * rules; a third that the core's synapse memory cannot take as well needs a core of its own, one over.
     */
    @Test
    void hiddenLayersShareXylosHiddenCoreWhileItHoldsThem() throws IOException {
        String deploy = "    leak = shift\n    timing = pipelined\n    target neurocore(preset = xylo_like)";
        Path two = write("two.snn", chipModel("16", "LIF(beta = 0.875)", "    h = dense(128, recurrent = true) -> n\n"
                + "    h2 = dense(64, recurrent = true) -> n\n    out = readout(8, mode = membrane, beta = 0.75)", deploy));
        CliRun r = CliRun.of("check", two.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        // h 16 x 200 and h2 200 x 200 weights of 8 bits fit the core's 448,000 bits (345,600); h3's 200 x 150 more do not
        assertEquals(List.of("error[E700]: xylo_like: The network fits the chip's cores: needs 3 cores (h 1, h2 1, h3 1,"
                        + " out 1; h2 shares a core with the layer before it (pack_layers)), the chip has 2 (1 over)",
                "= help: use fewer or narrower layers, or a chip with more cores"),
                designRuleErrors("three.snn", chipModel("16", "LIF(beta = 0.875)", "    h = dense(200) -> n\n"
                        + "    h2 = dense(200) -> n\n    h3 = dense(150) -> n\n"
                        + "    out = readout(8, mode = membrane, beta = 0.75)", deploy)));
    }

    @Test
    void fourThousandNeuronsOnXyloAreOverTheChipsThousand() throws IOException {
        assertEquals(List.of("error[E700]: xylo_like: The network's neurons fit the chip: needs 4000 neurons (h 4000), the"
                        + " chip has 1000 (3000 over)",
                "= help: use at most 1000 neurons in all hidden layers (the readout has its own): fewer or narrower"
                        + " layers, or a chip with more neurons such as loihi_like",
                // the readout core reads 1,016 lines (16 inputs and the 1,000 hidden neurons): a limit of its own
                "error[E700]: xylo_like: Every layer can be cut into cores: layer 'out' each unit reads 4000 inputs, over"
                        + " the core's 1016 axons",
                "= help: put a narrower layer before it (at most 1016 units), or choose a target with more axons per core"),
                designRuleErrors("wide.snn", chipModel("16", "LIF(beta = 0.875)", "    h = dense(4000) -> n\n"
                        + "    out = readout(8, mode = membrane, beta = 0.75)", "    leak = shift\n"
                        + "    target neurocore(preset = xylo_like)")));
    }

    @Test
    void aConvNetOnTrueNorthIsOverItsAxonTypesAndItsOneTargetPerNeuron() throws IOException {
        assertEquals(List.of("error[E700]: truenorth_like: Every neuron's weights fit the core's axon types: weights = int(8)"
                        + " give a synapse one of 254 non-zero values (layers c1, c2, out); a neuron of the chip gives its"
                        + " synapses at most 4 distinct weights, one per axon type (250 over)",
                "= help: use weights = int(2) (-1, 0 and +1, two axon types, as Esser et al. 2016 trained for TrueNorth),"
                        + " or a chip with a weight per synapse such as loihi_like",
                "error[E700]: truenorth_like: Every neuron's spikes reach no more cores than the chip allows: layer 'c1' a"
                        + " neuron of its core 0 sends its spikes to 2 cores (112 of the core's neurons to more than 1); a"
                        + " neuron of the chip reaches 1 core (1 over); 3 of its cores are over",
                "= help: every extra destination needs a splitter neuron, which spikeforge does not insert: make each"
                        + " layer that reads it fit one core (at most 256 neurons and 256 inputs), or use a chip whose"
                        + " neurons reach several cores such as loihi_like"),
                designRuleErrors("tn_conv.snn", chipModel("1x16x16", "IF(threshold = 1.0, reset = zero)",
                        "    c1 = conv(4, kernel = 3) -> n\n    c2 = conv(8, kernel = 3) -> n\n    p = avgpool(4) -> n\n"
                                + "    out = readout(10)", "    leak = none\n    target neurocore(preset = truenorth_like)")));
    }

    @Test
    void aDenseLayerOnSpeckMustFitTheOneCoreSinabsGivesALayer() throws IOException {
        assertEquals(List.of("error[E700]: speck_like: Every layer fits one core on a chip that cannot split layers: layer"
                        + " 'f1' needs 13 cores (100 neurons, 1638400 bits of weights); the chip maps each layer onto one"
                        + " core (split_layers = false) of at most 16384 neurons and 131072 bits (12 cores over)",
                "= help: make the layer fit one core: fewer units or channels, a smaller kernel or input, or fewer weight"
                        + " bits"),
                designRuleErrors("speck_dense.snn", chipModel("2x32x32", "IF(threshold = 1.0)",
                        "    c1 = conv(8, kernel = 4, stride = 2, padding = 1) -> n\n    f1 = dense(100) -> n\n"
                                + "    out = readout(10)", "    leak = none\n    target neurocore(preset = speck_like)")));
    }

    private static String model(String input, int steps, String layers) {
        return "model m\ninput " + input + "\ntimesteps " + steps + "\nneuron lif = LIF(beta = 0.875)\nlayers {\n"
                + layers + "\n}\ntrain {\n method = surrogate(shape = fast_sigmoid, slope = 25)\n"
                + " dataset = fashion_mnist\n epochs = 1\n batch = 64\n optimizer = adam(lr = 1e-3)\n loss = mse\n"
                + " seed = 1\n}\n";
    }

    /**
     * Every weight array fits the engines, but one batch's input spikes (64 x 100 steps x a million
     * values) do not fit one array: refused by the memory estimate (E800), at the batch, without
     * building anything. (10 billion weights in one layer are E404, before any estimate.)
     */
    @Test
    void anActivationArrayPastTheEnginesIsE800() throws IOException {
        Path f = write("huge.snn", model("1000000", 100, "h = dense(1000) -> lif\nout = readout(10)"));
        CliRun r = CliRun.of("check", f.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("huge.snn:13:10: error[E800]: training needs an array of 6,400,000,000 values"),
                r.err());
        assertEquals("", r.out());
    }

    /** T = 1000 on a large input: far above any test machine's memory, a warning naming what fits (W605). */
    @Test
    void aThousandStepsOnALargeInputIsW605() throws IOException {
        Path f = write("long.snn", model("3x32x32", 1000, "c1 = conv(16, kernel = 3, padding = 1) -> lif\n"
                + "c2 = conv(16, kernel = 3, padding = 1) -> lif\nout = readout(10)"));
        CliRun r = CliRun.of("check", f.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("warning[W605]: training needs an estimated 123.0 GiB per batch (batch 64, 1000"
                + " time steps), more than this machine's"), r.err());
        assertTrue(r.err().contains("Fix: a batch of at most"), r.err());
        assertTrue(r.out().contains("memory: training ~123.0 GiB per batch of 64 x 1000 steps"), r.out());
    }

    @Test
    void theEstimateIsPrintedAndInTheJson() throws IOException {
        CliRun r = CliRun.of("check", LENET);
        assertTrue(r.out().contains("memory: training ~724.8 MiB per batch of 64 x 25 steps"), r.out());
        JsonNode m = new ObjectMapper().readTree(CliRun.of("check", "--json", LENET).out()).get("files").get(0)
                .get("memory");
        assertEquals(64, m.get("batch").asInt());
        assertEquals(25, m.get("timesteps").asInt());
        assertTrue(m.get("training_total_bytes").asLong() > m.get("inference_total_bytes").asLong(), m.toString());
    }

    @Test
    void anUnknownPresetIsE701WithASuggestion() throws IOException {
        String lenet = java.nio.file.Files.readString(Path.of(LENET));
        Path bad = write("typo.snn", lenet.replace("preset = spinnaker2_like", "preset = loihi_lik"));
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("error[E701]") && r.err().contains("did you mean 'loihi_like'?"), r.err());
    }

    @Test
    void threeIndependentMistakesAreAllReportedWithPositionLineAndCaret() throws IOException {
        Path bad = write("three.snn", """
                model three
                input 1x28x28
                neuron lif = LIF(beta = 1.2, treshold = 1.0)
                layers {
                    c1 = conv(8, kernel = 5) -> lfi
                    out = readout(10)
                }
                """);
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit());
        List<String> headers = r.err().lines().filter(l -> l.contains(": error[")).toList();
        assertEquals(3, headers.size(), r.err());
        assertTrue(headers.get(0).endsWith("three.snn:3:25: error[E301]: beta of neuron 'lif' must be between 0 and 1"
                + " (exclusive), got 1.2"), headers.get(0));
        assertTrue(headers.get(1).contains("three.snn:3:30: error[E210]: neuron LIF has no parameter 'treshold';"
                + " did you mean 'threshold'?"), headers.get(1));
        assertTrue(headers.get(2).contains("three.snn:5:33: error[E207]: no neuron named 'lfi'; did you mean 'lif'?"),
                headers.get(2));
        assertTrue(r.err().contains(" 5 |     c1 = conv(8, kernel = 5) -> lfi\n   |                                 ^^^\n"),
                r.err());
        assertTrue(r.err().contains("three.snn: 3 errors, 0 warnings"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anUnreadableFileExitsThreeAndOthersAreStillChecked() {
        CliRun r = CliRun.of("check", tmp.resolve("nope.snn").toString(), LENET);
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertTrue(r.err().contains("nope.snn: error: no such model file; check the path"), r.err());
        assertTrue(r.out().contains("model lenet5"));
        assertTrue(r.out().contains("checked 2 files: 1 valid, 0 invalid, 1 unreadable"), r.out());
    }

    @Test
    void aDirectoryOrBinaryFileIsAnInputError() throws IOException {
        assertEquals(ExitCodes.INPUT_ERROR, CliRun.of("check", tmp.toString()).exit());
        Path bin = tmp.resolve("bin.snn");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        CliRun r = CliRun.of("check", bin.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertTrue(r.err().contains("not UTF-8 text"), r.err());
    }

    @Test
    void usageErrorsExitTwo() {
        CliRun none = CliRun.of("check");
        assertEquals(ExitCodes.USAGE, none.exit());
        assertTrue(none.err().contains("Missing required parameter"), none.err());
        assertTrue(none.err().contains("Try 'spikeforge check --help'."), none.err());
        assertEquals(ExitCodes.USAGE, CliRun.of("check", "--frobnicate", LENET).exit());
        assertEquals(ExitCodes.USAGE, CliRun.of("chekc").exit());
    }

    @Test
    void helpAndVersionWorkOnEveryCommand() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"check", "--help"})) {
            CliRun r = CliRun.of(args);
            assertEquals(ExitCodes.OK, r.exit());
            assertTrue(r.out().contains("Usage: spikeforge"), r.out());
            assertTrue(r.out().contains("Exit codes:"), r.out());
        }
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"check", "--version"})) {
            CliRun r = CliRun.of(args);
            assertEquals(ExitCodes.OK, r.exit());
            assertTrue(r.out().startsWith("spikeforge "), r.out());
            assertFalse(r.out().startsWith("spikeforge unknown"), r.out());
        }
    }

    @Test
    void jsonCarriesTheSameFiguresAndTheDiagnostics() throws IOException {
        Path bad = write("bad.snn", "model b\ninput 4\nlayers { h = dense(3) }\n");
        CliRun r = CliRun.of("check", "--json", LENET, bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit());
        assertEquals("", r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("spikeforge.check/1", doc.get("schema").asText());
        JsonNode lenet = doc.get("files").get(0);
        assertTrue(lenet.get("valid").asBoolean());
        assertEquals(187_500, lenet.get("summary").get("totals").get("parameters").asLong());
        assertEquals(3200, lenet.get("summary").get("layers").get(3).get("neurons").asLong());
        JsonNode invalid = doc.get("files").get(1);
        assertFalse(invalid.get("valid").asBoolean());
        List<String> codes = invalid.get("diagnostics").findValuesAsText("code");
        assertEquals(List.of("E203", "E216"), codes);
        assertEquals(3, invalid.get("diagnostics").get(1).get("line").asInt());
    }

    @Test
    void dumpIrPrintsNodesAndEdges() {
        CliRun r = CliRun.of("check", "--dump-ir", LENET);
        assertEquals(ExitCodes.OK, r.exit());
        assertTrue(r.out().contains("node f1.flatten flatten 800"), r.out());
        assertTrue(r.out().contains("edge p2.pool -> f1.flatten"), r.out());
    }

    @Test
    void warningsArePrintedButDoNotFailTheCheck() throws IOException {
        Path w = write("w.snn", "model w\ninput 1x7x7\nneuron p = IF(threshold = 0.75)\nlayers { q = avgpool(2) -> p\n"
                + "out = readout(2) }\n");
        CliRun r = CliRun.of("check", w.toString());
        assertEquals(ExitCodes.OK, r.exit());
        assertTrue(r.err().contains("warning[W600]"), r.err());
        assertTrue(r.out().contains("model w"));
    }

    @Test
    void exampleSummariesThroughTheCliMatchTheGoldenFiles() throws IOException {
        Pattern header = Pattern.compile("model (\\w+) \\(");
        try (var files = Files.list(ROOT.resolve("examples/models"))) {
            for (Path p : files.sorted().toList()) {
                CliRun r = CliRun.of("check", ROOT.relativize(p).toString().isEmpty() ? p.toString() : p.toString());
                assertEquals(ExitCodes.OK, r.exit(), p + ": " + r.err());
                Matcher m = header.matcher(r.out());
                assertTrue(m.find(), r.out());
            }
        }
    }
}
