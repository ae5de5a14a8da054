package dev.spikeforge.compiler.nir;

import static dev.spikeforge.compiler.nir.NirTesting.chain;
import static dev.spikeforge.compiler.nir.NirTesting.f32;
import static dev.spikeforge.compiler.nir.NirTesting.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: the graph shapes Rockpool and Norse write import. The shapes follow the libraries' own NIR
 * code, read at these commits:
 *
 * <ul>
 *   <li>Rockpool: {@code rockpool/nn/modules/torch/nir.py} (synsense/rockpool
 *       42cee1c96422f27257138a96618821e0e6bd5b41), node names from {@code tests/tests_default/test_nir.py};
 *   <li>Norse: {@code norse/torch/utils/export_nir.py} (norse/norse 065a3b45cf13bc8156d18987380f6d26c09f08a2),
 *       node names from {@code norse/torch/utils/test/test_nir_export.py};
 *   <li>NIR's CubaLIF fills a missing v_reset with zeros and a scalar w_in with one per neuron:
 *       {@code nir/ir/neuron.py} (neuromorphs/NIR 7232ada6d30e1beea78b180a5135b1a3bb3d3bc0).
 * </ul>
 *
 * Neither library records dt in the file, so these import with {@code --dt}. Both write exact
 * exponential / forward-Euler time constants that spikeforge reads as NIR's continuous equations
 * (beta = 1 - dt/tau), as for every other file.
 */
class NirPeerShapesTest {

    private static final Path FILE = Path.of("model.nir");
    private static final double DT = 1e-3; // Rockpool's and Norse's default step
    private static final NirImport.Options WITH_DT = new NirImport.Options(DT, null, null, null);

    private static float[] ramp(int n, float scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = scale * (i % 5 - 2);
        }
        return f;
    }

    private static NirArray scalar(float v) {
        return NirArray.float32(new float[] {v}, new int[0]);
    }

    /** The threshold in {@code CUBA(...)}/{@code LIF(...)} of the definition that starts with {@code head}. */
    private static double threshold(String src, String head) {
        Matcher m = Pattern.compile(Pattern.quote(head) + "threshold = ([0-9.eE+-]+)").matcher(src);
        assertTrue(m.find(), head + " in\n" + src);
        return Double.parseDouble(m.group(1));
    }

    private static float[] recurrent(NirImport.Result r) {
        List<String> keys = r.weights().keySet().stream().filter(k -> k.endsWith(".recurrent")).toList();
        assertEquals(1, keys.size(), r.weights().keySet().toString());
        return r.weights().get(keys.get(0));
    }

    // ---------------------------------------------------------------- Rockpool

    /**
     * Rockpool's {@code _extract_rockpool_module} for a LIFTorch: a CubaLIF with tau_syn, tau_mem,
     * r = tau_mem exp(-dt/tau_mem)/dt, v_leak = 0 and v_threshold, each broadcast to size_out; no v_reset
     * or w_in (NIR's defaults: zeros and ones, per neuron).
     */
    private static NirNode rockpoolLif(int n, float tauSyn, float tauMem, float threshold) {
        float r = (float) (tauMem * Math.exp(-DT / tauMem) / DT);
        return node("CubaLIF", "tau_syn", f32(n, tauSyn), "tau_mem", f32(n, tauMem), "r", f32(n, r), "v_leak",
                f32(n, 0), "v_threshold", f32(n, threshold), "v_reset", f32(n, 0), "w_in", f32(n, 1));
    }

    /**
     * Rockpool's export of {@code Sequential(LinearTorch, LIFTorch, LinearTorch, LIFTorch)}: nodes named
     * "INDEX_CLASS", a LinearTorch without bias a Linear with weight = module.weight.T (out x in). With
     * {@code recurrent}, node 1 is the nested graph Rockpool's {@code from_nir} reads as a LIFTorch with
     * has_rec: four nodes, Input, CubaLIF, Linear (w_rec.T) and Output. (Rockpool's exporter does not
     * itself write w_rec: its LIFTorch mapping reads only the neuron parameters.)
     */
    private static NirGraph rockpool(float[] wRec) {
        NirElement hidden = rockpoolLif(3, 5e-3f, 1e-2f, 1f);
        if (wRec != null) {
            Map<String, NirElement> sub = new LinkedHashMap<>();
            sub.put("input", node("Input", "shape", NirArray.int64(3)));
            sub.put("lif", hidden);
            sub.put("w_rec", node("Linear", "weight", NirArray.float32(wRec, 3, 3)));
            sub.put("output", node("Output", "shape", NirArray.int64(3)));
            hidden = new NirGraph(sub, List.of(new NirEdge("input", "lif"), new NirEdge("lif", "w_rec"),
                    new NirEdge("w_rec", "lif"), new NirEdge("lif", "output")), Map.of());
        }
        return chain(Map.of(),
                "input", node("Input", "shape", NirArray.int64(4)),
                "0_LinearTorch", node("Linear", "weight", NirArray.float32(ramp(12, 0.25f), 3, 4)),
                "1_LIFTorch", hidden,
                "2_LinearTorch", node("Linear", "weight", NirArray.float32(ramp(6, 0.5f), 2, 3)),
                "3_LIFTorch", rockpoolLif(2, 5e-3f, 1e-2f, 1f),
                "output", node("Output", "shape", NirArray.int64(2)));
    }

    /** Rockpool's LIFTorch: CUBA with alpha = 1 - dt/tau_syn, beta = 1 - dt/tau_mem, its gain divided out of the threshold. */
    @Test
    void rockpoolLifNetworkImports() throws Exception {
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", rockpool(null)), WITH_DT);
        String src = r.source();
        assertTrue(src.contains("CUBA(alpha = 0.8, beta = 0.9, threshold = "), src);
        // gain = r dt/tau_mem * w_in * dt/tau_syn = exp(-dt/tau_mem) * 1 * 0.2
        double gain = Math.exp(-DT / 1e-2f) * (DT / 5e-3f);
        assertEquals(1 / gain, threshold(src, "CUBA(alpha = 0.8, beta = 0.9, "), 1e-5 / gain);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("input gain")), r.warnings().toString());
        assertTrue(src.contains("dense(3) -> "), src);
        assertTrue(src.contains("readout(2, mode = count) -> "), src);
        assertTrue(!src.contains("recurrent"), src);
        NirTesting.compile(src);
    }

    /** The recurrent LIFTorch shape Rockpool's from_nir reads: a nested Input/CubaLIF/Linear/Output graph. */
    @Test
    void rockpoolRecurrentLifImports() throws Exception {
        float[] wRec = ramp(9, 0.125f);
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", rockpool(wRec)), WITH_DT);
        String src = r.source();
        assertTrue(src.contains("dense(3, recurrent = true) -> "), src);
        assertTrue(src.contains("CUBA(alpha = 0.8, beta = 0.9, threshold = "), src);
        assertArrayEquals(wRec, recurrent(r), src + r.weights().keySet());
        NirTesting.compile(src);
    }

    // ---------------------------------------------------------------- Norse

    /**
     * Norse's {@code _map_cuba_lif} for a LIFCell: tau_mem = 1/tau_mem_inv, tau_syn = 1/tau_syn_inv (times
     * time_scaling_factor, 1 by default), v_reset, v_threshold, v_leak, r = 1 and w_in = 1, all in the
     * shape of tau_mem_inv: 0-d with LIFParameters' scalar defaults (tau_mem_inv 100, tau_syn_inv 200,
     * v_th 1, v_leak 0, v_reset 0), or (1,) / (N,) when the parameters are tensors of that shape.
     */
    private static NirNode norseLifCell(boolean zeroD, int n) {
        if (zeroD) {
            return node("CubaLIF", "tau_mem", scalar(1 / 100f), "tau_syn", scalar(1 / 200f), "v_reset", scalar(0),
                    "v_threshold", scalar(1), "v_leak", scalar(0), "r", scalar(1), "w_in", scalar(1));
        }
        return node("CubaLIF", "tau_mem", f32(n, 1 / 100f), "tau_syn", f32(n, 1 / 200f), "v_reset", f32(n, 0),
                "v_threshold", f32(n, 1), "v_leak", f32(n, 0), "r", f32(n, 1), "w_in", f32(n, 1));
    }

    /** Norse's {@code _map_lif_box} for a LIFBoxCell: a LIF with tau = 1/tau_mem_inv, v_threshold, v_leak, r = 1, v_reset. */
    private static NirNode norseLifBox() {
        return node("LIF", "tau", scalar(1 / 100f), "v_threshold", scalar(1), "v_leak", scalar(0), "r", scalar(1),
                "v_reset", scalar(0));
    }

    /**
     * {@code SequentialState(Linear(4, 3), NEURON, Linear(3, 2), NEURON)} through Norse's {@code to_nir}
     * (nirtorch's torch_to_nir): the Input named "input_tensor", the modules "_0".."_3", torch.nn.Linear
     * with a bias an Affine (weight out x in), then "output".
     */
    private static NirGraph norse(NirNode hidden, NirNode last) {
        return chain(Map.of(),
                "input_tensor", node("Input", "shape", NirArray.int64(4)),
                "_0", node("Affine", "weight", NirArray.float32(ramp(12, 0.25f), 3, 4), "bias",
                        NirArray.float32(ramp(3, 0.5f), 3)),
                "_1", hidden,
                "_2", node("Affine", "weight", NirArray.float32(ramp(6, 0.5f), 2, 3), "bias",
                        NirArray.float32(ramp(2, 1f), 2)),
                "_3", last,
                "output", node("Output", "shape", NirArray.int64(2)));
    }

    /** LIFCell with scalar (0-d) or per-neuron parameters: CUBA, alpha 0.8, beta 0.9; gain 0.1 * 0.2 out of the threshold. */
    @Test
    void norseLifCellNetworkImports() throws Exception {
        for (boolean zeroD : new boolean[] {true, false}) {
            NirGraph g = norse(norseLifCell(zeroD, 3), norseLifCell(zeroD, 2));
            NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", g), WITH_DT);
            String src = r.source();
            assertTrue(src.contains("dense(3, bias = true) -> "), src);
            assertTrue(src.contains("CUBA(alpha = 0.8, beta = 0.9, threshold = "), src);
            double gain = (DT / (1 / 100f)) * (DT / (1 / 200f));
            assertEquals(1 / gain, threshold(src, "CUBA(alpha = 0.8, beta = 0.9, "), 1e-5 / gain);
            assertTrue(src.contains("readout(2, mode = count, bias = true) -> "), src);
            List<String> biases = r.weights().keySet().stream().filter(k -> k.endsWith(".bias")).toList();
            assertEquals(2, biases.size(), biases.toString());
            assertArrayEquals(ramp(3, 0.5f), r.weights().get(biases.get(0)), biases.toString());
            assertArrayEquals(ramp(2, 1f), r.weights().get(biases.get(1)), biases.toString());
            NirTesting.compile(src);
        }
    }

    /** LIFBoxCell (no synaptic current) is a NIR LIF: beta 0.9, gain r dt/tau = 0.1. */
    @Test
    void norseLifBoxCellNetworkImports() throws Exception {
        NirImport.Result r = NirImport.convert(FILE, new NirFile("1.0.7", norse(norseLifBox(), norseLifBox())), WITH_DT);
        String src = r.source();
        assertTrue(src.contains("LIF(beta = 0.9, threshold = "), src);
        assertEquals(10, threshold(src, "LIF(beta = 0.9, "), 1e-4);
        NirTesting.compile(src);
    }
}
