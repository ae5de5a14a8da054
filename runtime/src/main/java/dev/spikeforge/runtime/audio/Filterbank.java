package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.quant.Rounding;
import java.util.Objects;

/**
 * The spiking filterbank front end (docs/semantics.md section 12.3): an audio front end like
 * Xylo's, in integer arithmetic from the 16-bit samples on, producing one event bit per channel per
 * time step for a spiking chip's input.
 *
 * <p>Per sample n (rate {@code rate}), on the clip's samples x[n] (peak-normalised to
 * {@value #PEAK} by {@link #pcm}):
 * <pre>
 *   u[n] = x[n] - ((31 x[n-1]) &gt;&gt; 5)                         pre-emphasis, 1 - 31/32
 *   y[n] = ((B0 (u[n] - u[n-2]) &lt;&lt; 8) - A1 y[n-1] - A2 y[n-2]) &gt;&gt; F   band-pass biquad, 8 state fraction bits
 *   e[n] = e[n-1] - (e[n-1] &gt;&gt; K) + (|y[n]| &gt;&gt; 8)             rectifier and leaky integrator
 *   v[n] = v[n-1] + (e[n] &gt;&gt; K); if v &gt;= theta: fire, v = v mod theta   integrate and fire
 * </pre>
 * {@code >>} is an arithmetic shift (floor), every value a 64-bit integer (no overflow: |u| &lt; 2^16,
 * |y| &lt; 2^27 for a stable filter whose gain at its centre is 1, products &lt; 2^45). At the end of
 * each step (every {@code step} samples) a channel's event bit is 1 iff it fired at least once
 * during the step, and its count restarts; v carries over. The coefficients are the RBJ
 * constant-0-dB-peak band-pass of centre f_c and quality Q, quantised to F = {@value #COEF_BITS}
 * fraction bits with {@link Rounding#halfAway}: B0 = round(alpha / a0 2^F), A1 = round(-2 cos(w0) /
 * a0 2^F), A2 = round((1 - alpha) / a0 2^F), w0 = 2 pi f_c / rate, alpha = sin(w0) / (2 Q),
 * a0 = 1 + alpha. Centres are spaced geometrically from f_low to f_high, and Q makes neighbouring
 * bands meet at their -3 dB points: Q = sqrt(r) / (r - 1) for the ratio r between centres.
 */
public final class Filterbank {

    /** Fraction bits of the biquad coefficients. */
    public static final int COEF_BITS = 16;
    /**
     * Fraction bits of the filter state: y carries {@value} bits below the sample's unit, so the
     * floor of the recursion cannot sustain a limit cycle of more than a fraction of one unit
     * once the input is silent.
     */
    public static final int STATE_BITS = 8;
    /** The peak magnitude a clip is normalised to before the integer filterbank. */
    public static final int PEAK = 1 << 14;

    private final Frontend.Filterbank params;
    private final int rate;
    private final long[] b0;
    private final long[] a1;
    private final long[] a2;
    private final double[] centres;

    public Filterbank(Frontend.Filterbank params, int rate) {
        this.params = Objects.requireNonNull(params, "params");
        if (rate < 1) {
            throw new IllegalArgumentException("rate must be >= 1: " + rate);
        }
        if (params.fHigh() >= rate / 2.0) {
            throw new IllegalArgumentException("f_high " + params.fHigh() + " Hz is not below the Nyquist frequency "
                    + rate / 2.0 + " Hz");
        }
        this.rate = rate;
        int c = params.channels();
        b0 = new long[c];
        a1 = new long[c];
        a2 = new long[c];
        centres = new double[c];
        double ratio = c == 1 ? 1 : Math.pow(params.fHigh() / params.fLow(), 1.0 / (c - 1));
        double q = c == 1 ? Math.sqrt(params.fLow() * params.fHigh()) / (params.fHigh() - params.fLow())
                : Math.sqrt(ratio) / (ratio - 1);
        for (int k = 0; k < c; k++) {
            double fc = c == 1 ? Math.sqrt(params.fLow() * params.fHigh()) : params.fLow() * Math.pow(ratio, k);
            centres[k] = fc;
            double w0 = 2 * Math.PI * fc / rate;
            double alpha = Math.sin(w0) / (2 * q);
            double a0 = 1 + alpha;
            b0[k] = Rounding.halfAway(alpha / a0 * (1L << COEF_BITS));
            a1[k] = Rounding.halfAway(-2 * Math.cos(w0) / a0 * (1L << COEF_BITS));
            a2[k] = Rounding.halfAway((1 - alpha) / a0 * (1L << COEF_BITS));
        }
    }

    /** Fraction bits of {@link #log2}. */
    public static final int LOG_FRACTION_BITS = 4;
    private static final long HALF = 1L << (COEF_BITS - 1);

    /**
     * log2(e) in fixed point with {@value #LOG_FRACTION_BITS} fraction bits, piecewise linear
     * between powers of two (Mitchell's approximation, a leading-one detector and a shift in
     * hardware): with m = floor(log2 e), m * 16 + the 4 bits of e below its leading one; 0 for
     * e &lt;= 1. Exact at powers of two, at most 0.086 below log2 e elsewhere.
     */
    public static long log2(long e) {
        if (e <= 1) {
            return 0;
        }
        int m = 63 - Long.numberOfLeadingZeros(e);
        long below = m >= LOG_FRACTION_BITS ? e >> (m - LOG_FRACTION_BITS) : e << (LOG_FRACTION_BITS - m);
        return ((long) m << LOG_FRACTION_BITS) + (below & ((1L << LOG_FRACTION_BITS) - 1));
    }

    /** The centre frequencies in Hz, lowest first. */
    public double[] centres() {
        return centres.clone();
    }

    /** The quantised coefficients of channel {@code k}: B0, A1, A2 (fraction bits {@value #COEF_BITS}). */
    public long[] coefficients(int k) {
        return new long[] {b0[k], a1[k], a2[k]};
    }

    /** Samples per time step: round_half_away(step_ms * rate / 1000), at least 1. */
    public int stepSamples() {
        return params.stepSamples(rate);
    }

    /** Time steps of a clip of {@code samples} samples: whole steps only, a partial last step is dropped. */
    public int steps(int samples) {
        return params.steps(samples, rate);
    }

    /**
     * A clip's samples in [-1, 1] as the filterbank's integers: x[n] = round_half_away(s[n] / peak *
     * {@value #PEAK}) with peak = max |s[n]| (a silent clip stays all zeros). This is the host's
     * automatic gain: every clip reaches the filters at the same peak level.
     */
    public static int[] pcm(float[] samples) {
        double peak = 0;
        for (float s : samples) {
            peak = Math.max(peak, Math.abs(s));
        }
        int[] x = new int[samples.length];
        if (peak == 0) {
            return x;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (int) Rounding.halfAway(samples[i] / peak * PEAK);
        }
        return x;
    }

    /**
     * The events of a clip: {@code steps} rows of {@code channels} bits, row-major
     * ({@code out[t * channels + k]} is 1 iff channel k fired during step t).
     *
     * @param x the clip as integers (|x| &lt;= {@value #PEAK}, see {@link #pcm})
     */
    public byte[] events(int[] x, int steps) {
        int step = stepSamples();
        if ((long) steps * step > x.length) {
            throw new IllegalArgumentException(steps + " steps of " + step + " samples need " + (long) steps * step
                    + " samples, the clip has " + x.length);
        }
        int c = params.channels();
        int k = params.leakShift();
        long theta = params.threshold();
        long floor = (long) params.floorBits() << LOG_FRACTION_BITS;
        byte[] out = new byte[steps * c];
        long[] y1 = new long[c];
        long[] y2 = new long[c];
        long[] env = new long[c];
        long[] v = new long[c];
        long xPrev = 0;
        long u1 = 0;
        long u2 = 0;
        int n = 0;
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < step; i++, n++) {
                long xn = x[n];
                long u = params.preEmphasis() ? xn - ((31 * xPrev) >> 5) : xn;
                xPrev = xn;
                for (int ch = 0; ch < c; ch++) {
                    long y = ((b0[ch] * (u - u2) << STATE_BITS) - a1[ch] * y1[ch] - a2[ch] * y2[ch] + HALF) >> COEF_BITS;
                    y2[ch] = y1[ch];
                    y1[ch] = y;
                    env[ch] += (Math.abs(y) >> STATE_BITS) - (env[ch] >> k);
                    v[ch] += Math.max(0, log2(env[ch]) - floor);
                    if (v[ch] >= theta) {
                        v[ch] %= theta;
                        out[t * c + ch] = 1;
                    }
                }
                u2 = u1;
                u1 = u;
            }
        }
        return out;
    }
}
