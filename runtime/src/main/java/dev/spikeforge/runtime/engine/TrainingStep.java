package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.encode.InputEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training iteration of the float model: forward with dropout (keeping what the method's
 * backward needs), the loss, and the gradients. The optimiser lives outside; it reads and writes
 * the weights through {@link #weights()} and {@link #setWeights}.
 */
public final class TrainingStep {

    private final FloatModel model;
    private final TrainSpec spec;
    private final ReadoutNode readout;

    public TrainingStep(FloatModel model, TrainSpec spec) {
        this.model = model;
        this.spec = spec;
        this.readout = model.network().readouts().get(0);
    }

    /** The loss, how many samples the (pre-update) model classified right, and the gradients. */
    public record Outcome(double loss, int correct, Map<String, double[]> gradients) {
    }

    /**
     * @param input       T * batch * inputSize spikes, time-major
     * @param dropoutSeed seeds this iteration's dropout masks
     */
    public Outcome run(float[] input, int batch, int[] labels, long dropoutSeed) {
        return run(input.length, FloatModel.copyOf(input), batch, labels, dropoutSeed);
    }

    /**
     * As {@link #run(float[], int, int[], long)}, with the {@code length} input values written by
     * {@code encoder} straight into the model's input buffer.
     */
    public Outcome run(int length, Consumer<InputEncoder.Rows> encoder, int batch, int[] labels, long dropoutSeed) {
        boolean temporal = spec.method() instanceof TrainSpec.Surrogate;
        FloatModel.Run how = new FloatModel.Run(true, dropoutSeed, temporal,
                spec.method() instanceof TrainSpec.SpikeBp, null);
        Tape tape = model.run(length, encoder, batch, how);
        Loss.Result loss = Loss.of(spec.loss(), spec.targets(), readout.mode(), tape.readout, labels,
                readout.classes(), tape.steps);
        Map<String, INDArray> grads = Backward.gradients(model, tape, spec.method(), loss.gradient(), true);
        Map<String, double[]> out = new LinkedHashMap<>();
        grads.forEach((k, v) -> out.put(k, copy(v)));
        int correct = 0;
        for (int b = 0; b < batch; b++) {
            if (argmax(tape.readout, b, readout.classes()) == labels[b]) {
                correct++;
            }
        }
        return new Outcome(loss.value(), correct, out);
    }

    /** The current weights and biases, copied, keyed {@code NODE.weight} / {@code NODE.bias}. */
    public Map<String, double[]> weights() {
        Map<String, double[]> w = new LinkedHashMap<>();
        for (String key : model.parameterKeys()) {
            w.put(key, copy(model.parameter(key)));
        }
        return w;
    }

    /** The values of {@code a} in c order as doubles, read straight from its buffer when it is contiguous. */
    private static double[] copy(INDArray a) {
        INDArray c = FloatModel.contiguous(a);
        double[] v = new double[(int) c.length()];
        Vec.of(c).readAll(v);
        return v;
    }

    /**
     * Copies {@code values} into the model, each rounded to the model's data type (float or double).
     * The model's parameters are contiguous arrays of their own, so they are written in place.
     */
    public void setWeights(Map<String, double[]> values) {
        values.forEach((k, v) -> {
            INDArray target = model.parameter(k);
            if (v.length != target.length()) {
                throw new IllegalArgumentException(k + ": " + v.length + " values for " + target.length() + " weights");
            }
            Vec.of(target).writeAll(v);
        });
    }

    /** argmax with ties to the lowest index (docs/semantics.md section 2.3). */
    static int argmax(double[] values, int row, int width) {
        int best = 0;
        for (int c = 1; c < width; c++) {
            if (values[row * width + c] > values[row * width + best]) {
                best = c;
            }
        }
        return best;
    }
}
