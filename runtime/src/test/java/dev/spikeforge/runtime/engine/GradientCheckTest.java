package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.encode.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
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

    private static void check(String name, String body, TrainSpec.Surrogate method, TrainSpec.Loss loss) {
        Network net = FloatModelTest.compile(name, body, 3);
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
        for (Map.Entry<String, INDArray> g : grads.entrySet()) {
            String node = g.getKey().substring(0, g.getKey().lastIndexOf('.'));
            INDArray param = g.getKey().endsWith(".weight") ? model.weight(node) : model.bias(node);
            for (int trial = 0; trial < 4; trial++) {
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
                assertTrue(ok, g.getKey() + "[" + i + "]: engine " + analytic + ", finite difference " + numeric);
            }
        }
        assertTrue(!grads.isEmpty());
    }

    private static double loss(FloatModel model, float[] input, int batch, FloatModel.Run run, TrainSpec.Loss loss,
                               int[] labels) {
        Tape t = model.run(input, batch, run);
        ReadoutNode r = model.network().readouts().get(0);
        return Loss.of(loss, TARGETS, r.mode(), t.readout, labels, r.classes(), model.network().timesteps()).value();
    }
}
