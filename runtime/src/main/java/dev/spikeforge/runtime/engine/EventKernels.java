package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv2dNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Event-driven (spike-driven) forward kernels of the float model's inference: a convolution or a
 * product whose input is mostly zeros is the sum, over the non-zero inputs only, of the weights
 * they select, times the input (for spikes, 1: the weights themselves). Each row is computed
 * alone: its non-zero inputs are listed, then each output gathers the weights of the listed
 * inputs it reads and adds them, in a fixed order, in float.
 *
 * <p>The order of the sums is this class's own, not ND4J's (oneDNN, OpenBLAS): an output is
 * {@code ((0 + t_1) + t_2) + ... + t_n + bias} with the terms t_i = x_i * w_i of its non-zero
 * inputs in the order of the input index (a convolution's: kernel row, kernel column, input
 * channel), each addition rounded to float. So an output equals ND4J's exactly when every sum is
 * exact, and otherwise differs from it by the rounding of two float sums of the same n + 1 terms,
 * at most 2 (n + 1) u times the sum of their magnitudes, u = 2^-24 (docs/semantics.md section
 * 2.5; EventKernelsPropertyTest). The result does not depend on the thread count or on whether the
 * JIT vectorises the loops: every element gets the same additions in the same order.
 *
 * <p>{@link FloatModel} uses these kernels in inference only (forward passes that keep no tape for
 * a backward pass), and only for layers whose input in the batch is at most {@link #threshold}
 * non-zero; denser inputs go to ND4J as in training.
 */
final class EventKernels {

    /**
     * The largest fraction of non-zero inputs at which a layer takes these kernels, measured
     * (docs/benchmarks.md, "Event-driven inference") on LeNet5's shapes against ND4J: its second
     * convolution (20 input channels) and its 800 -> 200 product broke even at 15-20% of non-zero
     * inputs, so those layers switch at {@value #DENSITY_DEFAULT}.
     */
    static final double DENSITY_DEFAULT = 0.15;

    /**
     * The same for a convolution of a single input channel (an image, as LeNet5's first layer):
     * on an idle machine oneDNN's kernel for it beat the event kernel at every density measured
     * (5% to 28% of non-zero inputs: at 28%, 21.7 against 50.1 ms a batch), so only a silent input
     * takes the event kernel. (The 50% this was before came from timings on a machine loaded 4-9
     * times over, where oneDNN's threads lost most; docs/benchmarks.md.)
     */
    static final double DENSITY_ONE_CHANNEL = 0.0;

    /** Both thresholds replaced by one, {@code -Dspikeforge.eventDensity=D} (0 to 1), for measuring; NaN when unset. */
    private static volatile double densityOverride = densityOverride();

    /** Replaces both thresholds by {@code d} (NaN: back to the measured ones); the tests force either path with it. */
    static void overrideThreshold(double d) {
        densityOverride = d;
    }

    private static double densityOverride() {
        String s = System.getProperty("spikeforge.eventDensity");
        if (s == null) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(s);
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // falls through to the warning below
        }
        System.err.println("spikeforge: ignoring -Dspikeforge.eventDensity=" + s
                + ": it takes a number from 0 to 1; the measured thresholds apply");
        return Double.NaN;
    }

    /** The density threshold of a layer whose rows have {@code inChannels} input channels (1 for a product). */
    static double threshold(boolean oneChannelConvolution) {
        double forced = densityOverride;
        if (!Double.isNaN(forced)) {
            return forced;
        }
        return oneChannelConvolution ? DENSITY_ONE_CHANNEL : DENSITY_DEFAULT;
    }

    /** Rows per work unit: each row is written by one unit, so the split changes no value. */
    static final int ROWS_PER_TASK = 16;

    private EventKernels() {
    }

    /** Whether the event kernels run at all ({@code -Dspikeforge.events=false} keeps ND4J's everywhere). */
    static boolean enabled() {
        return ON;
    }

    private static final boolean ON = !"false".equalsIgnoreCase(System.getProperty("spikeforge.events", "true"));

    /** Every how many rows {@link #density} reads one. */
    static final int DENSITY_SAMPLE = 8;

    /**
     * The fraction of non-zero values in rows 0, {@value #DENSITY_SAMPLE}, 2 x
     * {@value #DENSITY_SAMPLE}, ... of a float array of {@code rows} rows (contiguous, c order):
     * a fixed sample of the batch, so the choice it makes is the same for the same batch, at an
     * eighth of a full scan's cost (a full scan of LeNet5's second layer took 12-17 ms a batch
     * on a loaded machine).
     */
    static double density(INDArray a, int rows) {
        INDArray x = FloatModel.contiguous(a);
        int width = Math.toIntExact(x.length() / rows);
        int sampled = (rows + DENSITY_SAMPLE - 1) / DENSITY_SAMPLE;
        if (width == 0 || sampled == 0) {
            return 0;
        }
        Vec v = Vec.of(x);
        long[] parts = new long[sampled];
        Chunks.forEach(sampled, Math.max(1, (1 << 16) / width), (from, to) -> {
            float[] f = new float[width];
            for (int i = from; i < to; i++) {
                v.readFloats(i * DENSITY_SAMPLE * width, f, width);
                long c = 0;
                for (float e : f) {
                    if (e != 0) {
                        c++;
                    }
                }
                parts[i] = c;
            }
        });
        long total = 0;
        for (long p : parts) {
            total += p;
        }
        return (double) total / ((long) sampled * width);
    }

    /** The number of floats a run of n outputs takes, padded to whole vectors. */
    static int padded(int n) {
        int l = Simd.enabled() ? SimdKernels.floatLanes() : 8;
        return (n + l - 1) / l * l;
    }

    /**
     * out = conv(in, w) + bias, as {@link Layers#conv}: {@code in} channels-last [rows, H, W, C],
     * {@code w} [filters, C, kH, kW] (OIYX), {@code out} channels-last [rows, outH, outW, filters],
     * all float32. Output (oy, ox, f) sums, for kernel row ky, kernel column kx and channel c in
     * that order, x[oy * s - p + ky, ox * s - p + kx, c] * w[f, c, ky, kx] over the non-zero inputs
     * inside the map (padding reads nothing), then adds bias[f].
     */
    static INDArray conv(Conv2dNode node, INDArray in, INDArray w, INDArray bias, INDArray out) {
        return conv(node, in, w, bias, out, node.stride() == 1);
    }

    /** {@link #conv} driven by the inputs ({@code scatter}, stride 1 only) or by the outputs. */
    static INDArray conv(Conv2dNode node, INDArray in, INDArray w, INDArray bias, INDArray out, boolean scatter) {
        INDArray x = FloatModel.contiguous(in);
        ConvPlan plan = new ConvPlan(node, x, w, bias, (int) out.size(1), (int) out.size(2), scatter);
        Vec xs = Vec.of(x);
        Vec ys = Vec.of(out);
        Chunks.forEach(plan.rows, ROWS_PER_TASK, (r0, r1) -> {
            ConvPlan.Work work = plan.work();
            for (int r = r0; r < r1; r++) {
                xs.readFloats(r * plan.inSize, work.xr, plan.inSize);
                plan.row(work);
                ys.writeFloats(r * plan.outSize, work.yr, plan.outSize);
            }
        });
        return out;
    }

    /**
     * What a fused pass runs after the convolution: the neuron layer it feeds, and optionally an
     * average pooling of that layer's spikes and the neuron layer the pooling feeds.
     *
     * @param first     the first neuron layer's constants
     * @param spikes    where its spikes go (the convolution's output shape, time-major), or null
     *                  when nobody reads them (a pooling follows and nobody keeps them)
     * @param pool      the pooling's window K (stride K, edges that do not fill a window dropped), 0 for none
     * @param poolTable the pooling's output for a window of n spikes, n = 0..K^2 (ND4J's own, {@link Layers#avgpool})
     * @param second    the second neuron layer's constants, when pooling
     * @param pooled    where its spikes go ([rows, outH / K, outW / K, filters])
     * @param firstExact  the first layer in the integer model's arithmetic ({@link IntegerNeurons}),
     *                    or null for the float semantics; likewise {@code secondExact}
     */
    record Chain(NeuronDynamics.Params first, INDArray spikes, int pool, float[] poolTable, NeuronDynamics.Params second,
                 INDArray pooled, IntegerNeurons.Layer firstExact, IntegerNeurons.Layer secondExact) {

        /** A chain in the float semantics. */
        Chain(NeuronDynamics.Params first, INDArray spikes, int pool, float[] poolTable, NeuronDynamics.Params second,
              INDArray pooled) {
            this(first, spikes, pool, poolTable, second, pooled, null, null);
        }
    }

    /**
     * {@link #conv} and the neuron layer it feeds (and, with a pooling in {@code chain}, the
     * average pooling of its spikes and the neuron layer after it) in one pass, for inference:
     * each sample's rows are convolved step by step and go straight into the neuron recurrence
     * (docs/semantics.md section 2.1, as {@link NeuronDynamics#forward} computes it: the current
     * rounded to float, the state in double), so the currents are never stored. A window of n
     * spikes pools to {@code poolTable[n]}, the value ND4J's pooling gives it (a sum of 0s and 1s
     * is exact in any order). Returns the spike counts of the first and the second neuron layer.
     * The spikes equal those of {@link #conv}, {@link NeuronDynamics#forward} and
     * {@link Layers#avgpool} run one after another, bit for bit (EventKernelsPropertyTest). Not for
     * neurons with a synaptic current.
     */
    static long[] convFire(Conv2dNode node, INDArray in, INDArray w, INDArray bias, Chain chain, int steps) {
        INDArray x = FloatModel.contiguous(in);
        ConvPlan plan = new ConvPlan(node, x, w, bias, node.shape().height(), node.shape().width(), node.stride() == 1);
        Vec xs = Vec.of(x);
        return fire(chain, steps, plan.rows, plan.outH, plan.outW, plan.filters, () -> {
            ConvPlan.Work work = plan.work();
            return r -> {
                xs.readFloats(r * plan.inSize, work.xr, plan.inSize);
                plan.row(work);
                return work.yr;
            };
        });
    }

    /**
     * The neuron layer and, with a pooling in {@code chain}, the pooling and the neuron layer after
     * it, as {@link #convFire} runs them, on currents already computed ({@code current}, channels-last
     * [rows, H, W, filters], time-major): a dense convolution's, in inference. The first layer's
     * spikes are not stored when the chain pools and nobody keeps them; the spikes are counted as
     * they are written. Returns the two layers' spike counts.
     */
    static long[] fire(INDArray current, Chain chain, int steps) {
        INDArray c = FloatModel.contiguous(current);
        int rows = (int) c.size(0);
        int size = (int) (c.length() / rows);
        Vec cs = Vec.of(c);
        return fire(chain, steps, rows, (int) c.size(1), (int) c.size(2), (int) c.size(3), () -> {
            float[] row = new float[size];
            return r -> {
                cs.readFloats(r * size, row, size);
                return row;
            };
        });
    }

    /** Zeroes a task's membranes, float or integer (the other is null). */
    private static void clear(double[] v, long[] vi) {
        if (v != null) {
            java.util.Arrays.fill(v, 0);
        } else {
            java.util.Arrays.fill(vi, 0);
        }
    }

    /** The currents of row r (time-major: step t of sample b is row t * batch + b), for one task. */
    private interface Rows {
        float[] current(int r);
    }

    private static long[] fire(Chain chain, int steps, int rows, int outH, int outW, int filters,
                               java.util.function.Supplier<Rows> source) {
        if (chain.first().synaptic() || chain.pool() > 0 && chain.second().synaptic()) {
            throw new IllegalArgumentException("the fused kernel has no synaptic current");
        }
        int batch = rows / steps;
        int outSize = outH * outW * filters;
        int k = chain.pool();
        int ph = k > 0 ? outH / k : 0;
        int pw = k > 0 ? outW / k : 0;
        int pooledSize = ph * pw * filters;
        Vec ss = chain.spikes() == null ? null : Vec.of(chain.spikes());
        Vec ps = k > 0 ? Vec.of(chain.pooled()) : null;
        long[] counts = new long[2 * batch];
        boolean lanes = Simd.enabled();
        boolean divide = k > 0 && divides(chain.poolTable(), k);
        IntegerNeurons.Layer e1 = chain.firstExact();
        IntegerNeurons.Layer e2 = k > 0 ? chain.secondExact() : null;
        Chunks.forEach(batch, 1, (b0, b1) -> {
            Rows in = source.get();
            double[] v = e1 == null ? new double[outSize] : null;
            long[] vi = e1 == null ? null : new long[outSize];
            float[] s = new float[outSize];
            double[] v2 = e2 == null ? new double[pooledSize] : null;
            long[] v2i = e2 == null ? null : new long[pooledSize];
            float[] pc = new float[pooledSize];
            float[] s2 = new float[pooledSize];
            float[] rowsum = new float[pw * k * filters];
            double[] largest = new double[1];
            double[] largest2 = new double[1];
            for (int b = b0; b < b1; b++) {
                clear(v, vi);
                clear(v2, v2i);
                long c1 = 0;
                long c2 = 0;
                for (int t = 0; t < steps; t++) {
                    int r = t * batch + b;
                    float[] current = in.current(r);
                    c1 += e1 == null ? fire(chain.first(), current, v, s, outSize)
                            : IntegerNeurons.fireRow(e1, current, vi, s, outSize, largest);
                    if (ss != null) {
                        ss.writeFloats(r * outSize, s, outSize);
                    }
                    if (k > 0) {
                        poolRow(lanes, s, outW, filters, k, ph, pw, chain.poolTable(), divide, rowsum, pc);
                        c2 += e2 == null ? fire(chain.second(), pc, v2, s2, pooledSize)
                                : IntegerNeurons.fireRow(e2, pc, v2i, s2, pooledSize, largest2);
                        ps.writeFloats(r * pooledSize, s2, pooledSize);
                    }
                }
                counts[2 * b] = c1;
                counts[2 * b + 1] = c2;
            }
            if (e1 != null) {
                e1.exact().residual(largest[0]);
            }
            if (e2 != null) {
                e2.exact().residual(largest2[0]);
            }
        });
        long[] total = new long[2];
        for (int b = 0; b < batch; b++) {
            total[0] += counts[2 * b];
            total[1] += counts[2 * b + 1];
        }
        return total;
    }

    /**
     * The average pooling of one row of spikes s ([outH, outW, filters], channels-last) in windows
     * of k x k, stride k, the edges that do not fill a window dropped, into pc ([ph, pw, filters]):
     * a window of n spikes pools to table[n]. The counts are sums of 0s and 1s, exact in float in
     * any order. For each row of windows, the k rows are added first (rowsum: the pw k filters
     * values the windows cover), then the k columns of each window, its filters side by side. On
     * the Vector API ({@code lanes}) both sums run in whole vectors ({@link SimdKernels#stridedSums}),
     * and with {@code divide} ({@link #divides}) the count is divided by k^2 instead of looked up;
     * the rest runs in plain loops. All give the same bits (SimdKernelsTest).
     */
    static void poolRow(boolean lanes, float[] s, int outW, int filters, int k, int ph, int pw, float[] table,
                        boolean divide, float[] rowsum, float[] pc) {
        int line = outW * filters;
        int width = pw * k * filters;
        float kk = k * k;
        boolean vectorMeans = lanes && divide;
        for (int py = 0; py < ph; py++) {
            int base = py * k * line;
            for (int j = lanes ? SimdKernels.stridedSums(s, base, line, k, 1, rowsum, 0, width) : 0; j < width; j++) {
                float t = s[base + j];
                for (int dy = 1; dy < k; dy++) {
                    t += s[base + dy * line + j];
                }
                rowsum[j] = t;
            }
            for (int px = 0; px < pw; px++) {
                int q = px * k * filters;
                int o = (py * pw + px) * filters;
                for (int f = vectorMeans ? SimdKernels.stridedSums(rowsum, q, filters, k, kk, pc, o, filters) : 0;
                     f < filters; f++) {
                    float t = rowsum[q + f];
                    for (int dx = 1; dx < k; dx++) {
                        t += rowsum[q + dx * filters + f];
                    }
                    pc[o + f] = vectorMeans ? t / kk : table[(int) t];
                }
            }
        }
    }

    /** Whether table[n] is n / k^2 rounded to float (the same bits) for every n = 0..k^2. */
    static boolean divides(float[] table, int k) {
        float kk = k * k;
        for (int n = 0; n <= k * k; n++) {
            if (Float.floatToRawIntBits(table[n]) != Float.floatToRawIntBits(n / kk)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One step of n neurons without synaptic current, as {@link NeuronDynamics#forward}: h = beta
     * v + I (I the float current widened), s = h >= theta by the sign bit of h - theta, v = h - s
     * theta (subtract) or h (1 - s); writes s as float and returns the number of spikes. On the
     * Vector API when the JVM has it, with the same operations per element.
     */
    static long fire(NeuronDynamics.Params p, float[] current, double[] v, float[] s, int n) {
        if (Simd.enabled()) {
            return SimdKernels.fireRow(p.beta(), p.theta(), p.subtract(), current, v, s, n);
        }
        return fireFrom(0, p.beta(), p.theta(), p.subtract(), current, v, s, n);
    }

    /** {@link #fire}'s plain loop over [from, n); returns the spikes among them. */
    static long fireFrom(int from, double beta, double theta, boolean subtract, float[] current, double[] v, float[] s,
                         int n) {
        long count = 0;
        for (int j = from; j < n; j++) {
            double h = beta * v[j] + current[j];
            double fired = NeuronDynamics.fires(h, theta);
            v[j] = subtract ? h - fired * theta : h * (1 - fired);
            s[j] = (float) fired;
            count += (long) fired;
        }
        return count;
    }

    /** One convolution's geometry and rearranged weights, and the event-driven sum of one row. */
    private static final class ConvPlan {
        final int rows;
        final int height;
        final int width;
        final int channels;
        final int outH;
        final int outW;
        final int filters;
        final int k;
        final int stride;
        final int pad;
        final int inSize;
        final int outSize;
        final boolean scatter;
        /** Scatter: weights [c][ky][k - 1 - kx][filter]; gather: [ky][kx][c][filter padded to whole vectors]. */
        final float[] wv;
        final int fp;
        final float[] bias;

        ConvPlan(Conv2dNode node, INDArray x, INDArray w, INDArray b, int outH, int outW, boolean scatter) {
            this.rows = (int) x.size(0);
            this.height = (int) x.size(1);
            this.width = (int) x.size(2);
            this.channels = (int) x.size(3);
            this.outH = outH;
            this.outW = outW;
            this.filters = node.filters();
            this.k = node.kernel();
            this.stride = node.stride();
            this.pad = node.padding();
            if (scatter && stride != 1) {
                throw new IllegalArgumentException("the scatter kernel needs stride 1");
            }
            this.scatter = scatter;
            this.inSize = height * width * channels;
            this.outSize = outH * outW * filters;
            this.fp = padded(filters);
            float[] wf = FloatModel.contiguous(w).data().asFloat();
            this.wv = new float[k * k * channels * (scatter ? filters : fp)];
            for (int f = 0; f < filters; f++) {
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int to = scatter ? ((c * k + ky) * k + k - 1 - kx) * filters + f
                                    : ((ky * k + kx) * channels + c) * fp + f;
                            wv[to] = wf[((f * channels + c) * k + ky) * k + kx];
                        }
                    }
                }
            }
            this.bias = b == null ? null : FloatModel.contiguous(b).data().asFloat();
        }

        /** A task's work arrays: the row read (xr) and written (yr), and the gather's lists. */
        final class Work {
            final float[] xr = new float[inSize];
            final float[] yr = new float[outSize];
            final float[] acc = new float[fp];
            final int[] start = new int[height * width + 1];
            final int[] chan = new int[inSize];
            final float[] val = new float[inSize];
            final int[] off = new int[k * k * channels];
            final float[] vs = new float[k * k * channels];
        }

        Work work() {
            return new Work();
        }

        /** yr = the convolution of xr, plus the bias. */
        void row(Work work) {
            if (scatter) {
                scatterRow(work.xr, work.yr);
            } else {
                gatherRow(work);
            }
        }

        /**
         * Each non-zero input (iy, ix, c), in that order, adds its weights to the outputs it
         * reaches. For kernel row ky these are the outputs (iy + p - ky, ox) for the kernel
         * columns kx that stay inside, ox = ix + p - kx; with the weights stored [c][ky][k - 1 -
         * kx][filter], the outputs and their weights are each one contiguous run. An output
         * receives its terms in order of (iy, ix, c), which is the order of (ky, kx, c): the sums
         * of the gather, bit for bit.
         */
        private void scatterRow(float[] xr, float[] yr) {
            java.util.Arrays.fill(yr, 0f);
            for (int iy = 0; iy < height; iy++) {
                for (int ix = 0; ix < width; ix++) {
                    int lo = Math.max(0, ix + pad - (outW - 1));
                    int hi = Math.min(k - 1, ix + pad);
                    if (lo > hi) {
                        continue;
                    }
                    int len = (hi - lo + 1) * filters;
                    int base = (iy * width + ix) * channels;
                    for (int c = 0; c < channels; c++) {
                        float v = xr[base + c];
                        if (v == 0f) {
                            continue;
                        }
                        for (int ky = 0; ky < k; ky++) {
                            int oy = iy + pad - ky;
                            if (oy < 0 || oy >= outH) {
                                continue;
                            }
                            int yo = (oy * outW + ix + pad - hi) * filters;
                            int wo = ((c * k + ky) * k + k - 1 - hi) * filters;
                            if (v == 1f) {
                                addRun(wv, wo, yr, yo, len);
                            } else {
                                addScaledRun(v, wv, wo, yr, yo, len);
                            }
                        }
                    }
                }
            }
            if (bias != null) {
                for (int q = 0; q < outSize; q += filters) {
                    for (int f = 0; f < filters; f++) {
                        yr[q + f] += bias[f];
                    }
                }
            }
        }

        /** Each output lists the non-zero inputs it reads, in order of (ky, kx, c), and gathers their weights. */
        private void gatherRow(Work work) {
            float[] yr = work.yr;
            int[] start = work.start;
            int[] off = work.off;
            boolean binary = list(work.xr, height * width, channels, start, work.chan, work.val);
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int m = 0;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        for (int kx = 0; kx < k; kx++) {
                            int ix = ox * stride - pad + kx;
                            if (ix < 0 || ix >= width) {
                                continue;
                            }
                            int p = iy * width + ix;
                            int tap = (ky * k + kx) * channels;
                            for (int j = start[p]; j < start[p + 1]; j++) {
                                off[m] = (tap + work.chan[j]) * fp;
                                work.vs[m++] = work.val[j];
                            }
                        }
                    }
                    gather(wv, off, binary ? null : work.vs, m, work.acc, fp);
                    int yo = (oy * outW + ox) * filters;
                    if (bias == null) {
                        System.arraycopy(work.acc, 0, yr, yo, filters);
                    } else {
                        for (int f = 0; f < filters; f++) {
                            yr[yo + f] = work.acc[f] + bias[f];
                        }
                    }
                }
            }
        }
    }

    /** y[yo + i] += w[wo + i] for i in [0, len): an input of 1's terms. */
    private static void addRun(float[] w, int wo, float[] y, int yo, int len) {
        int i = Simd.enabled() ? SimdKernels.addRun(w, wo, y, yo, len) : 0;
        for (; i < len; i++) {
            y[yo + i] += w[wo + i];
        }
    }

    /** y[yo + i] += v * w[wo + i] for i in [0, len), each product rounded to float first. */
    private static void addScaledRun(float v, float[] w, int wo, float[] y, int yo, int len) {
        int i = Simd.enabled() ? SimdKernels.addScaledRun(v, w, wo, y, yo, len) : 0;
        for (; i < len; i++) {
            y[yo + i] += v * w[wo + i];
        }
    }

    /**
     * out = x W^T + bias, as {@link Layers#dense}: x is {@code rows} rows of {@code in} values, w
     * [outputs, in]; output o of a row sums x_i * w[o, i] over its non-zero x_i in order of i,
     * then adds bias[o].
     */
    static INDArray dense(INDArray in, INDArray w, INDArray bias, int rows, INDArray out) {
        return dense(in, null, w, bias, rows, out);
    }

    /**
     * {@link #dense} of a flattening that was not done: input i of a row is the value at
     * {@code order[i]} of {@code in}'s row (a channels-last stack read in the flattened C x H x W
     * order, {@link #flattenOrder}), or at i when {@code order} is null. The terms are the same and
     * added in the same order as {@link #dense} of the flattened rows, so the bits are too.
     */
    static INDArray dense(INDArray in, int[] order, INDArray w, INDArray bias, int rows, INDArray out) {
        INDArray x = FloatModel.contiguous(in);
        int inputs = Math.toIntExact(x.length() / rows);
        int outputs = (int) w.size(0);
        int op = padded(outputs);
        // weights transposed, [in][outputs]: one run of outputs per input, padded to whole vectors
        float[] wf = FloatModel.contiguous(w).data().asFloat();
        float[] wt = new float[inputs * op];
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < inputs; i++) {
                wt[i * op + o] = wf[o * inputs + i];
            }
        }
        float[] b = bias == null ? null : FloatModel.contiguous(bias).data().asFloat();
        Vec xs = Vec.of(x);
        Vec ys = Vec.of(out);
        Chunks.forEach(rows, ROWS_PER_TASK * 4, (r0, r1) -> {
            float[] xr = new float[inputs];
            float[] acc = new float[op];
            int[] off = new int[inputs];
            float[] vs = new float[inputs];
            for (int r = r0; r < r1; r++) {
                xs.readFloats(r * inputs, xr, inputs);
                int m = 0;
                boolean binary = true;
                for (int i = 0; i < inputs; i++) {
                    float v = xr[order == null ? i : order[i]];
                    if (v != 0f) {
                        off[m] = i * op;
                        vs[m++] = v;
                        binary &= v == 1f;
                    }
                }
                gather(wt, off, binary ? null : vs, m, acc, op);
                if (b != null) {
                    for (int o = 0; o < outputs; o++) {
                        acc[o] += b[o];
                    }
                }
                ys.writeFloats(r * outputs, acc, outputs);
            }
        });
        return out;
    }

    /**
     * Where value i of a C x H x W stack flattened channel-major (i = (c H + y) W + x) sits in the
     * same stack stored channels-last ((y W + x) C + c).
     */
    static int[] flattenOrder(int channels, int height, int width) {
        int[] order = new int[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < height * width; p++) {
                order[c * height * width + p] = p * channels + c;
            }
        }
        return order;
    }

    /**
     * acc[e] = the sum over j in [0, n), in order, of w[off[j] + e] (v null: every input is 1, and
     * 1 * w is w exactly) or of v[j] * w[off[j] + e] (each product rounded to float), from 0, in
     * float, for e in [0, len). On the Vector API when the JVM has it; each element gets the same
     * additions in the same order either way (EventKernelsPropertyTest).
     */
    static void gather(float[] w, int[] off, float[] v, int n, float[] acc, int len) {
        if (Simd.enabled() && len % SimdKernels.floatLanes() == 0) {
            if (v == null) {
                SimdKernels.gather(w, off, n, acc, len);
            } else {
                SimdKernels.gatherScaled(w, off, v, n, acc, len);
            }
            return;
        }
        java.util.Arrays.fill(acc, 0, len, 0f);
        for (int j = 0; j < n; j++) {
            int o = off[j];
            if (v == null) {
                for (int e = 0; e < len; e++) {
                    acc[e] += w[o + e];
                }
            } else {
                float vj = v[j];
                for (int e = 0; e < len; e++) {
                    acc[e] += vj * w[o + e];
                }
            }
        }
    }

    /**
     * Lists a row's non-zero inputs by position: position p's channels and values go to
     * chan/val[start[p] .. start[p + 1]). Returns whether every listed value is 1.
     */
    private static boolean list(float[] xr, int positions, int channels, int[] start, int[] chan, float[] val) {
        int n = 0;
        boolean binary = true;
        for (int p = 0; p < positions; p++) {
            start[p] = n;
            int base = p * channels;
            for (int c = 0; c < channels; c++) {
                float v = xr[base + c];
                if (v != 0f) {
                    chan[n] = c;
                    val[n++] = v;
                    binary &= v == 1f;
                }
            }
        }
        start[positions] = n;
        return binary;
    }

    /** Whether a model in this data type can take the event kernels (they compute in float32). */
    static boolean covers(DataType dtype) {
        return dtype == DataType.FLOAT;
    }
}
