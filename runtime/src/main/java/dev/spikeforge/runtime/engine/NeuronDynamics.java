package dev.spikeforge.runtime.engine;

/**
 * The neuron recurrence of docs/semantics.md section 2.1 over all T steps of a batch, forward and
 * backward, on time-major buffers: element k of step t is at {@code t * width + k},
 * width = B * neurons. State starts at zero for every sample.
 *
 * <pre>
 *   i[t] = alpha * i[t-1] + I[t]                          (CUBA; alpha = 0: i[t] = I[t], no state)
 *   h[t] = beta * v[t-1] + i[t]
 *   s[t] = h[t] >= theta                                  (relaxed: σ(h[t] - theta))
 *   v[t] = h[t] - s[t] * theta   (subtract)   or   h[t] * (1 - s[t])   (zero)
 * </pre>
 *
 * Loop bodies are branch-free: the comparison becomes a 0/1 value.
 */
final class NeuronDynamics {

    /** One neuron layer's constants; alpha is the synaptic current's decay, 0 without one (LIF, IF). */
    record Params(double beta, double theta, boolean subtract, double alpha) {

        /** A neuron without synaptic current. */
        Params(double beta, double theta, boolean subtract) {
            this(beta, theta, subtract, 0);
        }

        /** Whether a synaptic current carries over between steps (then the vector kernels, written without one, are not used). */
        boolean synaptic() {
            return alpha != 0;
        }
    }

    private NeuronDynamics() {
    }

    /**
     * @param membranes h before reset, written when not null (BPTT needs it, traces show it)
     * @param leak      per element, the potential lost to leak over the run, sum_t (1 - beta) v[t-1];
     *                  written when not null (the spike_bp derivative needs it)
     * @param relaxed   when not null, fire smoothly with s = σ(h - theta) (gradient checks only)
     */
    static void forward(Params p, Vec current, Vec spikes, Vec membranes, double[] leak, SurrogateFunction relaxed,
                        int steps, int width) {
        if (Simd.enabled() && relaxed == null && !p.synaptic() && current.isFloat() && spikes.isFloat()
                && (membranes == null || membranes.isFloat())) {
            SimdKernels.forward(p, current, spikes, membranes, leak, steps, width);
            return;
        }
        forwardPlain(p, current, spikes, membranes, leak, relaxed, steps, width);
    }

    /** {@link #forward} in plain loops, whatever the JVM has (tests compare it with the vector kernel). */
    static void forwardPlain(Params p, Vec current, Vec spikes, Vec membranes, double[] leak,
                             SurrogateFunction relaxed, int steps, int width) {
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            double[] cur = new double[n];
            double[] s = new double[n];
            double[] v = new double[n];
            double[] syn = p.synaptic() ? new double[n] : null;
            float[] f = new float[n];
            for (int t = 0; t < steps; t++) {
                int row = t * width + k0;
                current.read(row, cur, 0, n, f);
                step(p, cur, s, v, syn, leak, k0, relaxed, n);
                if (membranes != null) {
                    membranes.write(row, cur, 0, n, f);
                }
                spikes.write(row, s, 0, n, f);
            }
        });
    }

    /**
     * One step of n neurons: {@code cur} holds I[t] on entry and h[t] on return, {@code s} gets
     * s[t]; {@code v} (and {@code syn}, the synaptic current, null without one) carry the state.
     * {@code leak[leakOff + j]}, when leak is not null, gains (1 - beta) v[t-1].
     */
    private static void step(Params p, double[] cur, double[] s, double[] v, double[] syn, double[] leak, int leakOff,
                             SurrogateFunction relaxed, int n) {
        double beta = p.beta();
        double theta = p.theta();
        if (leak != null) {
            for (int j = 0; j < n; j++) {
                leak[leakOff + j] += (1 - beta) * v[j];
            }
        }
        if (syn != null) {
            double alpha = p.alpha();
            for (int j = 0; j < n; j++) {
                syn[j] = alpha * syn[j] + cur[j];
                cur[j] = syn[j];
            }
        }
        for (int j = 0; j < n; j++) {
            cur[j] = beta * v[j] + cur[j]; // cur now holds h
        }
        if (relaxed == null) {
            for (int j = 0; j < n; j++) {
                s[j] = fires(cur[j], theta);
            }
        } else {
            for (int j = 0; j < n; j++) {
                s[j] = relaxed.value(cur[j] - theta);
            }
        }
        if (p.subtract()) {
            for (int j = 0; j < n; j++) {
                v[j] = cur[j] - s[j] * theta;
            }
        } else {
            for (int j = 0; j < n; j++) {
                v[j] = cur[j] * (1 - s[j]);
            }
        }
    }

    /**
     * Values {@code k0 .. k0 + n - 1} of the current at offset {@code row} (which already includes
     * {@code k0}), plus {@code extra[k0 ..]} when not null, then written back: I[t] of a chunk of
     * neurons, as the float and the integer-exact steppers read it. {@code f} is n floats of scratch.
     */
    static double[] currentRow(Vec current, double[] extra, int row, int k0, int n, float[] f) {
        double[] cur = new double[n];
        current.read(row, cur, 0, n, f);
        if (extra != null) {
            for (int j = 0; j < n; j++) {
                cur[j] += extra[k0 + j];
            }
            current.write(row, cur, 0, n, f);
        }
        return cur;
    }

    /**
     * The neuron recurrence one step at a time, for a layer whose current at step t depends on
     * its own spikes at t - 1 (a recurrent dense layer): the caller adds that term between steps.
     * Holds the state v (and the synaptic current) of all {@code width} neurons of the batch.
     */
    static final class Stepper {
        private final Params p;
        private final int width;
        private final double[] v;
        private final double[] syn;

        Stepper(Params p, int width) {
            this.p = p;
            this.width = width;
            this.v = new double[width];
            this.syn = p.synaptic() ? new double[width] : null;
        }

        /**
         * Step t: I[t] = current row t + {@code extra} (when not null), written back into the
         * current row; then the neuron update, writing spikes (and membranes h, when not null) of row t.
         */
        void forward(int t, Vec current, double[] extra, Vec spikes, Vec membranes, double[] leak,
                     SurrogateFunction relaxed) {
            Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
                int n = k1 - k0;
                int row = t * width + k0;
                double[] s = new double[n];
                float[] f = new float[n];
                double[] cur = currentRow(current, extra, row, k0, n, f);
                double[] vs = java.util.Arrays.copyOfRange(v, k0, k1);
                double[] ss = syn == null ? null : java.util.Arrays.copyOfRange(syn, k0, k1);
                step(p, cur, s, vs, ss, leak, k0, relaxed, n);
                System.arraycopy(vs, 0, v, k0, n);
                if (ss != null) {
                    System.arraycopy(ss, 0, syn, k0, n);
                }
                if (membranes != null) {
                    membranes.write(row, cur, 0, n, f);
                }
                spikes.write(row, s, 0, n, f);
            });
        }
    }

    /**
     * {@link #backward} one step at a time, from the last step to the first, for a recurrent
     * layer: the caller adds to dL/ds[t-1] what step t's current sends back through W_rec.
     * Holds dL/dv[t] and dL/di[t+1] of all {@code width} neurons.
     */
    static final class BackStepper {
        private final Params p;
        private final SurrogateFunction surrogate;
        private final boolean detachReset;
        private final int width;
        private final double[] dv;
        private final double[] di;

        BackStepper(Params p, SurrogateFunction surrogate, boolean detachReset, int width) {
            this.p = p;
            this.surrogate = surrogate;
            this.detachReset = detachReset;
            this.width = width;
            this.dv = new double[width];
            this.di = p.synaptic() ? new double[width] : null;
        }

        /** Step t: dL/dI[t] into gradIn row t from dL/ds[t] = gradOut row t + {@code extra} (when not null). */
        void backward(int t, Vec membranes, Vec spikes, Vec gradOut, double[] extra, Vec gradIn) {
            Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
                int n = k1 - k0;
                int row = t * width + k0;
                double[] h = new double[n];
                double[] s = new double[n];
                double[] g = new double[n];
                float[] f = new float[n];
                membranes.read(row, h, 0, n, f);
                gradOut.read(row, g, 0, n, f);
                if (!p.subtract()) {
                    spikes.read(row, s, 0, n, f);
                }
                if (extra != null) {
                    for (int j = 0; j < n; j++) {
                        g[j] += extra[k0 + j];
                    }
                }
                double[] dvs = java.util.Arrays.copyOfRange(dv, k0, k1);
                double[] dis = di == null ? null : java.util.Arrays.copyOfRange(di, k0, k1);
                backStep(p, surrogate, detachReset, h, s, g, dvs, dis, n);
                System.arraycopy(dvs, 0, dv, k0, n);
                if (dis != null) {
                    System.arraycopy(dis, 0, di, k0, n);
                }
                gradIn.write(row, g, 0, n, f);
            });
        }
    }

    /**
     * s = 1 if h >= theta else 0, from the sign bit of h - theta: this loop has no branch to
     * mispredict on spikes, and it ran about 1.5 times as fast as the comparison. It is exact for
     * every h and every theta > 0 (the language's range): h - theta is +0.0 when h equals theta
     * and non-zero otherwise. Only a NaN membrane differs (it would fire or not by NaN's sign bit);
     * training stops at the first non-finite loss or gradient, before the weights can hold one.
     */
    static double fires(double h, double theta) {
        return 1 - (Double.doubleToRawLongBits(h - theta) >>> 63);
    }

    /**
     * Backpropagation through time: dL/dI[t] from dL/ds[t] and the membranes h[t].
     *
     * <pre>
     *   dL/dh[t]   = dL/ds[t] σ'(h[t] - theta) + dL/dv[t] dv[t]/dh[t]
     *   dL/di[t]   = dL/dh[t] + alpha dL/di[t+1]          (without synaptic current: dL/dh[t])
     *   dL/dI[t]   = dL/di[t]
     *   dL/dv[t-1] = beta dL/dh[t]
     * </pre>
     *
     * With {@code detachReset} (training, as snnTorch does by default) the reset is a constant
     * for the gradient: dv/dh = 1 (subtract) or 1 - s (zero). Without it (gradient checks of the
     * relaxed network) the reset is differentiated too: dv/dh = 1 - theta σ' (subtract) or
     * 1 - s - h σ' (zero).
     *
     * @param spikes the forward spikes s[t] (only the zero reset reads them)
     * @param gradIn dL/dI, written (may be the same buffer as gradOut)
     */
    static void backward(Params p, SurrogateFunction surrogate, boolean detachReset, Vec membranes, Vec spikes,
                         Vec gradOut, Vec gradIn, int steps, int width) {
        if (Simd.enabled() && SimdKernels.covers(surrogate) && !p.synaptic() && membranes.isFloat() && spikes.isFloat()
                && gradOut.isFloat() && gradIn.isFloat()) {
            SimdKernels.backward(p, surrogate, detachReset, membranes, spikes, gradOut, gradIn, steps, width);
            return;
        }
        backwardPlain(p, surrogate, detachReset, membranes, spikes, gradOut, gradIn, steps, width);
    }

    /** {@link #backward} in plain loops. */
    static void backwardPlain(Params p, SurrogateFunction surrogate, boolean detachReset, Vec membranes, Vec spikes,
                              Vec gradOut, Vec gradIn, int steps, int width) {
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            double[] h = new double[n];
            double[] s = new double[n];
            double[] g = new double[n];
            double[] dv = new double[n];
            double[] di = p.synaptic() ? new double[n] : null;
            float[] f = new float[n];
            for (int t = steps - 1; t >= 0; t--) {
                int row = t * width + k0;
                membranes.read(row, h, 0, n, f);
                gradOut.read(row, g, 0, n, f);
                if (!p.subtract()) {
                    spikes.read(row, s, 0, n, f);
                }
                backStep(p, surrogate, detachReset, h, s, g, dv, di, n);
                gradIn.write(row, g, 0, n, f);
            }
        });
    }

    /**
     * One step back: {@code g} holds dL/ds[t] on entry and dL/dI[t] on return; {@code dv} holds
     * dL/dv[t] on entry and dL/dv[t-1] on return; {@code di} (null without synaptic current)
     * holds dL/di[t+1] on entry and dL/di[t] on return.
     */
    private static void backStep(Params p, SurrogateFunction surrogate, boolean detachReset, double[] h, double[] s,
                                 double[] g, double[] dv, double[] di, int n) {
        for (int j = 0; j < n; j++) {
            double ds = surrogate.derivative(h[j] - p.theta());
            double dvdh;
            if (p.subtract()) {
                dvdh = detachReset ? 1 : 1 - p.theta() * ds;
            } else {
                dvdh = detachReset ? 1 - s[j] : 1 - s[j] - h[j] * ds;
            }
            double dh = g[j] * ds + dv[j] * dvdh;
            if (di != null) {
                di[j] = dh + p.alpha() * di[j];
                g[j] = di[j];
            } else {
                g[j] = dh;
            }
            dv[j] = p.beta() * dh;
        }
    }

    /**
     * The number of spikes in a spike buffer (every value 0 or 1), exactly: each chunk sums in
     * double with eight running sums (any order is exact for 0s and 1s below 2^53; one running sum
     * waits on each addition), reading blocks into small reused arrays, and the chunks' counts add
     * as longs. ND4J's sum of a float array is not exact: it returned 16,777,216 for 2^24 + 1 ones
     * and stopped at 2^25.
     */
    static long count(Vec spikes, int length) {
        long[] parts = new long[(length + COUNT_CHUNK - 1) / COUNT_CHUNK];
        Chunks.forEach(length, COUNT_CHUNK, (from, to) -> {
            double[] a = new double[COUNT_BLOCK];
            float[] scratch = new float[COUNT_BLOCK];
            double[] sums = new double[8];
            for (int b = from; b < to; b += COUNT_BLOCK) {
                int n = Math.min(COUNT_BLOCK, to - b);
                spikes.read(b, a, 0, n, scratch);
                int i = 0;
                for (; i + 8 <= n; i += 8) {
                    for (int j = 0; j < 8; j++) {
                        sums[j] += a[i + j];
                    }
                }
                for (; i < n; i++) {
                    sums[0] += a[i];
                }
            }
            double total = 0;
            for (double x : sums) {
                total += x;
            }
            parts[from / COUNT_CHUNK] = Math.round(total);
        });
        long total = 0;
        for (long p : parts) {
            total += p;
        }
        return total;
    }

    /** Elements per task of {@link #count}, and per block it reads. */
    static final int COUNT_CHUNK = 1 << 20;
    private static final int COUNT_BLOCK = 1 << 12;

    /** Per element, sum over the T steps: spike counts, or total input currents. */
    static void sumOverTime(Vec x, double[] out, int steps, int width) {
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            double[] row = new double[n];
            float[] f = new float[n];
            for (int t = 0; t < steps; t++) {
                x.read(t * width + k0, row, 0, n, f);
                for (int j = 0; j < n; j++) {
                    out[k0 + j] += row[j];
                }
            }
        });
    }

    /** h[t] = beta * v[t-1] + I[t], never fires; out = v[T] / T. */
    static void membraneReadout(Vec current, double beta, double[] out, int steps, int width) {
        double[] v = new double[width];
        double[] row = new double[width];
        for (int t = 0; t < steps; t++) {
            current.read(t * width, row, 0, width);
            for (int k = 0; k < width; k++) {
                v[k] = beta * v[k] + row[k];
            }
        }
        for (int k = 0; k < width; k++) {
            out[k] = v[k] / steps;
        }
    }
}
