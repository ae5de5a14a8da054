package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * With the forward pass relaxed to the smooth surrogate (s = σ(h - theta)) and the reset
 * differentiated, the engine's BPTT gradients equal central finite differences of the loss, in
 * double precision, within 1e-3 relative, for every layer kind, readout, loss and surrogate shape.
 */
class GradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double TOLERANCE = 1e-3;
    private static final double FD_NOISE = 1e-10;
    /** mse targets other than one-hot, so the check covers them (one-hot is the special case 1, 0). */
    private static final TrainSpec.MseTargets TARGETS = new TrainSpec.MseTargets(0.8, 0.2);

    static final String NEURONS = FloatModelTest.NEURONS_FOR_CHECKS;

    /**
     * Temporal models (issue 23), checked over 5 steps so that state carried in time matters:
     * synaptic currents (both resets), full and diagonal recurrence (with and without synaptic
     * current), conv1d (stride, padding, bias, a conv1d after a conv1d), max pooling in 2-D and
     * 1-D. The pooled models take direct (analog) input, so no two inputs of a window are equal
     * (checked, see {@link #windowsHaveNoTies}).
     */
    static final Map<String, String> TEMPORAL = new LinkedHashMap<>();

    static {
        String cuba = "neuron syn = CUBA(alpha = 0.75, beta = 0.875, threshold = 1.0, reset = subtract)\n"
                + "neuron synz = CUBA(alpha = 0.5, beta = 0.75, threshold = 0.75, reset = zero)\n";
        TEMPORAL.put("cuba", "input 12\n" + cuba + "layers { h = dense(9, bias = true) -> syn\n"
                + "g = dense(7) -> synz\nout = readout(5, mode = count) -> syn }");
        TEMPORAL.put("recurrent_full", "input 10\n" + NEURONS + cuba + "layers { h = dense(8, recurrent = true) -> a\n"
                + "g = dense(6, recurrent = true, bias = true) -> synz\nout = readout(4) }");
        TEMPORAL.put("recurrent_diagonal", "input 10\n" + NEURONS + cuba
                + "layers { h = dense(8, recurrent = diagonal) -> syn\n"
                + "g = dense(6, recurrent = diagonal) -> z\nout = readout(4, mode = membrane, beta = 0.5) }");
        TEMPORAL.put("conv1d", "input 2x12\n" + NEURONS + "layers {\n"
                + "c = conv1d(3, kernel = 3, stride = 2, padding = 1, bias = true) -> a\n"
                + "d = conv1d(2, kernel = 2) -> z\nout = readout(4) }");
        TEMPORAL.put("maxpool_2d", "input 2x4x4 encode direct\n" + NEURONS + "layers {\n"
                + "c = conv(3, kernel = 3, bias = true) -> a\nmaxpool(2)\nf = dense(6) -> z\nout = readout(4) }");
        TEMPORAL.put("maxpool_1d", "input 2x6 encode direct\n" + NEURONS + cuba + "layers {\n"
                + "c = conv1d(3, kernel = 3, bias = true) -> a\nmaxpool(2)\nout = readout(4) }");
    }

    /** Steps of the temporal checks. */
    private static final int TEMPORAL_STEPS = 5;

    @TestFactory
    Stream<DynamicTest> surrogateGradientsMatchFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, String> model : FloatModelTest.MODELS.entrySet()) {
            for (TrainSpec.SurrogateShape shape : TrainSpec.SurrogateShape.values()) {
                for (TrainSpec.Loss loss : TrainSpec.Loss.values()) {
                    tests.add(DynamicTest.dynamicTest(model.getKey() + " " + shape.keyword() + " " + loss.keyword(),
                            () -> check(model.getKey(), model.getValue(), new TrainSpec.Surrogate(shape, 4), loss)));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> temporalGradientsMatchFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, String> model : TEMPORAL.entrySet()) {
            for (TrainSpec.SurrogateShape shape : TrainSpec.SurrogateShape.values()) {
                TrainSpec.Loss loss = TrainSpec.Loss.values()[tests.size() % TrainSpec.Loss.values().length];
                tests.add(DynamicTest.dynamicTest(model.getKey() + " " + shape.keyword() + " " + loss.keyword(), () -> {
                    double worst = check(model.getKey(), model.getValue(), new TrainSpec.Surrogate(shape, 4), loss,
                            TEMPORAL_STEPS, 12);
                    System.out.printf("gradient check %s %s %s: max relative error %.3e%n", model.getKey(),
                            shape.keyword(), loss.keyword(), worst);
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Pipelined timing (docs/semantics.md section 2.7): the gradient of a population's delayed
     * spikes reaches it one step earlier. Every layer kind, one shape and loss each; dropping the
     * advance (or advancing the wrong way) fails every model with two or more populations.
     */
    @TestFactory
    Stream<DynamicTest> pipelinedGradientsMatchFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, String> all = new LinkedHashMap<>(FloatModelTest.MODELS);
        all.putAll(TEMPORAL);
        for (Map.Entry<String, String> model : all.entrySet()) {
            TrainSpec.SurrogateShape shape = TrainSpec.SurrogateShape.values()[tests.size() % TrainSpec.SurrogateShape.values().length];
            TrainSpec.Loss loss = TrainSpec.Loss.values()[tests.size() % TrainSpec.Loss.values().length];
            tests.add(DynamicTest.dynamicTest(model.getKey() + " " + shape.keyword() + " " + loss.keyword(), () -> {
                double worst = check(model.getKey(), model.getValue(), new TrainSpec.Surrogate(shape, 4), loss,
                        TEMPORAL_STEPS, 8, Timing.PIPELINED);
                System.out.printf("pipelined gradient check %s %s %s: max relative error %.3e%n", model.getKey(),
                        shape.keyword(), loss.keyword(), worst);
            }));
        }
        return tests.stream();
    }

    /**
     * The max pools of the temporal checks see no ties. A perturbation of 1e-6 moves a membrane h
     * by at most 5e-6 there (|dh/dw| <= 5: inputs and relaxed spikes lie in [0, 1], 5 steps, and
     * the differentiated reset's factor 1 - theta σ' lies in [-1, 1]), so a relaxed spike
     * σ(h - theta) by at most σ'(h - theta) 5e-6 to first order. In every window, for every
     * relaxed shape, the largest input is above the second by more than five times the sum of
     * their possible moves: the window's maximum stays the same element while the finite
     * differences are taken.
     */
    @Test
    void windowsHaveNoTies() {
        for (String name : List.of("maxpool_2d", "maxpool_1d")) {
            for (TrainSpec.SurrogateShape shape : TrainSpec.SurrogateShape.values()) {
                Network net = FloatModelTest.compile(name, TEMPORAL.get(name), TEMPORAL_STEPS);
                FloatModel model = new FloatModel(net, Parameters.initialise(net, 11), DataType.DOUBLE);
                int batch = 2;
                SurrogateFunction relaxed = new SurrogateFunction(shape, 4);
                Tape tape = model.run(FloatModelTest.spikes(net, batch, 5), batch,
                        new FloatModel.Run(true, 99, true, true, relaxed));
                for (Node n : net.nodes()) {
                    if (n instanceof MaxPoolNode p) {
                        Node in = net.inputsOf(n).get(0);
                        double theta = ((dev.spikeforge.compiler.ir.NeuronNode) in).neuron().theta();
                        double[] s = logical(model, in, tape.acts.get(in.name()));
                        double[] h = logical(model, in, tape.membranes.get(in.name()));
                        int windows = 0;
                        double margin = Double.POSITIVE_INFINITY;
                        int k = p.kernel();
                        boolean seq = in.shape().isSequence();
                        int c = in.shape().channels();
                        int height = seq ? 1 : in.shape().height();
                        int w = seq ? in.shape().length() : in.shape().width();
                        int kh = seq ? 1 : k;
                        for (int r = 0; r < tape.rows(); r++) {
                            for (int ch = 0; ch < c; ch++) {
                                for (int oy = 0; oy < height / kh; oy++) {
                                    for (int ox = 0; ox < w / k; ox++) {
                                        int first = -1;
                                        int second = -1;
                                        for (int dy = 0; dy < kh; dy++) {
                                            for (int dx = 0; dx < k; dx++) {
                                                int e = ((r * c + ch) * height + oy * kh + dy) * w + ox * k + dx;
                                                if (first < 0 || s[e] > s[first]) {
                                                    second = first;
                                                    first = e;
                                                } else if (second < 0 || s[e] > s[second]) {
                                                    second = e;
                                                }
                                            }
                                        }
                                        double move = 5e-6 * (relaxed.derivative(h[first] - theta)
                                                + relaxed.derivative(h[second] - theta));
                                        margin = Math.min(margin, (s[first] - s[second]) / (5 * move));
                                        windows++;
                                    }
                                }
                            }
                        }
                        assertTrue(windows > 0 && margin > 1, name + " " + shape + ": " + windows
                                + " windows, the closest at " + margin + " times the margin");
                    }
                }
            }
        }
    }

    /** A node's activations over the T*B rows in NCHW (CxL) order, whatever the engine's layout. */
    private static double[] logical(FloatModel model, Node n, INDArray a) {
        return (model.channelsLast(n) ? a.permute(0, 3, 1, 2).dup('c') : a.dup('c')).data().asDouble();
    }

    private static void check(String name, String body, TrainSpec.Surrogate method, TrainSpec.Loss loss) {
        check(name, body, method, loss, 3, 4);
    }

    /** @return the largest |engine - finite difference| / max(|engine|, |finite difference|) seen where that max is >= 1e-6 */
    private static double check(String name, String body, TrainSpec.Surrogate method, TrainSpec.Loss loss, int steps,
                                int trials) {
        return check(name, body, method, loss, steps, trials, Timing.SEQUENTIAL);
    }

    private static double check(String name, String body, TrainSpec.Surrogate method, TrainSpec.Loss loss, int steps,
                                int trials, Timing timing) {
        Network net = FloatModelTest.compile(name, body, steps).withTiming(timing);
        FloatModel model = new FloatModel(net, Parameters.initialise(net, 11), DataType.DOUBLE);
        int batch = 2;
        float[] input = FloatModelTest.spikes(net, batch, 5);
        int[] labels = {1, 2};
        SurrogateFunction relaxed = new SurrogateFunction(method.shape(), method.slope());
        FloatModel.Run run = new FloatModel.Run(true, 99, true, true, relaxed);
        ReadoutNode r = net.readouts().get(0);

        Tape tape = model.run(input, batch, run);
        Loss.Result l = Loss.of(loss, TARGETS, r.mode(), tape.readout, labels, r.classes(), net.timesteps());
        Map<String, INDArray> grads = Backward.gradients(model, tape, method, l.gradient(), false);

        SplitMix64 pick = new SplitMix64(name.hashCode());
        double worst = 0;
        for (Map.Entry<String, INDArray> g : grads.entrySet()) {
            INDArray param = model.parameter(g.getKey());
            for (int trial = 0; trial < trials; trial++) {
                long i = pick.nextInt((int) param.length());
                double original = param.getDouble(i);
                param.putScalar(i, original + EPS);
                double up = loss(model, input, batch, run, loss, labels);
                param.putScalar(i, original - EPS);
                double down = loss(model, input, batch, run, loss, labels);
                param.putScalar(i, original);
                double numeric = (up - down) / (2 * EPS);
                double analytic = g.getValue().getDouble(i);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
                // relative tolerance, plus the rounding error of the central difference itself:
                // about 1e-16 * |loss| / EPS, 1e-10 for losses of order 1
                boolean ok = Math.abs(numeric - analytic) <= TOLERANCE * scale + FD_NOISE;
                if (scale >= 1e-6) { // below, the finite difference's own noise (1e-10) is above 1e-4 relative
                    worst = Math.max(worst, Math.abs(numeric - analytic) / scale);
                }
                assertTrue(ok, g.getKey() + "[" + i + "]: engine " + analytic + ", finite difference " + numeric);
            }
        }
        assertTrue(!grads.isEmpty());
        assertTrue(grads.keySet().containsAll(model.parameterKeys()), "a gradient for every parameter: " + grads.keySet());
        return worst;
    }

    private static double loss(FloatModel model, float[] input, int batch, FloatModel.Run run, TrainSpec.Loss loss,
                               int[] labels) {
        Tape t = model.run(input, batch, run);
        ReadoutNode r = model.network().readouts().get(0);
        return Loss.of(loss, TARGETS, r.mode(), t.readout, labels, r.classes(), model.network().timesteps()).value();
    }
}
