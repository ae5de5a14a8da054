package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.Reset;
import java.nio.FloatBuffer;

/**
 * The neuron recurrence of SEMANTICS.md section 2 over all T steps of a batch, on time-major
 * buffers: element k of step t is at {@code t * width + k}, width = B * neurons.
 *
 * <pre>
 *   h[t] = beta * v[t-1] + I[t]
 *   s[t] = h[t] >= theta
 *   v[t] = h[t] - s[t] * theta      (subtract)   or   h[t] * (1 - s[t])   (zero)
 * </pre>
 *
 * The loop body is branch-free (the comparison becomes a 0/1 float) so the JIT can vectorise it.
 * The state starts at zero for every sample.
 */
final class NeuronDynamics {

    private NeuronDynamics() {
    }

    /**
     * @param current   I, T * width values
     * @param spikes    s, T * width values, written
     * @param membranes h before reset, T * width values, written when not null (for gradients and traces)
     */
    static void run(NeuronDefinition neuron, FloatBuffer current, FloatBuffer spikes, float[] membranes, int steps,
                    int width) {
        float beta = (float) neuron.beta();
        float theta = (float) neuron.theta();
        boolean subtract = neuron.reset() == Reset.SUBTRACT;
        float[] v = new float[width];
        for (int t = 0; t < steps; t++) {
            int row = t * width;
            for (int k = 0; k < width; k++) {
                float h = beta * v[k] + current.get(row + k);
                float s = h >= theta ? 1f : 0f;
                v[k] = subtract ? h - s * theta : h * (1f - s);
                spikes.put(row + k, s);
                if (membranes != null) {
                    membranes[row + k] = h;
                }
            }
        }
    }

    /** out = (1/T) * sum_t I[t], per element of one step's width. */
    static void accumulate(FloatBuffer current, float[] out, int steps, int width) {
        for (int k = 0; k < width; k++) {
            float sum = 0;
            for (int t = 0; t < steps; t++) {
                sum += current.get(t * width + k);
            }
            out[k] = sum / steps;
        }
    }

    /** h[t] = beta * v[t-1] + I[t], never fires; out = v[T] / T. */
    static void membrane(FloatBuffer current, float beta, float[] out, int steps, int width) {
        for (int k = 0; k < width; k++) {
            float v = 0;
            for (int t = 0; t < steps; t++) {
                v = beta * v + current.get(t * width + k);
            }
            out[k] = v / steps;
        }
    }

    /** out = sum_t s[t]. */
    static void count(FloatBuffer spikes, float[] out, int steps, int width) {
        for (int k = 0; k < width; k++) {
            float sum = 0;
            for (int t = 0; t < steps; t++) {
                sum += spikes.get(t * width + k);
            }
            out[k] = sum;
        }
    }
}
