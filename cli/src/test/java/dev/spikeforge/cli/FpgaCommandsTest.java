package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fpga target, profile and run through the CLI, on one trained model: compile, verify --rtl, rtl-sim, synth, emulate, profile (JSON and HTML), run, and their errors. */
class FpgaCommandsTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path checkpoint;
    static Path compiled;

    static final String MODEL = """
            model bars
            input 1x8x8
            timesteps 6
            neuron lif  = LIF(beta = 0.875, threshold = 1.0, reset = zero)
            neuron pool = IF(threshold = 0.75, reset = zero)
            layers {
                c = conv(4, kernel = 3, padding = 1) -> lif
                p = avgpool(2) -> pool
                h = dense(12) -> lif
                out = readout(4)
            }
            train {
                method    = spike_bp
                dataset   = idx(path = "bars")
                epochs    = 2
                batch     = 32
                optimizer = adam(lr = 0.01)
                seed      = 5
            }
            deploy {
                weights  = int(8, per_channel)
                membrane = int(16)
                leak     = multiplier(12)
                target fpga(lanes = 4, family = ice40, device = hx8k)
            }
            """;

    @BeforeAll
    static void trainedAndCompiled() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, MODEL);
        checkpoint = dir.resolve("bars.npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", checkpoint.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        CliRun c = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--out",
                dir.resolve("out").toString());
        assertEquals(ExitCodes.OK, c.exit(), c.err());
        compiled = dir.resolve("out/fpga-ice40-p4");
        assertTrue(c.out().contains("fpga(lanes = 4, family = ice40, device = hx8k): 4 layer engines"), c.out());
    }

    @Test
    void compileWritesTheFolder() throws Exception {
        for (String f : new String[] {"fpga.json", "rtl/bars_top.v", "rtl/bars_l0.v", "tb/tb.v", "tb/main.cpp",
                "rtl/bars_axis.v", "tb/axis_main.cpp",
                "mem/bars_l0_w.hex", "mem/bars_l0_t.hex"}) {
            assertTrue(Files.isRegularFile(compiled.resolve(f)), f);
        }
    }

    @Test
    void verifyChainsTheFloatIntegerEmulatorAndIcarus() throws Exception {
        Path junit = dir.resolve("verify.xml");
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "6",
                "--target", "fpga(lanes = 2)", "--rtl", "--simulator", "iverilog", "--out", dir.resolve("v").toString(),
                "--junit", junit.toString(), "--tolerance-agreement", "0", "--tolerance-drop", "100");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("emulator: 6 of 6 samples exactly equal to the integer model"), r.out());
        assertTrue(r.out().contains("icarus RTL simulation: 6 of 6 samples exactly equal to the emulator"), r.out());
        String xml = Files.readString(junit);
        assertTrue(xml.contains("classname=\"bars.rtl_icarus.fpga(lanes = 2, family = generic)\" name=\"sample_5\""), xml);
        assertTrue(xml.contains("failures=\"0\""), xml);
    }

    /**
     * Issue 28: the fpga emulator owns its arithmetic. The integer model's multiplier leak mutated to
     * round to nearest (through the test-only seam dev.spikeforge.compiler.quant.LeakMutation, in the
     * code the integer model runs) makes {@code verify --target fpga} fail WITHOUT any RTL simulation:
     * the emulator, which computes its leak from fpga.json's m and F itself, no longer equals the
     * integer model. Unmutated, the same command passes and reports the cycle prediction and bound.
     */
    @Test
    void verifyWithoutRtlCatchesAMutatedIntegerModelLeak() throws Exception {
        String[] args = {"verify", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "6",
                "--target", "fpga(lanes = 2)", "--out", dir.resolve("v-leak").toString(), "--json",
                "--tolerance-agreement", "0", "--tolerance-drop", "100"};
        CliRun ok = CliRun.of(args);
        assertEquals(ExitCodes.OK, ok.exit(), ok.out() + ok.err());
        com.fasterxml.jackson.databind.JsonNode t = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok.out())
                .get("targets").get(0);
        assertEquals(6, t.get("exact_samples").asInt(), t.toString());
        com.fasterxml.jackson.databind.JsonNode cm = t.get("cycle_model");
        assertEquals(6, cm.get("predicted_samples").asInt(), cm.toString());
        assertEquals(6, cm.get("predicted_equal_emulator_samples").asInt(), cm.toString());
        assertEquals(t.get("cycles_per_inference").asDouble(), cm.get("predicted_cycles_per_inference").asDouble(), 0);
        assertTrue(cm.get("worst_cycles_per_step").asLong() >= t.get("cycles_per_step_max").asLong(), cm.toString());
        assertTrue(cm.get("worst_cycles_per_inference").asLong() >= t.get("max_cycles").asLong(), cm.toString());

        CliRun bad = dev.spikeforge.compiler.quant.IntegerLeakMutation.roundMultiplierToNearest(() -> CliRun.of(args));
        assertEquals(ExitCodes.CHECK_FAILED, bad.exit(), bad.out() + bad.err());
        com.fasterxml.jackson.databind.JsonNode bt = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bad.out())
                .get("targets").get(0);
        assertTrue(bt.get("exact_samples").asInt() < 6, bt.toString());
        assertFalse(bt.get("first_difference").isNull(), bt.toString());
        assertFalse(bt.has("rtl_simulator"), "no RTL simulation ran: " + bt);
    }

    @Test
    void rtlSimWithVerilatorEqualsTheEmulator() {
        CliRun r = CliRun.of("rtl-sim", compiled.toString(), "--model", model.toString(), "--samples", "4", "--speed");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("EQUAL: every spike and its cycle"), r.out());
        assertTrue(r.out().contains("without recording: emulator"), r.out());
    }

    @Test
    void emulateRunsAnFpgaFolder() {
        CliRun r = CliRun.of("emulate", compiled.toString(), "--model", model.toString(), "--samples", "16");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("model bars on fpga(lanes = 4, family = ice40, device = hx8k): 16 test samples, T = 6"),
                r.out());
        assertTrue(r.out().contains("cycles per inference mean"), r.out());
    }

    @Test
    void profileCountsAndEstimates() throws Exception {
        CliRun r = CliRun.of("profile", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "8", "--json",
                // the model's own timing (sequential), so that the chip's work is the integer model's below
                "--target", "fpga(lanes = 4)", "--target", "neurocore(preset = loihi_like, timing = sequential)", "--out",
                dir.resolve("prof").toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        double macs = 0;
        double ops = 0;
        for (com.fasterxml.jackson.databind.JsonNode l : doc.get("layers")) {
            macs += l.get("ann_macs").asDouble();
            ops += l.get("synaptic_ops_per_inference").asDouble();
            assertEquals(l.get("neurons").asDouble() * 6, l.get("neuron_updates_per_inference").asDouble(), 1e-9);
        }
        assertTrue(macs > 0 && ops > 0, r.out());
        assertEquals(macs * 4.6e-12, doc.get("energy_estimate_45nm").get("ann_compute_j").asDouble(), 1e-18);
        assertEquals(ops * 0.9e-12, doc.get("energy_estimate_45nm").get("snn_compute_j").asDouble(), 1e-18);
        com.fasterxml.jackson.databind.JsonNode ts = doc.get("targets");
        assertEquals(2, ts.size(), r.out());
        for (com.fasterxml.jackson.databind.JsonNode t : ts) {
            assertEquals(8, t.get("exact_samples").asInt(), t.toString());
            assertTrue(t.get("cycles_per_inference").asDouble() > 0, t.toString());
        }
        assertTrue(ts.get(1).has("energy_estimate_j"), ts.toString());
        // the exact engines count the same work: the chip's synaptic operations are the integer model's
        assertEquals(ops, ts.get(1).get("synaptic_ops_per_inference").asDouble(), 1e-6 * ops, ts.toString());
        // and layer by layer, with the chip's energy per layer adding up to its synaptic + neuron energy
        double perLayerJ = 0;
        for (int l = 0; l < doc.get("layers").size(); l++) {
            assertEquals(doc.get("layers").get(l).get("synaptic_ops_per_inference").asDouble(),
                    ts.get(1).get("layers").get(l).get("synaptic_ops_per_inference").asDouble(), 1e-6);
            perLayerJ += ts.get(1).get("layers").get(l).get("synaptic_and_neuron_energy_estimate_j").asDouble();
        }
        com.fasterxml.jackson.databind.JsonNode en = ts.get(1).get("energy_estimate_j");
        assertEquals(en.get("synaptic").asDouble() + en.get("neuron").asDouble(), perLayerJ, 1e-9 * perLayerJ);
    }

    @Test
    void runDoesTheWholeJob() throws Exception {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("run", model.toString(), "--limit", "128", "--samples", "16", "--rtl-samples", "2",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("== [2/5] train"), r.err());
        assertTrue(r.out().contains("spikeforge run: model bars"), r.out());
        assertTrue(r.out().matches("(?s).*fpga\\(lanes = 4, family = ice40, device = hx8k\\) +16/16 .*"), r.out());
        assertTrue(r.out().contains("RTL: fpga-ice40-p4: EQUAL"), r.out());
        assertTrue(r.out().contains("HTML report: " + out.resolve("report/report.html")), r.out());
        for (String f : new String[] {"bars.npz", "verify.json", "verify.xml", "profile.json", "summary.txt",
                "compiled/fpga-ice40-p4/fpga.json", "report/report.html", "report/accuracy-vs-steps.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }

    @Test
    void theHtmlReportIsWellFormedAndHoldsEveryPlot() throws Exception {
        Path html = dir.resolve("html");
        CliRun r = CliRun.of("profile", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "8",
                "--target", "loihi_like", "--out", dir.resolve("prof-html").toString(), "--html", html.toString(),
                "--trace-neurons", "h:0,h:3", "--sample", "2", "--accuracy-vs-steps");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        // the page is XHTML: an XML parser reads it whole
        org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(html.resolve("report.html").toFile());
        org.w3c.dom.NodeList imgs = doc.getElementsByTagName("img");
        String[] plots = {"raster.png", "firing-rates.png", "spikes-per-step.png", "energy-by-layer.png",
                "energy-by-target.png", "membrane.png", "accuracy-vs-steps.png"};
        assertEquals(plots.length, imgs.getLength());
        for (int i = 0; i < plots.length; i++) {
            org.w3c.dom.Element img = (org.w3c.dom.Element) imgs.item(i);
            assertEquals(plots[i], img.getAttribute("alt"));
            assertTrue(img.getAttribute("src").startsWith("data:image/png;base64,"), plots[i]);
            java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(html.resolve(plots[i]).toFile());
            assertEquals(900, png.getWidth(), plots[i]);
        }
        CliRun bad = CliRun.of("profile", model.toString(), "--checkpoint", checkpoint.toString(), "--samples", "8",
                "--no-targets", "--html", html.toString(), "--trace-neurons", "h:99");
        assertEquals(ExitCodes.USAGE, bad.exit(), bad.err());
        assertTrue(bad.err().contains("layer 'h' has neurons 0 to 11, not 99"), bad.err());
    }

    @Test
    void synthReportsResourcesAndFit() {
        CliRun r = CliRun.of("synth", compiled.toString(), "--no-pnr");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("bars_l0"), r.out());
        assertTrue(r.out().matches("(?s).*\\ntotal +[1-9][0-9]* +[1-9].*"), r.out());
        assertTrue(r.out().contains("FITS hx8k"), r.out());
    }

    /**
     * xc7 has no open place and route: synth estimates Fmax from yosys sta and labels it an
     * estimate in the text, the JSON and every latency that uses it.
     */
    @Test
    void synthEstimatesAnXc7ClockAndLabelsItAnEstimate() throws Exception {
        Path copy = copyOfCompiled("xc7-estimate");
        CliRun r = CliRun.of("synth", copy.toString(), "--device", "xc7a35t", "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("yosys xc7", doc.path("flow").asText());
        assertTrue(doc.path("fmax_estimated").asBoolean(), r.out());
        assertTrue(doc.path("fmax_basis").asText().startsWith("Fmax ESTIMATED for xc7a35t, not measured"), r.out());
        double fmax = doc.path("fmax_mhz").asDouble();
        assertTrue(fmax > 10 && fmax < 400, r.out());
        String notes = doc.path("notes").toString();
        assertTrue(notes.contains("timing estimate: logic ") && notes.contains("logic-only bound"), notes);
        assertTrue(Files.isRegularFile(copy.resolve("synth-xc7/timing-xc7a35t.json")));
    }

    @Test
    void aChangedMemoryImageIsRefusedWithTheFileNamed() throws Exception {
        Path copy = dir.resolve("tampered");
        CliRun c = CliRun.of("compile", model.toString(), "--checkpoint", checkpoint.toString(), "--out", copy.toString());
        assertEquals(ExitCodes.OK, c.exit(), c.err());
        Path hex = copy.resolve("fpga-ice40-p4/mem/bars_l2_w.hex");
        String text = Files.readString(hex);
        Files.writeString(hex, (text.charAt(0) == '0' ? "1" : "0") + text.substring(1));
        CliRun r = CliRun.of("rtl-sim", copy.resolve("fpga-ice40-p4").toString(), "--model", model.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains("bars_l2_w.hex: file: its SHA-256 differs from fpga.json's"), r.err());
    }

    // ---- a compiled folder is never trusted: one message and exit 3 for every damage ---------------

    /** A copy of the compiled folder, to damage. */
    private static Path copyOfCompiled(String name) throws Exception {
        Path to = dir.resolve(name);
        try (var walk = Files.walk(compiled)) {
            for (Path p : walk.toList()) {
                Path q = to.resolve(compiled.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }

    private static void editJson(Path folder, String from, String to) throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        assertTrue(s.contains(from), from);
        Files.writeString(json, s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }

    private static void assertOneMessage(CliRun r, String... fragments) {
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    @Test
    void anEventDepthSmallerThanTheLayerNeedsIsExit3NotACrash() throws Exception {
        Path f = copyOfCompiled("small-depth");
        String json = Files.readString(f.resolve("fpga.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"event_depth\" : (\\d+)").matcher(json);
        assertTrue(m.find());
        editJson(f, m.group(), "\"event_depth\" : 1");
        for (String command : new String[] {"emulate", "rtl-sim"}) {
            assertOneMessage(CliRun.of(command, f.toString(), "--model", model.toString()),
                    "fpga.json: layers[0].event_depth: is 1, but the source of 1 x 8 x 8 holds 64 events");
        }
    }

    @Test
    void aNulOrALoneSurrogateInAFileNameIsExit3() throws Exception {
        Path f = copyOfCompiled("nul-name");
        editJson(f, "\"tb/tb.v\" : ", "\"tb/t\\u0000b.v\" : ");
        assertOneMessage(CliRun.of("emulate", f.toString(), "--model", model.toString()),
                "fpga.json: files: 'tb/t\\u0000b.v' is not a plain file name inside the folder");
        Path g = copyOfCompiled("surrogate-name");
        editJson(g, "\"mem/bars_l0_w.hex\" : ", "\"mem/\\udc00.hex\" : ");
        assertOneMessage(CliRun.of("emulate", g.toString(), "--model", model.toString()),
                "fpga.json: files: 'mem/\\udc00.hex' is not a plain file name inside the folder");
    }

    @Test
    void oneChangedByteInAnyFileOfTheFolderIsRefusedByEmulate() throws Exception {
        for (String name : new String[] {"mem/bars_l0_w.hex", "mem/bars_l1_t.hex", "rtl/bars_l0.v", "rtl/bars_top.v", "tb/tb.v",
                "tb/main.cpp"}) {
            Path f = copyOfCompiled("changed-" + name.replace('/', '-'));
            Path file = f.resolve(name);
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 1;
            Files.write(file, b);
            assertOneMessage(CliRun.of("emulate", f.toString(), "--model", model.toString()),
                    file.getFileName() + ": file: its SHA-256 differs from fpga.json's");
        }
    }

    @Test
    void oneChangedByteInANeurocoreFolderIsRefusedByEmulate() throws Exception {
        Path nc = dir.resolve("nc.snn");
        Files.writeString(nc, MODEL.replace("target fpga(lanes = 4, family = ice40, device = hx8k)",
                "target neurocore(preset = loihi_like)"));
        Path out = dir.resolve("nc-out");
        CliRun c = CliRun.of("compile", nc.toString(), "--checkpoint", checkpoint.toString(), "--out", out.toString());
        assertEquals(ExitCodes.OK, c.exit(), c.err());
        Path folder;
        try (var list = Files.list(out)) {
            folder = list.filter(p -> p.getFileName().toString().startsWith("neurocore-")).findFirst().orElseThrow();
        }
        CliRun ok = CliRun.of("emulate", folder.toString(), "--model", nc.toString(), "--samples", "2");
        assertEquals(ExitCodes.OK, ok.exit(), ok.err());
        for (String name : new String[] {"cores/core-0000.syn", "report.json"}) {
            Path file = folder.resolve(name);
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 1;
            Files.write(file, b);
            assertOneMessage(CliRun.of("emulate", folder.toString(), "--model", nc.toString(), "--samples", "2"),
                    name + ": files[", "SHA-256");
            b[b.length / 2] ^= 1;
            Files.write(file, b);
        }
        Path json = folder.resolve("mapping.json");
        String s = Files.readString(json);
        Files.writeString(json, s.replaceFirst("\"cores/core-0000.syn\"", "\"cores/core\\\\u0000.syn\""));
        assertOneMessage(CliRun.of("emulate", folder.toString(), "--model", nc.toString(), "--samples", "2"),
                "is not a plain file name inside the mapping folder");
    }

    @Test
    void aFolderRunWithAnotherModelIsRefused() throws Exception {
        Path other = dir.resolve("other.snn");
        Files.writeString(other, MODEL.replace("timesteps 6", "timesteps 5").replace("model bars", "model other"));
        CliRun r = CliRun.of("emulate", compiled.toString(), "--model", other.toString(), "--samples", "2");
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("the folder runs T = 6 steps but model 'other' has T = 5; pass with --model the model"
                + " the folder was compiled from"), r.err());
    }

    @Test
    void aResidualModelBreaksTheChainRule() throws Exception {
        Path res = dir.resolve("res.snn");
        Files.writeString(res, """
                model res
                input 1x8x8
                timesteps 4
                neuron lif = LIF(beta = 0.875, threshold = 1.0)
                layers {
                    c = conv(4, kernel = 3, padding = 1) -> lif
                    r = residual { c2 = conv(4, kernel = 3, padding = 1) } skip identity -> lif
                    out = readout(4)
                }
                deploy {
                    target fpga(lanes = 4)
                }
                """);
        CliRun r = CliRun.of("check", res.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("error[E700]: fpga(lanes = 4, family = generic): The accelerator runs a chain of dense,"
                + " conv and pool layers: layer 'r': it sums 2 paths"), r.err());
    }

    @Test
    void badTargetArgumentsAreNamed() throws Exception {
        Path bad = dir.resolve("bad.snn");
        Files.writeString(bad, MODEL.replace("target fpga(lanes = 4, family = ice40, device = hx8k)",
                "target fpga(lanes = 3, family = ice41)"));
        CliRun r = CliRun.of("check", bad.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("fpga: lanes must be a power of two from 1 to 64, got 3"), r.err());
        assertTrue(r.err().contains("fpga: family must be one of generic, ice40, xc7, got ice41"), r.err());
    }
}
