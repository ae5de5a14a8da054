package dev.spikeforge.runtime.audio;

/**
 * Band-limited resampling between two integer rates, torchaudio's
 * {@code torchaudio.functional.resample(x, from, to)} with its defaults (sinc_interp_hann,
 * lowpass_filter_width w = 6, rolloff 0.99; torchaudio 0.13 functional.py,
 * {@code _get_sinc_resample_kernel} and {@code _apply_sinc_resample_kernel}), computed in double.
 *
 * <p>With g = gcd(from, to), p = from / g input samples make q = to / g output samples. The
 * filter's cut-off is b = min(p, q) * rolloff (in units of the reduced rates), its half-width
 * W = ceil(w p / b) input samples. Output phase j = 0..q-1 has the kernel, k = 0..2W+p-1,
 *
 * <pre>
 *   t      = clamp((-j / q + (k - W) / p) * b, -w, w)
 *   h[j,k] = sinc(pi t) * cos(pi t / (2 w))^2 * b / p        sinc(0) = 1
 *   y[i q + j] = sum_k xpad[i p + k] h[j,k]                  xpad = W zeros, x, W + p zeros
 * </pre>
 *
 * and the output keeps the first ceil(q n / p) samples of an input of n. Equal rates return the
 * input unchanged, as torchaudio does.
 *
 * <p>Agreement with torchaudio ({@code ResamplerGoldenTest}): given a float64 waveform torchaudio
 * computes kernel and convolution in float64, and this class agrees with it to about 1e-15 of the
 * signal's scale (measured at most 4e-16); given float32 (what torchaudio.load returns) torchaudio
 * builds the kernel, its time grid t included, in float32 and convolves in float32, whose rounding
 * (a relative 6e-8 of t, which reaches w p / b samples) moves the taps, so its outputs differ from
 * the exact ones by up to 7.4e-6 of full scale on the golden clips (22050 -> 16000, where p = 441).
 */
public final class Resampler {

    /** torchaudio's defaults. */
    public static final int LOWPASS_FILTER_WIDTH = 6;
    public static final double ROLLOFF = 0.99;
    /** Most kernel taps built (q (2W + p)): 32 Mi doubles, 256 MiB. */
    static final long MAX_KERNEL_TAPS = 1L << 25;

    private final int from;
    private final int to;
    private final int p;
    private final int q;
    private final int width;
    private final double[][] kernel;

    /** A resampler from {@code from} Hz to {@code to} Hz (both at least 1). */
    public Resampler(int from, int to) {
        if (from <= 0 || to <= 0) {
            throw new IllegalArgumentException("resampler: rates must be at least 1 Hz, got " + from + " -> " + to);
        }
        this.from = from;
        this.to = to;
        int g = gcd(from, to);
        p = from / g;
        q = to / g;
        double base = Math.min(p, q) * ROLLOFF;
        double w = Math.ceil((double) LOWPASS_FILTER_WIDTH * p / base);
        double taps = q * (2 * w + p);
        if (taps > MAX_KERNEL_TAPS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "resampler: %d Hz -> %d Hz reduce by"
                    + " their gcd %d to %d -> %d, whose kernel has %.0f taps, over the %d built here (torchaudio builds the"
                    + " same kernel); resample to or from a rate with a larger common divisor", from, to, g, p, q, taps,
                    MAX_KERNEL_TAPS));
        }
        width = (int) w;
        kernel = new double[q][2 * width + p];
        double scale = base / p;
        for (int j = 0; j < q; j++) {
            for (int k = 0; k < kernel[j].length; k++) {
                double t = (-j / (double) q + (k - width) / (double) p) * base;
                t = Math.max(-LOWPASS_FILTER_WIDTH, Math.min(LOWPASS_FILTER_WIDTH, t));
                double c = Math.cos(t * Math.PI / LOWPASS_FILTER_WIDTH / 2);
                double window = c * c;
                t *= Math.PI;
                double sinc = t == 0 ? 1 : Math.sin(t) / t;
                kernel[j][k] = sinc * (window * scale);
            }
        }
    }

    /** {@code x} at {@code from} Hz resampled to {@code to} Hz. */
    public static double[] resample(double[] x, int from, int to) {
        return new Resampler(from, to).apply(x);
    }

    /** As {@link #resample(double[], int, int)}, computed in double and rounded to float once. */
    public static float[] resample(float[] x, int from, int to) {
        return new Resampler(from, to).apply(x);
    }

    /** Every channel resampled; the rate becomes {@code to}. */
    public static Audio resample(Audio audio, int to) {
        Resampler r = new Resampler(audio.rate(), to);
        float[][] out = new float[audio.channels()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = r.apply(audio.channel(c));
        }
        return new Audio(to, out);
    }

    /** The number of output samples for {@code n} input samples: ceil(q n / p), as torchaudio computes it. */
    public int outputLength(int n) {
        return (int) Math.ceil(q * (double) n / p);
    }

    public double[] apply(double[] x) {
        if (from == to) {
            return x.clone();
        }
        double[] padded = new double[width + x.length + width + p];
        System.arraycopy(x, 0, padded, width, x.length);
        double[] y = new double[outputLength(x.length)];
        int taps = 2 * width + p;
        for (int o = 0; o < y.length; o++) {
            int i = o / q;
            double[] h = kernel[o % q];
            int start = i * p;
            double sum = 0;
            for (int k = 0; k < taps; k++) {
                sum += padded[start + k] * h[k];
            }
            y[o] = sum;
        }
        return y;
    }

    public float[] apply(float[] x) {
        if (from == to) {
            return x.clone();
        }
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        double[] y = apply(d);
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) y[i];
        }
        return out;
    }

    /** Input samples per period after reducing the rates by their gcd. */
    public int inputPeriod() {
        return p;
    }

    /** Output samples per period after reducing the rates by their gcd. */
    public int outputPeriod() {
        return q;
    }

    /** The filter's half-width W in input samples. */
    public int halfWidth() {
        return width;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
