package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.encode.SplitMix64;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The event-driven kernels of inference ({@link EventKernels}) against the dense ones the engine
 * runs otherwise (ND4J's oneDNN convolution and OpenBLAS product) and against a plain loop that
 * sums in the documented order, on random shapes (odd sizes, one row, strides, padding), densities
 * (none, all, in between) and inputs (spikes, real values):
 * <ul>
 *   <li>equal, bit for bit, to the plain loop in their documented order (so the Vector API lanes
 *       change nothing, and the input-driven and output-driven convolutions agree);</li>
 *   <li>within the bound of docs/semantics.md section 2.5 of ND4J's result: two float sums of the
 *       same n + 1 terms differ by at most 2 (n + 1) u times the sum of the terms' magnitudes,
 *       u = 2^-24 (each is within (n + 1) u of the exact sum); equal to it when the terms are
 *       multiples of 1/16 (every sum exact);</li>
 *   <li>the fused pass (convolution, neuron, average pooling, neuron) equal, bit for bit, to the
 *       layers run one after another, spikes and counts.</li>
 * </ul>
 */
class EventKernelsPropertyTest {

    private static final Layers.Scratch SCRATCH = (key, shape) -> Nd4j.create(DataType.FLOAT, shape);
    private static final double U = Math.scalb(1.0, -24);

    @Example
    void theTestJvmRunsTheVectorKernels() {
        assertTrue(Simd.enabled(), "the test JVM lacks " + Simd.MODULE + ": the lanes would go untested");
    }

    /** A convolution case: geometry, weights, bias, input (NHWC). */
    private static final class ConvCase {
        final Conv2dNode node;
        final int rows;
        final int c;
        final int h;
        final int w;
        final int out;
        final int outW;
        final float[] x;
        final float[] wt;
        final float[] b;

        ConvCase(long seed, int rows, int c, int size, int filters, int k, int stride, int pad, double density,
                 boolean spikes, boolean dyadic, boolean bias) {
            SplitMix64 rng = new SplitMix64(seed);
            this.rows = rows;
            this.c = c;
            this.h = size;
            this.w = size + 1; // not square, so height and width cannot be swapped unnoticed
            int kk = Math.min(k, Math.min(h, w) + 2 * pad);
            this.out = (h + 2 * pad - kk) / stride + 1;
            this.outW = (w + 2 * pad - kk) / stride + 1;
            this.node = new Conv2dNode("c", "c", Origin.NONE, Shape.chw(filters, out, outW), c, filters, kk, stride, pad,
                    bias);
            this.x = new float[rows * h * w * c];
            for (int i = 0; i < x.length; i++) {
                if (rng.nextDouble() < density) {
                    x[i] = spikes ? 1f : value(rng, dyadic);
                }
            }
            this.wt = new float[filters * c * kk * kk];
            for (int i = 0; i < wt.length; i++) {
                wt[i] = value(rng, dyadic);
            }
            this.b = bias ? new float[filters] : null;
            if (bias) {
                for (int i = 0; i < filters; i++) {
                    b[i] = value(rng, dyadic);
                }
            }
        }

        INDArray input() {
            return Nd4j.createFromArray(x).reshape('c', rows, h, w, c);
        }

        INDArray weights() {
            return Nd4j.createFromArray(wt).reshape('c', node.filters(), c, node.kernel(), node.kernel());
        }

        INDArray bias() {
            return b == null ? null : Nd4j.createFromArray(b);
        }

        INDArray output() {
            return Nd4j.create(DataType.FLOAT, rows, out, outW, node.filters());
        }

        /**
         * The documented sums in plain float loops: terms in order of (ky, kx, c) from 0, then the
         * bias; and in {@code mag} the sum of the terms' and the bias's magnitudes (double), and in
         * {@code terms} their number.
         */
        float[] reference(double[] mag, int[] terms) {
            int f = node.filters();
            int k = node.kernel();
            float[] y = new float[rows * out * outW * f];
            for (int r = 0; r < rows; r++) {
                for (int oy = 0; oy < out; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        for (int o = 0; o < f; o++) {
                            float acc = 0;
                            double m = 0;
                            int n = 0;
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * node.stride() - node.padding() + ky;
                                    int ix = ox * node.stride() - node.padding() + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    for (int ch = 0; ch < c; ch++) {
                                        float v = x[((r * h + iy) * w + ix) * c + ch];
                                        float wv = wt[((o * c + ch) * k + ky) * k + kx];
                                        n++;
                                        m += Math.abs((double) v * wv);
                                        if (v != 0) {
                                            acc += v * wv;
                                        }
                                    }
                                }
                            }
                            if (b != null) {
                                acc += b[o];
                                m += Math.abs(b[o]);
                                n++;
                            }
                            int i = ((r * out + oy) * outW + ox) * f + o;
                            y[i] = acc;
                            mag[i] = m;
                            terms[i] = n;
                        }
                    }
                }
            }
            return y;
        }
    }

    private static float value(SplitMix64 rng, boolean dyadic) {
        return dyadic ? (rng.nextInt(33) - 16) / 16f : (float) (rng.nextDouble() * 2 - 1);
    }

    /** 0, 1, or a density in between, each about a third of the tries. */
    private static double density(double d, int pick) {
        return pick == 0 ? 0 : pick == 1 ? 1 : d;
    }

    @Property(tries = 300)
    void convolutionSumsInItsOrderAndStaysWithinTheBoundOfOneDnn(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 5) int c,
            @ForAll @IntRange(min = 1, max = 13) int size, @ForAll @IntRange(min = 1, max = 19) int filters,
            @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 3) int stride,
            @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll @DoubleRange(min = 0, max = 1) double d,
            @ForAll @IntRange(min = 0, max = 2) int pick, @ForAll boolean spikes, @ForAll boolean dyadic,
            @ForAll boolean bias) {
        ConvCase t = new ConvCase(seed, rows, c, size, filters, k, stride, pad, density(d, pick), spikes, dyadic, bias);
        int outLen = rows * t.out * t.outW * filters;
        double[] mag = new double[outLen];
        int[] terms = new int[outLen];
        float[] want = t.reference(mag, terms);

        float[] got = EventKernels.conv(t.node, t.input(), t.weights(), t.bias(), t.output()).data().asFloat();
        assertArrayEquals(want, got, "the event convolution sums in its documented order");
        if (stride == 1) {
            float[] gathered = EventKernels.conv(t.node, t.input(), t.weights(), t.bias(), t.output(), false)
                    .data().asFloat();
            assertArrayEquals(got, gathered, "input-driven and output-driven convolutions agree bit for bit");
        }

        INDArray dense = t.output();
        Layers.conv(t.node, t.input(), true, t.weights(), t.bias(), dense, SCRATCH);
        float[] nd = dense.data().asFloat();
        for (int i = 0; i < outLen; i++) {
            if (dyadic) {
                assertEquals(nd[i], got[i], "exact sums are equal to oneDNN's, output " + i);
            } else {
                double bound = 2 * (terms[i] + 1) * U * mag[i];
                assertTrue(Math.abs(nd[i] - got[i]) <= bound, "output " + i + ": event " + got[i] + ", oneDNN " + nd[i]
                        + ", bound " + bound);
            }
        }
    }

    @Property(tries = 100)
    void productOfAChannelsLastStackReadInFlattenedOrderEqualsTheProductOfItsChannelMajorCopy(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int rows, @ForAll @IntRange(min = 1, max = 9) int c,
            @ForAll @IntRange(min = 1, max = 7) int h, @ForAll @IntRange(min = 1, max = 7) int w,
            @ForAll @IntRange(min = 1, max = 40) int outputs, @ForAll @DoubleRange(min = 0, max = 1) double d,
            @ForAll boolean spikes, @ForAll boolean bias) {
        // real weights, so a different order of the terms would show in the bits
        SplitMix64 rng = new SplitMix64(seed);
        int inputs = c * h * w;
        float[] nhwc = new float[rows * inputs];
        for (int i = 0; i < nhwc.length; i++) {
            if (rng.nextDouble() < d) {
                nhwc[i] = spikes ? 1f : value(rng, false);
            }
        }
        float[] wt = new float[outputs * inputs];
        for (int i = 0; i < wt.length; i++) {
            wt[i] = value(rng, false);
        }
        float[] b = new float[outputs];
        for (int i = 0; i < outputs; i++) {
            b[i] = value(rng, false);
        }
        INDArray stack = Nd4j.createFromArray(nhwc).reshape('c', rows, h, w, c);
        INDArray flat = stack.permute(0, 3, 1, 2).dup('c').reshape('c', rows, inputs);
        INDArray wa = Nd4j.createFromArray(wt).reshape('c', outputs, inputs);
        INDArray ba = bias ? Nd4j.createFromArray(b) : null;
        float[] want = EventKernels.dense(flat, wa, ba, rows, Nd4j.create(DataType.FLOAT, rows, outputs)).data().asFloat();
        float[] got = EventKernels.dense(stack.reshape('c', rows, inputs), EventKernels.flattenOrder(c, h, w), wa, ba,
                rows, Nd4j.create(DataType.FLOAT, rows, outputs)).data().asFloat();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "output " + i);
        }
    }

    @Property(tries = 300)
    void productSumsInItsOrderAndStaysWithinTheBoundOfBlas(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 300) int inputs, @ForAll @IntRange(min = 1, max = 70) int outputs,
            @ForAll @DoubleRange(min = 0, max = 1) double d, @ForAll @IntRange(min = 0, max = 2) int pick,
            @ForAll boolean spikes, @ForAll boolean dyadic, @ForAll boolean bias) {
        SplitMix64 rng = new SplitMix64(seed);
        double density = density(d, pick);
        float[] x = new float[rows * inputs];
        for (int i = 0; i < x.length; i++) {
            if (rng.nextDouble() < density) {
                x[i] = spikes ? 1f : value(rng, dyadic);
            }
        }
        float[] w = new float[outputs * inputs];
        for (int i = 0; i < w.length; i++) {
            w[i] = value(rng, dyadic);
        }
        float[] b = new float[outputs];
        for (int i = 0; i < outputs; i++) {
            b[i] = value(rng, dyadic);
        }
        INDArray xa = Nd4j.createFromArray(x).reshape('c', rows, inputs);
        INDArray wa = Nd4j.createFromArray(w).reshape('c', outputs, inputs);
        INDArray ba = bias ? Nd4j.createFromArray(b) : null;
        float[] got = EventKernels.dense(xa, wa, ba, rows, Nd4j.create(DataType.FLOAT, rows, outputs)).data().asFloat();
        float[] nd = Layers.dense(xa, wa, ba, rows, Nd4j.create(DataType.FLOAT, rows, outputs)).data().asFloat();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outputs; o++) {
                float acc = 0;
                double mag = 0;
                for (int i = 0; i < inputs; i++) {
                    float v = x[r * inputs + i];
                    mag += Math.abs((double) v * w[o * inputs + i]);
                    if (v != 0) {
                        acc += v * w[o * inputs + i];
                    }
                }
                if (bias) {
                    acc += b[o];
                    mag += Math.abs(b[o]);
                }
                int at = r * outputs + o;
                assertEquals(acc, got[at], "the event product sums in its documented order, " + at);
                if (dyadic) {
                    assertEquals(nd[at], got[at], "exact sums are equal to BLAS's, " + at);
                } else {
                    double bound = 2 * (inputs + 2) * U * mag;
                    assertTrue(Math.abs(nd[at] - got[at]) <= bound, at + ": event " + got[at] + ", BLAS " + nd[at]);
                }
            }
        }
    }

    @Property(tries = 200)
    void fusedPassEqualsTheLayersOneAfterAnother(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 1, max = 6) int steps,
            @ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 2, max = 12) int size,
            @ForAll @IntRange(min = 1, max = 13) int filters, @ForAll @IntRange(min = 1, max = 5) int k,
            @ForAll @IntRange(min = 1, max = 2) int stride, @ForAll @IntRange(min = 0, max = 1) int pad,
            @ForAll @DoubleRange(min = 0, max = 1) double d, @ForAll @IntRange(min = 0, max = 2) int pick,
            @ForAll @IntRange(min = 0, max = 3) int pool, @ForAll boolean spikes, @ForAll boolean bias,
            @ForAll @DoubleRange(min = 0.5, max = 1) double beta, @ForAll @DoubleRange(min = 0.1, max = 1.5) double theta,
            @ForAll boolean subtract) {
        ConvCase t = new ConvCase(seed, steps * batch, c, size, filters, k, stride, pad, density(d, pick), spikes, false,
                bias);
        int pk = pool > 0 && t.out >= pool + 1 && t.outW >= pool + 1 ? pool + 1 : 0;
        NeuronDynamics.Params first = new NeuronDynamics.Params(beta, theta, subtract);
        NeuronDynamics.Params second = new NeuronDynamics.Params(1, 0.75, true);
        int rows = steps * batch;

        // the layers one after another: the event convolution's currents, the neuron loop, ND4J's pooling
        INDArray current = EventKernels.conv(t.node, t.input(), t.weights(), t.bias(), t.output());
        INDArray want = Nd4j.create(DataType.FLOAT, current.shape());
        NeuronDynamics.forward(first, Vec.of(current), Vec.of(want), null, null, null, steps,
                (int) (current.length() / steps));
        long wantCount = FloatModel.spikeCount(want);

        INDArray got = pk > 0 ? null : t.output();
        INDArray pooled = null;
        INDArray wantPooled = null;
        float[] table = null;
        if (pk > 0) {
            long[] ps = {rows, t.out / pk, t.outW / pk, filters};
            INDArray poolCurrent = Nd4j.create(DataType.FLOAT, ps);
            Layers.avgpool(pk, want, true, poolCurrent);
            wantPooled = Nd4j.create(DataType.FLOAT, ps);
            NeuronDynamics.forward(second, Vec.of(poolCurrent), Vec.of(wantPooled), null, null, null, steps,
                    (int) (poolCurrent.length() / steps));
            pooled = Nd4j.create(DataType.FLOAT, ps);
            table = new float[pk * pk + 1];
            for (int n = 0; n <= pk * pk; n++) {
                INDArray win = Nd4j.create(DataType.FLOAT, 1, pk, pk, 1);
                for (int i = 0; i < n; i++) {
                    win.putScalar(new long[] {0, i / pk, i % pk, 0}, 1);
                }
                INDArray one = Nd4j.create(DataType.FLOAT, 1, 1, 1, 1);
                Layers.avgpool(pk, win, true, one);
                table[n] = one.getFloat(0);
            }
        }
        // the convolution fused, and the neurons (and pooling) on the stored currents, as after a dense convolution
        for (boolean fusedConvolution : new boolean[] {true, false}) {
            EventKernels.Chain chain = new EventKernels.Chain(first, got, pk, table, pk > 0 ? second : null, pooled);
            long[] counts = fusedConvolution ? EventKernels.convFire(t.node, t.input(), t.weights(), t.bias(), chain, steps)
                    : EventKernels.fire(current, chain, steps);
            String what = fusedConvolution ? "fused convolution: " : "stored currents: ";
            assertEquals(wantCount, counts[0], what + "the first layer's spikes");
            if (pk > 0) {
                assertArrayEquals(wantPooled.data().asFloat(), pooled.data().asFloat(), what + "the pooled layer's spikes");
                assertEquals(FloatModel.spikeCount(wantPooled), counts[1], what + "the pooled layer's count");
                pooled.assign(-1);
            } else {
                assertArrayEquals(want.data().asFloat(), got.data().asFloat(), what + "the first layer's spikes");
                got.assign(-1);
            }
        }
    }

    /** The sampled density reads rows 0, 8, 16, ...: a batch whose other rows are full still reads as empty. */
    @Example
    void densityReadsEveryEighthRow() {
        int rows = 17;
        float[] x = new float[rows * 5];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 5; i++) {
                x[r * 5 + i] = r % EventKernels.DENSITY_SAMPLE == 0 ? (i < 2 ? 1 : 0) : 1;
            }
        }
        assertEquals(0.4, EventKernels.density(Nd4j.createFromArray(x).reshape(rows, 5), rows), 1e-12);
        assertEquals(0.0, EventKernels.density(Nd4j.create(DataType.FLOAT, 3, 4), 3));
    }
}
