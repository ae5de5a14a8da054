package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.encode.SplitMix64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The engine's spikes equal the naive reference's exactly, for every layer kind. Weights, biases,
 * betas and thresholds are multiples of 1/16, and T is small, so every float sum is exact in any
 * order: equality does not depend on how ND4J or oneDNN order their additions.
 */
class FloatModelTest {

    static final String NEURONS_FOR_CHECKS = "neuron a = LIF(beta = 0.875, threshold = 1.0, reset = subtract)\n"
            + "neuron z = LIF(beta = 0.75, threshold = 0.75, reset = zero)\n"
            + "neuron i = IF(threshold = 1.25, reset = subtract)\n"
            + "neuron pool = IF(threshold = 0.75, reset = subtract)\n";
    private static final String NEURONS = NEURONS_FOR_CHECKS;

    /** One model per layer kind and combination: conv (stride, padding, bias), pool, dense, residual, readouts. */
    static final Map<String, String> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("dense_mlp", "input 12\n" + NEURONS + "layers { h = dense(9, bias = true) -> a\n"
                + "g = dense(7) -> z\nout = readout(5) }");
        MODELS.put("conv_pool", "input 2x8x8\n" + NEURONS + "layers { c = conv(3, kernel = 3) -> a\n"
                + "p = avgpool(2) -> pool\nout = readout(4) }");
        MODELS.put("conv_stride_padding_bias", "input 1x7x7\n" + NEURONS + "layers {\n"
                + "c = conv(4, kernel = 3, stride = 2, padding = 1, bias = true) -> i\n"
                + "d = conv(2, kernel = 2) -> z\nf = dense(6) -> a\nout = readout(3) }");
        MODELS.put("residual_identity", "input 3x6x6\n" + NEURONS + "layers {\n"
                + "r = residual { a1 = conv(3, kernel = 3, padding = 1) -> a\n a2 = conv(3, kernel = 3, padding = 1) }"
                + " skip identity -> i\nout = readout(4) }");
        MODELS.put("residual_conv_skip", "input 2x8x8\n" + NEURONS + "layers {\n"
                + "r = residual { a1 = conv(4, kernel = 3, padding = 1) -> a\n"
                + " a2 = conv(4, kernel = 3, stride = 2, padding = 1) } skip conv(4, kernel = 1, stride = 2) -> z\n"
                + "p = avgpool(2) -> pool\nout = readout(3) }");
        // a pool of the input stays NCHW, so the convolution converts its input and input gradient
        MODELS.put("pooled_input_conv_dropout", "input 2x8x8\n" + NEURONS + "layers { p = avgpool(2) -> pool\n"
                + "c = conv(3, kernel = 3, padding = 1) -> a dropout 0.5\nout = readout(4) }");
        MODELS.put("readout_membrane", "input 10\n" + NEURONS + "layers { h = dense(8) -> a\n"
                + "out = readout(4, mode = membrane, beta = 0.5) }");
        MODELS.put("readout_count_dropout", "input 10\n" + NEURONS + "layers { h = dense(8) -> a dropout 0.5\n"
                + "fl = flatten\nout = readout(4, mode = count) -> i }");
    }

    /** Issue 23's layer kinds on spike input (exact sums): synaptic current, recurrence, conv1d, max pooling. */
    static final Map<String, String> TEMPORAL_MODELS = new LinkedHashMap<>();

    static {
        String cuba = "neuron syn = CUBA(alpha = 0.75, beta = 0.875, threshold = 1.0, reset = subtract)\n"
                + "neuron synz = CUBA(alpha = 0.5, beta = 0.75, threshold = 0.75, reset = zero)\n";
        TEMPORAL_MODELS.put("cuba", "input 12\n" + cuba + "layers { h = dense(9, bias = true) -> syn\n"
                + "g = dense(7) -> synz\nout = readout(5, mode = count) -> syn }");
        TEMPORAL_MODELS.put("recurrent", "input 10\n" + NEURONS + cuba + "layers { h = dense(8, recurrent = true) -> a\n"
                + "g = dense(6, recurrent = diagonal, bias = true) -> synz\nk = dense(5, recurrent = true) -> syn\n"
                + "out = readout(4) }");
        TEMPORAL_MODELS.put("conv1d_maxpool", "input 2x13\n" + NEURONS + cuba + "layers {\n"
                + "c = conv1d(3, kernel = 3, stride = 2, padding = 1, bias = true) -> syn\nmaxpool(2)\n"
                + "d = conv1d(2, kernel = 2) -> z\nout = readout(4) }");
        TEMPORAL_MODELS.put("conv_maxpool", "input 2x9x9\n" + NEURONS + "layers {\n"
                + "c = conv(3, kernel = 3, padding = 1) -> a\nmaxpool(2)\nf = flatten\ng = dense(6) -> z\n"
                + "out = readout(4) }");
        TEMPORAL_MODELS.put("input_maxpool", "input 2x8x8\n" + NEURONS + "layers { maxpool(3)\n"
                + "c = conv(3, kernel = 2) -> i\nout = readout(4) }");
    }

    @TestFactory
    Stream<DynamicTest> temporalLayerKindsEqualTheNaiveReferenceExactly() {
        return TEMPORAL_MODELS.entrySet().stream().flatMap(e -> Stream.of(1L, 2L, 3L).map(seed ->
                DynamicTest.dynamicTest(e.getKey() + " seed " + seed, () -> equalsNaiveReference(e.getKey(), e.getValue(), 5,
                        seed))));
    }

    /**
     * Inference on the event kernels (EventKernels, forced for every layer whatever its density):
     * with every node recorded (no fusion), every node equals the naive reference exactly; with
     * nothing recorded (convolutions fused with the neurons and poolings after them), the readout
     * and every layer's spike count do.
     */
    @TestFactory
    Stream<DynamicTest> eventDrivenInferenceEqualsTheNaiveReferenceExactly() {
        Map<String, String> all = new LinkedHashMap<>(MODELS);
        all.putAll(TEMPORAL_MODELS);
        all.put("lenet_like", "input 1x12x12\n" + NEURONS + "layers { c1 = conv(4, kernel = 3) -> a\n"
                + "p1 = avgpool(2) -> pool\nc2 = conv(5, kernel = 3, bias = true) -> z\np2 = avgpool(2) -> pool\n"
                + "f1 = dense(7) -> a dropout 0.2\nout = readout(3) }");
        return all.entrySet().stream().flatMap(e -> Stream.of(1L, 2L).map(seed -> DynamicTest.dynamicTest(
                e.getKey() + " seed " + seed, () -> {
                    EventKernels.overrideThreshold(1);
                    try {
                        equalsNaiveReference(e.getKey(), e.getValue(), 5, seed);
                        Network net = compile(e.getKey(), e.getValue(), 5);
                        Parameters params = dyadic(net, seed);
                        float[] input = spikes(net, 3, seed);
                        FloatModel model = new FloatModel(net, params);
                        ForwardResult fused = model.forward(input, 3, Set.of());
                        NaiveReference want = new NaiveReference(net, params, input, 3);
                        if (e.getKey().equals("lenet_like") || e.getKey().equals("conv_pool")) {
                            // conv -> neuron -> avgpool -> neuron, fused twice in lenet_like
                            assertEquals(e.getKey().equals("lenet_like") ? 7 : 3, model.lastFusedLayers(), "layers run fused (lenet_like: and f1 reading p2 channels-last)");
                        }
                        // dense inputs everywhere: ND4J's kernels, the neurons and pools after a convolution still in one pass
                        EventKernels.overrideThreshold(-1);
                        ForwardResult dense = model.forward(input, 3, Set.of());
                        assertArrayEquals(want.readout, dense.readout(), e.getKey() + " readout, dense kernels");
                        assertEquals(fused.spikes(), dense.spikes(), e.getKey() + " spike counts, dense kernels");
                        if (e.getKey().equals("lenet_like")) {
                            assertEquals(6, model.lastFusedLayers(), "layers run after the dense convolutions in one pass");
                        }
                        assertArrayEquals(want.readout, fused.readout(), e.getKey() + " readout");
                        for (Node n : net.nodes()) {
                            if (n instanceof NeuronNode) {
                                long count = 0;
                                for (float s : want.recorded.get(n.name())) {
                                    count += (long) s;
                                }
                                assertEquals(count, fused.spikes().get(n.name()), e.getKey() + " spikes of " + n.name());
                            }
                        }
                    } finally {
                        EventKernels.overrideThreshold(Double.NaN);
                    }
                })));
    }

    /**
     * Pipelined timing (docs/semantics.md section 2.7) on every layer kind: each population's
     * spikes reach its readers a step later, in the engine as in the naive reference.
     */
    @TestFactory
    Stream<DynamicTest> pipelinedTimingEqualsTheNaiveReferenceExactly() {
        Map<String, String> all = new LinkedHashMap<>(MODELS);
        all.putAll(TEMPORAL_MODELS);
        return all.entrySet().stream().flatMap(e -> Stream.of(1L, 2L).map(seed -> DynamicTest.dynamicTest(
                e.getKey() + " seed " + seed, () -> equalsNaiveReference(e.getKey(), e.getValue(), 6, seed,
                        Timing.PIPELINED))));
    }

    /** The delay is there: the same model and input under both timings give other readouts. */
    @Test
    void pipelinedTimingDelaysEachLayer() {
        Network net = compile("dense_mlp", MODELS.get("dense_mlp"), 6);
        Parameters params = dyadic(net, 1);
        float[] input = spikes(net, 3, 1);
        ForwardResult seq = new FloatModel(net, params).forward(input, 3, Set.of("h", "g"));
        ForwardResult pipe = new FloatModel(net.withTiming(Timing.PIPELINED), params).forward(input, 3, Set.of("h", "g"));
        // the first layer reads the input at once under both; the second sees the first's spikes a step later
        assertArrayEquals(seq.recorded().get("h"), pipe.recorded().get("h"));
        assertFalse(java.util.Arrays.equals(seq.recorded().get("g"), pipe.recorded().get("g")));
        float[] g = pipe.recorded().get("g");
        for (int i = 0; i < 3 * 7; i++) {
            assertEquals(0f, g[i], "step 0 of the second layer has no input spikes yet (bias off)");
        }
    }

    /**
     * Every node but the readout recorded at every step, and the readout, equal the naive reference
     * exactly (dyadic weights, spike input); at least one spike fired.
     */
    private static void equalsNaiveReference(String name, String body, int steps, long seed) {
        equalsNaiveReference(name, body, steps, seed, Timing.SEQUENTIAL);
    }

    private static void equalsNaiveReference(String name, String body, int steps, long seed, Timing timing) {
        Network net = compile(name, body, steps).withTiming(timing);
        Parameters params = dyadic(net, seed);
        int batch = 3;
        float[] input = spikes(net, batch, seed);
        Set<String> all = net.nodes().stream().map(Node::name).collect(Collectors.toSet());
        ForwardResult got = new FloatModel(net, params).forward(input, batch, all);
        NaiveReference want = new NaiveReference(net, params, input, batch);
        long fired = 0;
        for (Node n : net.nodes()) {
            if (!(n instanceof dev.spikeforge.compiler.ir.ReadoutNode)) {
                assertArrayEquals(want.recorded.get(n.name()), got.recorded().get(n.name()), name + " seed " + seed
                        + ": node " + n.name());
            }
            if (n instanceof NeuronNode) {
                for (float s : want.recorded.get(n.name())) {
                    fired += (long) s;
                }
            }
        }
        assertArrayEquals(want.readout, got.readout(), name + " readout");
        assertTrue(fired > 0, name + ": no spikes at all, the comparison would be empty");
    }

    static Network compile(String name, String body, int steps) {
        Compilation c = SnnFrontEnd.compile(new SourceFile(name + ".snn", "model " + name + "\ntimesteps " + steps + "\n" + body));
        List<String> errors = c.errors().stream().map(d -> d.message()).toList();
        assertTrue(c.ok(), name + ": " + errors);
        return c.network();
    }

    /** Parameters drawn as multiples of 1/16 in [-1, 1]: exact in float, sums exact in any order. */
    static Parameters dyadic(Network net, long seed) {
        Parameters init = Parameters.initialise(net, seed);
        SplitMix64 rng = new SplitMix64(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        init.tensors().forEach((k, v) -> {
            float[] w = new float[v.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (rng.nextInt(33) - 16) / 16f;
            }
            t.put(k, w);
        });
        return new Parameters(t);
    }

    static float[] spikes(Network net, int batch, long seed) {
        int n = (int) net.input().shape().size();
        double[] p = new double[batch * n];
        SplitMix64 rng = new SplitMix64(seed ^ 0x5EED);
        for (int i = 0; i < p.length; i++) {
            p[i] = rng.nextDouble();
        }
        long[] samples = new long[batch];
        for (int b = 0; b < batch; b++) {
            samples[b] = b;
        }
        float[] out = new float[net.timesteps() * batch * n];
        InputEncoder.encode(net.input().encoding(), p, n, samples, seed, net.timesteps(), out);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyLayerKindEqualsTheNaiveReferenceExactly() {
        return MODELS.entrySet().stream().flatMap(e -> Stream.of(1L, 2L, 3L).map(seed ->
                DynamicTest.dynamicTest(e.getKey() + " seed " + seed, () -> equalsNaiveReference(e.getKey(), e.getValue(), 4,
                        seed))));
    }

    /**
     * A convolution's activations are kept channels-last, but its dropout mask is drawn in NCHW
     * order, so the same seed drops the same neurons whatever the layout.
     */
    @Test
    void channelsLastDropoutMaskHoldsTheNchwDraw() {
        Network net = compile("conv_dropout", "input 2x6x6\n" + NEURONS
                + "layers { c = conv(3, kernel = 3) -> a dropout 0.5\nout = readout(4) }", 3);
        FloatModel model = new FloatModel(net, Parameters.initialise(net, 3));
        int batch = 2;
        Tape tape = model.run(spikes(net, batch, 5), batch, new FloatModel.Run(true, 42, false, false, null));
        DropoutNode d = net.nodes().stream().filter(DropoutNode.class::isInstance).map(DropoutNode.class::cast)
                .findFirst().orElseThrow();
        Shape s = d.shape();
        float[] got = tape.masks.get(d.name()).dup('c').data().asFloat();
        SplitMix64 rng = SplitMix64.forPurpose(42, FloatModel.PURPOSE_DROPOUT, net.nodes().indexOf(d));
        int dropped = 0;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < s.channels(); c++) {
                for (int y = 0; y < s.height(); y++) {
                    for (int x = 0; x < s.width(); x++) {
                        float want = rng.nextDouble() < d.p() ? 0 : (float) (1 / (1 - d.p()));
                        dropped += want == 0 ? 1 : 0;
                        int at = ((b * s.height() + y) * s.width() + x) * s.channels() + c;
                        assertEquals(want, got[at], "sample " + b + ", channel " + c + ", y " + y + ", x " + x);
                    }
                }
            }
        }
        assertTrue(dropped > 0 && dropped < got.length, dropped + " of " + got.length + " dropped");
    }

    @Test
    void aBufferOfAnotherShapeIsReleasedAndPassesOfMixedBatchSizesStayExact() {
        Network net = compile("conv_pool", MODELS.get("conv_pool"), 4);
        Parameters params = dyadic(net, 5);
        FloatModel model = new FloatModel(net, params);
        INDArray first = model.buffer("probe", 3, 2);
        assertTrue(model.buffer("probe", 3, 2) == first, "same shape: the same buffer");
        model.buffer("probe", 1, 2);
        assertTrue(first.wasClosed(), "the replaced buffer's off-heap memory is released at once");

        float[] three = spikes(net, 3, 9);
        float[] one = spikes(net, 1, 4);
        model.forward(three, 3, Set.of());
        model.forward(one, 1, Set.of()); // every buffer changes shape, twice
        ForwardResult again = model.forward(three, 3, Set.of());
        assertArrayEquals(new FloatModel(net, params).forward(three, 3, Set.of()).readout(), again.readout());
    }

    @Test
    void predictionTiesGoToTheLowestClass() {
        ForwardResult r = new ForwardResult(2, 3, new float[] {1, 5, 5, 2, 2, 2}, Map.of(), Map.of());
        assertEquals(1, r.prediction(0));
        assertEquals(0, r.prediction(1));
    }

    @Test
    void initialWeightsFollowHeScalingAndAreReproducible() {
        Network net = compile("init", "input 1x28x28\n" + NEURONS
                + "layers { c = conv(20, kernel = 5) -> a\n p = avgpool(2) -> pool\n out = readout(10) }", 4);
        Parameters a = Parameters.initialise(net, 7);
        Parameters b = Parameters.initialise(net, 7);
        assertArrayEquals(a.weight("c"), b.weight("c"));
        float[] w = a.weight("c");
        double sq = 0;
        for (float x : w) {
            sq += x * x;
        }
        double std = Math.sqrt(sq / w.length);
        assertEquals(Math.sqrt(2.0 / 25), std, 0.1 * Math.sqrt(2.0 / 25)); // 500 draws: within 10%
        assertEquals(500, w.length);
        assertEquals(10 * 2880, a.weight("out").length);
    }

    /**
     * A CUBA neuron with alpha = 0 is a LIF (docs/semantics.md section 2.1): same spikes and
     * membranes bit for bit, on the vector path (float) and the plain one (double), and the same
     * BPTT gradients.
     */
    @Test
    void cubaWithoutSynapticCurrentIsTheLifBitForBit() {
        String layers = "layers { h = dense(9, bias = true) -> n\ng = dense(7) -> n\nout = readout(5, mode = count) -> n }";
        Network lif = compile("lif", "input 12\nneuron n = LIF(beta = 0.9, threshold = 0.7, reset = subtract)\n" + layers, 6);
        Network cuba = compile("cuba", "input 12\nneuron n = CUBA(alpha = 0, beta = 0.9, threshold = 0.7)\n" + layers, 6);
        Parameters params = Parameters.initialise(lif, 4);
        float[] input = spikes(lif, 3, 8);
        for (org.nd4j.linalg.api.buffer.DataType type : List.of(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                org.nd4j.linalg.api.buffer.DataType.DOUBLE)) {
            FloatModel a = new FloatModel(lif, params, type);
            FloatModel b = new FloatModel(cuba, params, type);
            FloatModel.Run run = new FloatModel.Run(false, 0, true, false, null);
            Tape ta = a.run(input, 3, run);
            Tape tb = b.run(input, 3, run);
            for (String n : List.of("h", "g")) {
                String neuron = lif.consumersOf(lif.node(n)).get(0).name();
                assertArrayEquals(ta.acts.get(neuron).data().asDouble(), tb.acts.get(neuron).data().asDouble(), type + " " + n);
                assertArrayEquals(ta.membranes.get(neuron).data().asDouble(), tb.membranes.get(neuron).data().asDouble());
            }
            assertArrayEquals(ta.readout, tb.readout);
            TrainingStep sa = new TrainingStep(a, TRAIN);
            TrainingStep sb = new TrainingStep(b, TRAIN);
            TrainingStep.Outcome oa = sa.run(input, 3, new int[] {0, 1, 2}, 5);
            TrainingStep.Outcome ob = sb.run(input, 3, new int[] {0, 1, 2}, 5);
            oa.gradients().forEach((k, v) -> assertArrayEquals(v, ob.gradients().get(k), type + " " + k));
        }
    }

    private static final dev.spikeforge.compiler.ir.TrainSpec TRAIN = compile("t", "input 2\nneuron n = IF(threshold = 1)\n"
            + "layers { out = readout(2) }\ntrain { method = surrogate(shape = fast_sigmoid, slope = 25)\n dataset = fashion_mnist\n loss = mse }", 2)
            .train().orElseThrow();
}
