package dev.spikeforge.runtime.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Encoding;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** docs/semantics.md section 3, pinned. */
class InputEncoderTest {

    private static final Encoding POISSON = new Encoding(Encoding.Kind.POISSON, 0);
    private static final Encoding BIPOLAR = new Encoding(Encoding.Kind.BIPOLAR, 0);
    private static final Encoding LATENCY = new Encoding(Encoding.Kind.LATENCY, 0);
    private static final Encoding DIRECT = new Encoding(Encoding.Kind.DIRECT, 0);

    @Test
    void poissonIsOneDrawPerValuePerStepStepMajor() {
        double[] p = {0.3, 0.9, 0.0, 1.0};
        float[] out = new float[5 * 4];
        InputEncoder.encode(POISSON, p, 4, new long[] {42}, 7, 5, out);
        SplitMix64 rng = SplitMix64.forSample(7, 42);
        for (int t = 0; t < 5; t++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(rng.nextDouble() < p[i] ? 1f : 0f, out[t * 4 + i], "t=" + t + " i=" + i);
            }
        }
    }

    /**
     * The encoder compares draws as integers and without a branch; this is the rule as written,
     * s = u < p with u = nextDouble(), on values that include every edge: 0, 1, and probabilities
     * a draw can equal exactly (multiples of 2^-53, and the pixel intensities byte / 255).
     */
    @Property(tries = 200)
    void poissonAndBipolarEqualTheDoubleComparisonOfTheirRule(@ForAll long seed, @ForAll long sample,
                                                              @ForAll @IntRange(min = 1, max = 40) int n) {
        SplitMix64 values = new SplitMix64(seed ^ sample);
        SplitMix64 firstStep = SplitMix64.forSample(seed, sample);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            double draw = firstStep.nextDouble(); // the u that p[i] meets at step 1
            switch (values.nextInt(4)) {
                case 0 -> p[i] = values.nextInt(3) / 2.0;
                case 1 -> p[i] = values.nextInt(2) == 0 ? draw : Math.nextUp(draw);
                case 2 -> p[i] = InputEncoder.intensity(values.nextInt(256));
                default -> p[i] = values.nextDouble();
            }
        }
        int steps = 6;
        float[] out = new float[steps * n];
        InputEncoder.encode(POISSON, p, n, new long[] {sample}, seed, steps, out);
        SplitMix64 rng = SplitMix64.forSample(seed, sample);
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < n; i++) {
                assertEquals(rng.nextDouble() < p[i] ? 1f : 0f, out[t * n + i], "t=" + t + " p=" + p[i]);
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = values.nextInt(2) == 0 ? -p[i] : p[i];
        }
        InputEncoder.encode(BIPOLAR, x, n, new long[] {sample}, seed, steps, out);
        rng = SplitMix64.forSample(seed, sample);
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < n; i++) {
                float expected = rng.nextDouble() < Math.abs(x[i]) ? (float) Math.signum(x[i]) : 0f;
                // assertEquals on floats tells 0.0 from -0.0
                assertEquals(expected, out[t * n + i], "t=" + t + " x=" + x[i]);
            }
        }
    }

    @Test
    void batchLayoutIsTimeMajorAndEachSampleHasItsOwnStream() {
        double[] p = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
        float[] batched = new float[4 * 2 * 3];
        InputEncoder.encode(POISSON, p, 3, new long[] {10, 11}, 1, 4, batched);
        float[] alone = new float[4 * 3];
        InputEncoder.encode(POISSON, new double[] {0.5, 0.5, 0.5}, 3, new long[] {11}, 1, 4, alone);
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(alone[t * 3 + i], batched[(t * 2 + 1) * 3 + i]);
            }
        }
    }

    @Test
    void aLargeBatchEncodedOnAllCoresEqualsItsSamplesEncodedOneByOne() {
        int batch = 96;
        int n = 50;
        int steps = 7;
        double[] p = new double[batch * n];
        long[] samples = new long[batch];
        SplitMix64 values = SplitMix64.forSample(3, 3);
        for (int b = 0; b < batch; b++) {
            samples[b] = 1000 + 7L * b;
            for (int i = 0; i < n; i++) {
                p[b * n + i] = values.nextDouble();
            }
        }
        for (Encoding enc : new Encoding[] {POISSON, BIPOLAR}) {
            float[] batched = new float[steps * batch * n];
            InputEncoder.encode(enc, p, n, samples, 5, steps, batched);
            for (int b = 0; b < batch; b++) {
                double[] one = java.util.Arrays.copyOfRange(p, b * n, (b + 1) * n);
                float[] alone = new float[steps * n];
                InputEncoder.encode(enc, one, n, new long[] {samples[b]}, 5, steps, alone);
                for (int t = 0; t < steps; t++) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(alone[t * n + i], batched[(t * batch + b) * n + i],
                                enc.kind() + " b=" + b + " t=" + t + " i=" + i);
                    }
                }
            }
        }
    }

    @Property
    void poissonNeverFiresAtZeroAndAlwaysAtOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int steps) {
        float[] out = new float[steps * 2];
        InputEncoder.encode(POISSON, new double[] {0.0, 1.0}, 2, new long[] {3}, seed, steps, out);
        for (int t = 0; t < steps; t++) {
            assertEquals(0f, out[t * 2]);
            assertEquals(1f, out[t * 2 + 1]);
        }
    }

    @Property(tries = 50)
    void poissonRateMatchesIntensity(@ForAll @DoubleRange(min = 0, max = 1) double p, @ForAll long seed) {
        int steps = 4000;
        float[] out = new float[steps];
        InputEncoder.encode(POISSON, new double[] {p}, 1, new long[] {0}, seed, steps, out);
        double rate = 0;
        for (float s : out) {
            rate += s;
        }
        rate /= steps;
        // 5 standard deviations of a binomial rate, never below 1/steps
        double tolerance = 5 * Math.sqrt(p * (1 - p) / steps) + 1.0 / steps;
        assertTrue(Math.abs(rate - p) <= tolerance, "rate " + rate + " for p " + p);
    }

    @Test
    void bipolarSpikesCarryTheSignOfTheValue() {
        float[] out = new float[200 * 3];
        InputEncoder.encode(BIPOLAR, new double[] {-1.0, 0.0, 1.0}, 3, new long[] {5}, 9, 200, out);
        for (int t = 0; t < 200; t++) {
            assertEquals(-1f, out[t * 3]);
            assertEquals(0f, out[t * 3 + 1]);
            assertEquals(1f, out[t * 3 + 2]);
        }
        assertEquals(-1.0, InputEncoder.bipolar(0));
        assertEquals(1.0, InputEncoder.bipolar(255));
    }

    @Test
    void latencyFiresOnceBrightestFirst() {
        int steps = 11;
        double[] p = {1.0, 0.0, 0.5, 0.05};
        float[] out = new float[steps * 4];
        InputEncoder.encode(LATENCY, p, 4, new long[] {0}, 0, steps, out);
        // t = 1 + round((1 - p) * 10): p = 1 -> 1, p = 0.5 -> 6, p = 0.05 -> 1 + round(9.5) = 11, p = 0 -> none
        assertEquals(1, firstSpike(out, 0, 4, steps));
        assertEquals(-1, firstSpike(out, 1, 4, steps));
        assertEquals(6, firstSpike(out, 2, 4, steps));
        assertEquals(11, firstSpike(out, 3, 4, steps));
        float total = 0;
        for (float s : out) {
            total += s;
        }
        assertEquals(3f, total);
    }

    @Test
    void directRepeatsTheValueAtEveryStep() {
        float[] out = new float[3 * 2];
        InputEncoder.encode(DIRECT, new double[] {0.25, 0.75}, 2, new long[] {0}, 0, 3, out);
        assertEquals(0.25f, out[4]);
        assertEquals(0.75f, out[5]);
    }

    /** encode rows: a 3 x 2 image of each sample is 3 steps of 2 values, row t at step t, time-major over the batch. */
    @Test
    void rowsFeedRowTAtStepT() {
        Encoding rows = new Encoding(Encoding.Kind.ROWS, 0);
        double[] images = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6};
        float[] out = new float[3 * 2 * 2];
        InputEncoder.encode(rows, images, 6, new long[] {0, 1}, 7, 3, out);
        float[] want = {0.1f, 0.2f, 1.1f, 1.2f, 0.3f, 0.4f, 1.3f, 1.4f, 0.5f, 0.6f, 1.5f, 1.6f};
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, out);
        assertEquals(2, InputEncoder.rowWidth(rows, 6, 3));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InputEncoder.rowWidth(rows, 6, 4), "6 values are not 4 rows");
        assertTrue(rows.analog() && new Encoding(Encoding.Kind.DIRECT, 0).analog() && !Encoding.POISSON.analog());
    }

    /**
     * encode events(bins = T): bin t at step t, 1 wherever the bin holds at least one event
     * (count 1 and count 255 alike), 0 where it holds none; the sample's counts arrive as
     * count / 255 like pixels.
     */
    @Test
    void eventsSpikeWhereABinHoldsAnEvent() {
        Encoding events = new Encoding(Encoding.Kind.EVENTS, 3);
        int[] counts = {0, 1, 2, 255, 0, 0, 7, 0, 0, 0, 1, 0};
        double[] values = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            values[i] = InputEncoder.intensity(counts[i]);
        }
        // two samples: the counts, and the same counts shifted by one input
        double[] batch = new double[2 * counts.length];
        System.arraycopy(values, 0, batch, 0, values.length);
        for (int i = 0; i < values.length; i++) {
            batch[values.length + i] = values[(i + 1) % values.length];
        }
        float[] out = new float[3 * 2 * 4];
        InputEncoder.encode(events, batch, 12, new long[] {0, 1}, 9, 3, out);
        float[] want = {0, 1, 1, 1, 1, 1, 1, 0, /* t = 1 */ 0, 0, 1, 0, 0, 1, 0, 0, /* t = 2 */ 0, 0, 1, 0, 0, 1, 0, 0};
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, out);
        assertEquals(4, InputEncoder.rowWidth(events, 12, 3));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InputEncoder.rowWidth(events, 12, 5), "12 counts are not 5 bins of equal width");
        assertTrue(!events.analog());
    }

    /**
     * encode rows(levels = L): pixel p of row t is inputs p * L + j at step t, input j spiking iff
     * pixel * 2L >= (2j + 1) * 255. For L = 4 the first spiking bytes are 32, 96, 160 and 224
     * (thresholds 31.875, 95.625, 159.375, 223.125): one below each stays silent.
     */
    @Test
    void thermometerRowsSpikeFromEachLevelsFirstByte() {
        Encoding rows4 = Encoding.rows(4);
        int[] bytes = {0, 31, 32, 95, 96, 159, 160, 223, 224, 255};
        int[] spikes = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
        double[] image = new double[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            image[i] = InputEncoder.intensity(bytes[i]);
        }
        // one sample of 2 rows of 5 pixels: 2 steps of 5 x 4 inputs
        float[] out = new float[2 * 5 * 4];
        InputEncoder.encode(rows4, image, 10, new long[] {0}, 7, 2, out);
        assertEquals(20, InputEncoder.rowWidth(rows4, 10, 2));
        for (int px = 0; px < bytes.length; px++) {
            int t = px / 5;
            int p = px % 5;
            for (int j = 0; j < 4; j++) {
                assertEquals(j < spikes[px] ? 1f : 0f, out[t * 20 + p * 4 + j], "byte " + bytes[px] + " level " + j);
            }
        }
        assertTrue(!rows4.analog() && rows4.levels() == 4 && new Encoding(Encoding.Kind.ROWS, 0).levels() == 0);
        assertEquals("rows(levels = 4)", rows4.toString());
    }

    /**
     * The rule at every byte and level against pixel / 255 >= (j + 0.5) / L in exact rational
     * arithmetic: pixel * 2L is even and (2j + 1) * 255 odd, so no byte lies on a threshold.
     */
    @Test
    void thermometerRuleIsTheHalfLevelThreshold() {
        for (int levels : new int[] {1, 2, 3, 4, 8, 255}) {
            for (int px = 0; px <= 255; px++) {
                for (int j = 0; j < levels; j++) {
                    java.math.BigInteger lhs = java.math.BigInteger.valueOf(px).multiply(java.math.BigInteger.valueOf(2L * levels));
                    java.math.BigInteger rhs = java.math.BigInteger.valueOf((2L * j + 1) * 255);
                    assertTrue(lhs.compareTo(rhs) != 0, "no tie");
                    assertEquals(lhs.compareTo(rhs) >= 0, Encoding.thermometer(px, j, levels), px + " " + j + "/" + levels);
                }
            }
        }
        // L = 1: half brightness; L = 8: the first level at 16 (threshold 15.9375)
        assertTrue(!Encoding.thermometer(127, 0, 1) && Encoding.thermometer(128, 0, 1));
        assertTrue(!Encoding.thermometer(15, 0, 8) && Encoding.thermometer(16, 0, 8));
        assertTrue(Encoding.thermometer(255, 7, 8) && !Encoding.thermometer(0, 0, 8));
    }

    /** The integer engines' inputs of rows(levels = L) are the float engine's 0s and 1s, not bytes. */
    @Test
    void thermometerRowsAreTheSameSpikesAsIntegers() {
        Encoding rows8 = Encoding.rows(8);
        double[] images = new double[2 * 4 * 3];
        for (int i = 0; i < images.length; i++) {
            images[i] = InputEncoder.intensity((i * 37) % 256);
        }
        float[] out = new float[4 * 2 * 3 * 8];
        InputEncoder.encode(rows8, images, 12, new long[] {0, 1}, 7, 4, out);
        int[][] ints = dev.spikeforge.runtime.verify.FloatIntegerComparison.integerInputs(out, 2, 24, 4, rows8.analog());
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < 24; i++) {
                    float v = out[(t * 2 + b) * 24 + i];
                    assertTrue(v == 0f || v == 1f);
                    assertEquals((int) v, ints[b][t * 24 + i]);
                }
            }
        }
    }

    @Test
    void roundingIsHalfAwayFromZero() {
        assertEquals(3, InputEncoder.roundHalfAway(2.5));
        assertEquals(-3, InputEncoder.roundHalfAway(-2.5));
        assertEquals(2, InputEncoder.roundHalfAway(2.4999));
        assertEquals(0, InputEncoder.roundHalfAway(0.0));
    }

    private static int firstSpike(float[] out, int i, int n, int steps) {
        for (int t = 0; t < steps; t++) {
            if (out[t * n + i] != 0) {
                return t + 1;
            }
        }
        return -1;
    }
}
