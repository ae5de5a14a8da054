package dev.spikeforge.runtime.integer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.engine.IntegerExact;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.FakeQuantizer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The integer-exact forward of quantisation-aware training (docs/semantics.md section 4.13): the
 * float model (float32, the engine as it trains) with {@link FakeQuantizer} weights and
 * {@link IntegerExact} neurons spikes exactly like {@link IntegerSimulator} on the quantised
 * network, at every layer and step, on random temporal networks ({@link TemporalNetworks}: conv,
 * avgpool, maxpool, conv1d, dense with full and diagonal recurrence, IF, LIF and CUBA neurons,
 * the three readouts, every leak form with both shift roundings, the targets' minimum decay and
 * nearest rounding, saturate and wrap, narrow membranes and currents, sequential and pipelined
 * timing, poisson and bipolar spikes, and direct input: bytes in the integer model, byte / 255 in
 * the float model). The readout's prediction is the integer model's, and a non-spiking readout's
 * value is the integer readout times its unit over T. A pooling straight from direct input is
 * refused ({@link IntegerExact.Unsupported}), never run off the grid.
 *
 * <p>Coverage over all tries is checked after the last one and printed: the paths where the float
 * semantics and the integer semantics part (saturation or wrap, the leak's rounding) must each have
 * been taken.
 */
class IntegerExactForwardPropertyTest {

    static final int TRIES = 400;

    static final Map<String, AtomicLong> COVERAGE = new LinkedHashMap<>();
    static final Map<String, Integer> MINIMUM = new LinkedHashMap<>();
    /** The largest residual |I / unit - i| over all tries (double bits). */
    static final AtomicLong LARGEST = new AtomicLong();

    static {
        MINIMUM.put("compared", 200);
        MINIMUM.put("membrane saturated or wrapped", 40);
        MINIMUM.put("synaptic current saturated or wrapped", 20);
        MINIMUM.put("wrap overflow", 60);
        MINIMUM.put("CUBA layer", 80);
        MINIMUM.put("recurrent synapse delivered a spike", 20);
        MINIMUM.put("multiplier leak", 60);
        MINIMUM.put("shift leak", 60);
        MINIMUM.put("leak rounded to nearest or with a minimum decay", 30);
        MINIMUM.put("per-channel thresholds with 2+ channels", 60);
        MINIMUM.put("conv or avgpool (channels-last float layout)", 40);
        MINIMUM.put("convolution fused with integer neurons", 20);
        MINIMUM.put("count readout", 40);
        MINIMUM.put("membrane readout", 40);
        MINIMUM.put("accumulate readout", 40);
        MINIMUM.put("pipelined timing", 80);
        MINIMUM.put("direct input read by a convolution or a product", 60);
        MINIMUM.put("direct input refused", 1);
        MINIMUM.put("hidden spikes", 150);
        MINIMUM.put("float and integer predictions differ without integer-exact", 2);
        for (String k : MINIMUM.keySet()) {
            COVERAGE.put(k, new AtomicLong());
        }
    }

    @BeforeContainer
    static void reset() {
        COVERAGE.values().forEach(c -> c.set(0));
        LARGEST.set(0);
    }

    @AfterContainer
    static void coverageWasReached() {
        StringBuilder report = new StringBuilder("IntegerExactForwardPropertyTest coverage over " + TRIES + " tries:\n");
        COVERAGE.forEach((k, v) -> report.append(String.format(Locale.ROOT, "  %-62s %4d (at least %d)%n", k, v.get(),
                MINIMUM.get(k))));
        report.append(String.format(Locale.ROOT, "  largest residual |I / unit - i| over all tries: %.3g%n",
                Double.longBitsToDouble(LARGEST.get())));
        System.out.print(report);
        COVERAGE.forEach((k, v) -> assertTrue(v.get() >= MINIMUM.get(k), k + ": " + v.get() + " tries, below "
                + MINIMUM.get(k) + "\n" + report));
    }

    private static void covered(String what, boolean happened) {
        if (happened) {
            COVERAGE.get(what).incrementAndGet();
        }
    }

    @Property(tries = TRIES, maxDiscardRatio = 3)
    void integerExactFloatModelSpikesLikeTheIntegerModel(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int steps,
                                                         @ForAll TemporalNetworks.InputKind kind, @ForAll Timing timing) {
        TemporalNetworks.Case c = TemporalNetworks.generate(seed, steps, kind);
        boolean direct = kind == TemporalNetworks.InputKind.DIRECT;
        Random rnd = new Random(seed ^ 0x5EED);
        int rounding = rnd.nextInt(4);
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow()).withShiftTowardZero(c.towardZero)
                .withDecayMinLsb(rounding == 1).withLeakNearest(rounding == 2).withTiming(timing);
        Network net = c.net.withTiming(timing);
        Map<String, double[]> master = new LinkedHashMap<>();
        c.weights.forEach((k, v) -> {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            master.put(k, d);
        });
        FakeQuantizer.Quantised fq;
        try {
            fq = new FakeQuantizer(net, o).quantise(master);
        } catch (FakeQuantizer.QuantisationFailed e) {
            assertTrue(e.getMessage().contains("threshold"), e.getMessage()); // only a threshold over the membrane
            Assume.that(false);
            return;
        }
        QuantizedNetwork q = fq.network();
        IntegerExact exact;
        try {
            exact = IntegerExact.of(q);
        } catch (IntegerExact.Unsupported e) {
            // the generator's unsupported parts: a conv1d with a bias, which stays float, and direct
            // input read by anything but a convolution or a product into a hidden layer, or with
            // sums beyond float32's exact integers (the coverage below checks that most direct
            // cases run)
            boolean conv1dBias = q.layers().stream().anyMatch(l -> l.bias() != null && l.synapses().stream()
                    .anyMatch(Synapse.Conv1d.class::isInstance));
            assertTrue(conv1dBias || direct && e.getMessage().contains("reads the input encoded as direct"),
                    e.getMessage());
            covered("direct input refused", direct && !conv1dBias);
            Assume.that(false);
            return;
        }
        covered("compared", true);
        Map<String, float[]> floats = new LinkedHashMap<>();
        fq.weights().forEach((k, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            floats.put(k, f);
        });
        FloatModel model = new FloatModel(net, new Parameters(floats));
        Set<String> record = new HashSet<>();
        q.layers().forEach(l -> record.add(l.node()));
        // the float model reads spikes as they are and analog input as byte / 255 (the encoder's p, rounded to float)
        float[] input = new float[c.input.length];
        for (int i = 0; i < input.length; i++) {
            input[i] = direct ? (float) (c.input[i] / 255.0) : c.input[i];
        }
        covered("direct input read by a convolution or a product", direct);
        int plain = model.forward(input, 1, Set.of()).prediction(0);
        model.integerExact(exact);
        ForwardResult fr;
        try {
            fr = model.forward(input, 1, record);
        } catch (IntegerExact.OffGrid e) {
            // a current beyond float32's reach (docs/semantics.md 4.13, "Float error"): refused, never
            // rounded silently; any other current off the grid is a failure
            assertTrue(Math.abs(e.units()) >= IntegerExact.OffGrid.FLOAT32_REACH, e.getMessage());
            Assume.that(false);
            return;
        }

        int[] all = IntStream.range(0, q.layers().size()).toArray();
        SampleResult want = new IntegerSimulator(q).run(c.input, all);
        TemporalIntegerPropertyTest.Naive naive = new TemporalIntegerPropertyTest.Naive(q, c.input);
        String where = "\n" + c.describe(q) + "timing " + timing + ", rounding " + rounding;
        QuantLayer readout = q.readout();
        for (int l = 0; l < all.length; l++) {
            QuantLayer layer = q.layers().get(l);
            if (!layer.spiking()) {
                continue;
            }
            float[] acts = fr.recorded().get(layer == readout ? layer.node() + FloatModel.READOUT_SPIKES : layer.node());
            for (int t = 0; t < steps; t++) {
                for (int j = 0; j < layer.size(); j++) {
                    assertEquals(want.spikeRecord()[l][t][j], acts[t * layer.size() + j], 0,
                            "step " + t + " layer " + layer.node() + " neuron " + j + ": the integer model's step "
                                    + Arrays.toString(want.spikeRecord()[l][t]) + ", the float model's "
                                    + Arrays.toString(Arrays.copyOfRange(acts, t * layer.size(), (t + 1) * layer.size()))
                                    + where);
                }
            }
        }
        assertEquals(want.prediction(), fr.prediction(0), "prediction" + where);
        // eval's forward records nothing, and inference then runs a convolution fused with its
        // neurons (and a pooling and its neurons after them), their steps in integers, on the
        // event kernels or on ND4J's convolution: both give the integer model's decisions and spikes
        for (double threshold : new double[] {1, -1}) {
            String path = threshold > 0 ? "event kernels" : "ND4J's kernels";
            ForwardResult bare;
            FloatModel.eventDensityThreshold(threshold);
            try {
                bare = model.forward(input, 1, Set.of());
            } finally {
                FloatModel.eventDensityThreshold(Double.NaN);
            }
            covered("convolution fused with integer neurons", model.lastFusedLayers() > 0);
            assertEquals(want.prediction(), bare.prediction(0), "prediction of a forward that records nothing, " + path + where);
            for (int k = 0; k < readout.size(); k++) {
                assertEquals(fr.readout()[k], bare.readout()[k], 0, "readout " + k + " of a forward that records nothing, "
                        + path + where);
            }
            assertEquals(fr.spikes(), bare.spikes(), "spike counts of a forward that records nothing, " + path + where);
        }
        if (!readout.spiking()) {
            double unit = IntegerExact.unit(readout, 0);
            for (int k = 0; k < readout.size(); k++) {
                assertEquals(want.readout()[k] * unit / steps, fr.readout()[k],
                        Math.ulp((float) (want.readout()[k] * unit / steps)), "readout " + k + where);
            }
        }
        // float32 sums of n terms on the grid: at most (n + 1) 2^-24 times the sum of |terms| (the
        // layer's max_current) from an integer (a current from direct input is its exact integer
        // times the unit, one rounding); 2^-23 leaves a factor 2
        double bound = 0;
        for (QuantLayer l : q.layers()) {
            long terms = 1;
            for (Synapse s : l.synapses()) {
                terms += s.inShape().size();
            }
            bound = Math.max(bound, (terms + 1) * Math.ulp(1f) * l.maxCurrent());
        }
        assertTrue(exact.largestResidual() <= bound, "largest residual " + exact.largestResidual() + " over the bound "
                + bound + where);
        LARGEST.accumulateAndGet(Double.doubleToLongBits(exact.largestResidual()),
                (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);

        covered("membrane saturated or wrapped", naive.membraneLimited);
        covered("synaptic current saturated or wrapped", naive.currentLimited);
        covered("wrap overflow", q.numerics().overflow() == dev.spikeforge.compiler.ir.DeploySpec.Overflow.WRAP);
        covered("CUBA layer", q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent));
        covered("recurrent synapse delivered a spike", naive.recurrentSpikes > 0);
        covered("multiplier leak", q.layers().stream().anyMatch(l -> l.leak() instanceof QuantLeak.Multiplier));
        covered("shift leak", q.layers().stream().anyMatch(l -> l.leak() instanceof QuantLeak.Shift));
        covered("leak rounded to nearest or with a minimum decay", rounding == 1 || rounding == 2);
        covered("per-channel thresholds with 2+ channels", q.layers().stream().anyMatch(l -> l.spiking()
                && l.theta().length > 1));
        covered("conv or avgpool (channels-last float layout)", q.layers().stream().flatMap(l -> l.synapses().stream())
                .anyMatch(s -> s instanceof Synapse.Conv || s instanceof Synapse.Pool));
        covered("count readout", readout.readout() == ReadoutMode.COUNT);
        covered("membrane readout", readout.readout() == ReadoutMode.MEMBRANE);
        covered("accumulate readout", readout.readout() == ReadoutMode.ACCUMULATE);
        covered("pipelined timing", timing == Timing.PIPELINED);
        covered("hidden spikes", naive.hiddenSpikes > 0);
        covered("float and integer predictions differ without integer-exact", plain != want.prediction());
    }
}
