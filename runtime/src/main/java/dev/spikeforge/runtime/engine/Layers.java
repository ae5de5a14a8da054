package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.indexing.NDArrayIndex;
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

    /** libnd4j conv2d and pooling integer arguments: data format, weights [out, kH, kW, in] (OYXI), explicit padding. */
    private static final int NCHW = 0;
    private static final int NHWC = 1;
    private static final int WEIGHTS_OYXI = 2;
    private static final int VALID = 0;

    private Layers() {
    }

    /** Where {@link #conv} keeps its channels-last copies between batches. */
    interface Scratch {
        INDArray buffer(String key, long... shape);
    }

    /**
     * The forward convolution, out = conv(in, w) + bias, written channels-last: {@code out} is
     * [rows, height, width, filters] (NHWC). oneDNN's channels-last kernels are much faster on this
     * project's shapes than its NCHW ones (LeNet5 at 3,200 rows: the first layer 17 ms in NHWC
     * against 79-99 ms in NCHW, the second 65 ms against 101-118 ms; docs/benchmarks.md), so the
     * engine keeps convolution stacks channels-last throughout (see {@link FloatModel}). An input
     * in NCHW ({@code inChannelsLast} false: the network's input) is copied to NHWC first, unless it
     * has one channel, when both layouts are the same memory. The weights are copied to OYXI. The
     * sums are oneDNN's: their order is its own (docs/semantics.md section 2.5).
     */
    static INDArray conv(Conv2dNode c, INDArray in, boolean inChannelsLast, INDArray w, INDArray bias, INDArray out,
                         Scratch scratch) {
        INDArray x = channelsLast("nhwc.in:" + c.name(), in, inChannelsLast, scratch);
        INDArray[] inputs = bias == null ? new INDArray[] {x, oyxi(c, w, scratch)}
                : new INDArray[] {x, oyxi(c, w, scratch), bias};
        Nd4j.exec(new Conv2D(inputs, new INDArray[] {out}, convConfig(c)));
        return out;
    }

    private static Conv2DConfig convConfig(Conv2dNode c) {
        return Conv2DConfig.builder().kH(c.kernel()).kW(c.kernel()).sH(c.stride()).sW(c.stride())
                .pH(c.padding()).pW(c.padding()).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                .dataFormat("NHWC").weightsFormat(WeightsFormat.OYXI).build();
    }

    /** The weights [filters, in, kH, kW] copied to [filters, kH, kW, in] (OYXI), into scratch. */
    private static INDArray oyxi(Conv2dNode c, INDArray w, Scratch scratch) {
        return scratch.buffer("oyxi:" + c.name(), w.size(0), w.size(2), w.size(3), w.size(1))
                .assign(w.permute(0, 2, 3, 1));
    }

    /**
     * A convolution's input, channels-last: itself when it is already, a reshape when it has one
     * channel, else a copy of the NCHW array into the scratch buffer {@code key}.
     */
    static INDArray channelsLast(String key, INDArray in, boolean inChannelsLast, Scratch scratch) {
        INDArray x = FloatModel.contiguous(in);
        if (inChannelsLast) {
            return x;
        }
        if (x.size(1) == 1) {
            return x.reshape('c', x.size(0), x.size(2), x.size(3), 1);
        }
        return toNhwc(scratch, key, x);
    }

    /** An NCHW array [rows, C, H, W] copied into the channels-last scratch buffer {@code key} [rows, H, W, C]. */
    static INDArray toNhwc(Scratch scratch, String key, INDArray a) {
        return scratch.buffer(key, a.size(0), a.size(2), a.size(3), a.size(1)).assign(a.permute(0, 2, 3, 1));
    }

    /** A channels-last array [rows, H, W, C] copied into the NCHW scratch buffer {@code key} [rows, C, H, W]. */
    static INDArray toNchw(Scratch scratch, String key, INDArray a) {
        return scratch.buffer(key, a.size(0), a.size(3), a.size(1), a.size(2)).assign(a.permute(0, 3, 1, 2));
    }

    /**
     * Gradients of a convolution, all channels-last: {@code in} and {@code gradOut} are NHWC, and
     * the input gradient is written into {@code gradIn} (NHWC, the input's shape). The weight
     * gradient is added to {@code gradW} (OIYX, as the weights) and {@code biasScale} times the
     * bias gradient into {@code gradB} (bias may be null); {@code biasScale} is T when rows hold
     * sums over time. oneDNN's conv2d_bp computes both in NHWC with OYXI weights.
     */
    static void convBackward(Conv2dNode c, INDArray in, INDArray w, INDArray bias, INDArray gradOut, INDArray gradIn,
                             INDArray gradW, INDArray gradB, double biasScale, Scratch scratch) {
        INDArray wh = oyxi(c, w, scratch);
        INDArray dW = scratch.buffer("oyxi.grad:" + c.name(), wh.shape());
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp")
                .addIntegerArguments(c.kernel(), c.kernel(), c.stride(), c.stride(), c.padding(), c.padding(), 1, 1,
                        VALID, NHWC, WEIGHTS_OYXI);
        INDArray dB = bias == null ? null : scratch.buffer("bias.grad:" + c.name(), bias.shape());
        INDArray x = FloatModel.contiguous(in);
        INDArray g = FloatModel.contiguous(gradOut);
        if (bias == null) {
            op.addInputs(x, wh, g).addOutputs(gradIn, dW);
        } else {
            op.addInputs(x, wh, bias, g).addOutputs(gradIn, dW, dB);
        }
        Nd4j.exec(op.build());
        gradW.addi(dW.permute(0, 3, 1, 2));
        if (gradB != null) {
            gradB.addi(dB.muli(biasScale));
        }
    }

    /** Rows per work unit of {@link #convWeightBackward}: each unit sums its own partial gradient. */
    static final int WEIGHT_GRADIENT_ROWS = 32;

    /**
     * The weight and bias gradients of a convolution whose input gradient nobody needs (a layer
     * fed by the input): added to {@code gradW} and {@code biasScale} times into {@code gradB}
     * (may be null), in a float32 model. ND4J's conv2d_bp always computes the input gradient too; its im2col and a
     * batched matmul took 255 ms for LeNet5's first layer at 3,200 rows. This kernel takes 41-44 ms
     * on the Vector API, 120 ms in plain loops (both cores, 29% of the inputs spikes).
     *
     * <p>Driven by the input's non-zero values, which for spike inputs are a fraction of them: a
     * value v at (c, iy, ix) meets output (oy, ox) through tap (ky, kx) when oy * stride - padding
     * + ky = iy (and the same for x), and adds v * gradOut[oy, ox, .] to dW[., c, ky, kx] for all
     * filters at once. {@code in} is NCHW (the network's input), {@code gradOut} channels-last
     * [rows, outH, outW, filters], so each position's filters are contiguous.
     * Rows are split into fixed units of {@link #WEIGHT_GRADIENT_ROWS}, each summed in double, and
     * the units' sums are added in row order: the result does not depend on the thread count.
     */
    static void convWeightBackward(Conv2dNode c, INDArray in, INDArray gradOut, INDArray gradW, INDArray gradB,
                                   double biasScale) {
        INDArray x = FloatModel.contiguous(in);
        INDArray g = FloatModel.contiguous(gradOut);
        int rows = (int) x.size(0);
        int channels = (int) x.size(1);
        int height = (int) x.size(2);
        int width = (int) x.size(3);
        int outH = (int) g.size(1);
        int outW = (int) g.size(2);
        int filters = (int) g.size(3);
        int k = c.kernel();
        int stride = c.stride();
        int pad = c.padding();
        int inSize = channels * height * width;
        int positions = outH * outW;
        int outSize = filters * positions;
        int taps = channels * k * k;
        Vec xs = Vec.of(x);
        Vec gs = Vec.of(g);
        int units = (rows + WEIGHT_GRADIENT_ROWS - 1) / WEIGHT_GRADIENT_ROWS;
        double[][] partW = new double[units][];
        double[][] partB = new double[units][];
        Chunks.forEach(rows, WEIGHT_GRADIENT_ROWS, (r0, r1) -> {
            double[] xr = new double[inSize];
            float[] gt = new float[outSize]; // [position][filter]
            double[] sum = new double[filters];
            float[] f = new float[inSize];
            double[] dw = new double[taps * filters]; // [c][ky][k-1-kx][filter]: kx reversed, see below
            double[] db = new double[filters];
            int[] nzX = new int[width]; // the non-zero inputs of one input row: x, value, and where they read gt
            double[] nzV = new double[width];
            int[] nzSrc = new int[width];
            for (int r = r0; r < r1; r++) {
                xs.read(r * inSize, xr, 0, inSize, f);
                gs.readFloats(r * outSize, gt, outSize);
                columnSums(gt, positions, filters, sum);
                for (int o = 0; o < filters; o++) {
                    db[o] += sum[o];
                }
                for (int ch = 0; ch < channels; ch++) {
                    for (int iy = 0; iy < height; iy++) {
                        int nz = 0;
                        for (int ix = 0; ix < width; ix++) {
                            double v = xr[(ch * height + iy) * width + ix];
                            if (v != 0) {
                                nzX[nz] = ix;
                                nzV[nz++] = v;
                            }
                        }
                        for (int ky = 0; ky < k && nz > 0; ky++) {
                            int ny = iy + pad - ky;
                            if (ny < 0 || ny % stride != 0 || ny / stride >= outH) {
                                continue;
                            }
                            int oy = ny / stride;
                            int rowBase = (ch * k + ky) * k;
                            if (stride == 1) {
                                // the taps kx in [lo, hi] meet outputs ox = ix + pad - kx: as kx falls, ox
                                // rises, so with kx stored reversed both sides are one contiguous run. Inputs
                                // with every tap inside (lo = 0, hi = k - 1) add whole runs to the same place,
                                // in one pass; the ones at the edges one by one. Every element of dw still
                                // gets its terms in order of ix.
                                int i = 0;
                                for (; i < nz && nzX[i] + pad < k - 1; i++) {
                                    edgeRun(nzX[i], nzV[i], k, pad, outW, oy, rowBase, filters, gt, dw);
                                }
                                int from = i;
                                for (; i < nz && nzX[i] + pad <= outW - 1; i++) {
                                    nzSrc[i] = (oy * outW + nzX[i] + pad - (k - 1)) * filters;
                                }
                                addScaledRuns(nzV, nzSrc, from, i, gt, dw, rowBase * filters, k * filters);
                                for (; i < nz; i++) {
                                    edgeRun(nzX[i], nzV[i], k, pad, outW, oy, rowBase, filters, gt, dw);
                                }
                                continue;
                            }
                            for (int i = 0; i < nz; i++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int nx = nzX[i] + pad - kx;
                                    if (nx < 0 || nx % stride != 0 || nx / stride >= outW) {
                                        continue;
                                    }
                                    int src = (oy * outW + nx / stride) * filters;
                                    addScaled(nzV[i], gt, src, dw, (rowBase + k - 1 - kx) * filters, filters);
                                }
                            }
                        }
                    }
                }
            }
            partW[r0 / WEIGHT_GRADIENT_ROWS] = dw;
            partB[r0 / WEIGHT_GRADIENT_ROWS] = db;
        });
        double[] dw = new double[taps * filters];
        double[] db = new double[filters];
        for (int u = 0; u < units; u++) {
            for (int i = 0; i < dw.length; i++) {
                dw[i] += partW[u][i];
            }
            for (int o = 0; o < filters; o++) {
                db[o] += partB[u][o];
            }
        }
        // gradW is [filter][c][ky][kx]; dw is [c][ky][k-1-kx][filter]
        double[] w = new double[filters * taps];
        Vec gw = Vec.of(gradW);
        gw.read(0, w, 0, w.length);
        for (int o = 0; o < filters; o++) {
            for (int t = 0; t < taps; t++) {
                int kx = t % k;
                w[o * taps + t] += dw[(t - kx + k - 1 - kx) * filters + o];
            }
        }
        gw.write(0, w, 0, w.length);
        if (gradB != null) {
            double[] b = new double[filters];
            Vec gb = Vec.of(gradB);
            gb.read(0, b, 0, filters);
            for (int o = 0; o < filters; o++) {
                b[o] += db[o] * biasScale;
            }
            gb.write(0, b, 0, filters);
        }
    }

    /** The run of an input at x = ix whose taps are cut by the edge (stride 1): the taps that stay inside. */
    private static void edgeRun(int ix, double v, int k, int pad, int outW, int oy, int rowBase, int filters, float[] gt,
                                double[] dw) {
        int lo = Math.max(0, ix + pad - (outW - 1));
        int hi = Math.min(k - 1, ix + pad);
        if (lo <= hi) {
            addScaled(v, gt, (oy * outW + ix + pad - hi) * filters, dw, (rowBase + k - 1 - hi) * filters,
                    (hi - lo + 1) * filters);
        }
    }

    /** sum[o] = the sum of g[q * filters + o] over q, added in order of q. */
    private static void columnSums(float[] g, int positions, int filters, double[] sum) {
        int o0 = Simd.enabled() ? SimdKernels.columnSums(g, positions, filters, sum) : 0;
        for (int o = o0; o < filters; o++) {
            double s = 0;
            for (int q = 0; q < positions; q++) {
                s += g[q * filters + o];
            }
            sum[o] = s;
        }
    }

    /**
     * y[yOff + i] += v * x[xOff + i] for i in [0, len): the weight-gradient kernel's inner loop. On
     * the Vector API when the JVM has it; every element gets the same multiply and add either way,
     * so the bits are the same.
     */
    private static void addScaled(double v, float[] x, int xOff, double[] y, int yOff, int len) {
        int i = Simd.enabled() ? SimdKernels.addScaled(v, x, xOff, y, yOff, len) : 0;
        for (; i < len; i++) {
            y[yOff + i] += v * x[xOff + i];
        }
    }

    /**
     * y[yOff + e] += v[i] * x[src[i] + e] for i in [from, to), in that order, for e in [0, len): many
     * runs added to the same place. On the Vector API the sums stay in registers over all i (for
     * LeNet5's first layer the kernel took 52-57 ms a batch adding run by run); each element gets
     * the same terms in the same order either way.
     */
    private static void addScaledRuns(double[] v, int[] src, int from, int to, float[] x, double[] y, int yOff, int len) {
        if (from == to) {
            return;
        }
        int e0 = Simd.enabled() ? SimdKernels.addScaledRuns(v, src, from, to, x, y, yOff, len) : 0;
        for (int i = from; i < to; i++) {
            for (int e = e0; e < len; e++) {
                y[yOff + e] += v[i] * x[src[i] + e];
            }
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
            gradB.addi(columnSums(gradOut).reshape(gradB.shape()).muli(biasScale));
        }
        if (gradIn == null) {
            return null;
        }
        Nd4j.gemm(gradOut, w, gradIn, false, false, 1.0, 0.0);
        return gradIn.reshape('c', in.shape());
    }

    /**
     * The sums down the columns of a rows x cols matrix, as a 1 x cols row: a product with a row of
     * ones. ND4J's sum(0) reduces each column with a stride of cols; the product reads the matrix
     * in order: 0.15 ms against 1.6 ms for the MLP's 3,200 x 500 gradient, 4.4 ms against 33 ms for
     * LeNet5's first-layer spikes summed over 25 steps. Sums of spikes are exact either way.
     */
    static INDArray columnSums(INDArray m) {
        INDArray c = FloatModel.contiguous(m);
        INDArray ones = Nd4j.ones(c.dataType(), 1, c.size(0));
        INDArray out = Nd4j.createUninitialized(c.dataType(), new long[] {1, c.size(1)}, 'c');
        Nd4j.gemm(ones, c, out, false, false, 1.0, 0.0);
        return out;
    }

    /**
     * I = (1/K^2) * sum of the K x K window, stride K, floor at the edges (ND4J's avgpool2d, no
     * padding), in NCHW or channels-last; {@code out} has the input's layout.
     */
    static INDArray avgpool(int k, INDArray in, boolean channelsLast, INDArray out) {
        Nd4j.exec(new AvgPooling2D(FloatModel.contiguous(in), out, poolConfig(k, channelsLast)));
        return out;
    }

    /** The transpose of avgpool: each input of a window receives gradOut / K^2; dropped edges get 0. */
    static INDArray avgpoolBackward(int k, INDArray in, boolean channelsLast, INDArray gradOut, INDArray gradIn) {
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d_bp")
                .addInputs(FloatModel.contiguous(in), FloatModel.contiguous(gradOut)).addOutputs(gradIn)
                .addIntegerArguments(k, k, k, k, 0, 0, 1, 1, VALID, 0, channelsLast ? NHWC : NCHW).build());
        return gradIn;
    }

    private static Pooling2DConfig poolConfig(int k, boolean channelsLast) {
        return Pooling2DConfig.builder().kH(k).kW(k).sH(k).sW(k).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.AVG).isNHWC(channelsLast).extra(0).build();
    }

    /** Rows per work unit of the conv1d and maxpool loops. */
    static final int ROWS_PER_TASK = 64;

    /**
     * out[r, f, o] = sum_{c,k} w[f, c, k] x[r, c, o*s - p + k] (+ b[f]) on [rows, C, L] inputs,
     * taps in the padding read 0; written into {@code out}, [rows, F, Lout]. Plain loops in
     * double, rows split over the cores (each row is written by one task, so the result does not
     * depend on the split).
     */
    static INDArray conv1d(Conv1dNode c, INDArray in, INDArray w, INDArray bias, INDArray out) {
        int ch = c.inChannels();
        int len = (int) (in.length() / in.size(0) / ch);
        int rows = (int) in.size(0);
        int f = c.filters();
        int k = c.kernel();
        int outL = (int) (out.length() / rows / f);
        double[] wv = new double[f * ch * k];
        Vec.of(w).read(0, wv, 0, wv.length);
        double[] b = new double[f];
        if (bias != null) {
            Vec.of(bias).read(0, b, 0, f);
        }
        Vec x = Vec.of(FloatModel.contiguous(in));
        Vec y = Vec.of(out);
        Chunks.forEach(rows, ROWS_PER_TASK, (r0, r1) -> {
            double[] xr = new double[ch * len];
            double[] yr = new double[f * outL];
            float[] scratch = new float[Math.max(xr.length, yr.length)];
            for (int r = r0; r < r1; r++) {
                x.read(r * xr.length, xr, 0, xr.length, scratch);
                for (int fi = 0; fi < f; fi++) {
                    for (int o = 0; o < outL; o++) {
                        double sum = b[fi];
                        for (int cc = 0; cc < ch; cc++) {
                            for (int kk = 0; kk < k; kk++) {
                                int pos = o * c.stride() - c.padding() + kk;
                                if (pos >= 0 && pos < len) {
                                    sum += wv[(fi * ch + cc) * k + kk] * xr[cc * len + pos];
                                }
                            }
                        }
                        yr[fi * outL + o] = sum;
                    }
                }
                y.write(r * yr.length, yr, 0, yr.length, scratch);
            }
        });
        return out;
    }

    /**
     * Gradients of {@link #conv1d}: gradIn[r, c, pos] = sum w[f, c, k] g[r, f, o] over the taps
     * that read pos (written, unless gradIn is null); dW[f, c, k] += sum g[r, f, o] x[r, c, pos]
     * and dB[f] += biasScale * sum g[r, f, o] (gradB may be null). The weight gradient's partial
     * sums per task add up in task order.
     */
    static void conv1dBackward(Conv1dNode c, INDArray in, INDArray w, INDArray gradOut, INDArray gradIn,
                               INDArray gradW, INDArray gradB, double biasScale) {
        int ch = c.inChannels();
        int rows = (int) in.size(0);
        int len = (int) (in.length() / rows / ch);
        int f = c.filters();
        int k = c.kernel();
        int outL = (int) (gradOut.length() / rows / f);
        double[] wv = new double[f * ch * k];
        Vec.of(w).read(0, wv, 0, wv.length);
        Vec x = Vec.of(FloatModel.contiguous(in));
        Vec g = Vec.of(FloatModel.contiguous(gradOut));
        Vec gi = gradIn == null ? null : Vec.of(gradIn);
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        double[][] partW = new double[tasks][];
        double[][] partB = new double[tasks][];
        Chunks.forEach(rows, ROWS_PER_TASK, (r0, r1) -> {
            double[] xr = new double[ch * len];
            double[] gr = new double[f * outL];
            double[] ir = new double[ch * len];
            double[] dw = new double[wv.length];
            double[] db = new double[f];
            float[] scratch = new float[Math.max(xr.length, gr.length)];
            for (int r = r0; r < r1; r++) {
                x.read(r * xr.length, xr, 0, xr.length, scratch);
                g.read(r * gr.length, gr, 0, gr.length, scratch);
                java.util.Arrays.fill(ir, 0);
                for (int fi = 0; fi < f; fi++) {
                    for (int o = 0; o < outL; o++) {
                        double go = gr[fi * outL + o];
                        db[fi] += go;
                        for (int cc = 0; cc < ch; cc++) {
                            for (int kk = 0; kk < k; kk++) {
                                int pos = o * c.stride() - c.padding() + kk;
                                if (pos >= 0 && pos < len) {
                                    int wi = (fi * ch + cc) * k + kk;
                                    dw[wi] += go * xr[cc * len + pos];
                                    ir[cc * len + pos] += wv[wi] * go;
                                }
                            }
                        }
                    }
                }
                if (gi != null) {
                    gi.write(r * ir.length, ir, 0, ir.length, scratch);
                }
            }
            partW[r0 / ROWS_PER_TASK] = dw;
            partB[r0 / ROWS_PER_TASK] = db;
        });
        double[] dw = new double[wv.length];
        double[] db = new double[f];
        for (int t = 0; t < tasks; t++) {
            for (int i = 0; i < dw.length; i++) {
                dw[i] += partW[t][i];
            }
            for (int i = 0; i < f; i++) {
                db[i] += partB[t][i];
            }
        }
        addInto(gradW, dw, 1);
        if (gradB != null) {
            addInto(gradB, db, biasScale);
        }
    }

    /** a += scale * values, element by element in a's c order. */
    private static void addInto(INDArray a, double[] values, double scale) {
        double[] cur = new double[values.length];
        Vec v = Vec.of(a);
        v.read(0, cur, 0, cur.length);
        for (int i = 0; i < cur.length; i++) {
            cur[i] += scale * values[i];
        }
        v.write(0, cur, 0, cur.length);
    }

    /**
     * The geometry of a max pool on [rows, C, H, W] (NCHW), [rows, H, W, C] (channels-last) or
     * [rows, C, L] (a sequence: H = 1, W = L, windows of K along L only).
     */
    private record PoolGeometry(int rows, int c, int h, int w, int kh, int kw, int outH, int outW, boolean nhwc) {

        static PoolGeometry of(int k, INDArray in, boolean channelsLast) {
            int rows = (int) in.size(0);
            if (in.rank() == 3) {
                int len = (int) in.size(2);
                return new PoolGeometry(rows, (int) in.size(1), 1, len, 1, k, 1, len / k, false);
            }
            int c = (int) (channelsLast ? in.size(3) : in.size(1));
            int h = (int) (channelsLast ? in.size(1) : in.size(2));
            int w = (int) (channelsLast ? in.size(2) : in.size(3));
            return new PoolGeometry(rows, c, h, w, k, k, h / k, w / k, channelsLast);
        }

        int inIndex(int ch, int y, int x) {
            return nhwc ? (y * w + x) * c + ch : (ch * h + y) * w + x;
        }

        int outIndex(int ch, int y, int x) {
            return nhwc ? (y * outW + x) * c + ch : (ch * outH + y) * outW + x;
        }

        int inSize() {
            return c * h * w;
        }

        int outSize() {
            return c * outH * outW;
        }
    }

    /**
     * out = the maximum of each window (K x K on a map, K on a sequence; stride K, the edges that
     * do not fill a window dropped): for spikes of 0 and 1 the OR of the window (docs/semantics.md).
     * {@code out} has the input's layout.
     */
    static INDArray maxpool(int k, INDArray in, boolean channelsLast, INDArray out) {
        PoolGeometry g = PoolGeometry.of(k, in, channelsLast);
        Vec x = Vec.of(FloatModel.contiguous(in));
        Vec y = Vec.of(out);
        Chunks.forEach(g.rows(), ROWS_PER_TASK, (r0, r1) -> {
            double[] xr = new double[g.inSize()];
            double[] yr = new double[g.outSize()];
            float[] scratch = new float[xr.length];
            for (int r = r0; r < r1; r++) {
                x.read(r * xr.length, xr, 0, xr.length, scratch);
                for (int ch = 0; ch < g.c(); ch++) {
                    for (int oy = 0; oy < g.outH(); oy++) {
                        for (int ox = 0; ox < g.outW(); ox++) {
                            yr[g.outIndex(ch, oy, ox)] = xr[argmax(g, xr, ch, oy, ox)];
                        }
                    }
                }
                y.write(r * yr.length, yr, 0, yr.length, scratch);
            }
        });
        return out;
    }

    /**
     * The input index of a window's maximum; among equal values the first in window order (row
     * by row, left to right), so a tie sends the whole gradient to that first element.
     */
    private static int argmax(PoolGeometry g, double[] xr, int ch, int oy, int ox) {
        int best = g.inIndex(ch, oy * g.kh(), ox * g.kw());
        for (int dy = 0; dy < g.kh(); dy++) {
            for (int dx = 0; dx < g.kw(); dx++) {
                int i = g.inIndex(ch, oy * g.kh() + dy, ox * g.kw() + dx);
                if (xr[i] > xr[best]) {
                    best = i;
                }
            }
        }
        return best;
    }

    /**
     * The gradient of {@link #maxpool}: each window's gradient goes whole to its maximum input
     * (ties: the first in window order, as {@link #argmax}); every other input, and the dropped
     * edges, get 0. Written into {@code gradIn} (the input's shape and layout).
     */
    static INDArray maxpoolBackward(int k, INDArray in, boolean channelsLast, INDArray gradOut, INDArray gradIn) {
        PoolGeometry g = PoolGeometry.of(k, in, channelsLast);
        Vec x = Vec.of(FloatModel.contiguous(in));
        Vec go = Vec.of(FloatModel.contiguous(gradOut));
        Vec gi = Vec.of(gradIn);
        Chunks.forEach(g.rows(), ROWS_PER_TASK, (r0, r1) -> {
            double[] xr = new double[g.inSize()];
            double[] gr = new double[g.outSize()];
            double[] ir = new double[g.inSize()];
            float[] scratch = new float[xr.length];
            for (int r = r0; r < r1; r++) {
                x.read(r * xr.length, xr, 0, xr.length, scratch);
                go.read(r * gr.length, gr, 0, gr.length, scratch);
                java.util.Arrays.fill(ir, 0);
                for (int ch = 0; ch < g.c(); ch++) {
                    for (int oy = 0; oy < g.outH(); oy++) {
                        for (int ox = 0; ox < g.outW(); ox++) {
                            ir[argmax(g, xr, ch, oy, ox)] += gr[g.outIndex(ch, oy, ox)];
                        }
                    }
                }
                gi.write(r * ir.length, ir, 0, ir.length, scratch);
            }
        });
        return gradIn;
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

    /**
     * {@code out} = {@code x} moved {@code by} steps in time, steps moved in from outside 0: by = 1
     * delays (the rows of step t-1 at step t, pipelined timing, docs/semantics.md section 2.7), by =
     * -1 is its gradient (dL/ds[t] is the readers' gradient at step t+1; the last step's spikes no
     * layer reads). Both hold T time-major blocks of equal size in any layout.
     */
    static INDArray shiftSteps(INDArray x, int steps, int by, INDArray out) {
        long width = x.length() / steps;
        INDArray from = FloatModel.contiguous(x).reshape('c', steps, width);
        INDArray to = out.reshape('c', steps, width);
        int moved = steps - Math.abs(by);
        int src = Math.max(0, -by);
        int dst = Math.max(0, by);
        if (moved > 0) {
            to.get(NDArrayIndex.interval(dst, dst + moved), NDArrayIndex.all())
                    .assign(from.get(NDArrayIndex.interval(src, src + moved), NDArrayIndex.all()));
        }
        int empty = Math.min(steps, Math.abs(by));
        to.get(NDArrayIndex.interval(by > 0 ? 0 : steps - empty, by > 0 ? empty : steps), NDArrayIndex.all()).assign(0);
        return out;
    }
}
