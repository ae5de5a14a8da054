package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * spike_bp and asf on a 2-layer net, against gradients worked out by hand.
 *
 * <pre>
 * input 3, h = dense(2) -> n, out = readout(2, accumulate); T = 4, one sample, label 0, mse.
 * x[t] = [1, 1, 0] every step, so FO_in = [4, 4, 0].
 * W1 = [[0.5, 0.25, 1], [-0.5, 0.25, 0]]: I_h = [0.75, -0.25] every step, FI_h = [3, -1].
 * IF (theta 1, subtract): neuron 0 has h = 0.75, 1.5 (fire), 1.25 (fire), 1.0 (fire): a = [3, 0].
 * W2 = [[1, 0.5], [-1, 2]]: FI_out = W2 a = [3, -3], out = FI_out / T = [0.75, -0.75].
 * dL/dout = out - y = [-0.25, -0.75]; dL/dFI_out = dL/dout / T = [-0.0625, -0.1875].
 * dW2 = dFI_out a^T = [[-0.1875, 0], [-0.5625, 0]].
 * dL/da = W2^T dFI_out = [0.125, -0.40625].
 * spike_bp, IF: dFO/dFI = 1/theta for the neuron that fired, 0 for the silent one:
 *   dFI_h = [0.125, 0], dW1 = dFI_h FO_in^T = [[0.5, 0.5, 0], [0, 0, 0]].
 * asf: S = sum a / sum FI_h over the neurons with FI_h > 0 = 3 / 3 = 1, and dFO/dFI = S only where
 *   FI_h > 0: dFI_h = [0.125, 0], dW1 = [[0.5, 0.5, 0], [0, 0, 0]] (as spike_bp here).
 * asf with W1 row 1 = [0.1, 0.05, 0]: I_h[1] = 0.15, FI_h = [3, 0.6], neuron 1 stays silent (0.6 < 1):
 *   S = 3 / 3.6 = 5/6, dFI_h = [0.125, -0.40625] * 5/6, dW1 = [[5/12, 5/12, 0], [-65/48, -65/48, 0]]
 *   (spike_bp gives the silent neuron nothing).
 * spike_bp, LIF beta 0.5 with W1 row 0 as above: v = 0.75, (fire at h 1.125) 0.125, 0.8125,
 *   (fire at h 1.15625): a = 2, leak = 0.5 * (0.75 + 0.125 + 0.8125) = 0.84375, eps = leak / (a T)
 *   = 0.10546875 = 27/256, dFO/dFI = 1 / (283/256) = 256/283.
 * </pre>
 */
class AccumulatedGradientTest {

    private static Map<String, INDArray> gradients(String neuron, TrainSpec.Method method, int label) {
        return gradients(neuron, method, label, new float[] {0.5f, 0.25f, 1f, -0.5f, 0.25f, 0f});
    }

    private static Map<String, INDArray> gradients(String neuron, TrainSpec.Method method, int label, float[] w1) {
        Network net = FloatModelTest.compile("two", "input 3\n" + neuron
                + "layers { h = dense(2) -> n\n out = readout(2) }", 4);
        Map<String, float[]> p = new LinkedHashMap<>();
        p.put("h.weight", w1);
        p.put("out.weight", new float[] {1f, 0.5f, -1f, 2f});
        FloatModel model = new FloatModel(net, new Parameters(p), DataType.DOUBLE);
        float[] x = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0};
        Tape tape = model.run(x, 1, new FloatModel.Run(false, 0, false, true, null));
        Loss.Result l = Loss.of(TrainSpec.Loss.MSE, TrainSpec.MseTargets.ONE_HOT, net.readouts().get(0).mode(),
                tape.readout, new int[] {label}, 2, 4);
        return Backward.gradients(model, tape, method, l.gradient(), true);
    }

    private static double[] values(INDArray a) {
        return a.dup('c').data().asDouble();
    }

    @Test
    void spikeBpWithIntegrateAndFire() {
        Map<String, INDArray> g = gradients("neuron n = IF(threshold = 1.0)\n", new TrainSpec.SpikeBp(), 0);
        assertArrayEquals(new double[] {-0.1875, 0, -0.5625, 0}, values(g.get("out.weight")), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0, 0}, values(g.get("h.weight")), 1e-12);
    }

    @Test
    void asfUsesTheLayerSharedRatioOfNeuronsWithPositiveInput() {
        Map<String, INDArray> g = gradients("neuron n = IF(threshold = 1.0)\n", new TrainSpec.Asf(), 0);
        assertArrayEquals(new double[] {-0.1875, 0, -0.5625, 0}, values(g.get("out.weight")), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0, 0}, values(g.get("h.weight")), 1e-12);
    }

    @Test
    void asfTrainsASilentNeuronWithPositiveInput() {
        float[] w1 = {0.5f, 0.25f, 1f, 0.1f, 0.05f, 0f};
        Map<String, INDArray> g = gradients("neuron n = IF(threshold = 1.0)\n", new TrainSpec.Asf(), 0, w1);
        assertArrayEquals(new double[] {5.0 / 12, 5.0 / 12, 0, -65.0 / 48, -65.0 / 48, 0}, values(g.get("h.weight")),
                1e-6);
        Map<String, INDArray> s = gradients("neuron n = IF(threshold = 1.0)\n", new TrainSpec.SpikeBp(), 0, w1);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0, 0}, values(s.get("h.weight")), 1e-6);
    }

    @Test
    void spikeBpCompensatesTheLeakOfALifNeuron() {
        // a = [2, 0], label 1: out = W2 a / 4 = [0.5, -0.5], dL/dout = [0.5, -1.5], dFI_out = [0.125, -0.375],
        // dW2 = [[0.25, 0], [-0.75, 0]], dL/da = W2^T dFI_out = [0.5, -0.6875],
        // dFI_h = [0.5 * 256/283, 0] = [128/283, 0], dW1 = dFI_h FO_in^T = [[512/283, 512/283, 0], [0, 0, 0]].
        Map<String, INDArray> g = gradients("neuron n = LIF(beta = 0.5, threshold = 1.0)\n", new TrainSpec.SpikeBp(), 1);
        assertArrayEquals(new double[] {0.25, 0, -0.75, 0}, values(g.get("out.weight")), 1e-12);
        assertArrayEquals(new double[] {512.0 / 283, 512.0 / 283, 0, 0, 0, 0}, values(g.get("h.weight")), 1e-12);
    }

    /** A CUBA neuron with alpha = 0 has no synaptic state: spike_bp gives exactly the LIF's gradients. */
    @Test
    void spikeBpTrainsACubaNeuronWithoutSynapticCurrent() {
        Map<String, INDArray> lif = gradients("neuron n = LIF(beta = 0.5, threshold = 1.0)\n", new TrainSpec.SpikeBp(), 1);
        Map<String, INDArray> cuba = gradients("neuron n = CUBA(alpha = 0, beta = 0.5, threshold = 1.0)\n",
                new TrainSpec.SpikeBp(), 1);
        assertArrayEquals(values(lif.get("h.weight")), values(cuba.get("h.weight")), 0);
        assertArrayEquals(values(lif.get("out.weight")), values(cuba.get("out.weight")), 0);
    }

    /**
     * The verifier refuses spike_bp and asf for state carried in time (E505); called directly, the
     * engine refuses too, naming the layer, instead of computing a gradient of another model.
     */
    @Test
    void spikeBpAndAsfRefuseRecurrenceAndSynapticCurrents() {
        for (TrainSpec.Method m : new TrainSpec.Method[] {new TrainSpec.SpikeBp(), new TrainSpec.Asf()}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gradients(
                    "neuron n = CUBA(alpha = 0.5, beta = 0.5, threshold = 1.0)\n", m, 0));
            assertTrue(e.getMessage().contains("synaptic current") && e.getMessage().contains("E505"), e.getMessage());
            Network net = FloatModelTest.compile("rec", "input 3\nneuron n = IF(threshold = 1.0)\n"
                    + "layers { h = dense(2, recurrent = true) -> n\n out = readout(2) }", 4);
            FloatModel model = new FloatModel(net, Parameters.initialise(net, 1), DataType.DOUBLE);
            Tape tape = model.run(new float[12], 1, new FloatModel.Run(false, 0, false, true, null));
            IllegalStateException r = assertThrows(IllegalStateException.class,
                    () -> Backward.gradients(model, tape, m, new double[2], true));
            assertTrue(r.getMessage().contains("recurrent dense 'h'"), r.getMessage());
        }
    }
}
