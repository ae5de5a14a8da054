package dev.spikeforge.runtime.integer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.engine.Parameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * The event-driven {@link IntegerSimulator} equals a naive, target-major implementation of
 * SEMANTICS.md section 4 written here, exactly: every spike and every membrane of every layer at
 * every step, the readout, the prediction, and the spike, synaptic-op and input-event counts.
 *
 * <p>Each try builds a random small network as .snn text (conv with random kernel, stride and
 * padding; avgpool; dense; residual blocks with identity and convolution skips; LIF and IF neurons;
 * both resets; biases; the three readouts; the poisson, bipolar and direct encodings; random deploy
 * formats with narrow membranes, every leak form and both overflow modes), random float weights
 * scaled so that thresholds land near the membrane's range (large currents saturate or wrap, negative
 * weights and biases drive membranes below zero), and a random input. Cases the quantiser refuses
 * are skipped. The naive model reads the integer weights in their original layouts and loops over
 * every input of every neuron; it uses no simulator code and none of {@link QuantLeak}'s arithmetic.
 */
class IntegerSimulatorPropertyTest {

    enum InputKind { POISSON, BIPOLAR, DIRECT }

    // Statistics are collected for the coverage checks (saturation, negative membranes, spikes and every
    // synapse kind must actually occur); their tables are not printed on every build.
    @Property(tries = 200, maxDiscardRatio = 3)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void simulatorEqualsTheNaiveIntegerSemantics(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int steps,
                                                  @ForAll InputKind encoding) {
        Case c = Case.generate(seed, steps, encoding);
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow());
        o = o.withShiftTowardZero(c.towardZero);
        Quantizer.Result r = Quantizer.quantize(c.net, c.weights, o);
        String refusal = r.diagnostics().stream().filter(Diagnostic::isError).map(d -> d.code().name()).findFirst()
                .orElse("quantised");
        Statistics.label("quantiser").collect(refusal);
        Assume.that(r.ok());
        QuantizedNetwork q = r.network();

        int[] all = IntStream.range(0, q.layers().size()).toArray();
        SampleResult got = new IntegerSimulator(q).run(c.input, all);
        Naive want = new Naive(q, c.input);

        Statistics.label("saturated or wrapped").collect(want.clamped);
        Statistics.label("negative membrane").collect(want.negative);
        Statistics.label("hidden spikes").collect(want.hiddenSpikes > 0);
        Statistics.label("leak").collect(c.leak.replaceAll("\\(.*", "") + (c.towardZero ? ", toward_zero" : ""));
        Statistics.label("readout").collect(q.readout().readout().keyword());
        for (String kind : List.of("conv", "avgpool", "identity", "dense")) {
            boolean present = q.layers().stream().flatMap(l -> l.synapses().stream()).anyMatch(s -> s.kind().equals(kind));
            Statistics.label("has " + kind).collect(present);
            Statistics.label("has " + kind).coverage(k -> k.check(true).percentage(p -> p >= 5));
        }
        boolean poolInBlock = q.layers().stream().anyMatch(l -> l.synapses().size() == 2
                && l.synapses().stream().anyMatch(Synapse.Pool.class::isInstance));
        Statistics.label("pool ends a residual block").collect(poolInBlock);
        Statistics.label("pool ends a residual block").coverage(k -> k.check(true).percentage(p -> p >= 4));
        Statistics.label("saturated or wrapped").coverage(k -> k.check(true).percentage(p -> p >= 15));
        Statistics.label("negative membrane").coverage(k -> k.check(true).percentage(p -> p >= 30));
        Statistics.label("hidden spikes").coverage(k -> k.check(true).percentage(p -> p >= 25));

        compare(c, q, want, got);
    }

    /** Every recorded value, step by step and layer by layer; the first difference is named. */
    private static void compare(Case c, QuantizedNetwork q, Naive want, SampleResult got) {
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                QuantLayer layer = q.layers().get(l);
                for (int n = 0; n < layer.size(); n++) {
                    int gs = got.spikeRecord()[l][t][n];
                    int ws = want.spikeRec[l][t][n];
                    long gm = got.membraneRecord()[l][t][n];
                    long wm = want.memRec[l][t][n];
                    if (gs != ws || gm != wm) {
                        fail(String.format(Locale.ROOT, "first difference at step %d, layer %d ('%s'), neuron %d: "
                                        + "spike simulator=%d naive=%d, membrane simulator=%d naive=%d%n%s",
                                t + 1, l, layer.node(), n, gs, ws, gm, wm, c.describe(q)));
                    }
                }
            }
        }
        assertArrayEquals(want.readout, got.readout(), () -> "readout\n" + c.describe(q));
        assertEquals(want.prediction, got.prediction(), () -> "prediction\n" + c.describe(q));
        assertArrayEquals(want.spikes, got.spikes(), () -> "spike counts per layer\n" + c.describe(q));
        assertArrayEquals(want.synapticOps, got.synapticOps(), () -> "synaptic ops per layer\n" + c.describe(q));
        assertEquals(want.inputEvents, got.inputEvents(), () -> "input events\n" + c.describe(q));
    }

    // ---- the naive integer model -----------------------------------------------------------

    /** SEMANTICS.md section 4, target-major: for each neuron, every one of its inputs. */
    static final class Naive {
        final long[] readout;
        final int prediction;
        final long[] spikes;
        final long[] synapticOps;
        long inputEvents;
        final int[][][] spikeRec;
        final long[][][] memRec;
        boolean clamped;
        boolean negative;
        long hiddenSpikes;

        Naive(QuantizedNetwork q, int[] input) {
            int layers = q.layers().size();
            int steps = q.timesteps();
            int inputs = q.inputSize();
            QuantizedNetwork.Numerics num = q.numerics();
            spikes = new long[layers];
            synapticOps = new long[layers];
            spikeRec = new int[layers][steps][];
            memRec = new long[layers][steps][];
            long[][] v = new long[layers][];
            for (int l = 0; l < layers; l++) {
                v[l] = new long[q.layers().get(l).size()];
            }
            QuantLayer out = q.readout();
            long[] counts = new long[out.size()];
            for (int t = 0; t < steps; t++) {
                int[] x = Arrays.copyOfRange(input, t * inputs, (t + 1) * inputs);
                for (int value : x) {
                    inputEvents += value != 0 ? 1 : 0;
                }
                for (int l = 0; l < layers; l++) {
                    QuantLayer layer = q.layers().get(l);
                    int size = layer.size();
                    long[] current = current(layer, x, spikeRec, t, synapticOps, l);
                    int[] s = new int[size];
                    int perChannel = size / layer.channels();
                    for (int n = 0; n < size; n++) {
                        if (layer.readout() == ReadoutMode.ACCUMULATE) {
                            v[l][n] = v[l][n] + current[n];
                            continue;
                        }
                        long h = leak(layer.leak(), v[l][n], num.shiftTowardZero()) + current[n];
                        if (layer.readout() == ReadoutMode.MEMBRANE) {
                            v[l][n] = h;
                            continue;
                        }
                        long limited = limit(h, num.membraneBits(), num.overflow());
                        clamped |= limited != h;
                        long theta = layer.theta()[n / perChannel];
                        s[n] = limited >= theta ? 1 : 0;
                        if (s[n] == 1) {
                            v[l][n] = layer.reset() == Reset.SUBTRACT ? limited - theta : 0;
                        } else {
                            v[l][n] = limited;
                        }
                        negative |= v[l][n] < 0;
                        spikes[l] += s[n];
                        if (layer.readout() == ReadoutMode.COUNT) {
                            counts[n] += s[n];
                        } else {
                            hiddenSpikes += s[n];
                        }
                    }
                    spikeRec[l][t] = s;
                    memRec[l][t] = v[l].clone();
                }
            }
            readout = out.spiking() ? counts : v[layers - 1].clone();
            int best = 0;
            for (int i = 1; i < readout.length; i++) {
                if (readout[i] > readout[best]) {
                    best = i;
                }
            }
            prediction = best;
        }

        /** I[n] = bias + the sum over every synapse of weight times input, looping over all inputs. */
        private static long[] current(QuantLayer layer, int[] input, int[][][] spikeRec, int t, long[] ops, int l) {
            int size = layer.size();
            Shape shape = layer.shape();
            long[] cur = new long[size];
            int features = shape.rank() == 3 ? shape.dim(0) : size;
            if (layer.bias() != null) {
                for (int n = 0; n < size; n++) {
                    cur[n] = layer.bias()[n / (size / features)];
                }
            }
            for (Synapse syn : layer.synapses()) {
                int[] x = syn.source() < 0 ? input : spikeRec[syn.source()][t];
                assertEquals(syn.inShape().size(), x.length, "source size of a synapse into " + layer.node());
                if (syn instanceof Synapse.Dense d) {
                    int in = d.inFeatures();
                    assertEquals(size, d.outFeatures());
                    for (int o = 0; o < d.outFeatures(); o++) {
                        for (int i = 0; i < in; i++) {
                            cur[o] += (long) d.weights()[o * in + i] * x[i];
                            ops[l] += x[i] != 0 ? 1 : 0;
                        }
                    }
                } else if (syn instanceof Synapse.Conv c) {
                    int channels = syn.inShape().dim(0);
                    int h = syn.inShape().dim(1);
                    int w = syn.inShape().dim(2);
                    int oh = shape.dim(1);
                    int ow = shape.dim(2);
                    int k = c.kernel();
                    assertEquals(c.filters(), shape.dim(0));
                    for (int f = 0; f < c.filters(); f++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int n = (f * oh + oy) * ow + ox;
                                for (int ch = 0; ch < channels; ch++) {
                                    for (int ky = 0; ky < k; ky++) {
                                        for (int kx = 0; kx < k; kx++) {
                                            int iy = oy * c.stride() - c.padding() + ky;
                                            int ix = ox * c.stride() - c.padding() + kx;
                                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                                continue;
                                            }
                                            int xv = x[(ch * h + iy) * w + ix];
                                            cur[n] += (long) c.weights()[((f * channels + ch) * k + ky) * k + kx] * xv;
                                            ops[l] += xv != 0 ? 1 : 0;
                                        }
                                    }
                                }
                            }
                        }
                    }
                } else if (syn instanceof Synapse.Pool p) {
                    int h = syn.inShape().dim(1);
                    int w = syn.inShape().dim(2);
                    int k = p.kernel();
                    for (int ch = 0; ch < shape.dim(0); ch++) {
                        for (int oy = 0; oy < shape.dim(1); oy++) {
                            for (int ox = 0; ox < shape.dim(2); ox++) {
                                int n = (ch * shape.dim(1) + oy) * shape.dim(2) + ox;
                                int pw = p.weights()[p.weights().length == 1 ? 0 : n / (size / layer.channels())];
                                for (int i = 0; i < k; i++) {
                                    for (int j = 0; j < k; j++) {
                                        int xv = x[(ch * h + oy * k + i) * w + ox * k + j];
                                        cur[n] += (long) pw * xv;
                                        ops[l] += xv != 0 ? 1 : 0;
                                    }
                                }
                            }
                        }
                    }
                } else if (syn instanceof Synapse.Identity id) {
                    assertEquals(size, x.length, "identity skip into " + layer.node());
                    assertEquals(layer.channels(), id.weights().length);
                    for (int n = 0; n < size; n++) {
                        cur[n] += (long) id.weights()[n / (size / layer.channels())] * x[n];
                        ops[l] += x[n] != 0 ? 1 : 0;
                    }
                } else {
                    throw new AssertionError("unknown synapse " + syn);
                }
            }
            return cur;
        }

        /** leak(v) with this test's own arithmetic: floor division for >>, truncation for toward_zero. */
        static long leak(QuantLeak leak, long v, boolean towardZero) {
            if (leak instanceof QuantLeak.Shift s) {
                return v - shiftRight(v, s.k(), towardZero);
            } else if (leak instanceof QuantLeak.Multiplier m) {
                return shiftRight(v * m.m(), m.fractionBits(), towardZero);
            } else if (leak instanceof QuantLeak.None) {
                return v;
            }
            throw new AssertionError("unknown leak " + leak);
        }

        static long shiftRight(long v, int k, boolean towardZero) {
            long divisor = 1L << k;
            return towardZero ? v / divisor : Math.floorDiv(v, divisor);
        }

        /** The once-per-step M-bit limit: saturate, or wrap modulo 2^M into [-2^(M-1), 2^(M-1)). */
        static long limit(long h, int bits, DeploySpec.Overflow overflow) {
            long half = 1L << (bits - 1);
            if (overflow == DeploySpec.Overflow.WRAP) {
                return Math.floorMod(h + half, 2 * half) - half;
            }
            return Math.max(-half, Math.min(half - 1, h));
        }
    }

    // ---- random cases ----------------------------------------------------------------------

    /** A random small network with its deploy block, float weights and one input sample. */
    static final class Case {
        final long seed;
        final String source;
        final String leak;
        final Network net;
        final Map<String, float[]> weights;
        final int[] input;
        /** Right shifts round toward zero (a target naming {@code toward_zero}) instead of toward minus infinity. */
        final boolean towardZero;

        private Case(long seed, String source, String leak, Network net, Map<String, float[]> weights, int[] input,
                     boolean towardZero) {
            this.seed = seed;
            this.source = source;
            this.leak = leak;
            this.net = net;
            this.weights = weights;
            this.input = input;
            this.towardZero = towardZero;
        }

        static Case generate(long seed, int steps, InputKind encoding) {
            Random rnd = new Random(seed);
            Gen g = new Gen(rnd, encoding);
            String source = g.source(steps);
            Compilation c = SnnFrontEnd.compile(new SourceFile("case.snn", source));
            assertTrue(c.ok(), () -> "the generator wrote an invalid model: " + c.errors() + "\n" + source);
            Network net = c.network();
            Map<String, float[]> weights = g.weights(net);
            int n = Math.toIntExact(net.input().shape().size());
            int[] input = new int[steps * n];
            double density = 0.05 + 0.9 * rnd.nextDouble();
            for (int i = 0; i < input.length; i++) {
                if (rnd.nextDouble() < density) {
                    input[i] = switch (encoding) {
                        case POISSON -> 1;
                        case BIPOLAR -> rnd.nextBoolean() ? 1 : -1;
                        case DIRECT -> rnd.nextInt(4) == 0 ? 255 : 1 + rnd.nextInt(255);
                    };
                }
            }
            return new Case(seed, source, g.leak, net, weights, input, rnd.nextInt(4) == 0);
        }

        String describe(QuantizedNetwork q) {
            StringBuilder b = new StringBuilder("case seed ").append(seed).append(towardZero ? " (shifts toward zero)" : "")
                    .append(":\n").append(source).append('\n');
            for (QuantLayer l : q.layers()) {
                b.append(String.format(Locale.ROOT, "  layer %s: %s theta=%s bias=%s leak=%s%n", l.node(), l.shape(),
                        Arrays.toString(l.theta()), Arrays.toString(l.bias()), l.leak().describe()));
                for (Synapse s : l.synapses()) {
                    int[] w = s instanceof Synapse.Dense d ? d.weights() : s instanceof Synapse.Conv cv ? cv.weights()
                            : s instanceof Synapse.Identity id ? id.weights() : new int[0];
                    b.append("    ").append(s.kind()).append(" from ").append(s.source()).append(' ')
                            .append(s.inShape()).append(' ').append(Arrays.toString(w)).append('\n');
                }
            }
            int n = q.inputSize();
            for (int t = 0; t < q.timesteps(); t++) {
                b.append("  input step ").append(t + 1).append(": ")
                        .append(Arrays.toString(Arrays.copyOfRange(input, t * n, (t + 1) * n))).append('\n');
            }
            return b.toString();
        }
    }

    /** Writes one random model; remembers, per weight node, what its float scale should be. */
    static final class Gen {
        final Random rnd;
        final InputKind encoding;
        final boolean onlyIf;
        final String leak;
        final int weightBits;
        final int membraneBits;
        final StringBuilder neurons = new StringBuilder();
        final StringBuilder layers = new StringBuilder();
        /** weight node -> threshold of the neuron its current charges (1 for non-spiking readouts). */
        final Map<String, Double> thetaOf = new HashMap<>();
        /** weight nodes reading the network input. */
        final List<String> readsInput = new ArrayList<>();
        int neuronCount;
        int layerCount;
        boolean atInput = true;
        // the current shape: c x h x w when spatial, else flat n
        boolean spatial;
        int c;
        int h;
        int w;
        int n;
        double lastTheta;

        Gen(Random rnd, InputKind encoding) {
            this.rnd = rnd;
            this.encoding = encoding;
            int kind = rnd.nextInt(4);
            this.onlyIf = kind == 0;
            this.leak = onlyIf ? "none" : kind == 1 ? "multiplier(" + (4 + rnd.nextInt(13)) + ")" : "shift";
            this.weightBits = 2 + rnd.nextInt(15);
            this.membraneBits = 4 + rnd.nextInt(17);
        }

        String source(int steps) {
            StringBuilder b = new StringBuilder("model prop\n");
            spatial = rnd.nextInt(4) != 0;
            // A pooled residual block is rare by chance (about 4% of cases), too rare for its coverage check
            // to hold reliably in 200 tries, so one spatial case in six opens with one.
            boolean poolBlockFirst = spatial && rnd.nextInt(6) == 0;
            if (spatial) {
                c = 1 + rnd.nextInt(3);
                h = poolBlockFirst ? 2 + 2 * rnd.nextInt(3) : 2 + rnd.nextInt(5);
                w = poolBlockFirst ? 2 + 2 * rnd.nextInt(3) : rnd.nextBoolean() ? h : 2 + rnd.nextInt(5);
                b.append("input ").append(c).append('x').append(h).append('x').append(w);
            } else {
                n = 1 + rnd.nextInt(10);
                b.append("input ").append(n);
            }
            b.append(" encode ").append(encoding.name().toLowerCase(Locale.ROOT)).append('\n');
            b.append("timesteps ").append(steps).append('\n');
            int hidden = rnd.nextInt(4);
            if (poolBlockFirst) {
                poolResidual();
            }
            for (int i = 0; i < hidden; i++) {
                layer();
            }
            readout();
            b.append(neurons).append("layers {\n").append(layers).append("}\n");
            b.append("deploy {\n");
            b.append("    weights = int(").append(weightBits).append(rnd.nextBoolean() ? ", per_channel" : ", per_layer")
                    .append(")\n");
            b.append("    membrane = int(").append(membraneBits).append(")\n");
            b.append("    leak = ").append(leak).append('\n');
            b.append("    overflow = ").append(rnd.nextBoolean() ? "saturate" : "wrap").append('\n');
            b.append("}\n");
            return b.toString();
        }

        private void layer() {
            if (!spatial) {
                if (rnd.nextInt(3) == 0) {
                    flatResidual();
                } else {
                    dense();
                }
                return;
            }
            switch (rnd.nextInt(9)) {
                case 0, 1 -> conv();
                case 2, 7, 8 -> {
                    if (h >= 2 && w >= 2) {
                        pool();
                    } else {
                        conv();
                    }
                }
                case 3 -> identityResidual();
                case 4 -> convSkipResidual();
                case 5 -> dense();
                case 6 -> {
                    if (h >= 2 && w >= 2 && h % 2 == 0 && w % 2 == 0) {
                        poolResidual();
                    } else {
                        identityResidual();
                    }
                }
                default -> {
                    if (rnd.nextBoolean()) {
                        identityResidual();
                    } else {
                        conv();
                    }
                }
            }
        }

        /** A new neuron definition; IF only when the deploy block has no leak (or {@code forceIf}). */
        private String neuron(boolean forceIf) {
            String name = "n" + (++neuronCount);
            double theta = round3(0.05 + 2.95 * Math.pow(rnd.nextDouble(), 2));
            lastTheta = theta;
            String reset = rnd.nextBoolean() ? "subtract" : "zero";
            if (forceIf || onlyIf || rnd.nextInt(3) == 0) {
                neurons.append(String.format(Locale.ROOT, "neuron %s = IF(threshold = %s, reset = %s)%n", name,
                        fmt(theta), reset));
            } else {
                double beta = round3(0.05 + 0.9 * rnd.nextDouble());
                neurons.append(String.format(Locale.ROOT, "neuron %s = LIF(beta = %s, threshold = %s, reset = %s)%n",
                        name, fmt(beta), fmt(theta), reset));
            }
            return name;
        }

        private String name() {
            return "l" + (++layerCount);
        }

        private String bias() {
            return rnd.nextBoolean() ? ", bias = true" : "";
        }

        private void weightNode(String node) {
            thetaOf.put(node, lastTheta);
            if (atInput) {
                readsInput.add(node);
            }
        }

        private String dropout() {
            return rnd.nextInt(6) == 0 ? " dropout 0.25" : "";
        }

        private void conv() {
            int p = rnd.nextInt(2);
            int k = 1 + rnd.nextInt(Math.min(3, Math.min(h, w) + 2 * p));
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(3);
            String l = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = conv(%d, kernel = %d, stride = %d, padding = %d%s) -> %s%s%n",
                    l, f, k, s, p, bias(), nn, dropout()));
            weightNode(l);
            c = f;
            h = (h + 2 * p - k) / s + 1;
            w = (w + 2 * p - k) / s + 1;
            atInput = false;
        }

        private void pool() {
            int k = h >= 3 && w >= 3 && rnd.nextInt(4) == 0 ? 3 : 2;
            String l = name();
            String nn = neuron(true);
            layers.append(String.format(Locale.ROOT, "    %s = avgpool(%d) -> %s%n", l, k, nn));
            h /= k;
            w /= k;
            atInput = false;
        }

        private void dense() {
            if (spatial && rnd.nextInt(3) == 0) {
                layers.append("    ").append(name()).append(" = flatten\n");
            }
            int units = 1 + rnd.nextInt(6);
            String l = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = dense(%d%s) -> %s%s%n", l, units, bias(), nn, dropout()));
            weightNode(l);
            spatial = false;
            n = units;
            atInput = false;
        }

        /** residual { [conv -> n] conv(C, same padding) } skip identity -> n */
        private void identityResidual() {
            String block = name();
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                int k = rnd.nextBoolean() ? 3 : 1;
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s) -> %s ", l,
                        1 + rnd.nextInt(3), k, (k - 1) / 2, bias(), nn));
                weightNode(l);
                atInput = false;
            }
            int k = rnd.nextBoolean() ? 3 : 1;
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s)", last, c, k, (k - 1) / 2,
                    bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip identity -> %s%n", block, body, nn));
            thetaOf.put(last, lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            atInput = false;
        }

        /** residual { avgpool(2) } skip conv(C, kernel = 1, stride = 2) -> n: the pool takes the block's scale */
        private void poolResidual() {
            String block = name();
            boolean blockAtInput = atInput;
            String last = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s = avgpool(2) } skip conv(%d, kernel = 1, stride = 2%s) -> %s%n",
                    block, last, c, bias(), nn));
            thetaOf.put(block + ".skip", lastTheta);
            if (blockAtInput) {
                readsInput.add(block + ".skip");
            }
            h /= 2;
            w /= 2;
            atInput = false;
        }

        /** residual { [conv -> n] conv(F, stride s, same padding) } skip conv(F, kernel = 1, stride = s) -> n */
        private void convSkipResidual() {
            String block = name();
            boolean blockAtInput = atInput;
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                int k = rnd.nextBoolean() ? 3 : 1;
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s) -> %s ", l,
                        1 + rnd.nextInt(3), k, (k - 1) / 2, bias(), nn));
                weightNode(l);
                atInput = false;
            }
            int k = rnd.nextBoolean() ? 3 : 1;
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(3);
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, stride = %d, padding = %d%s)", last, f, k,
                    s, (k - 1) / 2, bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip conv(%d, kernel = 1, stride = %d%s) -> %s%n",
                    block, body, f, s, bias(), nn));
            thetaOf.put(last, lastTheta);
            thetaOf.put(block + ".skip", lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            if (blockAtInput) {
                readsInput.add(block + ".skip");
            }
            c = f;
            h = (h - 1) / s + 1;
            w = (w - 1) / s + 1;
            atInput = false;
        }

        /** residual { [dense -> n] dense(N) } skip identity -> n */
        private void flatResidual() {
            String block = name();
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = dense(%d%s) -> %s ", l, 1 + rnd.nextInt(5), bias(), nn));
                weightNode(l);
                atInput = false;
            }
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = dense(%d%s)", last, n, bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip identity -> %s%n", block, body, nn));
            thetaOf.put(last, lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            atInput = false;
        }

        private void readout() {
            int classes = 1 + rnd.nextInt(4);
            String l = "out";
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = accumulate%s)%n", l, classes,
                            bias()));
                    lastTheta = 1;
                }
                case 1 -> {
                    double beta = onlyIf || rnd.nextInt(5) == 0 ? 1 : round3(0.05 + 0.9 * rnd.nextDouble());
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = membrane, beta = %s%s)%n", l,
                            classes, fmt(beta), bias()));
                    lastTheta = 1;
                }
                default -> {
                    String nn = neuron(false);
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = count%s) -> %s%n", l, classes,
                            bias(), nn));
                }
            }
            weightNode(l);
        }

        /**
         * Float weights per tensor: a random distribution (gaussian, uniform, sparse, with outliers,
         * with all-zero rows, with a negative offset), scaled so that the neuron's quantised threshold
         * lands between about 0.3 and the membrane's limit (larger ones are refused with E502).
         */
        Map<String, float[]> weights(Network net) {
            Map<String, float[]> out = new LinkedHashMap<>();
            long qmax = (1L << (weightBits - 1)) - 1;
            long memMax = (1L << (membraneBits - 1)) - 1;
            for (Map.Entry<String, Integer> e : Parameters.sizes(net).entrySet()) {
                String key = e.getKey();
                String node = key.substring(0, key.lastIndexOf('.'));
                int rows = rows(net.node(node));
                int len = e.getValue();
                double theta = thetaOf.getOrDefault(node, 1.0);
                double targetTheta = Math.exp(Math.log(0.3) + rnd.nextDouble() * (Math.log(memMax) - Math.log(0.3)));
                double maxAbs = theta * qmax / targetTheta;
                if (encoding == InputKind.DIRECT && readsInput.contains(node)) {
                    maxAbs *= 255;
                }
                float[] t = new float[len];
                if (key.endsWith(".bias")) {
                    double spread = maxAbs * (rnd.nextInt(3) == 0 ? 3 + 10 * rnd.nextDouble() : rnd.nextDouble());
                    double offset = rnd.nextInt(3) == 0 ? -spread / 2 : 0;
                    for (int i = 0; i < len; i++) {
                        t[i] = (float) (offset + spread * rnd.nextGaussian());
                    }
                    out.put(key, t);
                    continue;
                }
                int style = rnd.nextInt(5);
                double offset = rnd.nextInt(4) == 0 ? -0.4 : rnd.nextInt(6) == 0 ? 0.4 : 0;
                int rowLength = len / rows;
                for (int r = 0; r < rows; r++) {
                    if (rows > 1 && rnd.nextInt(8) == 0) {
                        continue; // an all-zero row: its channel takes the layer's scale
                    }
                    double[] raw = new double[rowLength];
                    double largest = 0;
                    for (int i = 0; i < rowLength; i++) {
                        raw[i] = switch (style) {
                            case 0 -> rnd.nextGaussian();
                            case 1 -> 2 * rnd.nextDouble() - 1;
                            case 2 -> rnd.nextInt(3) == 0 ? rnd.nextGaussian() : 0;
                            case 3 -> rnd.nextInt(10) == 0 ? 20 * rnd.nextGaussian() : rnd.nextGaussian();
                            default -> rnd.nextInt(5) - 2;
                        } + offset;
                        largest = Math.max(largest, Math.abs(raw[i]));
                    }
                    double rowScale = largest == 0 ? 0 : maxAbs * (0.5 + 0.5 * rnd.nextDouble()) / largest;
                    for (int i = 0; i < rowLength; i++) {
                        t[r * rowLength + i] = (float) (raw[i] * rowScale);
                    }
                }
                out.put(key, t);
            }
            return out;
        }

        private static int rows(Node node) {
            if (node instanceof Conv2dNode cv) {
                return cv.filters();
            } else if (node instanceof DenseNode d) {
                return d.units();
            } else if (node instanceof ReadoutNode r) {
                return r.classes();
            }
            throw new IllegalArgumentException("no weights on " + node);
        }

        private static double round3(double v) {
            return Math.round(v * 1000) / 1000.0;
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
    }
}
