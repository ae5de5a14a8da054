package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv2dNode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
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

    static INDArray conv(Conv2dNode c, INDArray in, INDArray w, INDArray bias, INDArray out) {
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
     * {@code biasScale} is T when rows hold sums over time. {@code dW} and {@code dB} are scratch
     * arrays of the weight's and bias's shape (dB null without bias).
     */
    static void convBackward(Conv2dNode c, INDArray in, INDArray w, INDArray bias, INDArray gradOut, INDArray gradIn,
                             INDArray gradW, INDArray gradB, double biasScale, INDArray dW, INDArray dB) {
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

    /**
     * The weight and bias gradients of a convolution whose input gradient nobody needs (a layer
     * fed by the input): added to {@code gradW} and {@code biasScale} times into {@code gradB}.
     * ND4J's conv2d_bp always computes the input gradient too, which for the first layer of
     * LeNet5 (one input channel) took four times as long as the weight gradient. Here the input is
     * unfolded once ({@code cols}: rows x C x K x K x OH x OW, im2col) and dW = sum over rows of
     * gradOut_r (O x OH*OW) times cols_r^T (OH*OW x C*K*K), one batched matrix product
     * ({@code products}: rows x O x C*K*K) summed over the rows.
     */
    static void convWeightBackward(Conv2dNode c, INDArray in, INDArray gradOut, INDArray gradW, INDArray gradB,
                                   double biasScale, INDArray cols, INDArray products) {
        long rows = in.size(0);
        long outChannels = gradOut.size(1);
        long positions = gradOut.size(2) * gradOut.size(3);
        long taps = cols.size(1) * cols.size(2) * cols.size(3);
        Nd4j.exec(DynamicCustomOp.builder("im2col")
                .addIntegerArguments(c.kernel(), c.kernel(), c.stride(), c.stride(), c.padding(), c.padding(), 1, 1, 0)
                .addInputs(FloatModel.contiguous(in)).addOutputs(cols).build());
        INDArray g = FloatModel.contiguous(gradOut);
        Nd4j.exec(DynamicCustomOp.builder("matmul")
                .addInputs(g.reshape('c', rows, outChannels, positions), cols.reshape('c', rows, taps, positions))
                .addOutputs(products).addIntegerArguments(0, 1).build());
        gradW.addi(products.sum(0).reshape('c', gradW.shape()));
        if (gradB != null) {
            gradB.addi(g.sum(0, 2, 3).muli(biasScale));
        }
    }

    /** out = x W^T + b over rows, x flattened to rows x in. */
    static INDArray dense(INDArray in, INDArray w, INDArray bias, int rows, INDArray out) {
        INDArray x = FloatModel.contiguous(in).reshape('c', rows, in.length() / rows);
        Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
        if (bias != null) {
            out.addiRowVector(bias);
        }
        return out;
    }

    /**
     * dW += gradOut^T x, dB += biasScale * column sums of gradOut, and gradIn = gradOut W
     * (written into {@code gradIn}, rows x in, returned in the input's shape; skipped when gradIn is
     * null, as for a layer fed by the input spikes). {@code biasScale} is T when rows hold sums over time.
     */
    static INDArray denseBackward(INDArray in, INDArray w, INDArray gradOut, INDArray gradW, INDArray gradB,
                                  double biasScale, int rows, INDArray gradIn) {
        INDArray x = FloatModel.contiguous(in).reshape('c', rows, in.length() / rows);
        Nd4j.gemm(gradOut, x, gradW, true, false, 1.0, 1.0);
        if (gradB != null) {
            gradB.addi(gradOut.sum(0).muli(biasScale));
        }
        if (gradIn == null) {
            return null;
        }
        Nd4j.gemm(gradOut, w, gradIn, false, false, 1.0, 0.0);
        return gradIn.reshape('c', in.shape());
    }

    /** I = (1/K^2) * sum of the K x K window, stride K, floor at the edges (ND4J's avgpool2d, no padding). */
    static INDArray avgpool(int k, INDArray in, INDArray out) {
        Nd4j.exec(new AvgPooling2D(FloatModel.contiguous(in), out, poolConfig(k)));
        return out;
    }

    /** The transpose of avgpool: each input of a window receives gradOut / K^2; dropped edges get 0. */
    static INDArray avgpoolBackward(int k, INDArray in, INDArray gradOut, INDArray gradIn) {
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d_bp")
                .addInputs(FloatModel.contiguous(in), FloatModel.contiguous(gradOut)).addOutputs(gradIn)
                .addIntegerArguments(k, k, k, k, 0, 0, 1, 1, VALID, 0, NCHW).build());
        return gradIn;
    }

    private static Pooling2DConfig poolConfig(int k) {
        return Pooling2DConfig.builder().kH(k).kW(k).sH(k).sW(k).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.AVG).isNHWC(false).extra(0).build();
    }

    /** x[t, j] *= mask[j] for every step t: the dropout mask of a sample holds for the whole run. */
    static void scaleRowsByMask(Vec x, Vec mask, int steps, int width) {
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            double[] m = new double[n];
            double[] row = new double[n];
            float[] f = new float[n];
            mask.read(k0, m, 0, n, f);
            for (int t = 0; t < steps; t++) {
                x.read(t * width + k0, row, 0, n, f);
                for (int j = 0; j < n; j++) {
                    row[j] *= m[j];
                }
                x.write(t * width + k0, row, 0, n, f);
            }
        });
    }
}
