package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.TrainSpec.SurrogateShape;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The neuron recurrence of {@link NeuronDynamics}, the float-double conversions of {@link Vec} and
 * the inner loop of the convolution weight-gradient kernel ({@link Layers}) on the Vector API
 * (see {@link Simd}). Every lane does what the plain loop does to its element, operation for
 * operation: float values are widened to double, computed in double, rounded to float once when
 * stored. So the bits equal the plain loops' (SimdKernelsTest).
 *
 * <p>The neuron kernels pad their work arrays to a whole number of vectors: the lanes past a
 * chunk's end compute on stale values and are never stored, so those loops need no scalar tail.
 */
final class SimdKernels {

    /** Doubles per vector: the machine's preferred shape (8 with AVX-512, 4 with AVX2). */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats with the same lane count, half the width. */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int LANES = D.length();
    /** The bits of 1.0. */
    private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

    private SimdKernels() {
    }

    /** n rounded up to whole vectors. */
    static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /** Whether the vector backward covers this surrogate (the sigmoid needs exp, whose lanes may round otherwise). */
    static boolean covers(SurrogateFunction s) {
        return s.shape() != SurrogateShape.SIGMOID;
    }

    /** {@link NeuronDynamics#forward} without the relaxed firing, for float buffers. */
    static void forward(NeuronDynamics.Params p, Vec current, Vec spikes, Vec membranes, double[] leak, int steps,
                        int width) {
        double beta = p.beta();
        double theta = p.theta();
        boolean subtract = p.subtract();
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            int m = padded(n);
            float[] h = new float[m];
            float[] s = new float[m];
            double[] v = new double[m];
            double[] lk = null;
            if (leak != null) {
                lk = new double[m];
                System.arraycopy(leak, k0, lk, 0, n);
            }
            DoubleVector one = DoubleVector.broadcast(D, 1);
            for (int t = 0; t < steps; t++) {
                int row = t * width + k0;
                current.readFloats(row, h, n);
                for (int j = 0; j < m; j += LANES) {
                    DoubleVector vj = DoubleVector.fromArray(D, v, j);
                    if (lk != null) {
                        DoubleVector.fromArray(D, lk, j).add(vj.mul(1 - beta)).intoArray(lk, j);
                    }
                    DoubleVector hj = vj.mul(beta).add(widen(h, j));
                    DoubleVector sj = fires(hj, theta);
                    DoubleVector after = subtract ? hj.sub(sj.mul(theta)) : hj.mul(one.sub(sj));
                    after.intoArray(v, j);
                    narrow(hj).intoArray(h, j);
                    narrow(sj).intoArray(s, j);
                }
                if (membranes != null) {
                    membranes.writeFloats(row, h, n);
                }
                spikes.writeFloats(row, s, n);
            }
            if (lk != null) {
                System.arraycopy(lk, 0, leak, k0, n);
            }
        });
    }

    /**
     * {@link NeuronDynamics#fires} per lane: 1.0 when the sign bit of h - theta is clear, else 0.0,
     * built from the bits (NOT, arithmetic shift by 63, AND with the bits of 1.0) without a
     * comparison or a conversion.
     */
    private static DoubleVector fires(DoubleVector h, double theta) {
        LongVector bits = h.sub(theta).viewAsIntegralLanes();
        return bits.not().lanewise(VectorOperators.ASHR, 63).and(ONE_BITS).viewAsFloatingLanes();
    }

    /** {@link NeuronDynamics#backward} for float buffers and a surrogate that {@link #covers}. */
    static void backward(NeuronDynamics.Params p, SurrogateFunction surrogate, boolean detachReset, Vec membranes,
                         Vec spikes, Vec gradOut, Vec gradIn, int steps, int width) {
        double beta = p.beta();
        double theta = p.theta();
        boolean subtract = p.subtract();
        boolean fast = surrogate.shape() == SurrogateShape.FAST_SIGMOID;
        double k = surrogate.slope();
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            int m = padded(n);
            float[] h = new float[m];
            float[] g = new float[m];
            float[] s = new float[m];
            double[] dv = new double[m];
            DoubleVector one = DoubleVector.broadcast(D, 1);
            for (int t = steps - 1; t >= 0; t--) {
                int row = t * width + k0;
                membranes.readFloats(row, h, n);
                gradOut.readFloats(row, g, n);
                if (!subtract) {
                    spikes.readFloats(row, s, n);
                }
                for (int j = 0; j < m; j += LANES) {
                    DoubleVector hj = widen(h, j);
                    DoubleVector ds = fast ? fastSigmoid(hj.sub(theta), k) : arctan(hj.sub(theta), k);
                    DoubleVector dvdh;
                    if (subtract) {
                        dvdh = detachReset ? one : one.sub(ds.mul(theta));
                    } else {
                        DoubleVector notFired = one.sub(widen(s, j));
                        dvdh = detachReset ? notFired : notFired.sub(hj.mul(ds));
                    }
                    DoubleVector dh = widen(g, j).mul(ds).add(DoubleVector.fromArray(D, dv, j).mul(dvdh));
                    narrow(dh).intoArray(g, j);
                    dh.mul(beta).intoArray(dv, j);
                }
                gradIn.writeFloats(row, g, n);
            }
        });
    }

    /** 1 / (k|x| + 1)^2, as {@link SurrogateFunction#derivative}. */
    private static DoubleVector fastSigmoid(DoubleVector x, double k) {
        DoubleVector d = x.abs().mul(k).add(1);
        return DoubleVector.broadcast(D, 1).div(d.mul(d));
    }

    /** (k/2) / (1 + (pi k x / 2)^2), as {@link SurrogateFunction#derivative}. */
    private static DoubleVector arctan(DoubleVector x, double k) {
        DoubleVector z = x.mul(Math.PI * k).div(2);
        return DoubleVector.broadcast(D, k / 2).div(z.mul(z).add(1));
    }

    private static DoubleVector widen(float[] a, int j) {
        return (DoubleVector) FloatVector.fromArray(F, a, j).convertShape(VectorOperators.F2D, D, 0);
    }

    private static FloatVector narrow(DoubleVector x) {
        return (FloatVector) x.convertShape(VectorOperators.D2F, F, 0);
    }

    /**
     * y[yOff + i] += v * x[xOff + i] for the whole vectors of [0, len); returns where the caller's
     * plain loop takes over.
     */
    static int addScaled(double v, float[] x, int xOff, double[] y, int yOff, int len) {
        int bound = len - len % LANES;
        for (int i = 0; i < bound; i += LANES) {
            DoubleVector.fromArray(D, y, yOff + i).add(widen(x, xOff + i).mul(v)).intoArray(y, yOff + i);
        }
        return bound;
    }

    /**
     * y[yOff + e] += v[i] * x[src[i] + e] for i in [from, to), in order, for the whole vectors of
     * [0, len), four vectors of sums at a time kept in registers over all i; returns where the
     * caller's plain loop takes over.
     */
    static int addScaledRuns(double[] v, int[] src, int from, int to, float[] x, double[] y, int yOff, int len) {
        int bound = len - len % LANES;
        int e = 0;
        for (; e + 4 * LANES <= bound; e += 4 * LANES) {
            int at = yOff + e;
            DoubleVector a0 = DoubleVector.fromArray(D, y, at);
            DoubleVector a1 = DoubleVector.fromArray(D, y, at + LANES);
            DoubleVector a2 = DoubleVector.fromArray(D, y, at + 2 * LANES);
            DoubleVector a3 = DoubleVector.fromArray(D, y, at + 3 * LANES);
            for (int i = from; i < to; i++) {
                double vi = v[i];
                int s = src[i] + e;
                a0 = a0.add(widen(x, s).mul(vi));
                a1 = a1.add(widen(x, s + LANES).mul(vi));
                a2 = a2.add(widen(x, s + 2 * LANES).mul(vi));
                a3 = a3.add(widen(x, s + 3 * LANES).mul(vi));
            }
            a0.intoArray(y, at);
            a1.intoArray(y, at + LANES);
            a2.intoArray(y, at + 2 * LANES);
            a3.intoArray(y, at + 3 * LANES);
        }
        for (; e < bound; e += LANES) {
            DoubleVector a = DoubleVector.fromArray(D, y, yOff + e);
            for (int i = from; i < to; i++) {
                a = a.add(widen(x, src[i] + e).mul(v[i]));
            }
            a.intoArray(y, yOff + e);
        }
        return bound;
    }

    /**
     * sum[o] = the sum of g[q * filters + o] over q in [0, positions), in order of q, for the whole
     * vectors of o in [0, filters); returns the first o the caller's plain loop sums.
     */
    static int columnSums(float[] g, int positions, int filters, double[] sum) {
        int bound = filters - filters % LANES;
        for (int o = 0; o < bound; o += LANES) {
            DoubleVector s = DoubleVector.zero(D);
            for (int q = 0; q < positions; q++) {
                s = s.add(widen(g, q * filters + o));
            }
            s.intoArray(sum, o);
        }
        return bound;
    }

    /** dst[dstOff + i] = src[i] for i in [0, len). */
    static void widen(float[] src, double[] dst, int dstOff, int len) {
        int bound = len - len % LANES;
        int i = 0;
        for (; i < bound; i += LANES) {
            widen(src, i).intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = src[i];
        }
    }

    /** dst[i] = (float) src[srcOff + i] for i in [0, len). */
    static void narrow(double[] src, int srcOff, float[] dst, int len) {
        int bound = len - len % LANES;
        int i = 0;
        for (; i < bound; i += LANES) {
            narrow(DoubleVector.fromArray(D, src, srcOff + i)).intoArray(dst, i);
        }
        for (; i < len; i++) {
            dst[i] = (float) src[srcOff + i];
        }
    }

    /** Floats per vector for the event kernels: the machine's preferred shape (8 with AVX2). */
    static final VectorSpecies<Float> FP = FloatVector.SPECIES_PREFERRED;

    /** {@link #FP}'s lane count: the event kernels pad their runs of outputs to a multiple of it. */
    static int floatLanes() {
        return FP.length();
    }

    /**
     * acc[e] = w[off[0] + e] + w[off[1] + e] + ... + w[off[n - 1] + e], added in that order from 0,
     * in float, for e in [0, len), len a multiple of {@link #floatLanes}: {@link EventKernels}'
     * gather for inputs of 1. Four vectors of sums at a time stay in registers over all n terms.
     */
    static void gather(float[] w, int[] off, int n, float[] acc, int len) {
        int l = FP.length();
        int e = 0;
        for (; e + 4 * l <= len; e += 4 * l) {
            FloatVector a0 = FloatVector.zero(FP);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0; j < n; j++) {
                int o = off[j] + e;
                a0 = a0.add(FloatVector.fromArray(FP, w, o));
                a1 = a1.add(FloatVector.fromArray(FP, w, o + l));
                a2 = a2.add(FloatVector.fromArray(FP, w, o + 2 * l));
                a3 = a3.add(FloatVector.fromArray(FP, w, o + 3 * l));
            }
            a0.intoArray(acc, e);
            a1.intoArray(acc, e + l);
            a2.intoArray(acc, e + 2 * l);
            a3.intoArray(acc, e + 3 * l);
        }
        for (; e + 2 * l <= len; e += 2 * l) {
            FloatVector a0 = FloatVector.zero(FP);
            FloatVector a1 = a0;
            for (int j = 0; j < n; j++) {
                int o = off[j] + e;
                a0 = a0.add(FloatVector.fromArray(FP, w, o));
                a1 = a1.add(FloatVector.fromArray(FP, w, o + l));
            }
            a0.intoArray(acc, e);
            a1.intoArray(acc, e + l);
        }
        for (; e < len; e += l) {
            FloatVector a0 = FloatVector.zero(FP);
            for (int j = 0; j < n; j++) {
                a0 = a0.add(FloatVector.fromArray(FP, w, off[j] + e));
            }
            a0.intoArray(acc, e);
        }
    }

    /**
     * As {@link #gather} with each term scaled: acc[e] = sum over j, in order from 0, of
     * v[j] * w[off[j] + e], each product rounded to float before it is added (no fused multiply-add).
     */
    static void gatherScaled(float[] w, int[] off, float[] v, int n, float[] acc, int len) {
        int l = FP.length();
        int e = 0;
        for (; e + 2 * l <= len; e += 2 * l) {
            FloatVector a0 = FloatVector.zero(FP);
            FloatVector a1 = a0;
            for (int j = 0; j < n; j++) {
                int o = off[j] + e;
                float vj = v[j];
                a0 = a0.add(FloatVector.fromArray(FP, w, o).mul(vj));
                a1 = a1.add(FloatVector.fromArray(FP, w, o + l).mul(vj));
            }
            a0.intoArray(acc, e);
            a1.intoArray(acc, e + l);
        }
        for (; e < len; e += l) {
            FloatVector a0 = FloatVector.zero(FP);
            for (int j = 0; j < n; j++) {
                a0 = a0.add(FloatVector.fromArray(FP, w, off[j] + e).mul(v[j]));
            }
            a0.intoArray(acc, e);
        }
    }

    /**
     * out[to + j] = (a[from + j] + a[from + stride + j] + ... (k terms, stride apart)), added in that
     * order, then divided by {@code divisor}, for the whole vectors of [0, len):
     * {@link EventKernels#poolRow}'s sums of a window's rows (divisor 1) and of its columns (divisor
     * K^2; x / 1 is x). Returns where the caller's plain loop takes over. K = 2 is written out, without
     * a vector that a branch or the inner loop carries: JDK 17 boxes such vectors (four times slower).
     */
    static int stridedSums(float[] a, int from, int stride, int k, float divisor, float[] out, int to, int len) {
        int l = FP.length();
        int bound = len - len % l;
        if (k == 2 && divisor == 1) {
            for (int j = 0; j < bound; j += l) {
                FloatVector.fromArray(FP, a, from + j).add(FloatVector.fromArray(FP, a, from + stride + j))
                        .intoArray(out, to + j);
            }
        } else if (k == 2) {
            for (int j = 0; j < bound; j += l) {
                FloatVector.fromArray(FP, a, from + j).add(FloatVector.fromArray(FP, a, from + stride + j)).div(divisor)
                        .intoArray(out, to + j);
            }
        } else {
            for (int j = 0; j < bound; j += l) {
                FloatVector t = FloatVector.fromArray(FP, a, from + j);
                for (int d = 1; d < k; d++) {
                    t = t.add(FloatVector.fromArray(FP, a, from + d * stride + j));
                }
                t.div(divisor).intoArray(out, to + j);
            }
        }
        return bound;
    }

    /** y[yo + i] += w[wo + i] for the whole vectors of [0, len); returns where the caller's plain loop takes over. */
    static int addRun(float[] w, int wo, float[] y, int yo, int len) {
        int l = FP.length();
        int bound = len - len % l;
        for (int i = 0; i < bound; i += l) {
            FloatVector.fromArray(FP, y, yo + i).add(FloatVector.fromArray(FP, w, wo + i)).intoArray(y, yo + i);
        }
        return bound;
    }

    /** y[yo + i] += v * w[wo + i] for the whole vectors of [0, len); returns where the plain loop takes over. */
    static int addScaledRun(float v, float[] w, int wo, float[] y, int yo, int len) {
        int l = FP.length();
        int bound = len - len % l;
        for (int i = 0; i < bound; i += l) {
            FloatVector.fromArray(FP, y, yo + i).add(FloatVector.fromArray(FP, w, wo + i).mul(v)).intoArray(y, yo + i);
        }
        return bound;
    }

    /**
     * {@link EventKernels#fire} on the Vector API: per lane, h = v beta + I, the sign-bit test of
     * {@link #fires}, the reset, s narrowed to float; the spikes summed in double lanes (exact);
     * the elements past the whole vectors by the plain loop. Returns the number of spikes.
     */
    static long fireRow(double beta, double theta, boolean subtract, float[] current, double[] v, float[] s, int n) {
        int bound = n - n % LANES;
        DoubleVector one = DoubleVector.broadcast(D, 1);
        DoubleVector count = DoubleVector.zero(D);
        for (int j = 0; j < bound; j += LANES) {
            DoubleVector hj = DoubleVector.fromArray(D, v, j).mul(beta).add(widen(current, j));
            DoubleVector sj = fires(hj, theta);
            DoubleVector after = subtract ? hj.sub(sj.mul(theta)) : hj.mul(one.sub(sj));
            after.intoArray(v, j);
            narrow(sj).intoArray(s, j);
            count = count.add(sj);
        }
        return (long) count.reduceLanes(VectorOperators.ADD)
                + EventKernels.fireFrom(bound, beta, theta, subtract, current, v, s, n);
    }
}
