package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.TrainSpec;

/**
 * The training losses on the readout values, averaged over the batch.
 *
 * <pre>
 *   mse            L = (1/B) sum_b 1/2 sum_c (r_bc - y_bc)^2      y_bc = correct for the sample's class,
 *                                                                 incorrect for the others (1 and 0 by
 *                                                                 default: one-hot); r = readout value,
 *                                                                 or spike count / T for mode = count
 *   cross_entropy  L = (1/B) sum_b -log softmax(out_b)[label_b]   out = readout value (counts for count)
 * </pre>
 *
 * The mse form is seed 003's MSE on V_mem(T)/T and seed 002's loss on V(T)/(T V_th) (V_th = 1).
 */
final class Loss {

    record Result(double value, double[] gradient) {
    }

    private Loss() {
    }

    static Result of(TrainSpec.Loss kind, TrainSpec.MseTargets targets, ReadoutMode mode, double[] out, int[] labels,
                     int classes, int steps) {
        int batch = labels.length;
        double[] grad = new double[out.length];
        double total = 0;
        if (kind == TrainSpec.Loss.MSE) {
            double scale = mode == ReadoutMode.COUNT ? 1.0 / steps : 1;
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < classes; c++) {
                    int i = b * classes + c;
                    double diff = out[i] * scale - (labels[b] == c ? targets.correct() : targets.incorrect());
                    total += 0.5 * diff * diff;
                    grad[i] = diff * scale / batch;
                }
            }
        } else {
            for (int b = 0; b < batch; b++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, out[b * classes + c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(out[b * classes + c] - max);
                }
                total += -(out[b * classes + labels[b]] - max - Math.log(sum));
                for (int c = 0; c < classes; c++) {
                    double p = Math.exp(out[b * classes + c] - max) / sum;
                    grad[b * classes + c] = (p - (labels[b] == c ? 1 : 0)) / batch;
                }
            }
        }
        return new Result(total / batch, grad);
    }
}
