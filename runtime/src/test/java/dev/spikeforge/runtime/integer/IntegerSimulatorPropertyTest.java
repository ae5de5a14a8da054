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
 * docs/semantics.md section 4 written here, exactly: every spike and every membrane of every layer
 * at every step, the readout, the prediction, and the spike, synaptic-op and input-event counts.
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


    // Statistics are collected for the coverage checks (saturation, negative membranes, spikes and every
    // synapse kind must actually occur); their tables are not printed on every build.
    @Property(tries = 200, maxDiscardRatio = 3)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void simulatorEqualsTheNaiveIntegerSemantics(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int steps,
                                                  @ForAll RandomNetworks.InputKind encoding) {
        RandomNetworks.Case c = RandomNetworks.generate(seed, steps, encoding, false);
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
    private static void compare(RandomNetworks.Case c, QuantizedNetwork q, Naive want, SampleResult got) {
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

    /** docs/semantics.md section 4.6, target-major: for each neuron, every one of its inputs. */
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
}
