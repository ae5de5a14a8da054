package dev.spikeforge.runtime.audio;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The power spectrogram of torchaudio's {@code Spectrogram} (power 2, not normalised, onesided,
 * center with reflect padding), in double; the FFT is JTransforms'.
 *
 * <pre>
 *   w[n]      = 0.5 - 0.5 cos(2 pi n / L), n = 0..L-1          periodic Hann of L = win_length,
 *                                                             centred in n_fft with zeros ((n_fft - L) / 2 left)
 *   xp        = reflect(x, n_fft / 2 each side)              xp[-i] = x[i], xp[N-1+i] = x[N-1-i]; needs N &gt; n_fft / 2
 *   frames    T = 1 + floor((N + 2 floor(n_fft / 2) - n_fft) / hop)
 *   S[k][t]   = |sum_n xp[t hop + n] w[n] e^(-2 pi i k n / n_fft)|^2,   k = 0..n_fft / 2
 * </pre>
 */
public final class PowerSpectrogram {

    private final int nFft;
    private final int hop;
    private final double[] window;

    public PowerSpectrogram(int nFft, int winLength, int hop) {
        if (nFft < 1 || winLength < 1 || winLength > nFft || hop < 1) {
            throw new IllegalArgumentException("spectrogram: needs 1 <= win_length <= n_fft and hop_length >= 1, got n_fft "
                    + nFft + ", win_length " + winLength + ", hop_length " + hop);
        }
        this.nFft = nFft;
        this.hop = hop;
        window = new double[nFft];
        int left = (nFft - winLength) / 2;
        for (int n = 0; n < winLength; n++) {
            window[left + n] = 0.5 - 0.5 * Math.cos(n * (2 * Math.PI / winLength));
        }
    }

    /** n_fft / 2 + 1. */
    public int bins() {
        return nFft / 2 + 1;
    }

    /** The fewest samples reflect padding takes: n_fft / 2 + 1 (torch refuses fewer). */
    public int minimumSamples() {
        return nFft / 2 + 1;
    }

    /** The number of frames for {@code n} samples. */
    public int frames(int n) {
        return 1 + (n + 2 * (nFft / 2) - nFft) / hop;
    }

    /** S as [bin][frame]. */
    public double[][] power(double[] x) {
        if (x.length < minimumSamples()) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "spectrogram: %d samples are too few"
                    + " for n_fft %d: reflect padding by %d needs at least %d (torchaudio refuses them too); pad the"
                    + " clip or use a smaller n_fft", x.length, nFft, nFft / 2, minimumSamples()));
        }
        double[] xp = reflectPad(x, nFft / 2);
        int frames = frames(x.length);
        double[][] s = new double[bins()][frames];
        DoubleFFT_1D fft = new DoubleFFT_1D(nFft);
        double[] buf = new double[2 * nFft];
        for (int t = 0; t < frames; t++) {
            java.util.Arrays.fill(buf, nFft, 2 * nFft, 0.0);
            for (int n = 0; n < nFft; n++) {
                buf[n] = xp[t * hop + n] * window[n];
            }
            fft.realForwardFull(buf);
            for (int k = 0; k < bins(); k++) {
                double re = buf[2 * k];
                double im = buf[2 * k + 1];
                s[k][t] = re * re + im * im;
            }
        }
        return s;
    }

    static double[] reflectPad(double[] x, int pad) {
        int n = x.length;
        double[] out = new double[n + 2 * pad];
        System.arraycopy(x, 0, out, pad, n);
        for (int i = 1; i <= pad; i++) {
            out[pad - i] = x[i];
            out[pad + n - 1 + i] = x[n - 1 - i];
        }
        return out;
    }
}
