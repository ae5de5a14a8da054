package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.source.SourceFile;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Invariants of {@link Quantizer} (docs/semantics.md section 4), checked on seeded random networks
 * and weights and on hand-made edge cases: guard bits that make overflow impossible, max-abs scales
 * per layer or per channel, one scale for both paths of a residual block, thresholds of at least
 * one, exact pooling, half-away rounding, and the E501 to E504 refusals.
 */
class QuantizerInvariantsTest {

    private static final int RANDOM_CASES = 400;

    // ---- (a), (b), (c), (f), (g) on random networks -------------------------------------------

    @Test
    void randomNetworksKeepEveryInvariant() {
        int quantised = 0;
        int layersChecked = 0;
        for (int i = 0; i < RANDOM_CASES; i++) {
            Random rnd = new Random(0xC0FFEE + i);
            String source = randomModel(rnd);
            Network net = compile(source);
            Map<String, float[]> w = randomWeights(net, rnd, -6, 6);
            Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
            String where = "case " + i + ":\n" + source;
            if (!r.ok()) {
                // only formats that cannot hold this network are refused
                for (Diagnostic d : r.diagnostics()) {
                    assertTrue(!d.isError() || d.code() == ErrorCode.E502, () -> where + "\nunexpected " + d);
                }
                continue;
            }
            quantised++;
            QuantizedNetwork q = r.network();
            for (QuantLayer layer : q.layers()) {
                String at = where + "\nlayer " + layer.node();
                checkCurrentBoundAndGuardBits(q, layer, at);
                checkScalesAndWeights(net, w, q, layer, at);
                if (layer.spiking()) {
                    for (long theta : layer.theta()) {
                        assertTrue(theta >= 1, at + ": theta_q " + theta);
                    }
                }
                layersChecked++;
            }
        }
        System.out.println("QuantizerInvariantsTest: " + quantised + " of " + RANDOM_CASES + " random networks quantised, "
                + layersChecked + " layers checked");
        assertTrue(quantised >= RANDOM_CASES * 3 / 5, "only " + quantised + " of " + RANDOM_CASES + " quantised");
        assertTrue(layersChecked > RANDOM_CASES, "layers checked: " + layersChecked);
    }

    /**
     * (a) maxCurrent is the brute-force largest per-step |I| of a feature (sum of |w_q| over its
     * fan-in times the input limit, plus |b_q|); it fits 2^(M-1) * (2^G - 1) with G minimal, so
     * membrane plus current never leaves M + G bits.
     */
    private static void checkCurrentBoundAndGuardBits(QuantizedNetwork q, QuantLayer layer, String at) {
        boolean direct = q.encoding().kind() == Encoding.Kind.DIRECT;
        assertEquals(direct ? 255 : 1, q.inputLimit(), at);
        int size = layer.size();
        int features = layer.shape().isSpatial() ? layer.shape().channels() : size;
        long worst = 0;
        for (int f = 0; f < features; f++) {
            long sum = 0;
            for (Synapse s : layer.synapses()) {
                long limit = s.source() == -1 ? q.inputLimit() : 1;
                long abs = 0;
                if (s instanceof Synapse.Dense d) {
                    for (int i = 0; i < d.inFeatures(); i++) {
                        abs += Math.abs(d.weights()[f * d.inFeatures() + i]);
                    }
                } else if (s instanceof Synapse.Conv c) {
                    int taps = c.weights().length / c.filters();
                    for (int i = 0; i < taps; i++) {
                        abs += Math.abs(c.weights()[f * taps + i]);
                    }
                } else if (s instanceof Synapse.Pool p) {
                    abs = (long) p.kernel() * p.kernel() * Math.abs(p.weights()[p.weights().length == 1 ? 0 : f]);
                } else if (s instanceof Synapse.Identity id) {
                    abs = Math.abs(id.weights()[id.weights().length == 1 ? 0 : f]);
                }
                sum += abs * limit;
            }
            sum += layer.bias() == null ? 0 : Math.abs(layer.bias()[f]);
            worst = Math.max(worst, sum);
        }
        assertEquals(worst, layer.maxCurrent(), at + ": maxCurrent against the brute-force sum");
        if (!layer.spiking()) {
            return;
        }
        int m = q.numerics().membraneBits();
        int g = layer.guardBits();
        BigInteger half = BigInteger.ONE.shiftLeft(m - 1);
        BigInteger current = BigInteger.valueOf(layer.maxCurrent());
        assertTrue(current.compareTo(half.multiply(BigInteger.ONE.shiftLeft(g).subtract(BigInteger.ONE))) <= 0,
                at + ": maxCurrent " + layer.maxCurrent() + " over G = " + g + " guard bits of M = " + m);
        if (g > 0) {
            assertTrue(current.compareTo(half.multiply(BigInteger.ONE.shiftLeft(g - 1).subtract(BigInteger.ONE))) > 0,
                    at + ": G = " + g + " is not minimal for maxCurrent " + layer.maxCurrent());
        }
        // the extreme sums of an M-bit membrane and a step's current are M + G-bit signed integers
        BigInteger lo = BigInteger.ONE.shiftLeft(m + g - 1).negate();
        BigInteger hi = BigInteger.ONE.shiftLeft(m + g - 1).subtract(BigInteger.ONE);
        for (BigInteger v : List.of(half.negate(), half.subtract(BigInteger.ONE))) {
            for (BigInteger i : List.of(current.negate(), current)) {
                BigInteger h = v.add(i);
                assertTrue(h.compareTo(lo) >= 0 && h.compareTo(hi) <= 0, at + ": " + v + " + " + i + " overflows "
                        + (m + g) + " bits");
            }
        }
    }

    /**
     * (b), (f), (g): every weight is round_half_away(w / divisor / sigma_c) at its channel's scale,
     * clamped to the B-bit range, whichever path it is on (identity skips quantise 1.0); each
     * channel's largest |w_q| over all its paths is 2^(B-1) - 1 unless all its float weights are
     * zero; per-layer formats (and pooling and non-spiking readouts) have one channel.
     */
    private static void checkScalesAndWeights(Network net, Map<String, float[]> w, QuantizedNetwork q,
                                              QuantLayer layer, String at) {
        int qmax = q.numerics().weightLimit();
        assertEquals((1 << (q.numerics().weightBits() - 1)) - 1, qmax);
        assertEquals(layer.channels(), layer.scale().length, at);
        if (layer.theta() != null) {
            assertEquals(layer.channels(), layer.theta().length, at);
        }
        int features = layer.shape().isSpatial() ? layer.shape().channels() : layer.size();
        boolean pool = layer.synapses().get(0) instanceof Synapse.Pool;
        boolean perChannel = q.numerics().granularity() == DeploySpec.Granularity.PER_CHANNEL;
        int expectedChannels = perChannel && layer.spiking() && !pool ? features : 1;
        assertEquals(expectedChannels, layer.channels(), at + ": scale channels");
        if (pool) {
            return;
        }
        List<Node> paths = pathNodes(net, layer);
        assertEquals(paths.size(), layer.synapses().size(), at);
        long[] largestQ = new long[layer.channels()];
        boolean[] floatNonZero = new boolean[layer.channels()];
        for (int p = 0; p < paths.size(); p++) {
            Node node = paths.get(p);
            Synapse s = layer.synapses().get(p);
            double divisor = s.source() == -1 && q.encoding().kind() == Encoding.Kind.DIRECT ? 255 : 1;
            if (s instanceof Synapse.Identity id) {
                assertFalse(node instanceof Conv2dNode || node instanceof DenseNode || node instanceof ReadoutNode, at);
                assertEquals(layer.channels(), id.weights().length, at);
                for (int c = 0; c < layer.channels(); c++) {
                    long want = clamp(Rounding.halfAway(1.0 / divisor / layer.scale()[c]), qmax);
                    assertEquals(want, id.weights()[c], at + ": identity weight of channel " + c + " at sigma "
                            + layer.scale()[c]);
                    largestQ[c] = Math.max(largestQ[c], Math.abs(id.weights()[c]));
                    floatNonZero[c] = true;
                }
                continue;
            }
            int[] wq = s instanceof Synapse.Dense d ? d.weights() : ((Synapse.Conv) s).weights();
            Class<?> kind = s instanceof Synapse.Dense ? (node instanceof ReadoutNode ? ReadoutNode.class : DenseNode.class)
                    : Conv2dNode.class;
            assertTrue(kind.isInstance(node), at + ": synapse " + s.kind() + " from node " + node.name());
            float[] wf = w.get(node.name() + ".weight");
            assertEquals(wf.length, wq.length, at);
            int row = wf.length / features;
            for (int i = 0; i < wf.length; i++) {
                int c = layer.channels() == 1 ? 0 : i / row;
                long want = clamp(Rounding.halfAway(wf[i] / divisor / layer.scale()[c]), qmax);
                assertEquals(want, wq[i], at + ": weight " + i + " of " + node.name() + " (" + wf[i] + ")");
                largestQ[c] = Math.max(largestQ[c], Math.abs(wq[i]));
                floatNonZero[c] |= wf[i] != 0;
            }
        }
        for (int c = 0; c < layer.channels(); c++) {
            if (floatNonZero[c]) {
                assertEquals(qmax, largestQ[c], at + ": largest |w_q| of channel " + c + " over all paths");
            } else {
                assertEquals(0, largestQ[c], at + ": all-zero channel " + c);
            }
        }
    }

    /** The IR nodes of a layer's synaptic paths, in the quantiser's order (residual: main, then skip). */
    private static List<Node> pathNodes(Network net, QuantLayer layer) {
        Node target = net.node(layer.node());
        Node current = target instanceof ReadoutNode ? target : net.inputsOf(target).get(0);
        return current instanceof ResidualAddNode add ? net.inputsOf(add) : List.of(current);
    }

    private static long clamp(long v, int qmax) {
        return Math.max(-qmax, Math.min(qmax, v));
    }

    @Test
    void guardBitsAreTheSmallestThatHoldTheCurrent() {
        Random rnd = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            int m = 4 + rnd.nextInt(29);
            long half = 1L << (m - 1);
            int gWanted = rnd.nextInt(Math.max(1, 62 - m));
            long edge = half * ((1L << gWanted) - 1);
            long current = switch (rnd.nextInt(4)) {
                case 0 -> edge;
                case 1 -> edge + 1;
                case 2 -> Math.max(0, edge - 1);
                default -> (long) (rnd.nextDouble() * (double) edge);
            };
            int g = Quantizer.guardBits(current, m);
            BigInteger h = BigInteger.ONE.shiftLeft(m - 1);
            BigInteger c = BigInteger.valueOf(current);
            assertTrue(c.compareTo(h.multiply(BigInteger.ONE.shiftLeft(g).subtract(BigInteger.ONE))) <= 0,
                    current + " M=" + m + " G=" + g);
            assertTrue(g == 0 || c.compareTo(h.multiply(BigInteger.ONE.shiftLeft(g - 1).subtract(BigInteger.ONE))) > 0,
                    current + " M=" + m + " G=" + g + " not minimal");
        }
        assertEquals(0, Quantizer.guardBits(0, 16));
        assertEquals(1, Quantizer.guardBits(1, 16));
        assertEquals(1, Quantizer.guardBits(1L << 15, 16));
        assertEquals(2, Quantizer.guardBits((1L << 15) + 1, 16));
    }

    // ---- (c) thresholds ------------------------------------------------------------------------

    @Test
    void quantisedThresholdsAreAtLeastOne() {
        String[] grains = {"per_layer", "per_channel"};
        for (String grain : grains) {
            for (int bits = 2; bits <= 16; bits += 7) {
                Network net = compile("model huge\ninput 1x4x4\n"
                        + "neuron a = LIF(beta = 0.5, threshold = 1e-6, reset = subtract)\n"
                        + "neuron b = IF(threshold = 0.000001, reset = zero)\n"
                        + "layers {\n c = conv(2, kernel = 3, bias = true) -> a\n"
                        + " r = residual { r1 = conv(2, kernel = 1) } skip identity -> b\n"
                        + " d = dense(3) -> b\n out = readout(2, mode = count) -> a\n}\n"
                        + "deploy {\n weights = int(" + bits + ", " + grain + ")\n membrane = int(4)\n}\n");
                Map<String, float[]> w = constantWeights(net, 1e30f);
                Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
                assertTrue(r.ok(), r.diagnostics().toString());
                for (QuantLayer l : r.network().layers()) {
                    for (long theta : l.theta()) {
                        assertEquals(1, theta, l.node() + " " + grain + " B=" + bits);
                    }
                }
                // all-zero weights: the scale falls back to theta / qmax, so theta_q = qmax >= 1
                Quantizer.Result zero = Quantizer.quantize(net, constantWeights(net, 0f),
                        QuantOptions.from(net.deploy().orElseThrow()));
                if (zero.ok()) {
                    for (QuantLayer l : zero.network().layers()) {
                        for (long theta : l.theta()) {
                            assertTrue(theta >= 1, l.node());
                        }
                    }
                }
            }
        }
    }

    // ---- (d) rounding --------------------------------------------------------------------------

    @Test
    void halfAwayRoundingMatchesBigDecimalHalfUp() {
        double[] fixed = {0.49999999999999994, 0.5, 1.5, 2.5, -2.5, -0.5, -0.49999999999999994, 0, -0.0,
            -1.5, 3.5, 4503599627370495.5, -4503599627370495.5, 4503599627370497.0, 0.5000000000000001,
            Math.nextDown(2.5), Math.nextUp(-2.5), 1e15 + 0.5, 1L << 61};
        for (double v : fixed) {
            assertEquals(halfUp(v), Rounding.halfAway(v), "halfAway(" + v + ")");
        }
        assertEquals(0, Rounding.halfAway(0.49999999999999994));
        assertEquals(1, Rounding.halfAway(0.5));
        assertEquals(2, Rounding.halfAway(1.5));
        assertEquals(3, Rounding.halfAway(2.5));
        assertEquals(-3, Rounding.halfAway(-2.5));
        assertEquals(-1, Rounding.halfAway(-0.5));
        Random rnd = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            double v = switch (rnd.nextInt(6)) {
                case 0 -> (rnd.nextDouble() - 0.5) * 2e6;
                case 1 -> (rnd.nextDouble() - 0.5) * 8;
                case 2 -> (rnd.nextLong() >> rnd.nextInt(63)) + 0.5 * (rnd.nextBoolean() ? 1 : -1);
                case 3 -> {
                    double half = (rnd.nextInt(1 << 20) - (1 << 19)) + 0.5;
                    yield rnd.nextBoolean() ? Math.nextUp(half) : Math.nextDown(half);
                }
                case 4 -> Double.longBitsToDouble(rnd.nextLong());
                default -> (rnd.nextInt(2001) - 1000) / 2.0;
            };
            if (!Double.isFinite(v) || Math.abs(v) >= 0x1p62) {
                continue;
            }
            assertEquals(halfUp(v), Rounding.halfAway(v), "halfAway(" + v + ")");
        }
    }

    private static long halfUp(double v) {
        return new BigDecimal(v).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    // ---- (e) pooling -----------------------------------------------------------------------------

    @Test
    void averagePoolingIsExact() {
        for (String enc : List.of("poisson", "bipolar")) {
            Network net = compile("model pool\ninput 2x6x6 encode " + enc + "\n"
                    + "neuron a = LIF(beta = 0.9, threshold = 1.0)\n"
                    + "neuron p = IF(threshold = 0.75, reset = subtract)\nneuron p3 = IF(threshold = 0.5, reset = zero)\n"
                    + "layers {\n p1 = avgpool(2) -> p\n c = conv(3, kernel = 1) -> a\n p2 = avgpool(3) -> p3\n"
                    + " out = readout(2)\n}\ndeploy {\n weights = int(8, per_channel)\n}\n");
            Random rnd = new Random(3);
            Quantizer.Result r = Quantizer.quantize(net, randomWeights(net, rnd),
                    QuantOptions.from(net.deploy().orElseThrow()));
            assertTrue(r.ok(), r.diagnostics().toString());
            QuantLayer p1 = r.network().layer("p1");
            assertEquals(1, p1.synapses().size());
            Synapse.Pool pool = assertInstanceOf(Synapse.Pool.class, p1.synapses().get(0));
            assertEquals(2, pool.kernel());
            assertEquals(-1, pool.source());
            assertArrayEquals(new double[] {0.25}, p1.scale());
            assertArrayEquals(new long[] {3}, p1.theta());
            assertEquals(4, p1.maxCurrent(), "every pool weight is 1: four spikes give 4");
            assertNull(p1.bias());
            QuantLayer p2 = r.network().layer("p2");
            Synapse.Pool pool3 = assertInstanceOf(Synapse.Pool.class, p2.synapses().get(0));
            assertEquals(3, pool3.kernel());
            assertEquals(1, pool3.source());
            assertArrayEquals(new double[] {1.0 / 9}, p2.scale());
            assertArrayEquals(new long[] {5}, p2.theta(), "round_half_away(0.5 * 9 = 4.5) = 5");
            assertEquals(9, p2.maxCurrent());
        }
    }

    // ---- (f), (g) residual blocks ----------------------------------------------------------------

    @Test
    void identitySkipIsOneAtTheBlocksScale() {
        for (String enc : List.of("poisson", "bipolar", "direct")) {
            for (String grain : List.of("per_layer", "per_channel")) {
                for (int seed = 0; seed < 40; seed++) {
                    Random rnd = new Random(seed);
                    int bits = 2 + rnd.nextInt(15);
                    // one block straight on the input, one on spikes
                    Network net = compile("model res\ninput 3x4x4 encode " + enc + "\n"
                            + "neuron a = LIF(beta = 0.9, threshold = 1.0)\nneuron i = IF(threshold = 0.5)\n"
                            + "layers {\n r0 = residual { m0 = conv(3, kernel = 3, padding = 1) } skip identity -> a\n"
                            + " r1 = residual { m1 = conv(2, kernel = 1) -> i\n m2 = conv(3, kernel = 3, padding = 1, bias = true) }"
                            + " skip identity -> i\n out = readout(2)\n}\n"
                            + "deploy {\n weights = int(" + bits + ", " + grain + ")\n membrane = int(32)\n}\n");
                    Map<String, float[]> w = randomWeights(net, rnd, -3, 3);
                    Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
                    assertTrue(r.ok(), r.diagnostics().toString());
                    for (String block : List.of("r0", "r1")) {
                        QuantLayer l = r.network().layer(block);
                        String at = enc + " " + grain + " B=" + bits + " seed " + seed + " " + block;
                        Synapse.Identity id = assertInstanceOf(Synapse.Identity.class, l.synapses().get(1), at);
                        double divisor = block.equals("r0") && enc.equals("direct") ? 255 : 1;
                        int qmax = (1 << (bits - 1)) - 1;
                        for (int c = 0; c < l.channels(); c++) {
                            // the skip adds x itself: 1.0 per input unit (1/255 per direct input byte)
                            long want = Math.min(qmax, Rounding.halfAway(1.0 / divisor / l.scale()[c]));
                            assertEquals(want, id.weights()[c], at + " channel " + c + " sigma " + l.scale()[c]);
                        }
                        checkScalesAndWeights(net, w, r.network(), l, at);
                    }
                }
            }
        }
    }

    @Test
    void bothPathsOfAConvSkipShareTheChannelScale() {
        for (String grain : List.of("per_layer", "per_channel")) {
            for (int seed = 0; seed < 60; seed++) {
                Random rnd = new Random(100 + seed);
                int bits = 2 + rnd.nextInt(15);
                Network net = compile("model convskip\ninput 2x5x5\n"
                        + "neuron a = LIF(beta = 0.9, threshold = 1.0)\nneuron z = IF(threshold = 0.3, reset = zero)\n"
                        + "layers {\n c0 = conv(2, kernel = 1) -> a\n"
                        + " r = residual { m1 = conv(3, kernel = 3, padding = 1, bias = true) -> a\n"
                        + " m2 = conv(4, kernel = 3, stride = 2, padding = 1, bias = true) }"
                        + " skip conv(4, kernel = 1, stride = 2, bias = true) -> z\n out = readout(3, mode = count) -> z\n}\n"
                        + "deploy {\n weights = int(" + bits + ", " + grain + ")\n membrane = int(32)\n}\n");
                Map<String, float[]> w = randomWeights(net, rnd, -3, 3);
                // make one path dominate some channels and the other path the rest
                float[] main = w.get("m2.weight");
                float[] skip = w.get("r.skip.weight");
                for (int f = 0; f < 4; f++) {
                    float k = rnd.nextBoolean() ? 50 : 0.02f;
                    for (int i = 0; i < 2; i++) {
                        skip[f * 2 + i] *= k;
                    }
                }
                Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
                assertTrue(r.ok(), r.diagnostics().toString());
                QuantLayer l = r.network().layer("r");
                String at = grain + " B=" + bits + " seed " + seed;
                assertEquals(2, l.synapses().size(), at);
                Synapse.Conv m = assertInstanceOf(Synapse.Conv.class, l.synapses().get(0), at);
                Synapse.Conv s = assertInstanceOf(Synapse.Conv.class, l.synapses().get(1), at);
                assertEquals(1, s.kernel(), at);
                int qmax = (1 << (bits - 1)) - 1;
                for (int f = 0; f < 4; f++) {
                    int c = l.channels() == 1 ? 0 : f;
                    long largest = 0;
                    double largestFloat = 0;
                    for (int i = 0; i < 27; i++) {
                        largest = Math.max(largest, Math.abs(m.weights()[f * 27 + i]));
                        largestFloat = Math.max(largestFloat, Math.abs(main[f * 27 + i]));
                        assertEquals(clamp(Rounding.halfAway(main[f * 27 + i] / l.scale()[c]), qmax),
                                m.weights()[f * 27 + i], at);
                    }
                    for (int i = 0; i < 2; i++) {
                        largest = Math.max(largest, Math.abs(s.weights()[f * 2 + i]));
                        largestFloat = Math.max(largestFloat, Math.abs(skip[f * 2 + i]));
                        assertEquals(clamp(Rounding.halfAway(skip[f * 2 + i] / l.scale()[c]), qmax),
                                s.weights()[f * 2 + i], at);
                    }
                    if (l.channels() > 1 && largestFloat > 0) {
                        assertEquals(qmax, largest, at + ": channel " + f + " over both paths");
                        assertEquals(largestFloat / qmax, l.scale()[c], largestFloat * 1e-12, at);
                    }
                }
                checkScalesAndWeights(net, w, r.network(), l, at);
            }
        }
    }

    // ---- (h) refusals ------------------------------------------------------------------------

    @Test
    void nonFiniteWeightsAreRefusedNamingTheLayer() {
        Network net = compile("model nan\ninput 2x5x5\nneuron a = LIF(beta = 0.9, threshold = 1.0)\n"
                + "layers {\n c1 = conv(2, kernel = 3, padding = 1, bias = true) -> a\n"
                + " blk = residual { m1 = conv(2, kernel = 3, padding = 1) } skip conv(2, kernel = 1, bias = true) -> a\n"
                + " f1 = dense(4, bias = true) -> a\n out = readout(3, bias = true)\n}\n");
        Map<String, String> layerOf = Map.of("c1", "c1", "m1", "m1", "blk.skip", "blk", "f1", "f1", "out", "out");
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Random rnd = new Random(9);
        int checked = 0;
        for (Map.Entry<String, String> e : layerOf.entrySet()) {
            for (String tensor : List.of(".weight", ".bias")) {
                Map<String, float[]> w = randomWeights(net, rnd, -2, 2);
                float[] t = w.get(e.getKey() + tensor);
                if (t == null) {
                    continue;
                }
                int index = rnd.nextInt(t.length);
                t[index] = bad[rnd.nextInt(bad.length)];
                Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(null));
                String at = e.getKey() + tensor + "[" + index + "] = " + t[index];
                assertFalse(r.ok(), at);
                List<Diagnostic> e504 = r.diagnostics().stream().filter(x -> x.code() == ErrorCode.E504).toList();
                assertEquals(1, e504.size(), at + ": " + r.diagnostics());
                Diagnostic d = e504.get(0);
                assertTrue(d.message().contains("layer '" + e.getValue() + "'"), at + ": " + d.message());
                assertTrue(d.message().contains(String.valueOf(t[index])), at + ": " + d.message());
                checked++;
            }
        }
        assertEquals(9, checked);
    }

    @Test
    void leaksThatTheFormCannotHoldAreRefused() {
        // The front end already refuses leak = none with a LIF in the deploy block; the quantiser
        // must also refuse it when the leak form comes from elsewhere (command-line overrides).
        String layers = "layers {\n d = dense(3) -> %s\n out = readout(2)\n}\n";
        QuantOptions none = new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, 16, new DeploySpec.NoLeak(),
                DeploySpec.Overflow.SATURATE, false);
        Network lif = compile("model leak\ninput 4\nneuron a = LIF(beta = 0.9, threshold = 1.0)\n"
                + String.format(Locale.ROOT, layers, "a"));
        Quantizer.Result r = Quantizer.quantize(lif, constantWeights(lif, 0.5f), none);
        assertFalse(r.ok());
        assertEquals(List.of(ErrorCode.E501), errorCodes(r));
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.code() == ErrorCode.E501 && d.message().contains("layer 'd'")),
                r.diagnostics().toString());

        Network membrane = compile("model leak\ninput 4\nneuron i = IF(threshold = 1.0)\n"
                + "layers {\n d = dense(3) -> i\n out = readout(2, mode = membrane, beta = 0.5)\n}\n");
        Quantizer.Result m = Quantizer.quantize(membrane, constantWeights(membrane, 0.5f), none);
        assertEquals(List.of(ErrorCode.E501), errorCodes(m));
        assertTrue(m.diagnostics().stream().anyMatch(d -> d.message().contains("layer 'out'")), m.diagnostics().toString());

        Network integrate = compile("model leak\ninput 4\nneuron i = IF(threshold = 1.0)\n"
                + String.format(Locale.ROOT, layers, "i") + "deploy {\n leak = none\n}\n");
        Quantizer.Result ok = Quantizer.quantize(integrate, constantWeights(integrate, 0.5f),
                QuantOptions.from(integrate.deploy().orElseThrow()));
        assertTrue(ok.ok(), ok.diagnostics().toString());
        assertInstanceOf(QuantLeak.None.class, ok.network().layer("d").leak());

        // multiplier(2) would store beta 0.9 as round(3.6) = 4 = 2^2: the LIF would become an IF
        QuantOptions coarse = new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, 16, new DeploySpec.MultiplierLeak(2),
                DeploySpec.Overflow.SATURATE, false);
        assertEquals(List.of(ErrorCode.E501), errorCodes(Quantizer.quantize(lif, constantWeights(lif, 0.5f), coarse)));
    }

    @Test
    void thresholdsOverTheMembraneAreRefusedWithAWidthThatFits() {
        Pattern width = Pattern.compile("membrane = int\\((\\d+)\\)");
        int refused = 0;
        int beyond = 0;
        for (int i = 0; i < 300; i++) {
            Random rnd = new Random(7000 + i);
            int bits = 2 + rnd.nextInt(15);
            int membrane = 4 + rnd.nextInt(17);
            String grain = rnd.nextBoolean() ? "per_channel" : "per_layer";
            double theta = Math.exp(rnd.nextDouble() * 6 - 2);
            String model = String.format(Locale.ROOT, "model wide\ninput 1x4x4\n"
                    + "neuron a = LIF(beta = 0.75, threshold = %.4f)\nneuron p = IF(threshold = 0.75)\n"
                    + "layers {\n c = conv(3, kernel = 3) -> a\n p1 = avgpool(2) -> p\n d = dense(3) -> a\n"
                    + " out = readout(2, mode = count) -> a\n}\n"
                    + "deploy {\n weights = int(%d, %s)\n membrane = int(%d)\n}\n", theta, bits, grain, membrane);
            Network net = compile(model);
            Map<String, float[]> w = randomWeights(net, rnd);
            Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
            List<Diagnostic> e502 = r.diagnostics().stream().filter(d -> d.code() == ErrorCode.E502).toList();
            assertEquals(e502.isEmpty(), r.ok(), model + r.diagnostics());
            if (e502.isEmpty()) {
                continue;
            }
            refused++;
            int need = 0;
            if (e502.stream().anyMatch(d -> d.help() != null && d.help().startsWith("no membrane of up to 32 bits"))) {
                beyond++; // no membrane format (at most 32 bits) holds it: the help names fewer weight bits
                continue;
            }
            for (Diagnostic d : e502) {
                assertNotNull(d.help(), d.toString());
                Matcher m = width.matcher(d.help());
                assertTrue(m.find(), d.help());
                need = Math.max(need, Integer.parseInt(m.group(1)));
            }
            assertTrue(need > membrane && need <= 32, model + e502);
            QuantOptions o = QuantOptions.from(net.deploy().orElseThrow());
            Quantizer.Result wider = Quantizer.quantize(net, w, new QuantOptions(o.weightBits(), o.granularity(), need,
                    o.leak(), o.overflow(), false));
            assertTrue(wider.ok(), model + "\nint(" + need + ") still refused: " + wider.diagnostics());
            Quantizer.Result narrower = Quantizer.quantize(net, w, new QuantOptions(o.weightBits(), o.granularity(),
                    need - 1, o.leak(), o.overflow(), false));
            assertTrue(narrower.diagnostics().stream().anyMatch(d -> d.code() == ErrorCode.E502),
                    model + "\nint(" + (need - 1) + ") fits too: the help is not the narrowest");
        }
        System.out.println("QuantizerInvariantsTest: " + refused + " of 300 refused with E502, " + beyond
                + " of them beyond a 32-bit membrane");
        assertTrue(refused - beyond >= 30, "only " + (refused - beyond) + " thresholds over the membrane with a fitting width");
    }

    @Test
    void thresholdOverASmallMembraneNamesTheFittingWidth() {
        Network net = compile("model wide\ninput 4\nneuron a = IF(threshold = 2.0)\n"
                + "layers {\n d = dense(2) -> a\n out = readout(2)\n}\n"
                + "deploy {\n weights = int(8, per_layer)\n membrane = int(8)\n}\n");
        Map<String, float[]> w = constantWeights(net, 0.01f);
        Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElseThrow()));
        // theta_q = 2.0 / (0.01 / 127) = 25400: 15 bits of magnitude, so int(16) holds it
        assertEquals(List.of(ErrorCode.E502), errorCodes(r));
        Diagnostic d = r.diagnostics().stream().filter(Diagnostic::isError).findFirst().orElseThrow();
        assertTrue(d.message().contains("25400"), d.message());
        assertTrue(d.help().contains("membrane = int(16)"), d.help());
        QuantOptions o = QuantOptions.from(net.deploy().orElseThrow());
        Quantizer.Result fits = Quantizer.quantize(net, w, new QuantOptions(8, o.granularity(), 16, o.leak(),
                o.overflow(), false));
        assertTrue(fits.ok(), fits.diagnostics().toString());
        assertArrayEquals(new long[] {25400}, fits.network().layer("d").theta());
    }

    private static List<ErrorCode> errorCodes(Quantizer.Result r) {
        return r.diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::code).distinct().toList();
    }

    // ---- models and weights ------------------------------------------------------------------

    static Network compile(String source) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("q.snn", source));
        assertTrue(c.ok(), () -> c.errors() + "\n" + source);
        return c.network();
    }

    /** Every weight and bias tensor of the network ({@code NODE.weight}, {@code NODE.bias}), filled with {@code v}. */
    static Map<String, float[]> constantWeights(Network net, float v) {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            int[] s = sizes(n);
            if (s != null) {
                float[] t = new float[s[0]];
                java.util.Arrays.fill(t, v);
                w.put(n.name() + ".weight", t);
                if (s[1] > 0) {
                    float[] b = new float[s[1]];
                    java.util.Arrays.fill(b, v);
                    w.put(n.name() + ".bias", b);
                }
            }
        }
        return w;
    }

    /**
     * Random float weights: per tensor a magnitude over almost eight decades, gaussian, sparse or with
     * outliers; some rows (output channels) all zero.
     */
    static Map<String, float[]> randomWeights(Network net, Random rnd) {
        return randomWeights(net, rnd, -9, 9);
    }

    /** As {@link #randomWeights(Network, Random)}, with magnitudes between e^minLog and e^maxLog. */
    static Map<String, float[]> randomWeights(Network net, Random rnd, double minLog, double maxLog) {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            int[] s = sizes(n);
            if (s == null) {
                continue;
            }
            int rows = s[2];
            int row = s[0] / rows;
            double scale = Math.exp(minLog + rnd.nextDouble() * (maxLog - minLog));
            int style = rnd.nextInt(3);
            float[] t = new float[s[0]];
            for (int r = 0; r < rows; r++) {
                if (rows > 1 && rnd.nextInt(6) == 0) {
                    continue;
                }
                for (int i = 0; i < row; i++) {
                    double g = rnd.nextGaussian();
                    g = style == 1 && rnd.nextInt(3) != 0 ? 0 : style == 2 && rnd.nextInt(8) == 0 ? g * 40 : g;
                    t[r * row + i] = (float) (g * scale);
                }
            }
            w.put(n.name() + ".weight", t);
            if (s[1] > 0) {
                float[] b = new float[s[1]];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (rnd.nextGaussian() * scale * 3);
                }
                w.put(n.name() + ".bias", b);
            }
        }
        return w;
    }

    /** {weights, biases, rows} of a weight node, or null. Layouts: conv [F][C][K][K], dense/readout [out][in]. */
    private static int[] sizes(Node n) {
        if (n instanceof Conv2dNode c) {
            return new int[] {c.filters() * c.inChannels() * c.kernel() * c.kernel(), c.bias() ? c.filters() : 0,
                c.filters()};
        } else if (n instanceof DenseNode d) {
            return new int[] {d.units() * d.inFeatures(), d.bias() ? d.units() : 0, d.units()};
        } else if (n instanceof ReadoutNode r) {
            return new int[] {r.classes() * r.inFeatures(), r.bias() ? r.classes() : 0, r.classes()};
        }
        return null;
    }

    /** A random small model: conv, avgpool, dense, residual blocks of both kinds, any readout and encoding. */
    static String randomModel(Random rnd) {
        String[] encodings = {"poisson", "bipolar", "direct"};
        StringBuilder b = new StringBuilder("model rnd\n");
        boolean spatial = rnd.nextInt(4) != 0;
        int c = 1 + rnd.nextInt(3);
        int h = 3 + rnd.nextInt(5);
        int w = 3 + rnd.nextInt(5);
        int n = 1 + rnd.nextInt(12);
        b.append(spatial ? "input " + c + "x" + h + "x" + w : "input " + n)
                .append(" encode ").append(encodings[rnd.nextInt(3)]).append('\n');
        b.append("timesteps ").append(1 + rnd.nextInt(30)).append('\n');
        b.append(String.format(Locale.ROOT, "neuron lif = LIF(beta = %.3f, threshold = %.3f, reset = subtract)%n",
                0.05 + 0.9 * rnd.nextDouble(), 0.01 + 3 * rnd.nextDouble()));
        b.append(String.format(Locale.ROOT, "neuron ifn = IF(threshold = %.3f, reset = zero)%n", 0.01 + 3 * rnd.nextDouble()));
        b.append(String.format(Locale.ROOT, "neuron pool = IF(threshold = %.3f)%n", 0.1 + rnd.nextDouble()));
        b.append("layers {\n");
        List<String> neurons = List.of("lif", "ifn");
        int hidden = rnd.nextInt(4);
        int index = 0;
        for (int i = 0; i < hidden; i++) {
            String nn = neurons.get(rnd.nextInt(2));
            String bias = rnd.nextBoolean() ? ", bias = true" : "";
            String name = "l" + (++index);
            int kind = spatial ? rnd.nextInt(6) : 5 + rnd.nextInt(2);
            switch (kind) {
                case 0, 1 -> {
                    int p = rnd.nextInt(2);
                    int k = 1 + rnd.nextInt(Math.min(3, Math.min(h, w) + 2 * p));
                    int s = 1 + rnd.nextInt(2);
                    int f = 1 + rnd.nextInt(4);
                    b.append(String.format(Locale.ROOT, " %s = conv(%d, kernel = %d, stride = %d, padding = %d%s) -> %s%n",
                            name, f, k, s, p, bias, nn));
                    c = f;
                    h = (h + 2 * p - k) / s + 1;
                    w = (w + 2 * p - k) / s + 1;
                }
                case 2 -> {
                    if (h < 2 || w < 2) {
                        continue;
                    }
                    int k = h >= 3 && w >= 3 && rnd.nextBoolean() ? 3 : 2;
                    b.append(String.format(Locale.ROOT, " %s = avgpool(%d) -> pool%n", name, k));
                    h /= k;
                    w /= k;
                }
                case 3 -> {
                    int k = rnd.nextBoolean() ? 3 : 1;
                    String first = rnd.nextBoolean() ? String.format(Locale.ROOT,
                            "%sa = conv(%d, kernel = 1%s) -> %s ", name, 1 + rnd.nextInt(3), bias, nn) : "";
                    b.append(String.format(Locale.ROOT, " %s = residual { %s%sb = conv(%d, kernel = %d, padding = %d%s) }"
                            + " skip identity -> %s%n", name, first, name, c, k, (k - 1) / 2, bias, nn));
                }
                case 4 -> {
                    int k = rnd.nextBoolean() ? 3 : 1;
                    int s = 1 + rnd.nextInt(2);
                    int f = 1 + rnd.nextInt(4);
                    String first = rnd.nextBoolean() ? String.format(Locale.ROOT,
                            "%sa = conv(%d, kernel = 3, padding = 1%s) -> %s ", name, 1 + rnd.nextInt(3), bias, nn) : "";
                    b.append(String.format(Locale.ROOT, " %s = residual { %s%sb = conv(%d, kernel = %d, stride = %d,"
                                    + " padding = %d%s) } skip conv(%d, kernel = 1, stride = %d%s) -> %s%n", name, first,
                            name, f, k, s, (k - 1) / 2, bias, f, s, rnd.nextBoolean() ? ", bias = true" : "", nn));
                    c = f;
                    h = (h - 1) / s + 1;
                    w = (w - 1) / s + 1;
                }
                case 5 -> {
                    n = 1 + rnd.nextInt(8);
                    b.append(String.format(Locale.ROOT, " %s = dense(%d%s) -> %s%n", name, n, bias, nn));
                    spatial = false;
                }
                default -> b.append(String.format(Locale.ROOT, " %s = residual { %sb = dense(%d%s) } skip identity -> %s%n",
                        name, name, n, bias, nn));
            }
        }
        String bias = rnd.nextBoolean() ? ", bias = true" : "";
        switch (rnd.nextInt(3)) {
            case 0 -> b.append(" out = readout(").append(1 + rnd.nextInt(5)).append(bias).append(")\n");
            case 1 -> b.append(String.format(Locale.ROOT, " out = readout(%d, mode = membrane, beta = %.3f%s)%n",
                    1 + rnd.nextInt(5), 0.05 + 0.95 * rnd.nextDouble(), bias));
            default -> b.append(" out = readout(").append(1 + rnd.nextInt(5)).append(", mode = count").append(bias)
                    .append(") -> ").append(neurons.get(rnd.nextInt(2))).append('\n');
        }
        b.append("}\ndeploy {\n");
        b.append(" weights = int(").append(2 + rnd.nextInt(15)).append(rnd.nextBoolean() ? ", per_channel" : ", per_layer")
                .append(")\n");
        b.append(" membrane = int(").append(4 + rnd.nextInt(29)).append(")\n");
        b.append(" leak = ").append(rnd.nextBoolean() ? "shift" : "multiplier(16)").append('\n');
        b.append(" overflow = ").append(rnd.nextBoolean() ? "saturate" : "wrap").append("\n}\n");
        return b.toString();
    }
}
