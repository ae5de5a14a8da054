package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv2dNode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward of the weight layers on a batch of rows. BPTT calls them with T*B rows of
 * per-step values; spike_bp and asf call the same code with B rows of values summed over time
 * (their backward has no temporal loop). Outputs are preallocated and written by one ND4J call.
 */
final class Layers {

    /** libnd4j conv2d integer arguments: weights [out, in, kH, kW] (OIYX), NCHW data, explicit padding. */
    private static final int WEIGHTS_OIYX = 1;
    private static final int NCHW = 0;
    private static final int VALID = 0;

    private Layers() {
    }

    static INDArray conv(Conv2dNode c, INDArray in, INDArray w, INDArray bias, int rows) {
        INDArray out = Nd4j.create(w.dataType(), new long[] {rows, c.filters(), c.shape().height(), c.shape().width()}, 'c');
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.kernel()).kW(c.kernel()).sH(c.stride()).sW(c.stride())
                .pH(c.padding()).pW(c.padding()).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        INDArray x = FloatModel.contiguous(in);
        INDArray[] inputs = bias == null ? new INDArray[] {x, w} : new INDArray[] {x, w, bias};
        Nd4j.exec(new Conv2D(inputs, new INDArray[] {out}, cfg));
        return out;
    }

    /**
     * Gradients of a convolution: into {@code gradIn} (same shape as the input, written), and
     * added to {@code gradW} and {@code biasScale} times into {@code gradB} (bias may be null);
     * {@code biasScale} is T when rows hold sums over time.
     */
    static void convBackward(Conv2dNode c, INDArray in, INDArray w, INDArray bias, INDArray gradOut, INDArray gradIn,
                             INDArray gradW, INDArray gradB, double biasScale) {
        INDArray dW = Nd4j.create(w.dataType(), w.shape(), 'c');
        INDArray dB = bias == null ? null : Nd4j.create(w.dataType(), bias.shape(), 'c');
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp")
                .addIntegerArguments(c.kernel(), c.kernel(), c.stride(), c.stride(), c.padding(), c.padding(), 1, 1,
                        VALID, NCHW, WEIGHTS_OIYX);
        if (bias == null) {
            op.addInputs(FloatModel.contiguous(in), w, FloatModel.contiguous(gradOut)).addOutputs(gradIn, dW);
        } else {
            op.addInputs(FloatModel.contiguous(in), w, bias, FloatModel.contiguous(gradOut)).addOutputs(gradIn, dW, dB);
        }
        Nd4j.exec(op.build());
        gradW.addi(dW);
        if (gradB != null) {
            gradB.addi(dB.muli(biasScale));
        }
    }

    /** out = x W^T + b over rows, x flattened to rows x in. */
    static INDArray dense(INDArray in, INDArray w, INDArray bias, int rows) {
        INDArray x = FloatModel.contiguous(in).reshape('c', rows, in.length() / rows);
        INDArray out = Nd4j.create(w.dataType(), new long[] {rows, w.size(0)}, 'c');
        Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
        if (bias != null) {
            out.addiRowVector(bias);
        }
        return out;
    }

    /**
     * dW += gradOut^T x, dB += biasScale * column sums of gradOut, and gradIn = gradOut W
     * (written, in the input's shape). {@code biasScale} is T when rows hold sums over time.
     */
    static INDArray denseBackward(INDArray in, INDArray w, INDArray gradOut, INDArray gradW, INDArray gradB,
                                  double biasScale, int rows) {
        INDArray x = FloatModel.contiguous(in).reshape('c', rows, in.length() / rows);
        Nd4j.gemm(gradOut, x, gradW, true, false, 1.0, 1.0);
        if (gradB != null) {
            gradB.addi(gradOut.sum(0).muli(biasScale));
        }
        INDArray gradIn = Nd4j.create(w.dataType(), new long[] {rows, w.size(1)}, 'c');
        Nd4j.gemm(gradOut, w, gradIn, false, false, 1.0, 0.0);
        return gradIn.reshape('c', in.shape());
    }

    /** I = (1/K^2) * sum of the K x K window, stride K, floor at the edges. */
    static INDArray avgpool(int k, INDArray in, int rows) {
        INDArray src = FloatModel.contiguous(in);
        long[] is = src.shape();
        int ch = (int) is[1];
        int h = (int) is[2];
        int w = (int) is[3];
        INDArray out = Nd4j.create(src.dataType(), new long[] {rows, ch, h / k, w / k}, 'c');
        pool(Vec.of(src), Vec.of(out), rows * ch, h, w, k, false);
        return out;
    }

    /** The transpose of avgpool: each input of a window receives gradOut / K^2; dropped edges get 0. */
    static INDArray avgpoolBackward(int k, INDArray gradOut, long[] inShape, int rows) {
        INDArray gradIn = Nd4j.create(gradOut.dataType(), inShape, 'c');
        pool(Vec.of(gradIn), Vec.of(FloatModel.contiguous(gradOut)), rows * (int) inShape[1], (int) inShape[2],
                (int) inShape[3], k, true);
        return gradIn;
    }

    private static void pool(Vec x, Vec y, int planes, int h, int w, int k, boolean backward) {
        int oh = h / k;
        int ow = w / k;
        double scale = 1.0 / (k * k);
        for (int plane = 0; plane < planes; plane++) {
            int ib = plane * h * w;
            int ob = plane * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    double g = backward ? y.get(ob + oy * ow + ox) * scale : 0;
                    for (int dy = 0; dy < k; dy++) {
                        int r = ib + (oy * k + dy) * w + ox * k;
                        for (int dx = 0; dx < k; dx++) {
                            if (backward) {
                                x.set(r + dx, g);
                            } else {
                                sum += x.get(r + dx);
                            }
                        }
                    }
                    if (!backward) {
                        y.set(ob + oy * ow + ox, sum * scale);
                    }
                }
            }
        }
    }

    /** x[t, j] *= mask[j] for every step t: the dropout mask of a sample holds for the whole run. */
    static void scaleRowsByMask(Vec x, Vec mask, int steps, int width) {
        for (int t = 0; t < steps; t++) {
            int row = t * width;
            for (int k = 0; k < width; k++) {
                x.set(row + k, x.get(row + k) * mask.get(k));
            }
        }
    }
}
