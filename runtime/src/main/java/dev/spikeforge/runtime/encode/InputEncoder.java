package dev.spikeforge.runtime.encode;

import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.Rounding;
import dev.spikeforge.runtime.data.ImageAugment;
import dev.spikeforge.runtime.data.ImageDataset;
import java.util.stream.IntStream;

/**
 * Input spikes of docs/semantics.md section 3, generated once on the host and fed to every engine.
 *
 * <p>Values arrive per sample as doubles: intensities p in [0, 1] for {@code poisson},
 * {@code latency} and {@code direct}; signed values x in [-1, 1] for {@code bipolar} (see
 * {@link #intensity} and {@link #bipolar} for how pixels become these numbers).
 *
 * <p>Output layout, for T steps and a batch of B samples of N values each:
 * {@code out[(t * B + b) * N + n]}, t = 0..T-1 standing for steps 1..T. Time-major, so the T*B
 * rows fold into one batch for a layer's matrix product. {@code rows} and {@code events} are the
 * exceptions: a sample of N = H x W values is H steps of W values (row t at step t, T = H), so a
 * step's row has N / T values.
 *
 * <p>Draws: sample {@code i} uses {@link SplitMix64#forSample}(runSeed, i), one draw per value per
 * step, step-major (all N values of step 1, then step 2, ...), also where p is 0 or 1, so the
 * stream of one sample never depends on its pixel values. {@code latency}, {@code direct} and
 * {@code rows} draw nothing.
 */
public final class InputEncoder {

    private InputEncoder() {
    }

    /** p = byte / 255, exactly as a double. */
    public static double intensity(int unsignedByte) {
        return unsignedByte / 255.0;
    }

    /** x = 2 * byte / 255 - 1: the pixel range mapped onto [-1, 1] for bipolar spikes. */
    public static double bipolar(int unsignedByte) {
        return 2 * (unsignedByte / 255.0) - 1;
    }

    /**
     * Where encoded spikes go: row r of the T * B rows (r = t * B + b) is N values starting at
     * offset r * N. {@link #encode} calls {@code put} from several threads at once, always for
     * disjoint rows, and each call may reuse {@code values} as soon as it returns.
     */
    @FunctionalInterface
    public interface Rows {
        void put(int offset, float[] values, int length);

        /** Rows of a float array. */
        static Rows of(float[] out) {
            return (offset, values, length) -> System.arraycopy(values, 0, out, offset, length);
        }
    }

    /**
     * @param values  B samples of N values each, {@code values[b * N + n]}
     * @param samples the dataset index of each of the B samples (its random stream)
     * @param out     T * B * N floats, overwritten
     */
    public static void encode(Encoding encoding, double[] values, int n, long[] samples, long runSeed, int steps,
                              float[] out) {
        if (out.length != steps * samples.length * rowWidth(encoding, n, steps)) {
            throw new IllegalArgumentException("sizes: out " + out.length + " for T=" + steps + " B=" + samples.length
                    + " N=" + n);
        }
        encode(encoding, values, n, samples, runSeed, steps, Rows.of(out));
    }

    /** As {@link #encode(Encoding, double[], int, long[], long, int, float[])}, into {@code out}'s T * B rows. */
    public static void encode(Encoding encoding, double[] values, int n, long[] samples, long runSeed, int steps,
                              Rows out) {
        int batch = samples.length;
        if (values.length != batch * n) {
            throw new IllegalArgumentException("sizes: values " + values.length + " for B=" + batch + " N=" + n);
        }
        rowWidth(encoding, n, steps);
        // Each sample has its own random stream and writes only its own rows, so the samples are
        // encoded on all cores and the result does not depend on the thread count.
        IntStream.range(0, batch).parallel().forEach(b -> encodeSample(encoding, values, n, samples[b], runSeed,
                steps, batch, b, out));
    }

    /**
     * The values of one step's row: a sample's n values, or for {@code rows} n / steps of them
     * (an image of n pixels is steps rows), times L for {@code rows(levels = L)}.
     */
    public static int rowWidth(Encoding encoding, int n, int steps) {
        if (encoding.kind() != Encoding.Kind.ROWS && encoding.kind() != Encoding.Kind.EVENTS) {
            return n;
        }
        if (steps < 1 || n % steps != 0) {
            throw new IllegalArgumentException("encode " + encoding.kind().keyword() + ": a sample of " + n
                    + " values is not " + steps + " rows of equal width");
        }
        return n / steps * Math.max(1, encoding.levels());
    }

    /** The input values of a batch of {@code batch} samples of {@code set} for {@code net}: T * batch * row width. */
    public static int length(Network net, ImageDataset set, int batch) {
        return Math.multiplyExact(net.timesteps() * batch,
                rowWidth(net.input().encoding(), set.sampleSize(), net.timesteps()));
    }

    private static void encodeSample(Encoding encoding, double[] values, int n, long sample, long runSeed, int steps,
                                     int batch, int b, Rows out) {
        if (encoding.kind() == Encoding.Kind.EVENTS) {
            rows(values, b, n, steps, batch, true, out);
            return;
        }
        if (encoding.kind() == Encoding.Kind.ROWS) {
            if (encoding.levels() > 0) {
                thermometerRows(values, b, n, steps, batch, encoding.levels(), out);
            } else {
                rows(values, b, n, steps, batch, false, out);
            }
            return;
        }
        float[] row = new float[n];
        switch (encoding.kind()) {
            case POISSON -> poisson(values, b, n, SplitMix64.forSample(runSeed, sample), steps, batch, row, out);
            case BIPOLAR -> bipolar(values, b, n, SplitMix64.forSample(runSeed, sample), steps, batch, row, out);
            case LATENCY -> latency(values, b, n, steps, batch, row, out);
            case DIRECT -> direct(values, b, n, steps, batch, row, out);
            default -> throw new IllegalStateException(encoding.toString());
        }
    }

    /**
     * s[t] = 1 if u < p else 0, compared as integers ({@link SplitMix64#bits53Bound}, exact) and
     * without a branch: m - bound is negative exactly when m < bound (both lie in [0, 2^53]), so
     * its sign bit is the spike. A branch on spikes mispredicted at random.
     */
    private static void poisson(double[] values, int b, int n, SplitMix64 rng, int steps, int batch, float[] row,
                                Rows out) {
        long[] bound = new long[n];
        for (int i = 0; i < n; i++) {
            bound[i] = SplitMix64.bits53Bound(values[b * n + i]);
        }
        long[] bits = new long[n];
        for (int t = 0; t < steps; t++) {
            rng.nextBits53(bits, n);
            for (int i = 0; i < n; i++) {
                row[i] = (bits[i] - bound[i]) >>> 63;
            }
            out.put((t * batch + b) * n, row, n);
        }
    }

    /** s[t] = sign(x) if u < |x| else 0; compared as {@link #poisson} compares. */
    private static void bipolar(double[] values, int b, int n, SplitMix64 rng, int steps, int batch, float[] row,
                                Rows out) {
        long[] bound = new long[n];
        float[] sign = new float[n];
        for (int i = 0; i < n; i++) {
            double x = values[b * n + i];
            bound[i] = SplitMix64.bits53Bound(Math.abs(x));
            sign[i] = (float) Math.signum(x);
        }
        long[] bits = new long[n];
        for (int t = 0; t < steps; t++) {
            rng.nextBits53(bits, n);
            for (int i = 0; i < n; i++) {
                // + 0f turns the -0.0 of a negative value without a spike into 0.0, as before
                row[i] = sign[i] * ((bits[i] - bound[i]) >>> 63) + 0f;
            }
            out.put((t * batch + b) * n, row, n);
        }
    }

    /**
     * One spike at step 1 + round_half_away((1 - p) * (T - 1)) when p > 0 (p_min = 0: every
     * non-black pixel spikes once; brighter pixels spike earlier).
     */
    private static void latency(double[] values, int b, int n, int steps, int batch, float[] row, Rows out) {
        int[] step = new int[n];
        for (int i = 0; i < n; i++) {
            double p = values[b * n + i];
            step[i] = p > 0 ? 1 + (int) roundHalfAway((1 - p) * (steps - 1)) : 0;
        }
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < n; i++) {
                row[i] = step[i] == t + 1 ? 1f : 0f;
            }
            out.put((t * batch + b) * n, row, n);
        }
    }

    /** The analog value at every step (the first layer's current is W x + b). */
    private static void direct(double[] values, int b, int n, int steps, int batch, float[] row, Rows out) {
        for (int i = 0; i < n; i++) {
            row[i] = (float) values[b * n + i];
        }
        for (int t = 0; t < steps; t++) {
            out.put((t * batch + b) * n, row, n);
        }
    }

    /**
     * Row t of the sample (its n / steps values from t * n / steps on) at step t: for {@code rows},
     * the analog values; for {@code events(bins = T)}, a binned recording's counts (arriving as
     * count / 255, like pixels) as spikes, 1 iff bin t of the input holds at least one event
     * (docs/semantics.md section 3.2).
     */
    private static void rows(double[] values, int b, int n, int steps, int batch, boolean events, Rows out) {
        int w = n / steps;
        float[] row = new float[w];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < w; i++) {
                double v = values[b * n + t * w + i];
                row[i] = events ? (v > 0 ? 1f : 0f) : (float) v;
            }
            out.put((t * batch + b) * w, row, w);
        }
    }

    /**
     * {@code rows(levels = L)}: row t at step t, pixel i of the row as the L inputs i * L + j
     * (j = 0..L-1), input j spiking iff {@link Encoding#thermometer}(pixel, j, L). The values are
     * pixel / 255; the byte is recovered as round(value * 255), exact for every byte.
     */
    private static void thermometerRows(double[] values, int b, int n, int steps, int batch, int levels, Rows out) {
        int w = n / steps;
        float[] row = new float[w * levels];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < w; i++) {
                int px = pixelByte(values[b * n + t * w + i]);
                for (int j = 0; j < levels; j++) {
                    row[i * levels + j] = Encoding.thermometer(px, j, levels) ? 1f : 0f;
                }
            }
            out.put((t * batch + b) * w * levels, row, w * levels);
        }
    }

    /** The byte 0..255 whose {@link #intensity} is {@code p} (p clamped to [0, 1]). */
    static int pixelByte(double p) {
        return (int) Math.round(Math.max(0, Math.min(1, p)) * 255);
    }

    /** Rounds halves away from zero (2.5 -> 3, -2.5 -> -3), the project's one rounding rule. */
    public static long roundHalfAway(double v) {
        return Rounding.halfAway(v);
    }

    /**
     * The input spikes of dataset samples {@code idx} for a run with seed {@code runSeed}: pixels
     * as intensities (bipolar: signed values), encoded by the network's input encoding.
     *
     * @return T * B * N floats, time-major ({@code out[(t * B + b) * N + n]})
     */
    public static float[] encode(Network net, ImageDataset set, int[] idx, long runSeed) {
        float[] out = new float[length(net, set, idx.length)];
        encode(net, set, idx, runSeed, Rows.of(out));
        return out;
    }

    /**
     * As {@link #encode(Network, ImageDataset, int[], long)}, into {@code out}'s T * B rows: an
     * engine's own input buffer, which then needs no copy of the spikes.
     */
    public static void encode(Network net, ImageDataset set, int[] idx, long runSeed, Rows out) {
        encode(net, set, idx, runSeed, out, null);
    }

    /**
     * As {@link #encode(Network, ImageDataset, int[], long, Rows)}, each sample's pixels first
     * changed by {@code augment} (the train block's {@code augment}; null for none).
     */
    public static void encode(Network net, ImageDataset set, int[] idx, long runSeed, Rows out,
                              ImageAugment.Epoch augment) {
        int n = set.sampleSize();
        Encoding enc = net.input().encoding();
        double[] values = new double[idx.length * n];
        long[] samples = new long[idx.length];
        int[] moved = augment == null ? null : new int[n];
        for (int b = 0; b < idx.length; b++) {
            samples[b] = idx[b];
            if (moved != null) {
                augment.pixels(set, idx[b], moved);
            }
            for (int i = 0; i < n; i++) {
                int px = moved != null ? moved[i] : set.pixel(idx[b], i);
                values[b * n + i] = enc.kind() == Encoding.Kind.BIPOLAR ? bipolar(px) : intensity(px);
            }
        }
        encode(enc, values, n, samples, runSeed, net.timesteps(), out);
    }
}
