package dev.spikeforge.runtime.integer;

import static dev.spikeforge.runtime.integer.IntegerPropertySupport.convCurrent;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.denseCurrent;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.leak;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.limit;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.poolCurrent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.integer.IntegerPropertySupport.Recorded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The event-driven {@link IntegerSimulator} equals a naive implementation of docs/semantics.md
 * sections 4.6 and 4.9 to 4.11 written here, on temporal networks ({@link TemporalNetworks}: CUBA,
 * recurrent full and diagonal, conv1d, maxpool on CxL and CxHxW, conv, avgpool, LIF and IF, every
 * leak form, saturate and wrap): every spike and every membrane of every layer at every step, the
 * readout, the prediction, the spike, synaptic-op and input-event counts.
 *
 * <p>The naive model loops over time, then layers, then every neuron and every one of its inputs
 * (no events), reads the integer weights in their original layouts, and uses its own arithmetic
 * for leaks and limits (floor division, truncation, modulo), none of the simulator's or of
 * {@link QuantLeak#apply}. Over all tries the rare paths must each have been taken often enough
 * (checked after the last try): the synaptic current saturated or wrapped, the membrane saturated
 * or wrapped, a negative current, a recurrent synapse delivering a spike, a maxpool window with two
 * or more spikes (1-D and 2-D). The counts are printed at the end.
 */
class TemporalIntegerPropertyTest {

    static final int TRIES = 500;

    /** Coverage over all tries: how many tries took each path (a try counts once per path). */
    static final Map<String, AtomicLong> COVERAGE = new LinkedHashMap<>();
    /** Minimum number of tries (of {@link #TRIES}) that must take each path. */
    static final Map<String, Integer> MINIMUM = new LinkedHashMap<>();

    static {
        MINIMUM.put("quantised", 350);
        MINIMUM.put("synaptic current saturated or wrapped", 50);
        MINIMUM.put("membrane saturated or wrapped", 80);
        MINIMUM.put("negative synaptic current", 150);
        MINIMUM.put("recurrent synapse delivered a spike", 40);
        MINIMUM.put("diagonal recurrent synapse delivered a spike", 15);
        MINIMUM.put("maxpool window with 2+ spikes (CxL)", 12);
        MINIMUM.put("maxpool window with 2+ spikes (CxHxW)", 12);
        MINIMUM.put("conv1d synapse", 50);
        MINIMUM.put("CUBA layer (synaptic current)", 200);
        MINIMUM.put("CUBA layer with leak none on the membrane (beta = 1)", 40);
        MINIMUM.put("current_bits narrower than the membrane", 40);
        MINIMUM.put("hidden spikes", 200);
        MINIMUM.put("every layer's max_current met exactly by a neuron", 200);
        MINIMUM.put("pipelined timing", 150);
        for (String k : MINIMUM.keySet()) {
            COVERAGE.put(k, new AtomicLong());
        }
    }

    @BeforeContainer
    static void reset() {
        COVERAGE.values().forEach(c -> c.set(0));
    }

    @AfterContainer
    static void coverageWasReached() {
        StringBuilder report = new StringBuilder("TemporalIntegerPropertyTest coverage over " + TRIES + " tries:\n");
        COVERAGE.forEach((k, v) -> report.append(String.format(Locale.ROOT, "  %-55s %4d (at least %d)%n", k, v.get(),
                MINIMUM.get(k))));
        System.out.print(report);
        COVERAGE.forEach((k, v) -> assertTrue(v.get() >= MINIMUM.get(k), k + ": " + v.get() + " tries, below "
                + MINIMUM.get(k) + "\n" + report));
    }

    private static void covered(String what, boolean happened) {
        if (happened) {
            COVERAGE.get(what).incrementAndGet();
        }
    }

    @Property(tries = TRIES, maxDiscardRatio = 2)
    void simulatorEqualsTheNaiveTemporalSemantics(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int steps,
                                                  @ForAll TemporalNetworks.InputKind encoding,
                                                  @ForAll Timing timing) {
        TemporalNetworks.Case c = TemporalNetworks.generate(seed, steps, encoding);
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow()).withShiftTowardZero(c.towardZero);
        Quantizer.Result r = Quantizer.quantize(c.net, c.weights, o);
        if (!r.ok()) {
            // only the formats may refuse a generated model: a threshold over the membrane (E502)
            assertTrue(r.diagnostics().stream().filter(Diagnostic::isError).allMatch(d -> d.code().name().equals("E502")),
                    () -> r.diagnostics() + "\n" + c.source);
        }
        Assume.that(r.ok());
        covered("quantised", true);
        QuantizedNetwork q = r.network().withTiming(timing);
        covered("pipelined timing", timing == Timing.PIPELINED);

        int[] all = IntStream.range(0, q.layers().size()).toArray();
        SampleResult got = new IntegerSimulator(q).run(c.input, all);
        Naive want = new Naive(q, c.input);

        covered("synaptic current saturated or wrapped", want.currentLimited);
        covered("membrane saturated or wrapped", want.membraneLimited);
        covered("negative synaptic current", want.negativeCurrent);
        covered("recurrent synapse delivered a spike", want.recurrentSpikes > 0);
        covered("diagonal recurrent synapse delivered a spike", want.diagonalSpikes > 0);
        covered("maxpool window with 2+ spikes (CxL)", want.fullWindows1d > 0);
        covered("maxpool window with 2+ spikes (CxHxW)", want.fullWindows2d > 0);
        covered("conv1d synapse", q.layers().stream().flatMap(l -> l.synapses().stream())
                .anyMatch(Synapse.Conv1d.class::isInstance));
        covered("CUBA layer (synaptic current)", q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent));
        covered("CUBA layer with leak none on the membrane (beta = 1)", q.layers().stream()
                .anyMatch(l -> l.hasSynapticCurrent() && l.leak() instanceof QuantLeak.None));
        covered("current_bits narrower than the membrane", q.numerics().currentBits() < q.numerics().membraneBits()
                && q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent));
        covered("hidden spikes", want.hiddenSpikes > 0);

        IntegerPropertySupport.compare(q, want.recorded(), got, () -> c.describe(q));
        boolean exact = true;
        for (int l = 0; l < q.layers().size(); l++) {
            QuantLayer layer = q.layers().get(l);
            long bound = layer.maxMembraneInput(q.numerics());
            int at = l;
            assertTrue(want.largestCurrent[l] <= bound, () -> "layer " + layer.node() + ": |c| reached "
                    + want.largestCurrent[at] + ", over the bound " + bound + "\n" + c.describe(q));
            // docs/semantics.md section 4.8: the analysed current bounds every neuron's worst current, and
            // the guard bits hold it over the register it accumulates in (the current's width for CUBA)
            long worst = Arrays.stream(want.worstCurrent(layer, l, q.inputLimit())).max().orElse(0);
            assertTrue(worst <= layer.maxCurrent(), () -> "layer " + layer.node() + ": a neuron's worst current "
                    + worst + " exceeds max_current " + layer.maxCurrent() + "\n" + c.describe(q));
            exact &= worst == layer.maxCurrent();
            if (layer.spiking() && layer.guardBits() < 63) {
                int register = layer.hasSynapticCurrent() ? q.numerics().currentBits() : q.numerics().membraneBits();
                assertTrue(worst <= (1L << (register - 1)) * ((1L << layer.guardBits()) - 1),
                        () -> "layer " + layer.node() + ": guard bits " + layer.guardBits() + " do not hold " + worst);
            }
        }
        covered("every layer's max_current met exactly by a neuron", exact);
    }

    // ---- the naive integer model -----------------------------------------------------------

    /**
     * docs/semantics.md sections 4.6 and 4.9 to 4.11, target-major. Per step t, per layer in order:
     * I[n] = bias + every synapse's sum over all of n's inputs (a recurrent synapse reads the layer's
     * own spikes of step t-1, none at the first step); with a synaptic current c[n] =
     * limit_C(decay(c[n]) + I[n]) and the membrane takes c[n]; then h = limit_M(leak(v) + current),
     * fire at h >= theta, reset.
     */
    static final class Naive {
        final long[] readout;
        final int prediction;
        final long[] spikes;
        final long[] synapticOps;
        long inputEvents;
        final int[][][] spikeRec;
        final long[][][] memRec;
        final long[] largestCurrent;
        final int[] sizes;
        final int inputSize;
        boolean currentLimited;
        boolean membraneLimited;
        boolean negativeCurrent;
        long hiddenSpikes;
        long recurrentSpikes;
        long diagonalSpikes;
        long fullWindows1d;
        long fullWindows2d;

        Naive(QuantizedNetwork q, int[] input) {
            int layers = q.layers().size();
            int steps = q.timesteps();
            int inputs = q.inputSize();
            QuantizedNetwork.Numerics num = q.numerics();
            boolean towardZero = num.shiftTowardZero();
            spikes = new long[layers];
            synapticOps = new long[layers];
            spikeRec = new int[layers][steps][];
            memRec = new long[layers][steps][];
            largestCurrent = new long[layers];
            inputSize = inputs;
            sizes = q.layers().stream().mapToInt(QuantLayer::size).toArray();
            long[][] v = new long[layers][];
            long[][] syn = new long[layers][];
            for (int l = 0; l < layers; l++) {
                v[l] = new long[q.layers().get(l).size()];
                syn[l] = new long[q.layers().get(l).size()];
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
                    int step = t;
                    // pipelined (docs/semantics.md section 2.7): the sources as they were at step t-1
                    long[] current = current(layer, l, src -> src < 0 ? x : q.timing() == Timing.SEQUENTIAL
                            ? spikeRec[src][step] : step == 0 ? new int[sizes[src]] : spikeRec[src][step - 1],
                            t == 0 ? new int[size] : spikeRec[l][t - 1], true);
                    if (layer.synapticLeak() != null) {
                        for (int n = 0; n < size; n++) {
                            long c = leak(layer.synapticLeak(), syn[l][n], towardZero) + current[n];
                            long limited = limit(c, num.currentBits(), num.overflow());
                            currentLimited |= limited != c;
                            negativeCurrent |= limited < 0;
                            syn[l][n] = limited;
                            current[n] = limited;
                            largestCurrent[l] = Math.max(largestCurrent[l], Math.abs(limited));
                        }
                    }
                    int[] s = new int[size];
                    int perChannel = size / layer.channels();
                    for (int n = 0; n < size; n++) {
                        if (layer.readout() == ReadoutMode.ACCUMULATE) {
                            v[l][n] = v[l][n] + current[n];
                            continue;
                        }
                        long h = leak(layer.leak(), v[l][n], towardZero) + current[n];
                        if (layer.readout() == ReadoutMode.MEMBRANE) {
                            v[l][n] = h;
                            continue;
                        }
                        long limited = limit(h, num.membraneBits(), num.overflow());
                        membraneLimited |= limited != h;
                        long theta = layer.theta()[n / perChannel];
                        s[n] = limited >= theta ? 1 : 0;
                        if (s[n] == 1) {
                            v[l][n] = layer.reset() == Reset.SUBTRACT ? limited - theta : 0;
                        } else {
                            v[l][n] = limited;
                        }
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

        /**
         * The worst current of each neuron of a layer: every input at its largest value (the input
         * limit, or 1 for spikes), every weight and the bias by magnitude.
         */
        long[] worstCurrent(QuantLayer layer, int l, int inputLimit) {
            List<Synapse> abs = new ArrayList<>();
            for (Synapse s : layer.synapses()) {
                abs.add(s instanceof Synapse.Dense d ? new Synapse.Dense(d.node(), d.source(), d.inShape(), d.inFeatures(),
                        d.outFeatures(), abs(d.weights()))
                        : s instanceof Synapse.Conv c ? new Synapse.Conv(c.node(), c.source(), c.inShape(), c.filters(),
                        c.kernel(), c.stride(), c.padding(), abs(c.weights()))
                        : s instanceof Synapse.Conv1d c ? new Synapse.Conv1d(c.node(), c.source(), c.inShape(), c.filters(),
                        c.kernel(), c.stride(), c.padding(), abs(c.weights()))
                        : s instanceof Synapse.Recurrent r ? new Synapse.Recurrent(r.node(), r.source(), r.inShape(),
                        r.units(), r.diagonal(), abs(r.weights()))
                        : s instanceof Synapse.Pool p ? new Synapse.Pool(p.source(), p.inShape(), p.kernel(), abs(p.weights()))
                        : s);
            }
            long[] bias = layer.bias() == null ? null : layer.bias().clone();
            for (int i = 0; bias != null && i < bias.length; i++) {
                bias[i] = Math.abs(bias[i]);
            }
            QuantLayer worst = new QuantLayer(layer.layer(), layer.node(), layer.pos(), layer.readout(), layer.shape(),
                    layer.channels(), abs, bias, layer.theta(), layer.reset(), layer.leak(), layer.scale(),
                    layer.floatTheta(), layer.floatBeta(), layer.maxCurrent(), layer.guardBits(), layer.stats(),
                    layer.synapticLeak(), layer.floatAlpha());
            int[] ones = new int[layer.size()];
            Arrays.fill(ones, 1);
            return current(worst, l, src -> {
                int[] all = new int[src < 0 ? spikeRec.length == 0 ? 0 : inputSize : sizes[src]];
                Arrays.fill(all, src < 0 ? inputLimit : 1);
                return all;
            }, ones, false);
        }

        private static int[] abs(int[] w) {
            int[] a = new int[w.length];
            for (int i = 0; i < w.length; i++) {
                a[i] = Math.abs(w[i]);
            }
            return a;
        }

        /**
         * I[n] = bias + the sum over every synapse of weight times input, looping over all inputs;
         * {@code source} gives the values a source layer (-1: the input) has at this step,
         * {@code previous} the layer's own spikes of the step before (recurrent synapses).
         */
        private long[] current(QuantLayer layer, int l, IntFunction<int[]> source, int[] previous, boolean count) {
            long[] ops = count ? synapticOps : new long[synapticOps.length];
            long recurrentBefore = recurrentSpikes;
            long diagonalBefore = diagonalSpikes;
            long windows1d = fullWindows1d;
            long windows2d = fullWindows2d;
            long[] cur = currentOf(layer, l, source, previous, ops);
            if (!count) {
                recurrentSpikes = recurrentBefore;
                diagonalSpikes = diagonalBefore;
                fullWindows1d = windows1d;
                fullWindows2d = windows2d;
            }
            return cur;
        }

        private long[] currentOf(QuantLayer layer, int l, IntFunction<int[]> source, int[] previous, long[] synapticOps) {
            int size = layer.size();
            Shape shape = layer.shape();
            long[] cur = new long[size];
            int features = shape.rank() >= 2 ? shape.dim(0) : size;
            if (layer.bias() != null) {
                for (int n = 0; n < size; n++) {
                    cur[n] = layer.bias()[n / (size / features)];
                }
            }
            for (Synapse syn : layer.synapses()) {
                int[] x;
                if (syn instanceof Synapse.Recurrent) {
                    assertEquals(l, syn.source(), "a recurrent synapse reads its own layer");
                    x = previous;
                } else {
                    x = source.apply(syn.source());
                }
                assertEquals(syn.inShape().size(), x.length, "source size of a synapse into " + layer.node());
                if (syn instanceof Synapse.Dense d) {
                    assertEquals(size, d.outFeatures());
                    denseCurrent(d, x, cur, synapticOps, l);
                } else if (syn instanceof Synapse.Recurrent r) {
                    int u = r.units();
                    assertEquals(size, u);
                    for (int o = 0; o < u; o++) {
                        if (r.diagonal()) {
                            cur[o] += (long) r.weights()[o] * x[o];
                            synapticOps[l] += x[o] != 0 ? 1 : 0;
                            diagonalSpikes += x[o];
                            recurrentSpikes += x[o];
                            continue;
                        }
                        for (int i = 0; i < u; i++) {
                            cur[o] += (long) r.weights()[o * u + i] * x[i];
                            synapticOps[l] += x[i] != 0 ? 1 : 0;
                            recurrentSpikes += x[i];
                        }
                    }
                } else if (syn instanceof Synapse.Conv1d c) {
                    int channels = syn.inShape().dim(0);
                    int len = syn.inShape().dim(1);
                    int outLen = shape.dim(1);
                    int k = c.kernel();
                    assertEquals(c.filters(), shape.dim(0));
                    for (int f = 0; f < c.filters(); f++) {
                        for (int o = 0; o < outLen; o++) {
                            for (int ch = 0; ch < channels; ch++) {
                                for (int kk = 0; kk < k; kk++) {
                                    int ix = o * c.stride() - c.padding() + kk;
                                    if (ix < 0 || ix >= len) {
                                        continue;
                                    }
                                    int xv = x[ch * len + ix];
                                    cur[f * outLen + o] += (long) c.weights()[(f * channels + ch) * k + kk] * xv;
                                    synapticOps[l] += xv != 0 ? 1 : 0;
                                }
                            }
                        }
                    }
                } else if (syn instanceof Synapse.Conv c) {
                    convCurrent(c, shape, x, cur, synapticOps, l);
                } else if (syn instanceof Synapse.MaxPool m) {
                    int k = m.kernel();
                    assertEquals(1, layer.theta().length);
                    assertEquals(1, layer.theta()[0], "a maxpool fires at one spike");
                    if (syn.inShape().rank() == 2) {
                        int len = syn.inShape().dim(1);
                        for (int ch = 0; ch < shape.dim(0); ch++) {
                            for (int o = 0; o < shape.dim(1); o++) {
                                int inWindow = 0;
                                for (int j = 0; j < k; j++) {
                                    inWindow += x[ch * len + o * k + j];
                                    synapticOps[l] += x[ch * len + o * k + j] != 0 ? 1 : 0;
                                }
                                cur[ch * shape.dim(1) + o] += inWindow;
                                fullWindows1d += inWindow >= 2 ? 1 : 0;
                            }
                        }
                    } else {
                        int h = syn.inShape().dim(1);
                        int w = syn.inShape().dim(2);
                        for (int ch = 0; ch < shape.dim(0); ch++) {
                            for (int oy = 0; oy < shape.dim(1); oy++) {
                                for (int ox = 0; ox < shape.dim(2); ox++) {
                                    int inWindow = 0;
                                    for (int i = 0; i < k; i++) {
                                        for (int j = 0; j < k; j++) {
                                            int xv = x[(ch * h + oy * k + i) * w + ox * k + j];
                                            inWindow += xv;
                                            synapticOps[l] += xv != 0 ? 1 : 0;
                                        }
                                    }
                                    cur[(ch * shape.dim(1) + oy) * shape.dim(2) + ox] += inWindow;
                                    fullWindows2d += inWindow >= 2 ? 1 : 0;
                                }
                            }
                        }
                    }
                } else if (syn instanceof Synapse.Pool p) {
                    poolCurrent(p, layer, x, cur, synapticOps, l);
                } else {
                    throw new AssertionError("a synapse the generator does not make: " + syn.kind());
                }
            }
            return cur;
        }

        Recorded recorded() {
            return new Recorded(spikeRec, memRec, readout, prediction, spikes, synapticOps, inputEvents);
        }
    }
}
