package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.TrainSpec.SurrogateShape;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Vector API kernels give the same bits as the plain loops (engine.Simd's promise): the
 * neuron forward and backward for every reset, surrogate shape and detach setting, with and
 * without membranes and leak, at widths that cross chunk and vector boundaries, with currents that
 * land exactly on the threshold; the float-double conversions of {@link Vec}; and the weight-gradient
 * kernel's scaled adds and column sums.
 */
class SimdKernelsTest {

    @Example
    void theTestJvmRunsTheVectorKernels() {
        // surefire starts the tests with --add-modules jdk.incubator.vector, as the launcher does
        assertTrue(Simd.enabled(), "the test JVM lacks " + Simd.MODULE + ": the properties below would test nothing");
    }

    @Property(tries = 150)
    void forwardEqualsThePlainLoops(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int steps,
                                    @ForAll @IntRange(min = 1, max = 4500) int width,
                                    @ForAll @DoubleRange(min = 0, max = 1) double beta,
                                    @ForAll @DoubleRange(min = 0.01, max = 4) double theta,
                                    @ForAll boolean subtract, @ForAll boolean membranes, @ForAll boolean leak) {
        float[] current = currents(seed, steps * width, theta);
        NeuronDynamics.Params p = new NeuronDynamics.Params(beta, theta, subtract);
        Run plain = new Run(current, membranes, leak, width);
        NeuronDynamics.forwardPlain(p, plain.current, plain.spikes, plain.membranes, plain.leak, null, steps, width);
        Run vector = new Run(current, membranes, leak, width);
        SimdKernels.forward(p, vector.current, vector.spikes, vector.membranes, vector.leak, steps, width);
        assertArrayEquals(plain.spikeValues(), vector.spikeValues(), "spikes");
        if (membranes) {
            assertArrayEquals(plain.membraneValues(), vector.membraneValues(), "membranes");
        }
        if (leak) {
            assertArrayEquals(bits(plain.leak), bits(vector.leak), "leak");
        }
    }

    @Property(tries = 150)
    void backwardEqualsThePlainLoops(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int steps,
                                     @ForAll @IntRange(min = 1, max = 4500) int width,
                                     @ForAll @DoubleRange(min = 0, max = 1) double beta,
                                     @ForAll @DoubleRange(min = 0.01, max = 4) double theta,
                                     @ForAll @DoubleRange(min = 0.1, max = 30) double slope,
                                     @ForAll boolean arctan, @ForAll boolean subtract, @ForAll boolean detach,
                                     @ForAll boolean inPlace) {
        int size = steps * width;
        float[] h = currents(seed, size, theta);
        float[] g = currents(seed + 1, size, 1);
        float[] s = new float[size];
        for (int i = 0; i < size; i++) {
            s[i] = h[i] >= theta ? 1 : 0;
        }
        SurrogateFunction f = new SurrogateFunction(arctan ? SurrogateShape.ARCTAN : SurrogateShape.FAST_SIGMOID, slope);
        assertTrue(SimdKernels.covers(f));
        NeuronDynamics.Params p = new NeuronDynamics.Params(beta, theta, subtract);
        float[] plain = backward(p, f, detach, h, s, g, inPlace, steps, width, false);
        float[] vector = backward(p, f, detach, h, s, g, inPlace, steps, width, true);
        assertArrayEquals(plain, vector);
    }

    @Example
    void theSigmoidSurrogateStaysWithThePlainLoops() {
        // its exp could round differently in lanes
        assertTrue(!SimdKernels.covers(new SurrogateFunction(SurrogateShape.SIGMOID, 5)));
    }

    @Property(tries = 200)
    void floatVectorsWidenAndRoundAsCasts(@ForAll long seed, @ForAll @IntRange(min = 0, max = 100) int offset,
                                          @ForAll @IntRange(min = 0, max = 300) int len) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] values = new float[offset + len + 1]; // ND4J has no buffer for an empty array
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-40, 40)));
        }
        Vec v = Vec.of(Nd4j.createFromArray(values));
        double[] wide = new double[len + 3];
        v.read(offset, wide, 3, len);
        double[] doubles = new double[len];
        for (int i = 0; i < len; i++) {
            assertTrue(wide[3 + i] == (double) values[offset + i], "widened value " + i);
            doubles[i] = r.nextGaussian() * Math.pow(10, r.nextInt(-50, 50));
        }
        INDArray out = Nd4j.createFromArray(new float[offset + len + 1]);
        Vec.of(out).write(offset, doubles, 0, len);
        float[] expected = new float[offset + len + 1];
        for (int i = 0; i < len; i++) {
            expected[offset + i] = (float) doubles[i];
        }
        assertArrayEquals(expected, out.toFloatVector());
    }

    @Property(tries = 200)
    void addScaledEqualsThePlainLoop(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int xOff,
                                     @ForAll @IntRange(min = 0, max = 40) int yOff,
                                     @ForAll @IntRange(min = 0, max = 300) int len) {
        SplittableRandom r = new SplittableRandom(seed);
        double v = r.nextBoolean() ? 1 : r.nextGaussian();
        float[] x = gradients(r, xOff + len);
        double[] y = new double[yOff + len];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian();
        }
        double[] plain = y.clone();
        for (int i = 0; i < len; i++) {
            plain[yOff + i] += v * x[xOff + i];
        }
        int done = SimdKernels.addScaled(v, x, xOff, y, yOff, len);
        assertTrue(done <= len && len - done < SimdKernels.D.length(), "the vector part leaves less than a vector");
        for (int i = done; i < len; i++) {
            y[yOff + i] += v * x[xOff + i];
        }
        assertArrayEquals(bits(plain), bits(y));
    }

    /** Many runs added into one place, sums kept in registers: the same bits as adding run after run. */
    @Property(tries = 200)
    void addScaledRunsEqualsAddingRunByRun(@ForAll long seed, @ForAll @IntRange(min = 0, max = 12) int runs,
                                           @ForAll @IntRange(min = 0, max = 40) int yOff,
                                           @ForAll @IntRange(min = 0, max = 300) int len) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gradients(r, 2 * len + 64);
        int from = r.nextInt(3);
        double[] v = new double[from + runs];
        int[] src = new int[from + runs];
        for (int i = from; i < v.length; i++) {
            v[i] = r.nextBoolean() ? 1 : r.nextGaussian();
            src[i] = r.nextInt(len + 64);
        }
        double[] y = new double[yOff + len];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian();
        }
        double[] plain = y.clone();
        for (int i = from; i < v.length; i++) {
            for (int e = 0; e < len; e++) {
                plain[yOff + e] += v[i] * x[src[i] + e];
            }
        }
        int done = SimdKernels.addScaledRuns(v, src, from, v.length, x, y, yOff, len);
        assertTrue(done <= len && len - done < SimdKernels.D.length(), "the vector part leaves less than a vector");
        for (int e = done; e < len; e++) {
            for (int i = from; i < v.length; i++) {
                y[yOff + e] += v[i] * x[src[i] + e];
            }
        }
        assertArrayEquals(bits(plain), bits(y));
    }

    @Property(tries = 100)
    void columnSumsEqualThePlainLoop(@ForAll long seed, @ForAll @IntRange(min = 1, max = 600) int positions,
                                     @ForAll @IntRange(min = 1, max = 70) int filters) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] g = gradients(r, positions * filters);
        double[] plain = new double[filters];
        for (int o = 0; o < filters; o++) {
            for (int q = 0; q < positions; q++) {
                plain[o] += g[q * filters + o];
            }
        }
        double[] sum = new double[filters];
        int done = SimdKernels.columnSums(g, positions, filters, sum);
        assertTrue(done <= filters && filters - done < SimdKernels.D.length(), "the vector part leaves less than a vector");
        System.arraycopy(plain, done, sum, done, filters - done);
        assertArrayEquals(bits(plain), bits(sum));
    }

    @Property(tries = 200)
    void poolingEqualsThePlainLoopAndTheWindowsDefinition(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int k, @ForAll @IntRange(min = 1, max = 60) int filters,
            @ForAll @IntRange(min = 0, max = 30) int h, @ForAll @IntRange(min = 0, max = 30) int w,
            @ForAll @DoubleRange(min = 0, max = 1) double density) {
        int outH = k + h;
        int outW = k + w;
        int ph = outH / k;
        int pw = outW / k;
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[outH * outW * filters];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextDouble() < density ? 1 : 0;
        }
        float kk = k * k;
        float[] table = new float[k * k + 1];
        for (int n = 0; n <= k * k; n++) {
            table[n] = n / kk;
        }
        assertTrue(EventKernels.divides(table, k));
        // each window counted on its own, the count looked up
        float[] want = new float[ph * pw * filters];
        for (int py = 0; py < ph; py++) {
            for (int px = 0; px < pw; px++) {
                for (int f = 0; f < filters; f++) {
                    int n = 0;
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            n += (int) s[((py * k + dy) * outW + px * k + dx) * filters + f];
                        }
                    }
                    want[(py * pw + px) * filters + f] = table[n];
                }
            }
        }
        for (boolean lanes : new boolean[] {false, true}) {
            float[] pc = new float[want.length];
            EventKernels.poolRow(lanes, s, outW, filters, k, ph, pw, table, true, new float[pw * k * filters], pc);
            assertArrayEquals(bits(want), bits(pc), lanes ? "lanes" : "plain loop");
        }
        // a table that is not n / k^2 is looked up by both
        table[k * k] = 7;
        assertTrue(!EventKernels.divides(table, k));
        float[] pc = new float[want.length];
        EventKernels.poolRow(true, s, outW, filters, k, ph, pw, table, false, new float[pw * k * filters], pc);
        for (int i = 0; i < pc.length; i++) {
            assertTrue(pc[i] == (want[i] == 1 ? 7 : want[i]), "the table's last entry at " + i);
        }
    }

    @Example
    void nd4jPoolingIsTheCountOverKSquaredForWindowsOfTwoAndThree() {
        // so the fused pass pools LeNet5's and the VGGs' windows in the lanes (docs/semantics.md section 2.5)
        for (int k = 1; k <= 4; k++) {
            float[] table = FloatModel.poolTable(k);
            boolean divides = EventKernels.divides(table, k);
            assertTrue(divides || k > 3, "ND4J's average of n spikes in a window of " + k + " is not n / " + k * k);
        }
    }

    /** Float gradients of mixed magnitudes, so sums round and their order shows. */
    private static float[] gradients(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
        }
        return x;
    }

    private static float[] backward(NeuronDynamics.Params p, SurrogateFunction f, boolean detach, float[] h, float[] s,
                                    float[] g, boolean inPlace, int steps, int width, boolean vector) {
        INDArray gradOut = Nd4j.createFromArray(g.clone());
        INDArray gradIn = inPlace ? gradOut : Nd4j.createFromArray(new float[g.length]);
        Vec m = Vec.of(Nd4j.createFromArray(h));
        Vec sp = Vec.of(Nd4j.createFromArray(s));
        if (vector) {
            SimdKernels.backward(p, f, detach, m, sp, Vec.of(gradOut), Vec.of(gradIn), steps, width);
        } else {
            NeuronDynamics.backwardPlain(p, f, detach, m, sp, Vec.of(gradOut), Vec.of(gradIn), steps, width);
        }
        return gradIn.toFloatVector();
    }

    /** Gaussian currents around the threshold, one in eight exactly at it, one in sixteen zero. */
    private static float[] currents(long seed, int size, double theta) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] c = new float[size];
        for (int i = 0; i < size; i++) {
            int kind = r.nextInt(16);
            c[i] = kind < 2 ? (float) theta : kind == 2 ? 0 : (float) (theta * (0.5 + r.nextGaussian()));
        }
        return c;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    private static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }

    /** The buffers of one forward run. */
    private static final class Run {
        final Vec current;
        final INDArray spikeArray;
        final Vec spikes;
        final INDArray membraneArray;
        final Vec membranes;
        final double[] leak;

        Run(float[] values, boolean keepMembranes, boolean keepLeak, int width) {
            current = Vec.of(Nd4j.createFromArray(values.clone()));
            spikeArray = Nd4j.createFromArray(new float[values.length]);
            spikes = Vec.of(spikeArray);
            membraneArray = keepMembranes ? Nd4j.createFromArray(new float[values.length]) : null;
            membranes = keepMembranes ? Vec.of(membraneArray) : null;
            leak = keepLeak ? new double[width] : null;
        }

        float[] spikeValues() {
            return spikeArray.toFloatVector();
        }

        float[] membraneValues() {
            return membraneArray.toFloatVector();
        }
    }
}
