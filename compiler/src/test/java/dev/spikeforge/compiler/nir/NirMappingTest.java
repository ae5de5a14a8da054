package dev.spikeforge.compiler.nir;

import static dev.spikeforge.compiler.nir.NirTesting.f32;
import static dev.spikeforge.compiler.nir.NirTesting.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.IrDump;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mapping between the IR and NIR graphs, both ways. */
class NirMappingTest {

    @TempDir
    Path dir;

    private static final Path FILE = Path.of("model.nir");

    private static String dumpWithoutPositions(Network n) {
        return IrDump.of(n).replaceAll(" @\\d+:\\d+", "");
    }

    /** export -> HDF5 file -> read -> import -> compile. */
    private NirImport.Result roundTrip(Network net, Map<String, float[]> w) throws Exception {
        NirExport.Result e = NirExport.export(net, w, NirExport.DEFAULT_DT, "test");
        Path p = dir.resolve(net.name() + ".nir");
        NirStore.standard().write(p, e.file());
        return NirImport.convert(p, NirStore.standard().read(p), NirImport.Options.DEFAULTS);
    }

    /**
     * Every example, residual networks included, comes back as the same IR (node names, shapes, neurons, edges, train and
     * deploy blocks) with the same weights, bit for bit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "mlp", "quick", "asf_mnist", "vgg7", "vgg9", "resnet7", "resnet9", "resnet11"})
    void examplesComeBackAsTheSameModel(String name) throws Exception {
        Network net = NirTesting.compile(Files.readString(Golden.projectRoot().resolve("examples/models/" + name + ".snn")));
        Map<String, float[]> w = NirTesting.weights(net, 5);
        NirImport.Result r = roundTrip(net, w);
        Network back = NirTesting.compile(r.source());
        assertEquals(dumpWithoutPositions(net), dumpWithoutPositions(back), r.source());
        assertEquals(w.keySet(), r.weights().keySet());
        w.forEach((k, v) -> assertArrayEquals(v, r.weights().get(k), k));
    }

    @Test
    void readoutModesAndBiasesComeBack() throws Exception {
        for (String readout : List.of("readout(3, mode = membrane, beta = 0.8, bias = true)",
                "readout(3, mode = membrane, beta = 1.0)", "readout(3, mode = count, bias = true) -> spk",
                "readout(3, mode = accumulate, bias = true)")) {
            String text = "model m\ninput 2x6x6 encode direct\ntimesteps 7\n"
                    + "neuron lif = LIF(beta = 0.95, threshold = 0.5, reset = zero)\n"
                    + "neuron spk = IF(threshold = 2.0, reset = subtract)\n"
                    + "layers {\n c = conv(4, kernel = 3, stride = 2, padding = 1, bias = true) -> lif\n"
                    + " d = dense(5, bias = true) -> spk dropout 0.1\n o = " + readout + "\n}\n";
            Network net = NirTesting.compile(text);
            NirImport.Result r = roundTrip(net, NirTesting.weights(net, 9));
            assertEquals(dumpWithoutPositions(net), dumpWithoutPositions(NirTesting.compile(r.source())), r.source());
        }
    }

    /**
     * A pipelined model (docs/semantics.md section 2.7) exports with a warning, since a NIR graph has
     * no delays, and its deploy block, timing included, comes back through the metadata.
     */
    @Test
    void aPipelinedModelWarnsAndKeepsItsTimingInTheMetadata() throws Exception {
        Network net = NirTesting.compile("model m\ninput 4\ntimesteps 3\nneuron lif = LIF(beta = 0.875, threshold = 1.5,"
                + " reset = zero)\nlayers {\n h = dense(3) -> lif\n out = readout(2)\n}\n"
                + "deploy {\n leak = multiplier(12)\n timing = pipelined\n}\n");
        assertEquals(dev.spikeforge.compiler.ir.Timing.PIPELINED, net.timing());
        NirExport.Result e = NirExport.export(net, NirTesting.weights(net, 1), 1e-4, "test");
        assertEquals(1, e.warnings().stream().filter(w -> w.contains("pipelined")).count(), e.warnings().toString());
        NirImport.Result r = roundTrip(net, NirTesting.weights(net, 1));
        assertEquals(dev.spikeforge.compiler.ir.Timing.PIPELINED, NirTesting.compile(r.source()).timing(), r.source());
    }

    @Test
    void exportFollowsNirsLayoutAndSnnTorchsConventions() {
        Network net = NirTesting.compile("model m\ninput 4\ntimesteps 3\nneuron lif = LIF(beta = 0.9, threshold = 1.5)\n"
                + "layers {\n h = dense(3) -> lif\n out = readout(2)\n}\n");
        NirExport.Result e = NirExport.export(net, NirTesting.weights(net, 1), 1e-4, "test");
        NirGraph g = e.file().graph();
        assertEquals(List.of("input", "h", "h.lif", "out", "out.neuron", "output"), List.copyOf(g.nodes().keySet()));
        NirNode lif = (NirNode) g.nodes().get("h.lif");
        assertEquals("LIF", lif.type());
        double tau = ((NirArray) lif.params().get("tau")).get(0);
        assertEquals(1e-4 / (1 - 0.9), tau);
        assertEquals(tau / 1e-4, ((NirArray) lif.params().get("r")).get(0));
        assertEquals(0.0, ((NirArray) lif.params().get("v_leak")).get(0));
        assertEquals(0.0, ((NirArray) lif.params().get("v_reset")).get(0));
        assertEquals(1.5, ((NirArray) lif.params().get("v_threshold")).get(0));
        assertArrayEquals(new int[] {3}, ((NirArray) lif.params().get("tau")).shape());
        assertEquals(new NirText("subtract"), lif.metadata().get(NirExport.META_RESET));
        assertEquals("Linear", g.nodes().get("h").type());
        assertEquals("I", g.nodes().get("out.neuron").type());
        assertEquals(1, e.warnings().size(), "subtract reset warns once: " + e.warnings());
        assertEquals(new NirText("1.0.7"), new NirText(e.file().version()));
    }

    // ------------------------------------------------------------------ files made elsewhere

    /**
     * A LIF network as snnTorch's export_to_nir writes it: dt = 1e-4, tau = dt / (1 - beta) and
     * r = tau / dt in float32, v_leak = v_reset = 0, node names "0", "1", ..., no spikeforge metadata.
     */
    static NirGraph snnTorchStyle(float beta, float threshold) {
        float dt = 1e-4f;
        float tau = dt / (1 - beta);
        float r = tau / dt;
        return NirTesting.chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(1, 6, 6)),
                "0", node("Conv2d", "input_shape", NirArray.int64(6, 6),
                        "weight", NirArray.float32(NirTesting.gaussian(new java.util.Random(1), 4 * 9), 4, 1, 3, 3),
                        "stride", NirArray.int64(1, 1), "padding", NirArray.int64(0, 0), "dilation", NirArray.int64(1, 1),
                        "groups", NirArray.int64Scalar(1), "bias", NirArray.float32(new float[] {0, 0, 0, 0}, 4)),
                "1", node("LIF", "tau", f32(64, tau), "r", f32(64, r), "v_leak", f32(64, 0), "v_threshold",
                        f32(64, threshold), "v_reset", f32(64, 0)),
                "2", node("Flatten", "start_dim", NirArray.int64Scalar(0), "end_dim", NirArray.int64Scalar(-1),
                        "input_type", NirArray.int64(4, 4, 4)),
                "3", node("Affine", "weight", NirArray.float32(NirTesting.gaussian(new java.util.Random(2), 10 * 64), 10, 64),
                        "bias", NirArray.float32(NirTesting.gaussian(new java.util.Random(3), 10), 10)),
                "4", node("LIF", "tau", f32(10, tau), "r", f32(10, r), "v_leak", f32(10, 0), "v_threshold",
                        f32(10, threshold), "v_reset", f32(10, 0)),
                "output", node("Output", "shape", NirArray.int64(10)));
    }

    @Test
    void importsSnnTorchStyleFilesWithTheirShortNumbers() throws Exception {
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", snnTorchStyle(0.9f, 1.0f)),
                NirImport.Options.DEFAULTS);
        String s = r.source();
        assertTrue(s.contains("neuron lif = LIF(beta = 0.9, threshold = 1.0, reset = zero)"), s);
        assertTrue(s.contains("n0 = conv(4, kernel = 3) -> lif"), s);
        assertTrue(s.contains("n3 = readout(10, mode = count, bias = true) -> lif"), s);
        assertTrue(s.contains("input 1x6x6 encode poisson") && s.contains("timesteps 25"), s);
        assertEquals(List.of("n0.weight", "n3.weight", "n3.bias"), List.copyOf(r.weights().keySet()));
        Network net = NirTesting.compile(s);
        assertEquals(0.9, net.neurons().get(0).beta());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("dt")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("time steps")), r.warnings().toString());
    }

    @Test
    void optionsOverrideTheDefaults() throws Exception {
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", snnTorchStyle(0.75f, 0.5f)),
                new NirImport.Options(1e-4, 40, "latency", "from_torch"));
        assertTrue(r.source().contains("model from_torch") && r.source().contains("timesteps 40")
                && r.source().contains("encode latency") && r.source().contains("beta = 0.75"), r.source());
        // only the threshold comparison is worth a warning when dt and T are given
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).contains("v > v_threshold"), r.warnings().toString());
        // with dt = 1e-2 the file's tau = 4e-4 s is shorter than a step
        NirFormatException e = assertThrows(NirFormatException.class, () -> NirImport.convert(FILE,
                new NirFile("1.0.7", snnTorchStyle(0.75f, 0.5f)), new NirImport.Options(1e-2, null, null, null)));
        assertTrue(e.problem().contains("tau") && e.problem().contains("shorter than the step"), e.problem());
    }

    @Test
    void gainsAreDividedOutOfThresholds() throws Exception {
        // IF with r = 2 and a SumPool2d of 2x2 in front: threshold 6 / (2 * 4) = 0.75
        NirGraph g = NirTesting.chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(1, 4, 4)),
                "pool", node("SumPool2d", "kernel_size", NirArray.int64(2, 2), "stride", NirArray.int64(2, 2),
                        "padding", NirArray.int64(0, 0)),
                "spk", node("IF", "r", f32(4, 2), "v_threshold", f32(4, 6), "v_reset", f32(4, 0)),
                "fc", node("Linear", "weight", NirArray.float32(new float[8], 2, 4)),
                "output", node("Output", "shape", NirArray.int64(2)));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("neuron spk = IF(threshold = 0.75, reset = zero)"), r.source());
        assertTrue(r.source().contains("pool = avgpool(2) -> spk"), r.source());
        assertTrue(r.source().contains("fc   = readout(2, mode = accumulate)"), r.source());
        NirTesting.compile(r.source());
    }

    @Test
    void nestedGraphsAreInlined() throws Exception {
        Map<String, NirElement> inner = new LinkedHashMap<>();
        inner.put("in", node("Input", "shape", NirArray.int64(4)));
        inner.put("fc", node("Affine", "weight", NirArray.float32(new float[12], 3, 4),
                "bias", NirArray.float32(new float[] {1, 2, 3}, 3)));
        inner.put("lif", node("LIF", "tau", NirArray.filled(new int[] {3}, 2e-4), "r", NirArray.filled(new int[] {3}, 2),
                "v_leak", NirArray.filled(new int[] {3}, 0), "v_threshold", NirArray.filled(new int[] {3}, 1)));
        inner.put("out", node("Output", "shape", NirArray.int64(3)));
        NirGraph sub = new NirGraph(inner, List.of(new NirEdge("in", "fc"), new NirEdge("fc", "lif"),
                new NirEdge("lif", "out")), Map.of());
        NirGraph g = NirTesting.chain(Map.of(), "input", node("Input", "shape", NirArray.int64(4)), "block", sub,
                "head", node("Linear", "weight", NirArray.float32(new float[6], 2, 3)),
                "output", node("Output", "shape", NirArray.int64(2)));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("block_fc = dense(3, bias = true) -> lif"), r.source());
        assertTrue(r.source().contains("neuron lif = LIF(beta = 0.5, threshold = 1.0, reset = zero)"), r.source());
        NirTesting.compile(r.source());
    }

    @Test
    void cubaLifWithoutSynapticFilterIsALif() throws Exception {
        NirGraph g = NirTesting.chain(Map.of(), "input", node("Input", "shape", NirArray.int64(4)),
                "fc", node("Linear", "weight", NirArray.float32(new float[12], 3, 4)),
                "c", node("CubaLIF", "tau_syn", NirArray.filled(new int[] {3}, 1e-4), "tau_mem",
                        NirArray.filled(new int[] {3}, 1e-3), "r", NirArray.filled(new int[] {3}, 10), "v_leak",
                        NirArray.filled(new int[] {3}, 0), "v_threshold", NirArray.filled(new int[] {3}, 1), "v_reset",
                        NirArray.filled(new int[] {3}, 0), "w_in", NirArray.filled(new int[] {3}, 1)),
                "head", node("Linear", "weight", NirArray.float32(new float[6], 2, 3)),
                "output", node("Output", "shape", NirArray.int64(2)));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("LIF(beta = 0.9, threshold = 1.0, reset = zero)"), r.source());
    }

    /** Naive convolution of a C x H x W input, weights (F, C, k, k). */
    private static double[] conv(double[] x, int c, int h, int w, float[] wt, int f, int k, int stride, int pad) {
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        double[] y = new double[f * oh * ow];
        for (int o = 0; o < f; o++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int a = 0; a < k; a++) {
                            for (int b = 0; b < k; b++) {
                                int yy = i * stride - pad + a;
                                int xx = j * stride - pad + b;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                    sum += wt[((o * c + ch) * k + a) * k + b] * x[(ch * h + yy) * w + xx];
                                }
                            }
                        }
                    }
                    y[(o * oh + i) * ow + j] = sum;
                }
            }
        }
        return y;
    }

    /**
     * Sinabs and snnTorch CNNs pool spikes straight into the next convolution or dense layer; import
     * folds the pooling into those weights. The folded layers compute the same currents.
     */
    @Test
    void poolingsFeedingWeightsAreFoldedIntoThem() throws Exception {
        java.util.Random rnd = new java.util.Random(11);
        float[] w1 = NirTesting.gaussian(rnd, 3 * 2 * 3 * 3);
        float[] w2 = NirTesting.gaussian(rnd, 4 * 3 * 3 * 3);
        float[] w3 = NirTesting.gaussian(rnd, 5 * 4 * 2 * 2);
        NirGraph g = NirTesting.chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(2, 8, 8)),
                "c1", node("Conv2d", "weight", NirArray.float32(w1, 3, 2, 3, 3), "padding", NirArray.int64(1, 1)),
                "s1", node("IF", "r", f32(3 * 64, 1), "v_threshold", f32(3 * 64, 1)),
                "sum", node("SumPool2d", "kernel_size", NirArray.int64(2, 2)),
                "c2", node("Conv2d", "weight", NirArray.float32(w2, 4, 3, 3, 3), "padding", NirArray.int64(1, 1)),
                "s2", node("IF", "r", f32(4 * 16, 1), "v_threshold", f32(4 * 16, 1)),
                "avg", node("AvgPool2d", "kernel_size", NirArray.int64(2, 2), "stride", NirArray.int64(2, 2)),
                "flat", node("Flatten", "start_dim", NirArray.int64Scalar(0), "end_dim", NirArray.int64Scalar(-1)),
                "fc", node("Linear", "weight", NirArray.float32(w3, 5, 16)),
                "output", node("Output", "shape", NirArray.int64(5)));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("c2 = conv(4, kernel = 6, stride = 2, padding = 2) -> s1"), r.source());
        assertTrue(r.source().contains("fc = readout(5, mode = accumulate)"), r.source());
        Network net = NirTesting.compile(r.source());
        assertEquals(List.of("c1", "c2", "fc"), net.layers().keySet().stream().filter(l -> !l.equals("input")).toList());
        // the folded convolution on spikes equals convolution after sum pooling
        double[] x = new double[3 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(3) == 0 ? 1 : 0;
        }
        double[] pooled = new double[3 * 4 * 4];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 8; y++) {
                for (int xx = 0; xx < 8; xx++) {
                    pooled[(c * 4 + y / 2) * 4 + xx / 2] += x[(c * 8 + y) * 8 + xx];
                }
            }
        }
        double[] expect = conv(pooled, 3, 4, 4, w2, 4, 3, 1, 1);
        double[] got = conv(x, 3, 8, 8, r.weights().get("c2.weight"), 4, 6, 2, 2);
        assertArrayEquals(expect, got, 1e-5);
        // the folded dense layer on a 4x4x4 map equals dense after 2x2 average pooling
        double[] m = new double[4 * 4 * 4];
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextInt(2);
        }
        float[] wf = r.weights().get("fc.weight");
        assertEquals(5 * 64, wf.length);
        for (int o = 0; o < 5; o++) {
            double a = 0;
            double b = 0;
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int xx = 0; xx < 2; xx++) {
                        double avg = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                avg += m[(c * 4 + 2 * y + dy) * 4 + 2 * xx + dx] / 4;
                            }
                        }
                        a += w3[o * 16 + (c * 2 + y) * 2 + xx] * avg;
                    }
                }
            }
            for (int i = 0; i < 64; i++) {
                b += wf[o * 64 + i] * m[i];
            }
            assertEquals(a, b, 1e-5);
        }
        assertTrue(r.warnings().stream().filter(w -> w.contains("folded")).count() == 2, r.warnings().toString());
    }

    // ------------------------------------------------------------------ what cannot be expressed

    /** A pooling folded into the next weights may not make more than the stated number of them (here 2 GiB of floats). */
    @Test
    void foldingIsBoundedByTheStatedLimit() {
        NirGraph g = NirTesting.chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(1, 16384, 16384)),
                "avg", node("AvgPool2d", "kernel_size", NirArray.int64(16384, 16384), "stride", NirArray.int64(16384, 16384)),
                "flat", node("Flatten", "start_dim", NirArray.int64Scalar(0), "end_dim", NirArray.int64Scalar(-1)),
                "fc", node("Linear", "weight", NirArray.float32(new float[] {1, 2}, 2, 1)),
                "output", node("Output", "shape", NirArray.int64(2)));
        NirFormatException e = refused(g);
        assertTrue(e.problem().contains("would be folded into the next dense node as 536870912 weights, over the limit of "
                + NirImport.MAX_FOLDED_WEIGHTS), e.oneLine());
    }

    @Test
    void anInputOfMoreThanTwoToThe31ValuesIsRefused() {
        NirGraph g = NirTesting.chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(65536, 65536, 65536)),
                "output", node("Output", "shape", NirArray.int64(2)));
        assertTrue(refused(g).problem().contains("more than 2^31 - 1 input values"), refused(g).oneLine());
    }

    private static NirFormatException refused(NirGraph g) {
        NirFormatException e = assertThrows(NirFormatException.class,
                () -> NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS));
        assertTrue(e.oneLine().startsWith("model.nir: "), e.oneLine());
        assertTrue(e.help() != null && !e.help().isBlank());
        return e;
    }

    private static NirGraph withNodeAt(int index, String name, NirNode node) {
        NirGraph base = snnTorchStyle(0.9f, 1f);
        List<Object> items = new ArrayList<>();
        List<String> names = List.copyOf(base.nodes().keySet());
        for (int i = 0; i < names.size(); i++) {
            if (i == index) {
                items.add(name);
                items.add(node);
            }
            items.add(names.get(i));
            items.add(base.nodes().get(names.get(i)));
        }
        return NirTesting.chain(Map.of(), items.toArray());
    }

    private static NirGraph replacing(String name, NirNode node) {
        NirGraph base = snnTorchStyle(0.9f, 1f);
        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        nodes.put(name, node);
        return new NirGraph(nodes, base.edges(), Map.of());
    }

    @Test
    void unsupportedNodeTypesAreNamed() {
        NirFormatException e = refused(withNodeAt(3, "d", node("Delay", "delay", f32(256, 1))));
        assertTrue(e.problem().contains("node 'd' (Delay)"), e.problem());
        assertTrue(refused(withNodeAt(3, "t", node("Threshold", "threshold", f32(256, 1)))).problem()
                .contains("node 't' (Threshold)"));
    }

    @Test
    void recurrentEdgesBranchesAndJoinsAreRefused() {
        NirGraph base = snnTorchStyle(0.9f, 1f);
        List<NirEdge> loop = new ArrayList<>(base.edges());
        loop.add(new NirEdge("4", "3"));
        NirFormatException e = refused(new NirGraph(base.nodes(), loop, Map.of()));
        assertTrue(e.problem().contains("sums the output of 2 nodes") || e.problem().contains("loop"), e.problem());
        List<NirEdge> branch = new ArrayList<>(base.edges());
        branch.add(new NirEdge("1", "output"));
        NirFormatException br = refused(new NirGraph(base.nodes(), branch, Map.of()));
        assertTrue(br.problem().contains("joins the paths from node '1'") && br.problem().contains("not a neuron node"), br.problem());
        List<NirEdge> cycle = new ArrayList<>(base.edges());
        cycle.remove(new NirEdge("4", "output"));
        cycle.add(new NirEdge("4", "1"));
        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        NirFormatException c = refused(new NirGraph(nodes, cycle, Map.of()));
        assertTrue(c.problem().contains("loop") || c.problem().contains("sums"), c.problem());
    }

    @Test
    void neuronParametersSpikeforgeCannotExpress() {
        float tau = 1e-4f / 0.1f;
        assertTrue(refused(replacing("1", node("LIF", "tau", f32(64, tau), "r", f32(64, 10), "v_leak", f32(64, 0.5f),
                "v_threshold", f32(64, 1), "v_reset", f32(64, 0)))).problem().contains("v_leak"));
        assertTrue(refused(replacing("1", node("LIF", "tau", f32(64, tau), "r", f32(64, 10), "v_leak", f32(64, 0),
                "v_threshold", f32(64, 1), "v_reset", f32(64, -1)))).problem().contains("v_reset"));
        float[] taus = new float[64];
        java.util.Arrays.fill(taus, tau);
        taus[7] = 2 * tau;
        NirFormatException e = refused(replacing("1", node("LIF", "tau", NirArray.float32(taus, 64), "r", f32(64, 10),
                "v_leak", f32(64, 0), "v_threshold", f32(64, 1), "v_reset", f32(64, 0))));
        assertTrue(e.problem().contains("different tau") && e.problem().contains("at 7"), e.problem());
        assertTrue(refused(replacing("1", node("LIF", "tau", f32(10, tau), "r", f32(10, 10), "v_leak", f32(10, 0),
                "v_threshold", f32(10, 1)))).problem().contains("64 neurons"));
        assertTrue(refused(replacing("1", node("LIF", "r", f32(64, 10), "v_leak", f32(64, 0),
                "v_threshold", f32(64, 1)))).problem().contains("tau is missing"));
        assertTrue(refused(replacing("1", node("CubaLIF", "tau_syn", f32(64, 5e-5f), "tau_mem", f32(64, tau),
                "r", f32(64, 10), "v_leak", f32(64, 0), "v_threshold", f32(64, 1)))).problem().contains("tau_syn"));
    }

    @Test
    void layerShapesSpikeforgeCannotExpress() {
        NirGraph base = snnTorchStyle(0.9f, 1f);
        NirNode conv = (NirNode) base.nodes().get("0");
        Map<String, NirValue> ps = new LinkedHashMap<>(conv.params());
        ps.put("stride", NirArray.int64(1, 2));
        assertTrue(refused(replacing("0", new NirNode("Conv2d", ps))).problem().contains("stride"));
        ps = new LinkedHashMap<>(conv.params());
        ps.put("groups", NirArray.int64Scalar(2));
        assertTrue(refused(replacing("0", new NirNode("Conv2d", ps))).problem().contains("groups"));
        ps = new LinkedHashMap<>(conv.params());
        ps.put("weight", NirArray.float32(new float[4 * 6], 4, 1, 2, 3));
        assertTrue(refused(replacing("0", new NirNode("Conv2d", ps))).problem().contains("2x3 kernel"));
        ps = new LinkedHashMap<>(conv.params());
        ps.put("input_shape", NirArray.int64(28, 28));
        assertTrue(refused(replacing("0", new NirNode("Conv2d", ps))).problem().contains("input_shape"));
        NirNode pool = node("AvgPool2d", "kernel_size", NirArray.int64(2, 2), "stride", NirArray.int64(1, 1));
        assertTrue(refused(withNodeAt(3, "p", pool)).problem().contains("stride 1 with kernel 2"));
        NirNode flat = node("Flatten", "start_dim", NirArray.int64Scalar(1), "end_dim", NirArray.int64Scalar(-1));
        assertTrue(refused(replacing("2", flat)).problem().contains("flattens dimensions 1"));
        NirNode affine = node("Affine", "weight", NirArray.float32(new float[10 * 63], 10, 63));
        assertTrue(refused(replacing("3", affine)).problem().contains("takes 63 inputs but the node receives 64"));
    }

    @Test
    void theOutputMustHaveTheReadoutsSize() {
        NirFormatException e = refused(replacing("output", node("Output", "shape", NirArray.int64(7))));
        assertTrue(e.problem().contains("node 'output' (Output): shape") && e.problem().contains("10 outputs"), e.problem());
    }

    @Test
    void inputsAndOutputsMustBeOneEach() {
        NirGraph base = snnTorchStyle(0.9f, 1f);
        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        nodes.put("input2", node("Input", "shape", NirArray.int64(3)));
        assertTrue(refused(new NirGraph(nodes, base.edges(), Map.of())).problem().contains("2 Input nodes"));
        Map<String, NirElement> stray = new LinkedHashMap<>(base.nodes());
        stray.put("extra", node("Linear", "weight", NirArray.float32(new float[4], 2, 2)));
        assertTrue(refused(new NirGraph(stray, base.edges(), Map.of())).problem().contains("not on the path"));
    }
}
