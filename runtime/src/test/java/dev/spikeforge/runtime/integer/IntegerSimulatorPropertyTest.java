package dev.spikeforge.runtime.integer;

import static dev.spikeforge.runtime.integer.IntegerPropertySupport.convCurrent;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.denseCurrent;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.leak;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.limit;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.poolCurrent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
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
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.integer.IntegerPropertySupport.Recorded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
                                                  @ForAll RandomNetworks.InputKind encoding,
                                                  @ForAll Timing timing) {
        RandomNetworks.Case c = RandomNetworks.generate(seed, steps, encoding, false);
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow());
        o = o.withShiftTowardZero(c.towardZero);
        Quantizer.Result r = Quantizer.quantize(c.net, c.weights, o);
        String refusal = r.diagnostics().stream().filter(Diagnostic::isError).map(d -> d.code().name()).findFirst()
                .orElse("quantised");
        Statistics.label("quantiser").collect(refusal);
        Assume.that(r.ok());
        QuantizedNetwork q = r.network().withTiming(timing);
        Statistics.label("timing").collect(timing.keyword());

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

        IntegerPropertySupport.compare(q, want.recorded(), got, () -> c.describe(q));
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
                    long[] current = current(layer, x, spikeRec, t, synapticOps, l, q.timing() == Timing.PIPELINED);
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
            prediction = IntegerPropertySupport.argmax(readout);
        }

        /** I[n] = bias + the sum over every synapse of weight times input, looping over all inputs. */
        /** Pipelined (docs/semantics.md section 2.7): a layer's sources are read as they were at step t-1. */
        private static long[] current(QuantLayer layer, int[] input, int[][][] spikeRec, int t, long[] ops, int l,
                                      boolean pipelined) {
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
                int[] x = syn.source() < 0 ? input : !pipelined ? spikeRec[syn.source()][t]
                        : t == 0 ? new int[(int) syn.inShape().size()] : spikeRec[syn.source()][t - 1];
                assertEquals(syn.inShape().size(), x.length, "source size of a synapse into " + layer.node());
                if (syn instanceof Synapse.Dense d) {
                    assertEquals(size, d.outFeatures());
                    denseCurrent(d, x, cur, ops, l);
                } else if (syn instanceof Synapse.Conv c) {
                    assertEquals(c.filters(), shape.dim(0));
                    convCurrent(c, shape, x, cur, ops, l);
                } else if (syn instanceof Synapse.Pool p) {
                    poolCurrent(p, layer, x, cur, ops, l);
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

        Recorded recorded() {
            return new Recorded(spikeRec, memRec, readout, prediction, spikes, synapticOps, inputEvents);
        }
    }
}
