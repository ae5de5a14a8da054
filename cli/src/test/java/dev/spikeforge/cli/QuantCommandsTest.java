package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compile and verify through the CLI, in-process, on a model trained on the synthetic bars set. */
class QuantCommandsTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path qatModel;
    static Path checkpoint;
    static Path qatCheckpoint;

    static final String MODEL = """
            model bars
            input 1x8x8
            timesteps 8
            neuron lif  = LIF(beta = 0.875, threshold = 1.0)
            neuron pool = IF(threshold = 0.75)
            layers {
                c = conv(4, kernel = 3, padding = 1) -> lif
                p = avgpool(2) -> pool
                h = dense(16) -> lif
                out = readout(4)
            }
            train {
                method    = spike_bp
                dataset   = idx(path = "bars")
                epochs    = 2
                batch     = 32
                optimizer = adam(lr = 0.01)
                seed      = 5
                QAT
            }
            deploy {
                weights  = int(8, per_channel)
                membrane = int(16)
                leak     = multiplier(12)
            }
            """;

    @BeforeAll
    static void trained() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 128);
        model = dir.resolve("bars.snn");
        Files.writeString(model, MODEL.replace("QAT", ""));
        qatModel = dir.resolve("bars_qat.snn");
        Files.writeString(qatModel, MODEL.replace("QAT", "qat_epochs = 1").replace("weights  = int(8, per_channel)",
                "weights  = int(3, per_channel)"));
        checkpoint = dir.resolve("bars.npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", checkpoint.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        qatCheckpoint = dir.resolve("bars_qat.npz");
        CliRun q = CliRun.of("train", qatModel.toString(), "--out", qatCheckpoint.toString());
        assertEquals(ExitCodes.OK, q.exit(), q.err());
        assertTrue(q.err().contains("qat epoch 3/3: test accuracy"), q.err());
    }

    /** A threshold too large for a 4-bit membrane: the rendered diagnostic reaches stderr, exit 1. */
    @Test
    void aQuantisationErrorIsPrintedWithItsPlaceAndExitOne() throws Exception {
        Path narrow = dir.resolve("narrow.snn");
        Files.writeString(narrow, MODEL.replace("QAT", "").replace("membrane = int(16)", "membrane = int(4)"));
        for (String command : new String[] {"compile", "verify"}) {
            CliRun r = CliRun.of(command, narrow.toString(), "--checkpoint", checkpoint.toString(), "--out",
                    dir.resolve("narrow-" + command).toString());
            assertEquals(ExitCodes.CHECK_FAILED, r.exit(), command + ": " + r.err());
            assertTrue(r.err().contains(narrow + ":4:"), command + ": " + r.err());
            assertTrue(r.err().contains("error[E502]"), command + ": " + r.err());
        }
    }

    @Test
    void compileWritesTheIntegerModelAndReportAndTheSameBytesTwice() throws Exception {
        Path a = dir.resolve("out-a");
        Path b = dir.resolve("out-b");
        CliRun r = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--out", a.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains("weights int8 per_channel, membrane int16"), r.out());
        assertTrue(r.out().contains("wrote 4 files"), r.out());
        assertEquals(ExitCodes.OK, CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--out",
                b.toString()).exit());
        for (String f : new String[] {"model.json", "model.npz", "quantization.txt", "quantization.json"}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        Checkpoint npz = CheckpointReader.read(a.resolve("model.npz"));
        assertEquals(DType.INT8, npz.array("c.weight").orElseThrow().dtype());
        JsonNode json = new ObjectMapper().readTree(a.resolve("model.json").toFile());
        assertEquals("spikeforge.quantized/1", json.get("schema").asText());
        assertEquals(4, json.get("layers").size());
        assertEquals(3, json.get("layers").get(1).get("threshold").get(0).asInt(), "exact pooling: 0.75 * 4");
    }

    @Test
    void bitsOverrideTheDeployBlockAndBadBitsAreAUsageError() {
        CliRun r = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--bits", "4",
                "--per-layer", "--out", dir.resolve("out4").toString(), "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains("\"weight_bits\" : 4") && r.out().contains("\"granularity\" : \"per_layer\""), r.out());
        CliRun bad = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--bits", "1");
        assertEquals(ExitCodes.USAGE, bad.exit());
        assertTrue(bad.err().contains("--bits must be 2 to 16, got 1"), bad.err());
        CliRun both = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--per-layer",
                "--per-channel");
        assertEquals(ExitCodes.USAGE, both.exit());
        assertTrue(both.err().contains("--per-channel and --per-layer exclude each other"), both.err());
    }

    /** Each quantisation option appears once in the usage help of every command that takes them. */
    @Test
    void theUsageHelpListsEachQuantisationOptionOnce() {
        for (String command : new String[] {"compile", "verify", "profile"}) {
            String help = CliRun.of(command, "--help").out();
            for (String option : new String[] {"--per-channel", "--per-layer", "--bits", "--checkpoint"}) {
                long lines = help.lines().filter(l -> l.startsWith("      " + option)).count();
                assertEquals(1, lines, command + " " + option + ":\n" + help);
            }
        }
    }

    @Test
    void aCorruptCheckpointIsOneLineAndExitThree() throws Exception {
        Path broken = dir.resolve("broken.npz");
        Files.write(broken, new byte[] {'P', 'K', 3, 4, 0, 0});
        CliRun r = CliRun.of("compile", model.toString(), "--checkpoint", broken.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("broken.npz"), r.err());
    }

    @Test
    void verifyAtEightBitsPassesAndReportsBothModels() throws Exception {
        Path junit = dir.resolve("verify.xml");
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--json", "--junit",
                junit.toString());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(128, doc.get("samples").asInt());
        assertEquals(3, doc.get("layers").size(), "c, p and h");
        double agreement = doc.get("agreement").asDouble();
        assertEquals(agreement >= 0.99 && doc.get("accuracy_drop_points").asDouble() <= 0.5 ? ExitCodes.OK
                : ExitCodes.CHECK_FAILED, r.exit(), r.out());
        assertTrue(agreement >= 0.95, "8-bit per-channel agreement " + agreement);
        assertTrue(doc.get("float_accuracy").asDouble() > 0.6, r.out());
        for (JsonNode l : doc.get("layers")) {
            assertTrue(l.get("correlation").asDouble() > 0.9, l.toString());
        }
        String xml = Files.readString(junit);
        assertTrue(xml.contains("<testsuite name=\"spikeforge.verify.bars\" tests=\"2\""), xml);
    }

    @Test
    void verifyWithATargetEmulatesTheCompiledFolderExactlyAndWritesParseableJunit() throws Exception {
        Path junit = dir.resolve("target.xml");
        // loihi_like's neurons reset to zero (Loihi 1): the same weights in a model whose neurons do
        Path zero = dir.resolve("bars_zero.snn");
        Files.writeString(zero, MODEL.replace("QAT", "").replace("threshold = 1.0)", "threshold = 1.0, reset = zero)")
                .replace("threshold = 0.75)", "threshold = 0.75, reset = zero)"));
        CliRun r = CliRun.of("verify", zero.toString(), "--checkpoint", checkpoint.toString(), "--samples", "40",
                "--target", "loihi_like", "--out", dir.resolve("verify-out").toString(), "--junit", junit.toString(),
                "--tolerance-agreement", "0.5", "--tolerance-drop", "50");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("loihi_like emulator: 40 of 40 samples exactly equal"), r.out());
        assertTrue(Files.exists(dir.resolve("verify-out/neurocore-loihi_like/mapping.json")));
        org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(junit.toFile());
        // loihi_like runs pipelined, the model sequentially: its float and integer models are compared under
        // pipelined timing too, with the same two tolerances (docs/semantics.md section 2.7)
        assertTrue(r.out().contains("loihi_like runs pipelined timing: float accuracy"), r.out());
        assertEquals("44", doc.getDocumentElement().getAttribute("tests"), "2 + 2 tolerances + 40 samples");
        assertEquals("0", doc.getDocumentElement().getAttribute("failures"));
        assertEquals(44, doc.getElementsByTagName("testcase").getLength());
        assertTrue(Files.readString(junit).contains("classname=\"bars.float_vs_integer.loihi_like_pipelined\""));
    }

    @Test
    void aBrokenToleranceFailsWithExitOneAndAJunitFailure() throws Exception {
        Path junit = dir.resolve("strict.xml");
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--bits", "2",
                "--tolerance-agreement", "1.0", "--tolerance-drop", "0", "--junit", junit.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL: class agreement"), r.out());
        String xml = Files.readString(junit);
        assertTrue(xml.contains("<failure message=\"class agreement"), xml);
        assertFalse(xml.contains("failures=\"0\""), xml);
    }

    @Test
    void quantisationAwareTrainingKeepsMasterWeightsAndAgreesAtThreeBits() throws Exception {
        Checkpoint c = CheckpointReader.read(qatCheckpoint);
        assertTrue(c.names().contains("qat.master.c.weight"), c.names().toString());
        CliRun r = CliRun.of("verify", qatModel.toString(), "--checkpoint", qatCheckpoint.toString(), "--json");
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertTrue(doc.get("agreement").asDouble() >= 0.95, r.out());
    }
}
