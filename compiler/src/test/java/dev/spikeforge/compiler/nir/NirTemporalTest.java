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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NIR for temporal networks (issue 23): CubaLIF, recurrence, Conv1d; max pooling refused on export. */
class NirTemporalTest {

    @TempDir
    Path dir;

    private static final Path FILE = Path.of("model.nir");

    static final String TEMPORAL = """
            model temporal
            input 2x16 encode poisson
            timesteps 9
            neuron lif = LIF(beta = 0.8, threshold = 0.5, reset = zero)
            neuron syn = CUBA(alpha = 0.9, beta = 0.95, threshold = 1.0, reset = subtract)
            layers {
              c = conv1d(4, kernel = 3, stride = 2, padding = 1, bias = true) -> lif
              r = dense(8, bias = true, recurrent = true) -> syn
              d = dense(6, recurrent = diagonal) -> lif
              o = readout(3, mode = count) -> syn
            }
            """;

    private static String dump(Network n) {
        return IrDump.of(n).replaceAll(" @\\d+:\\d+", "");
    }

    private NirImport.Result roundTrip(Network net, Map<String, float[]> w, double dt) throws Exception {
        NirExport.Result e = NirExport.export(net, w, dt, "test");
        Path p = dir.resolve(net.name() + ".nir");
        NirStore.standard().write(p, e.file());
        return NirImport.convert(p, NirStore.standard().read(p), NirImport.Options.DEFAULTS);
    }

    /** CUBA neurons, full and diagonal recurrence and a Conv1d come back as the same IR with bit-identical weights. */
    @Test
    void temporalModelComesBackAsTheSameModel() throws Exception {
        for (double dt : new double[] {1e-4, 1e-3, 0.37}) {
            Network net = NirTesting.compile(TEMPORAL);
            Map<String, float[]> w = NirTesting.weights(net, 11);
            NirImport.Result r = roundTrip(net, w, dt);
            Network back = NirTesting.compile(r.source());
            assertEquals(dump(net), dump(back), r.source());
            assertEquals(w.keySet(), r.weights().keySet());
            w.forEach((k, v) -> assertArrayEquals(v, r.weights().get(k), k));
            assertTrue(r.source().contains("dense(8, bias = true, recurrent = true)"), r.source());
            assertTrue(r.source().contains("dense(6, recurrent = diagonal)"), r.source());
        }
    }

    /** A full recurrent matrix that happens to be diagonal stays full: spikeforge's metadata says which it is. */
    @Test
    void aFullRecurrenceThatLooksDiagonalComesBackFull() throws Exception {
        Network net = NirTesting.compile(TEMPORAL);
        Map<String, float[]> w = NirTesting.weights(net, 5);
        float[] rec = new float[64];
        for (int i = 0; i < 8; i++) {
            rec[i * 8 + i] = 0.25f * (i + 1);
        }
        w.put("r.recurrent", rec);
        NirImport.Result r = roundTrip(net, w, 1e-4);
        assertTrue(r.source().contains("dense(8, bias = true, recurrent = true)"), r.source());
        assertArrayEquals(rec, r.weights().get("r.recurrent"));
    }

    /** The file holds what NIR's CubaLIF, Conv1d and a recurrent Linear need, as snnTorch's export writes them. */
    @Test
    void exportWritesCubaLifConv1dAndTheLoop() {
        Network net = NirTesting.compile(TEMPORAL);
        double dt = 1e-4;
        NirGraph g = NirExport.export(net, NirTesting.weights(net, 3), dt, "test").file().graph();
        NirNode syn = (NirNode) g.nodes().get("r.syn");
        assertEquals("CubaLIF", syn.type());
        NirArray tauSyn = (NirArray) syn.params().get("tau_syn");
        NirArray tauMem = (NirArray) syn.params().get("tau_mem");
        assertEquals(dt / (1 - 0.9), tauSyn.get(0), 0);
        assertEquals(dt / (1 - 0.95), tauMem.get(0), 0);
        assertEquals(tauSyn.get(0) / dt, ((NirArray) syn.params().get("w_in")).get(0), 0);
        assertEquals(tauMem.get(0) / dt, ((NirArray) syn.params().get("r")).get(0), 0);
        assertArrayEquals(new int[] {8}, tauSyn.shape());
        NirNode conv = (NirNode) g.nodes().get("c");
        assertEquals("Conv1d", conv.type());
        assertArrayEquals(new int[] {4, 2, 3}, ((NirArray) conv.params().get("weight")).shape());
        assertEquals(16, ((NirArray) conv.params().get("input_shape")).get(0), 0);
        NirArray lifTau = (NirArray) ((NirNode) g.nodes().get("c.lif")).params().get("tau");
        assertArrayEquals(new int[] {4, 8}, lifTau.shape(), "neuron parameters take the C x L shape they receive");
        assertTrue(g.edges().contains(new NirEdge("r.syn", "r.recurrent")));
        assertTrue(g.edges().contains(new NirEdge("r.recurrent", "r.syn")));
        NirNode diag = (NirNode) g.nodes().get("d.recurrent");
        NirArray m = (NirArray) diag.params().get("weight");
        assertArrayEquals(new int[] {6, 6}, m.shape());
        assertEquals(0, m.get(1), 0, "a diagonal recurrence is written as snnTorch writes a one-to-one RLeaky");
    }

    /**
     * The model of scripts/peer-snntorch-nir.sh's check with NIR's own reader, written and read back
     * here; with -Dspikeforge.nir.peer=DIR the file is also copied there for that script (until
     * {@code spikeforge nir export} can draw initial weights for recurrent and conv1d layers).
     */
    @Test
    void writesTheFileForNirsOwnReader() throws Exception {
        Path model = dev.spikeforge.compiler.testing.Golden.projectRoot()
                .resolve("compiler/src/test/resources/nir/cuba_recurrent.snn");
        Network net = NirTesting.compile(java.nio.file.Files.readString(model));
        Path p = dir.resolve("cuba_recurrent.nir");
        NirStore.standard().write(p, NirExport.export(net, NirTesting.weights(net, 23), 1e-4, "spikeforge").file());
        NirGraph g = NirStore.standard().read(p).graph();
        assertEquals("CubaLIF", g.nodes().get("r.syn").type());
        assertEquals("Conv1d", g.nodes().get("c").type());
        String out = System.getProperty("spikeforge.nir.peer");
        if (out != null) {
            java.nio.file.Files.createDirectories(Path.of(out));
            java.nio.file.Files.copy(p, Path.of(out).resolve("cuba_recurrent.nir"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void maxPoolingIsRefusedOnExport() {
        Network net = NirTesting.compile("""
                model mp
                input 2x16 encode poisson
                timesteps 4
                neuron lif = LIF(beta = 0.8, threshold = 0.5)
                layers {
                  c = conv1d(4, kernel = 3) -> lif
                  p = maxpool(2)
                  o = readout(3)
                }
                """);
        NirExport.Unsupported e = assertThrows(NirExport.Unsupported.class,
                () -> NirExport.export(net, NirTesting.weights(net, 1), 1e-4, "test"));
        assertTrue(e.getMessage().contains("maxpool 'p'") && e.getMessage().contains("no NIR node"), e.getMessage());
        assertTrue(e.fix().contains("avgpool(2)"), e.fix());
    }

    private static NirNode cubaLif(int n, float alpha, float beta, float threshold) {
        float dt = 1e-4f;
        float tauSyn = dt / (1 - alpha);
        float tauMem = dt / (1 - beta);
        return node("CubaLIF", "tau_syn", f32(n, tauSyn), "tau_mem", f32(n, tauMem), "r", f32(n, tauMem / dt),
                "v_leak", f32(n, 0), "v_threshold", f32(n, threshold), "v_reset", f32(n, 0), "w_in", f32(n, tauSyn / dt));
    }

    private static NirNode lif(int n, float beta, float threshold) {
        float dt = 1e-4f;
        float tau = dt / (1 - beta);
        return node("LIF", "tau", f32(n, tau), "r", f32(n, tau / dt), "v_leak", f32(n, 0), "v_threshold",
                f32(n, threshold), "v_reset", f32(n, 0));
    }

    private static float[] ramp(int n, float scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = scale * (i % 7 - 3);
        }
        return f;
    }

    /** snnTorch's RSynaptic as its export writes it: a nested graph of input, lif, w_rec (an Affine) and output. */
    private static NirGraph rsynaptic(boolean nested, float[] rec) {
        Map<String, NirElement> sub = new LinkedHashMap<>();
        sub.put("input", node("Input", "shape", NirArray.int64(3)));
        sub.put("lif", cubaLif(3, 0.8f, 0.9f, 1f));
        sub.put("w_rec", node("Affine", "weight", NirArray.float32(rec, 3, 3), "bias", NirArray.float32(ramp(3, 0.5f), 3)));
        sub.put("output", node("Output", "shape", NirArray.int64(3)));
        List<NirEdge> subEdges = List.of(new NirEdge("input", "lif"), new NirEdge("lif", "w_rec"),
                new NirEdge("w_rec", "lif"), new NirEdge("lif", "output"));
        Map<String, NirElement> nodes = new LinkedHashMap<>();
        nodes.put("input", node("Input", "shape", NirArray.int64(4)));
        nodes.put("0", node("Affine", "weight", NirArray.float32(ramp(12, 0.25f), 3, 4), "bias",
                NirArray.float32(ramp(3, 1f), 3)));
        List<NirEdge> edges = new ArrayList<>(List.of(new NirEdge("input", "0")));
        if (nested) {
            nodes.put("1", new NirGraph(sub, subEdges, Map.of()));
            edges.add(new NirEdge("0", "1"));
            edges.add(new NirEdge("1", "2"));
        } else {
            nodes.put("1.lif", sub.get("lif"));
            nodes.put("1.w_rec", sub.get("w_rec"));
            edges.add(new NirEdge("0", "1.lif"));
            edges.add(new NirEdge("1.lif", "1.w_rec"));
            edges.add(new NirEdge("1.w_rec", "1.lif"));
            edges.add(new NirEdge("1.lif", "2"));
        }
        nodes.put("2", node("Linear", "weight", NirArray.float32(ramp(6, 0.5f), 2, 3)));
        nodes.put("3", lif(2, 0.8f, 0.5f));
        nodes.put("output", node("Output", "shape", NirArray.int64(2)));
        edges.add(new NirEdge("2", "3"));
        edges.add(new NirEdge("3", "output"));
        return new NirGraph(nodes, edges, Map.of());
    }

    /** Nested (as snnTorch builds it) or flattened (as nirtorch writes it), RSynaptic imports as a recurrent CUBA layer. */
    @Test
    void snnTorchRecurrentLayersImport() throws Exception {
        for (boolean nested : new boolean[] {true, false}) {
            float[] rec = ramp(9, 0.125f);
            NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", rsynaptic(nested, rec)),
                    NirImport.Options.DEFAULTS);
            String src = r.source();
            assertTrue(src.contains("dense(3, bias = true, recurrent = true) -> lif"), src);
            assertTrue(src.contains("CUBA(alpha = 0.8, beta = 0.9, threshold = 1.0, reset = zero)"), src);
            assertTrue(src.contains("readout(2, mode = count) -> "), src);
            assertArrayEquals(rec, r.weights().get("n0.recurrent"), src + r.weights().keySet());
            // the recurrent Affine's bias is a constant current: added to the dense layer's
            float[] bias = r.weights().get("n0.bias");
            float[] own = ramp(3, 1f);
            float[] loop = ramp(3, 0.5f);
            for (int i = 0; i < 3; i++) {
                assertEquals(own[i] + loop[i], bias[i], 0);
            }
            assertTrue(r.warnings().stream().anyMatch(w -> w.contains("has a bias; it is added")), r.warnings().toString());
            NirTesting.compile(src);
        }
    }

    /** snnTorch's one-to-one RLeaky writes diag(V): imported as recurrent = diagonal, the diagonal kept. */
    @Test
    void aDiagonalLoopIsADiagonalRecurrence() throws Exception {
        float[] rec = new float[9];
        rec[0] = 0.5f;
        rec[4] = -0.25f;
        rec[8] = 2f;
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", rsynaptic(true, rec)), NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("recurrent = diagonal"), r.source());
        assertArrayEquals(new float[] {0.5f, -0.25f, 2f}, r.weights().get("n0.recurrent"));
        NirTesting.compile(r.source());
    }

    /** An edge from a neuron node to itself is its spikes back with weight 1; a Scale in the loop, one weight each. */
    @Test
    void selfEdgesAndScaleLoopsAreDiagonal() throws Exception {
        NirGraph base = rsynaptic(false, new float[9]);
        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        nodes.remove("1.w_rec");
        List<NirEdge> edges = new ArrayList<>(base.edges());
        edges.removeIf(e -> e.from().equals("1.w_rec") || e.to().equals("1.w_rec"));
        edges.add(new NirEdge("1.lif", "1.lif"));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", new NirGraph(nodes, edges, Map.of())),
                NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("recurrent = diagonal"), r.source());
        assertArrayEquals(new float[] {1f, 1f, 1f}, r.weights().get("n0.recurrent"));

        nodes.put("1.scale", node("Scale", "scale", NirArray.float32(new float[] {0.5f, 1.5f, -1f}, 3)));
        edges.remove(new NirEdge("1.lif", "1.lif"));
        edges.add(new NirEdge("1.lif", "1.scale"));
        edges.add(new NirEdge("1.scale", "1.lif"));
        NirImport.Result s = NirImport.convert(FILE, new NirFile("1.0.7", new NirGraph(nodes, edges, Map.of())),
                NirImport.Options.DEFAULTS);
        assertArrayEquals(new float[] {0.5f, 1.5f, -1f}, s.weights().get("n0.recurrent"));
    }

    /** Recurrence spikeforge has no layer for: around a convolution's neurons, or two loops on one node. */
    @Test
    void loopsSpikeforgeCannotExpressAreRefused() {
        NirGraph base = rsynaptic(false, new float[9]);
        List<NirEdge> edges = new ArrayList<>(base.edges());
        edges.add(new NirEdge("1.lif", "1.lif"));
        NirFormatException two = assertThrows(NirFormatException.class, () -> NirImport.convert(FILE,
                new NirFile("1.0.7", new NirGraph(base.nodes(), edges, Map.of())), NirImport.Options.DEFAULTS));
        assertTrue(two.problem().contains("two recurrent connections"), two.problem());

        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        nodes.put("3.w_rec", node("Linear", "weight", NirArray.float32(new float[4], 2, 2)));
        List<NirEdge> readoutLoop = new ArrayList<>(base.edges());
        readoutLoop.add(new NirEdge("3", "3.w_rec"));
        readoutLoop.add(new NirEdge("3.w_rec", "3"));
        NirFormatException ro = assertThrows(NirFormatException.class, () -> NirImport.convert(FILE,
                new NirFile("1.0.7", new NirGraph(nodes, readoutLoop, Map.of())), NirImport.Options.DEFAULTS));
        assertTrue(ro.problem().contains("feeds its spikes back to itself through '3.w_rec'"), ro.problem());
        assertTrue(ro.oneLine().startsWith("model.nir: "), ro.oneLine());
    }

    /** A CubaLI readout without synaptic memory is an LI, a membrane readout; with one it is refused. */
    @Test
    void cubaLiReadouts() throws Exception {
        NirGraph base = rsynaptic(false, new float[9]);
        float dt = 1e-4f;
        for (float tauSyn : new float[] {dt, 5 * dt}) {
            Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
            float tauMem = dt / (1 - 0.75f);
            nodes.put("3", node("CubaLI", "tau_syn", f32(2, tauSyn), "tau_mem", f32(2, tauMem), "r", f32(2, tauMem / dt),
                    "v_leak", f32(2, 0), "w_in", f32(2, 1)));
            NirGraph g = new NirGraph(nodes, base.edges(), Map.of());
            if (tauSyn == dt) {
                NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS);
                assertTrue(r.source().contains("readout(2, mode = membrane, beta = 0.75)"), r.source());
            } else {
                NirFormatException e = assertThrows(NirFormatException.class,
                        () -> NirImport.convert(FILE, new NirFile("1.0.7", g), NirImport.Options.DEFAULTS));
                assertTrue(e.problem().contains("filters the readout's current"), e.problem());
            }
        }
    }

    /** snnTorch writes a Leaky's tau, r, threshold as scalars when beta is a number: one value for the whole layer. */
    @Test
    void scalarNeuronParametersCoverTheLayer() throws Exception {
        NirGraph base = rsynaptic(false, new float[9]);
        Map<String, NirElement> nodes = new LinkedHashMap<>(base.nodes());
        float dt = 1e-4f;
        float tau = dt / (1 - 0.8f);
        NirArray one = NirArray.float32(new float[] {tau}, new int[0]);
        nodes.put("3", node("LIF", "tau", one, "r", NirArray.float32(new float[] {tau / dt}, new int[0]), "v_leak",
                NirArray.float32(new float[] {0}, new int[0]), "v_threshold", NirArray.float32(new float[] {0.5f}, new int[0]),
                "v_reset", NirArray.float32(new float[] {0}, new int[0])));
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", new NirGraph(nodes, base.edges(), Map.of())),
                NirImport.Options.DEFAULTS);
        assertTrue(r.source().contains("LIF(beta = 0.8, threshold = 0.5, reset = zero)"), r.source());
    }
}
