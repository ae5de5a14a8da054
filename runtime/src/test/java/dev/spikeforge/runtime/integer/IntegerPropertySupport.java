package dev.spikeforge.runtime.integer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * What the property tests of the integer model share ({@link IntegerSimulatorPropertyTest} on
 * {@link RandomNetworks}, {@link TemporalIntegerPropertyTest} on {@link TemporalNetworks}): the
 * naive model's own leak and limit arithmetic, the comparison of its records with the simulator's,
 * and the generators' random thresholds, weights, biases and inputs. The generators call {@code rnd} here
 * in the order they always did, so a seed still makes the same case.
 */
final class IntegerPropertySupport {

    private IntegerPropertySupport() {
    }

    // ---- the naive model ---------------------------------------------------------------------

    /** Everything a naive model records of one sample, to compare with a {@link SampleResult}. */
    record Recorded(int[][][] spikeRec, long[][][] memRec, long[] readout, int prediction, long[] spikes,
                    long[] synapticOps, long inputEvents) {
    }

    /** Every recorded value, step by step and layer by layer; the first difference is named. */
    static void compare(QuantizedNetwork q, Recorded want, SampleResult got, Supplier<String> describe) {
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                QuantLayer layer = q.layers().get(l);
                for (int n = 0; n < layer.size(); n++) {
                    int gs = got.spikeRecord()[l][t][n];
                    int ws = want.spikeRec()[l][t][n];
                    long gm = got.membraneRecord()[l][t][n];
                    long wm = want.memRec()[l][t][n];
                    if (gs != ws || gm != wm) {
                        fail(String.format(Locale.ROOT, "first difference at step %d, layer %d ('%s'), neuron %d: "
                                        + "spike simulator=%d naive=%d, membrane simulator=%d naive=%d%n%s",
                                t + 1, l, layer.node(), n, gs, ws, gm, wm, describe.get()));
                    }
                }
            }
        }
        assertArrayEquals(want.readout(), got.readout(), () -> "readout\n" + describe.get());
        assertEquals(want.prediction(), got.prediction(), () -> "prediction\n" + describe.get());
        assertArrayEquals(want.spikes(), got.spikes(), () -> "spike counts per layer\n" + describe.get());
        assertArrayEquals(want.synapticOps(), got.synapticOps(), () -> "synaptic ops per layer\n" + describe.get());
        assertEquals(want.inputEvents(), got.inputEvents(), () -> "input events\n" + describe.get());
    }

    /** A dense synapse's term of I[n] for every n, looping over all inputs; counts an op for each non-zero input. */
    static void denseCurrent(Synapse.Dense d, int[] x, long[] cur, long[] ops, int l) {
        int in = d.inFeatures();
        for (int o = 0; o < d.outFeatures(); o++) {
            for (int i = 0; i < in; i++) {
                cur[o] += (long) d.weights()[o * in + i] * x[i];
                ops[l] += x[i] != 0 ? 1 : 0;
            }
        }
    }

    /** A conv synapse's term of I[n] for every n of the {@code out} map: every tap inside the input. */
    static void convCurrent(Synapse.Conv c, Shape out, int[] x, long[] cur, long[] ops, int l) {
        int channels = c.inShape().dim(0);
        int h = c.inShape().dim(1);
        int w = c.inShape().dim(2);
        int oh = out.dim(1);
        int ow = out.dim(2);
        int k = c.kernel();
        for (int f = 0; f < c.filters(); f++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int n = (f * oh + oy) * ow + ox;
                    for (int ch = 0; ch < channels; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * c.stride() - c.padding() + ky;
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                int xv = x[(ch * h + iy) * w + ix];
                                cur[n] += (long) c.weights()[((f * channels + ch) * k + ky) * k + kx] * xv;
                                ops[l] += xv != 0 ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
    }

    /** An avgpool synapse's term of I[n] for every n of {@code layer}: its K x K window times its channel's weight. */
    static void poolCurrent(Synapse.Pool p, QuantLayer layer, int[] x, long[] cur, long[] ops, int l) {
        Shape shape = layer.shape();
        int size = layer.size();
        int h = p.inShape().dim(1);
        int w = p.inShape().dim(2);
        int k = p.kernel();
        for (int ch = 0; ch < shape.dim(0); ch++) {
            for (int oy = 0; oy < shape.dim(1); oy++) {
                for (int ox = 0; ox < shape.dim(2); ox++) {
                    int n = (ch * shape.dim(1) + oy) * shape.dim(2) + ox;
                    int pw = p.weights()[p.weights().length == 1 ? 0 : n / (size / layer.channels())];
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int xv = x[(ch * h + oy * k + i) * w + ox * k + j];
                            cur[n] += (long) pw * xv;
                            ops[l] += xv != 0 ? 1 : 0;
                        }
                    }
                }
            }
        }
    }

    /** The index of the largest readout value, the first of equals. */
    static int argmax(long[] readout) {
        int best = 0;
        for (int i = 1; i < readout.length; i++) {
            if (readout[i] > readout[best]) {
                best = i;
            }
        }
        return best;
    }

    /** leak(v) with the tests' own arithmetic: floor division for >>, truncation for toward_zero. */
    static long leak(QuantLeak leak, long v, boolean towardZero) {
        if (leak instanceof QuantLeak.Shift s) {
            return v - shiftRight(v, s.k(), towardZero);
        } else if (leak instanceof QuantLeak.Multiplier m) {
            return shiftRight(v * m.m(), m.fractionBits(), towardZero);
        } else if (leak instanceof QuantLeak.None) {
            return v;
        }
        throw new AssertionError("unknown leak " + leak);
    }

    static long shiftRight(long v, int k, boolean towardZero) {
        long divisor = 1L << k;
        return towardZero ? v / divisor : Math.floorDiv(v, divisor);
    }

    /** The once-per-step limit to a signed width: saturate, or wrap modulo 2^bits into [-2^(bits-1), 2^(bits-1)). */
    static long limit(long x, int bits, DeploySpec.Overflow overflow) {
        long half = 1L << (bits - 1);
        if (overflow == DeploySpec.Overflow.WRAP) {
            return Math.floorMod(x + half, 2 * half) - half;
        }
        return Math.max(-half, Math.min(half - 1, x));
    }

    // ---- describing a case -------------------------------------------------------------------

    /** One synapse line of a case's description: kind, source, input shape and integer weights {@code w}. */
    static void describeSynapse(StringBuilder b, Synapse s, int[] w) {
        b.append("    ").append(s.kind()).append(" from ").append(s.source()).append(' ')
                .append(s.inShape()).append(' ').append(Arrays.toString(w)).append('\n');
    }

    /** The input sample of a case's description, one line a step. */
    static void describeInput(StringBuilder b, QuantizedNetwork q, int[] input) {
        int n = q.inputSize();
        for (int t = 0; t < q.timesteps(); t++) {
            b.append("  input step ").append(t + 1).append(": ")
                    .append(Arrays.toString(Arrays.copyOfRange(input, t * n, (t + 1) * n))).append('\n');
        }
    }

    // ---- the generators ----------------------------------------------------------------------

    /** A neuron's float threshold, 0.05 to 3, small ones more often. */
    static double threshold(Random rnd) {
        return round3(0.05 + 2.95 * Math.pow(rnd.nextDouble(), 2));
    }

    /** A decay factor (beta, alpha) from 0.05 to 0.95. */
    static double decay(Random rnd) {
        return round3(0.05 + 0.9 * rnd.nextDouble());
    }

    /**
     * The largest float weight of a tensor into neurons of threshold {@code theta}: chosen so that the
     * quantised threshold lands between about 0.3 and the membrane's limit {@code memMax}.
     */
    static double maxAbs(Random rnd, double theta, long qmax, long memMax) {
        double targetTheta = Math.exp(Math.log(0.3) + rnd.nextDouble() * (Math.log(memMax) - Math.log(0.3)));
        return theta * qmax / targetTheta;
    }

    /** A bias of {@code len} gaussians around 0 or a negative offset, at times far larger than {@code maxAbs}. */
    static float[] bias(Random rnd, int len, double maxAbs) {
        float[] b = new float[len];
        double spread = maxAbs * (rnd.nextInt(3) == 0 ? 3 + 10 * rnd.nextDouble() : rnd.nextDouble());
        double offset = rnd.nextInt(3) == 0 ? -spread / 2 : 0;
        for (int i = 0; i < len; i++) {
            b[i] = (float) (offset + spread * rnd.nextGaussian());
        }
        return b;
    }

    /**
     * A weight tensor of {@code rows} rows: a random distribution (gaussian, uniform, sparse, with
     * outliers, small integers, with an offset), some rows all zero, each row scaled to a largest
     * magnitude of half to all of {@code maxAbs}.
     */
    static float[] weights(Random rnd, int len, int rows, double maxAbs) {
        float[] t = new float[len];
        int style = rnd.nextInt(5);
        double offset = rnd.nextInt(4) == 0 ? -0.4 : rnd.nextInt(6) == 0 ? 0.4 : 0;
        int rowLength = len / rows;
        for (int r = 0; r < rows; r++) {
            if (rows > 1 && rnd.nextInt(8) == 0) {
                continue; // an all-zero row: its channel takes the layer's scale
            }
            double[] raw = new double[rowLength];
            double largest = 0;
            for (int i = 0; i < rowLength; i++) {
                raw[i] = switch (style) {
                    case 0 -> rnd.nextGaussian();
                    case 1 -> 2 * rnd.nextDouble() - 1;
                    case 2 -> rnd.nextInt(3) == 0 ? rnd.nextGaussian() : 0;
                    case 3 -> rnd.nextInt(10) == 0 ? 20 * rnd.nextGaussian() : rnd.nextGaussian();
                    default -> rnd.nextInt(5) - 2;
                } + offset;
                largest = Math.max(largest, Math.abs(raw[i]));
            }
            double rowScale = largest == 0 ? 0 : maxAbs * (0.5 + 0.5 * rnd.nextDouble()) / largest;
            for (int i = 0; i < rowLength; i++) {
                t[r * rowLength + i] = (float) (raw[i] * rowScale);
            }
        }
        return t;
    }

    /**
     * One input sample of {@code length} values, each non-zero with one random density: 1 (poisson),
     * +1 or -1 ({@code bipolar}), or 1 to 255 with 255 a quarter of the time ({@code direct}).
     */
    static int[] input(Random rnd, int length, boolean bipolar, boolean direct) {
        int[] input = new int[length];
        double density = 0.05 + 0.9 * rnd.nextDouble();
        for (int i = 0; i < input.length; i++) {
            if (rnd.nextDouble() < density) {
                input[i] = bipolar ? rnd.nextBoolean() ? 1 : -1
                        : direct ? rnd.nextInt(4) == 0 ? 255 : 1 + rnd.nextInt(255)
                        : 1;
            }
        }
        return input;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
