package dev.spikeforge.runtime.audio;

/**
 * The triangular mel filter bank of torchaudio's {@code melscale_fbanks} (librosa's), as an
 * (n_freqs x n_mels) matrix: column m weighs the STFT bins that mel band m sums.
 *
 * <pre>
 *   bin frequencies  f_k = linspace(0, floor(sr / 2), n_freqs)              (the integer sr // 2)
 *   band edges       e_j = mel_to_hz(linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2)), j = 0..n_mels+1
 *   fb[k][m]         = max(0, min((f_k - e_m) / (e_{m+1} - e_m), (e_{m+2} - f_k) / (e_{m+2} - e_{m+1})))
 *   slaney norm      fb[k][m] *= 2 / (e_{m+2} - e_m)
 * </pre>
 *
 * linspace is torch's: step = (end - start) / (n - 1); the first half start + i step, the second
 * end - (n - 1 - i) step.
 */
public final class MelFilterbank {

    /** How the triangles are scaled: peak 1, or area normalised (slaney). */
    public enum Norm {
        NONE,
        SLANEY
    }

    private MelFilterbank() {
    }

    /** The (n_freqs x n_mels) matrix. */
    public static double[][] build(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, Norm norm, MelScale scale) {
        double[] freqs = linspace(0, sampleRate / 2, nFreqs);
        double[] mels = linspace(scale.hzToMel(fMin), scale.hzToMel(fMax), nMels + 2);
        double[] edges = new double[nMels + 2];
        for (int j = 0; j < edges.length; j++) {
            edges[j] = scale.melToHz(mels[j]);
        }
        double[][] fb = new double[nFreqs][nMels];
        for (int k = 0; k < nFreqs; k++) {
            for (int m = 0; m < nMels; m++) {
                double down = (-1.0 * (edges[m] - freqs[k])) / (edges[m + 1] - edges[m]);
                double up = (edges[m + 2] - freqs[k]) / (edges[m + 2] - edges[m + 1]);
                double w = Math.max(0.0, Math.min(down, up));
                fb[k][m] = norm == Norm.SLANEY ? w * (2.0 / (edges[m + 2] - edges[m])) : w;
            }
        }
        return fb;
    }

    /** torch.linspace(start, end, n) in double. */
    static double[] linspace(double start, double end, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (end - start) / (n - 1);
        int halfway = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (n - 1 - i);
        }
        return out;
    }
}
