package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.dsl.SnnText;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The quantiser's rules for temporal layers (docs/semantics.md sections 4.9 to 4.11): one scale
 * over a dense layer's feed-forward and recurrent weights, conv1d per-filter scales, maxpool as a
 * population of its own, CUBA's alpha as a synaptic leak, the guard bits of a synaptic current
 * over {@code current_bits}, and the {@code current_bits} setting itself.
 */
class QuantizerTemporalTest {

    private static Network compile(String text) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", text));
        assertTrue(c.ok(), () -> c.diagnostics() + "\n" + text);
        return c.network();
    }

    private static float[] random(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (scale * rnd.nextGaussian());
        }
        return a;
    }

    private static double maxAbs(float[] a, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs((double) a[i]));
        }
        return m;
    }

    private static final String RECURRENT = """
            model rec
            input 5 encode poisson
            neuron syn = CUBA(alpha = 0.75, beta = 0.875, threshold = 1.0)
            neuron lif = LIF(beta = 0.875)
            layers {
                r1 = dense(4, bias = true, recurrent = %s) -> syn
                out = readout(3, mode = count) -> syn
            }
            deploy {
                weights = int(8, %s)
                membrane = int(20)
                leak = %s
            }
            """;

    /** sigma[c] = max(max |W[c,:]|, max |W_rec[c,:]|) / qmax, per unit (per_channel) or over both arrays (per_layer). */
    @Test
    void recurrentWeightsShareTheScaleOfTheFeedForwardWeights() {
        int checked = 0;
        for (String rec : List.of("true", "diagonal")) {
            for (String granularity : List.of("per_layer", "per_channel")) {
                for (int seed = 0; seed < 20; seed++) {
                    Network net = compile(RECURRENT.formatted(rec, granularity, "shift"));
                    Random rnd = new Random(seed);
                    Map<String, float[]> w = new LinkedHashMap<>();
                    // feed-forward or recurrent may be the larger, per case
                    double ffScale = rnd.nextBoolean() ? 0.1 : 1.0;
                    double recScale = rnd.nextBoolean() ? 0.1 : 1.0;
                    float[] ff = random(rnd, 4 * 5, ffScale);
                    int recLen = rec.equals("true") ? 16 : 4;
                    float[] wr = random(rnd, recLen, recScale);
                    w.put("r1.weight", ff);
                    w.put("r1.bias", random(rnd, 4, 0.1));
                    w.put("r1.recurrent", wr);
                    w.put("out.weight", random(rnd, 3 * 4, 1));
                    Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
                    assertTrue(r.ok(), r.diagnostics().toString());
                    QuantLayer l = r.network().layer("r1");
                    assertEquals(2, l.synapses().size());
                    Synapse.Dense d = assertInstanceOf(Synapse.Dense.class, l.synapses().get(0));
                    Synapse.Recurrent re = assertInstanceOf(Synapse.Recurrent.class, l.synapses().get(1));
                    assertEquals(0, re.source(), "reads its own layer");
                    assertEquals(Shape.flat(4), re.inShape());
                    assertEquals(rec.equals("diagonal"), re.diagonal());
                    assertEquals(rec.equals("diagonal") ? "recurrent_diagonal" : "recurrent", re.kind());
                    assertEquals("r1", re.node());
                    int rowLen = recLen / 4;
                    long[] rowAbs = new long[4];
                    for (int o = 0; o < 4; o++) {
                        int ch = granularity.equals("per_layer") ? 0 : o;
                        double m = granularity.equals("per_layer")
                                ? Math.max(maxAbs(ff, 0, 20), maxAbs(wr, 0, recLen))
                                : Math.max(maxAbs(ff, o * 5, o * 5 + 5), maxAbs(wr, o * rowLen, o * rowLen + rowLen));
                        assertEquals(m / 127, l.scale()[ch], 1e-15 * m, "scale of unit " + o);
                        for (int i = 0; i < rowLen; i++) {
                            long want = Rounding.halfAway(wr[o * rowLen + i] / l.scale()[ch]);
                            assertEquals(want, re.weights()[o * rowLen + i], "recurrent weight " + o + "," + i);
                            rowAbs[o] += Math.abs(want);
                        }
                        for (int i = 0; i < 5; i++) {
                            assertEquals(Rounding.halfAway(ff[o * 5 + i] / l.scale()[ch]), d.weights()[o * 5 + i]);
                            rowAbs[o] += Math.abs(d.weights()[o * 5 + i]);
                        }
                        rowAbs[o] += Math.abs(l.bias()[o]);
                    }
                    // the largest weight of each scale channel is exactly qmax, in whichever array it is
                    int largest = 0;
                    for (int v : d.weights()) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    for (int v : re.weights()) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    assertEquals(127, largest);
                    long maxCurrent = 0;
                    for (long a : rowAbs) {
                        maxCurrent = Math.max(maxCurrent, a);
                    }
                    assertEquals(maxCurrent, l.maxCurrent(), "every recurrent spike counts once at weight |w|");
                    assertEquals(Quantizer.guardBits(maxCurrent, 20), l.guardBits(), "current as wide as the membrane");
                    assertEquals(0, l.stats().clipped());
                    assertEquals(20 + recLen, l.stats().weights());
                    checked++;
                }
            }
        }
        assertEquals(80, checked);
    }

    @Test
    void cubaAlphaBecomesTheSynapticLeakInTheDeployForm() {
        Map<String, float[]> w = new LinkedHashMap<>();
        Random rnd = new Random(3);
        w.put("r1.weight", random(rnd, 20, 1));
        w.put("r1.bias", random(rnd, 4, 0.1));
        w.put("r1.recurrent", random(rnd, 16, 1));
        w.put("out.weight", random(rnd, 12, 1));
        Network shift = compile(RECURRENT.formatted("true", "per_layer", "shift"));
        QuantizedNetwork q = Quantizer.quantize(shift, w, QuantOptions.from(shift.deploy().orElseThrow())).network();
        for (String layer : List.of("r1", "out")) {
            QuantLayer l = q.layer(layer);
            assertEquals(new QuantLeak.Shift(2), l.synapticLeak(), "alpha 0.75 = 1 - 2^-2");
            assertEquals(0.75, l.floatAlpha());
            assertEquals(new QuantLeak.Shift(3), l.leak(), "beta 0.875 = 1 - 2^-3");
            assertTrue(l.hasSynapticCurrent());
        }
        Network mul = compile(RECURRENT.formatted("true", "per_layer", "multiplier(10)"));
        QuantLayer l = Quantizer.quantize(mul, w, QuantOptions.from(mul.deploy().orElseThrow())).network().layer("r1");
        assertEquals(new QuantLeak.Multiplier(768, 10), l.synapticLeak());

        // a leak form that cannot hold alpha: E501 at the alpha, naming the synaptic current
        QuantOptions none = QuantOptions.from(shift.deploy().orElseThrow());
        none = new QuantOptions(none.weightBits(), none.granularity(), none.membraneBits(), new DeploySpec.NoLeak(),
                none.overflow(), false);
        Quantizer.Result refused = Quantizer.quantize(shift, w, none);
        assertFalse(refused.ok());
        assertTrue(refused.diagnostics().stream().anyMatch(d -> d.code() == ErrorCode.E501
                && d.message().contains("synaptic current's alpha: alpha 0.75") && d.help().contains("LIF")), refused.diagnostics().toString());

        // LIF and IF layers have no synaptic current
        Network lif = compile("""
                model lif
                input 3
                neuron lif = LIF(beta = 0.875)
                layers {
                    d1 = dense(2) -> lif
                    out = readout(2)
                }
                """);
        Map<String, float[]> lw = Map.of("d1.weight", random(rnd, 6, 1), "out.weight", random(rnd, 4, 1));
        for (QuantLayer x : Quantizer.quantize(lif, lw, QuantOptions.from(null)).network().layers()) {
            assertNull(x.synapticLeak());
            assertEquals(0.0, x.floatAlpha());
            assertFalse(x.isRecurrent());
        }
    }

    /** A CUBA layer accumulates a step's partial sums into its current: G is over current_bits, E503 beyond 64. */
    @Test
    void guardBitsOfASynapticCurrentAreOverItsWidth() {
        Network net = compile(RECURRENT.formatted("true", "per_layer", "shift"));
        Random rnd = new Random(5);
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("r1.weight", random(rnd, 20, 1));
        w.put("r1.bias", random(rnd, 4, 0.1));
        w.put("r1.recurrent", random(rnd, 16, 1));
        w.put("out.weight", random(rnd, 12, 1));
        QuantOptions base = QuantOptions.from(net.deploy().orElseThrow());
        for (int bits : new int[] {4, 6, 12, 32}) {
            QuantLayer l = Quantizer.quantize(net, w, base.withCurrentBits(bits)).network().layer("r1");
            assertEquals(Quantizer.guardBits(l.maxCurrent(), bits), l.guardBits(), "current_bits " + bits);
            assertEquals(bits, Quantizer.quantize(net, w, base.withCurrentBits(bits)).network().numerics().currentBits());
        }
        // widths outside 4..32 never reach the quantiser (E301 in the deploy block)
        assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(net, w, base.withCurrentBits(3)));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(net, w, base.withCurrentBits(33)));
    }

    /** |c| <= min(2^(C-1), floor((maxCurrent + 1) / (1 - alpha_q))), exactly. */
    @Test
    void theMembraneInputOfACubaLayerIsBoundedByItsSteadyState() {
        QuantizedNetwork.Numerics num = new QuantizedNetwork.Numerics(8, DeploySpec.Granularity.PER_LAYER, 16,
                DeploySpec.Overflow.SATURATE, false, 12);
        QuantLayer shift = layer(new QuantLeak.Shift(2), 100);
        assertEquals(404, shift.maxMembraneInput(num), "(100 + 1) * 4");
        assertEquals(2048, layer(new QuantLeak.Shift(5), 100).maxMembraneInput(num), "3232 saturates at 2^11");
        assertEquals(1013, layer(new QuantLeak.Multiplier(922, 10), 100).maxMembraneInput(num), "floor(101 * 1024 / 102)");
        assertEquals(2048, layer(new QuantLeak.None(), 100).maxMembraneInput(num));
        assertEquals(100, layer(null, 100).maxMembraneInput(num), "no synaptic current: the step's current");
    }

    private static QuantLayer layer(QuantLeak synaptic, long maxCurrent) {
        return new QuantLayer("l", "l.n", null, null, Shape.flat(1), 1, List.of(), null, new long[] {1}, Reset.ZERO,
                new QuantLeak.None(), new double[] {1}, 1, 1, maxCurrent, 0, new QuantLayer.Stats(0, 0, 0), synaptic,
                synaptic == null ? 0 : 0.5);
    }

    @Test
    void conv1dHasOneScalePerFilterAndMaxpoolIsAnOrPopulation() {
        Network net = compile("""
                model seq
                input 2x12 encode poisson
                neuron lif = LIF(beta = 0.875, threshold = 0.5)
                layers {
                    m0 = maxpool(2)
                    c1 = conv1d(3, kernel = 3, stride = 1, padding = 1, bias = true) -> lif
                    m1 = maxpool(3)
                    out = readout(2)
                }
                deploy {
                    weights = int(6, per_channel)
                }
                """);
        Random rnd = new Random(11);
        Map<String, float[]> w = new LinkedHashMap<>();
        float[] cw = random(rnd, 3 * 2 * 3, 1);
        w.put("c1.weight", cw);
        w.put("c1.bias", random(rnd, 3, 0.2));
        w.put("out.weight", random(rnd, 2 * 3 * 2, 1));
        Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
        assertTrue(r.ok(), r.diagnostics().toString());
        QuantizedNetwork q = r.network();
        assertEquals(4, q.layers().size());

        QuantLayer m0 = q.layers().get(0);
        Synapse.MaxPool mp = assertInstanceOf(Synapse.MaxPool.class, m0.synapses().get(0));
        assertEquals(-1, mp.source());
        assertEquals(Shape.of(2, 12), mp.inShape());
        assertEquals(2, mp.kernel());
        assertEquals(Shape.of(2, 6), m0.shape());
        assertArrayEquals(new long[] {1}, m0.theta());
        assertEquals(Reset.ZERO, m0.reset());
        assertEquals(new QuantLeak.None(), m0.leak());
        assertEquals(1, m0.channels());
        assertNull(m0.bias());
        assertNull(m0.synapticLeak());
        assertEquals(2, m0.maxCurrent(), "at most K spikes");
        assertEquals("m0", m0.node());

        QuantLayer c1 = q.layers().get(1);
        Synapse.Conv1d conv = assertInstanceOf(Synapse.Conv1d.class, c1.synapses().get(0));
        assertEquals(0, conv.source(), "reads the maxpool's spikes");
        assertEquals(3, c1.channels());
        assertEquals(3, c1.features());
        assertEquals(3, c1.bias().length);
        for (int f = 0; f < 3; f++) {
            double m = maxAbs(cw, f * 6, f * 6 + 6);
            assertEquals(m / 31, c1.scale()[f], 1e-15 * m);
            assertEquals(Math.max(1, Rounding.halfAway(0.5 / c1.scale()[f])), c1.theta()[f]);
        }
        long worst = 0;
        for (int f = 0; f < 3; f++) {
            long sum = Math.abs(c1.bias()[f]);
            for (int i = 0; i < 6; i++) {
                sum += Math.abs(conv.weights()[f * 6 + i]);
            }
            worst = Math.max(worst, sum);
        }
        assertEquals(worst, c1.maxCurrent(), "a conv1d counts its whole kernel");

        QuantLayer m1 = q.layers().get(2);
        assertEquals(Shape.of(3, 2), m1.shape());
        assertEquals(1, m1.synapses().get(0).source());
        assertEquals(3, m1.maxCurrent());
        assertEquals(2, q.readout().synapses().get(0).source(), "the readout reads the second maxpool");
    }

    /** A 3x3 maxpool on a 2x6x6 map of spikes: windows of 9 spikes. */
    private static final String MAXPOOL_ON_A_MAP = """
            model map
            input 1x6x6 encode poisson
            neuron lif = LIF(beta = 0.875)
            layers {
                c1 = conv(2, kernel = 3, padding = 1) -> lif
                p1 = maxpool(3)
                out = readout(2)
            }
            """;

    private static Map<String, float[]> maxpoolOnAMapWeights() {
        Random rnd = new Random(2);
        return Map.of("c1.weight", random(rnd, 18, 1), "out.weight", random(rnd, 16, 1));
    }

    @Test
    void aMaxpoolOnAMapFeedsTheNextLayer() {
        Network net = compile(MAXPOOL_ON_A_MAP);
        Map<String, float[]> w = maxpoolOnAMapWeights();
        QuantizedNetwork q = Quantizer.quantize(net, w, QuantOptions.from(null)).network();
        QuantLayer p1 = q.layer("p1");
        assertEquals(Shape.chw(2, 2, 2), p1.shape());
        assertEquals(9, p1.maxCurrent());
        assertEquals(Quantizer.guardBits(9, 16), p1.guardBits());
        assertEquals(1, q.readout().synapses().get(0).source());
        assertEquals("maxpool", p1.synapses().get(0).kind());
    }

    /**
     * E506 from the quantiser itself, for formats check did not see (a target's): a 3x3 window of
     * 9 spikes wraps a 4-bit membrane (at most 7) below the pool's threshold; 5 bits hold it, and a
     * saturating membrane holds the count at 7, which still fires.
     */
    @Test
    void aMaxpoolWindowThatWouldWrapItsMembraneIsRefused() {
        Network net = compile(MAXPOOL_ON_A_MAP);
        Map<String, float[]> w = maxpoolOnAMapWeights();
        java.util.function.BiFunction<Integer, DeploySpec.Overflow, List<Diagnostic>> e506 = (bits, overflow) ->
                Quantizer.quantize(net, w, new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, bits,
                        new DeploySpec.ShiftLeak(), overflow, false)).diagnostics().stream()
                        .filter(d -> d.code() == ErrorCode.E506).toList();
        List<Diagnostic> wraps = e506.apply(4, DeploySpec.Overflow.WRAP);
        assertEquals(1, wraps.size(), wraps.toString());
        assertTrue(wraps.get(0).message().contains("maxpool 'p1' counts up to 9 spikes of its 3x3 window in a 4-bit"
                + " membrane that wraps above 7"), wraps.get(0).message());
        assertTrue(wraps.get(0).help().contains("membrane = int(5)"), wraps.get(0).help());
        assertTrue(e506.apply(5, DeploySpec.Overflow.WRAP).isEmpty());
        assertTrue(e506.apply(4, DeploySpec.Overflow.SATURATE).isEmpty());
    }

    @Test
    void missingOrMisshapenRecurrentWeightsAreNamed() {
        Network net = compile(RECURRENT.formatted("true", "per_layer", "shift"));
        Random rnd = new Random(1);
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("r1.weight", random(rnd, 20, 1));
        w.put("r1.bias", random(rnd, 4, 0.1));
        w.put("out.weight", random(rnd, 12, 1));
        QuantOptions o = QuantOptions.from(net.deploy().orElseThrow());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(net, w, o));
        assertTrue(missing.getMessage().contains("r1.recurrent"), missing.getMessage());
        w.put("r1.recurrent", random(rnd, 4, 1));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(net, w, o));
        assertTrue(wrong.getMessage().contains("has 4 values") && wrong.getMessage().contains("16"), wrong.getMessage());
        w.put("r1.recurrent", new float[16]);
        w.get("r1.recurrent")[5] = Float.NaN;
        Quantizer.Result nan = Quantizer.quantize(net, w, o);
        assertTrue(nan.diagnostics().stream().anyMatch(d -> d.code() == ErrorCode.E504
                && d.message().contains("recurrent weight 5")), nan.diagnostics().toString());
    }

    @Test
    void theReportShowsSynapticCurrentsAndRecurrentSynapses() {
        Network net = compile(RECURRENT.formatted("diagonal", "per_layer", "shift").replace("membrane = int(20)",
                "membrane = int(20)\n    current_bits = 14"));
        Random rnd = new Random(4);
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("r1.weight", random(rnd, 20, 1));
        w.put("r1.bias", random(rnd, 4, 0.1));
        w.put("r1.recurrent", random(rnd, 4, 1));
        w.put("out.weight", random(rnd, 12, 1));
        QuantizedNetwork q = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow())).network();
        String text = QuantReport.text(q);
        String[] lines = text.split("\n");
        assertTrue(lines[0].contains("membrane int20 (saturate), current int14,"), lines[0]);
        assertTrue(lines[1].endsWith("current leak  alpha float  alpha int"), lines[1]);
        assertTrue(lines[2].startsWith("r1 ") && lines[2].contains("dense+recurrent_diagonal")
                && lines[2].contains("shift(2)") && lines[2].endsWith("0.75       0.75"), lines[2]);
        var json = QuantReport.json(q);
        assertEquals(14, json.get("numerics").get("current_bits").asInt());
        assertEquals("shift(2)", json.get("layers").get(0).get("synaptic_leak").asText());
        assertEquals(0.75, json.get("layers").get(0).get("alpha_int").asDouble());
        assertEquals("dense+recurrent_diagonal", json.get("layers").get(0).get("kind").asText());
    }

    // ---- current_bits --------------------------------------------------------------------------

    private static final String DEPLOY = """
            model d
            input 3
            neuron syn = CUBA(alpha = 0.5, beta = 0.75)
            layers {
                d1 = dense(2) -> syn
                out = readout(2)
            }
            deploy {
                membrane = int(18)
            %s}
            """;

    @Test
    void currentBitsDefaultToTheMembraneAndAreRangeChecked() {
        Network plain = compile(DEPLOY.formatted(""));
        assertEquals(18, plain.deploy().orElseThrow().currentBits());
        assertEquals(18, QuantOptions.from(plain.deploy().orElseThrow()).currentBits());
        assertEquals(16, QuantOptions.from(null).currentBits(), "no deploy block: the default membrane");
        assertFalse(SnnText.deploy(plain.deploy().orElseThrow()).contains("current_bits"));

        Network set = compile(DEPLOY.formatted("    current_bits = 12\n"));
        DeploySpec d = set.deploy().orElseThrow();
        assertEquals(12, d.currentBits());
        assertEquals(12, QuantOptions.from(d).numerics().currentBits());
        assertEquals(12, QuantOptions.from(d).withWeightBits(4).withShiftTowardZero(true).currentBits());
        String text = SnnText.deploy(d);
        assertTrue(text.contains("current_bits = 12"), text);
        Compilation again = SnnFrontEnd.compile(new SourceFile("again.snn",
                DEPLOY.formatted("").replaceFirst("deploy \\{[\\s\\S]*", text)));
        assertTrue(again.ok(), again.diagnostics().toString());
        assertEquals(d.currentBits(), again.network().deploy().orElseThrow().currentBits(), "printed and read back");

        for (String bad : List.of("3", "33", "0")) {
            Compilation c = SnnFrontEnd.compile(new SourceFile("bad.snn", DEPLOY.formatted("    current_bits = " + bad + "\n")));
            List<Diagnostic> errors = c.errors();
            assertEquals(1, errors.size(), errors.toString());
            assertEquals(ErrorCode.E301, errors.get(0).code());
            assertTrue(errors.get(0).message().contains("current bits") && errors.get(0).message().contains("got " + bad),
                    errors.get(0).message());
            assertEquals(10, errors.get(0).pos().line(), "points at the value");
        }
        Compilation typo = SnnFrontEnd.compile(new SourceFile("t.snn", DEPLOY.formatted("    current_bits = wide\n")));
        assertEquals(ErrorCode.E300, typo.errors().get(0).code());
    }
}
