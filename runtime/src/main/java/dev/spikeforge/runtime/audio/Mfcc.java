package dev.spikeforge.runtime.audio;

/**
 * Mel-frequency cepstral coefficients as torchaudio computes them
 * ({@code torchaudio.transforms.MFCC(sample_rate, n_mfcc, dct_type = 2, norm = 'ortho', log_mels,
 * melkwargs)}, torchaudio 0.13), in double:
 *
 * <pre>
 *   S[k][t]    power spectrogram                                  {@link PowerSpectrogram}
 *   M[m][t]  = sum_k S[k][t] fb[k][m]                             {@link MelFilterbank}, n_freqs = n_fft / 2 + 1
 *   D[m][t]  = 10 log10(max(M[m][t], 1e-10)) - 10 log10(max(1e-10, 1))          amplitude_to_DB, power
 *   D[m][t]  = max(D[m][t], max(D) - top_db)       max over every band and frame (and channel, see below)
 *     or, with log_mels, D[m][t] = ln(M[m][t] + 1e-6)               (no floor)
 *   C[c][t]  = sum_m D[m][t] dct[m][c],  dct[m][c] = sqrt(2 / n_mels) cos(pi / n_mels (m + 0.5) c),
 *              times 1 / sqrt(2) for c = 0                          (DCT-II, orthonormal)
 * </pre>
 *
 * The top_db floor is torchaudio's for a (channels, time) waveform: amplitude_to_DB takes the
 * maximum over the channels, bands and frames of the whole (channels, n_mels, frames) tensor, so
 * {@link #compute(Audio)} floors every channel at the loudest channel's maximum minus top_db; a
 * mono clip is floored at its own maximum. Silence is M = 0 everywhere: D = -100 dB, so C[0] =
 * -100 sqrt(n_mels) and the rest 0.
 *
 * <p>Fewer than n_fft / 2 + 1 samples are refused, as torchaudio's reflect padding refuses them.
 * Agreement with torchaudio on the golden clips: {@code MfccGoldenTest}.
 */
public final class Mfcc {

    /** amplitude_to_DB's amin. */
    public static final double AMIN = 1e-10;
    /** MFCC's log_offset with log_mels. */
    public static final double LOG_OFFSET = 1e-6;

    private final int sampleRate;
    private final MfccParams params;
    private final PowerSpectrogram spectrogram;
    private final double[][] filterbank;
    private final double[][] dct;

    public Mfcc(int sampleRate, MfccParams params) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("mfcc: sample rate must be at least 1 Hz, got " + sampleRate);
        }
        double fMax = params.fMaxAt(sampleRate);
        if (params.fMin() > fMax) {
            throw new IllegalArgumentException("mfcc: f_min " + params.fMin() + " Hz is above f_max " + fMax + " Hz (half of "
                    + sampleRate + " Hz when f_max is not given); lower f_min or give f_max");
        }
        this.sampleRate = sampleRate;
        this.params = params;
        spectrogram = new PowerSpectrogram(params.nFft(), params.window(), params.hop());
        filterbank = MelFilterbank.build(spectrogram.bins(), params.fMin(), fMax, params.nMels(), sampleRate,
                params.melNorm(), params.melScale());
        dct = dctMatrix(params.nMfcc(), params.nMels());
    }

    /** torchaudio's defaults at {@code sampleRate} with {@code nMfcc} coefficients (the seed's: 20). */
    public static Mfcc torchaudio(int sampleRate, int nMfcc) {
        return new Mfcc(sampleRate, MfccParams.TORCHAUDIO.withNMfcc(nMfcc));
    }

    public int sampleRate() {
        return sampleRate;
    }

    public MfccParams params() {
        return params;
    }

    /** The fewest samples a clip may have: n_fft / 2 + 1. */
    public int minimumSamples() {
        return spectrogram.minimumSamples();
    }

    /** Frames for a clip of {@code n} samples: 1 + floor(n / hop) for an even n_fft. */
    public int frames(int n) {
        return spectrogram.frames(n);
    }

    /** M, the mel power spectrogram, [n_mels][frames] (torchaudio's MelSpectrogram). */
    public double[][] melSpectrogram(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return melSpectrogram(d);
    }

    public double[][] melSpectrogram(double[] x) {
        double[][] s = spectrogram.power(x);
        int frames = s[0].length;
        double[][] mel = new double[params.nMels()][frames];
        for (int k = 0; k < s.length; k++) {
            double[] fbk = filterbank[k];
            for (int m = 0; m < mel.length; m++) {
                double w = fbk[m];
                if (w != 0) {
                    for (int t = 0; t < frames; t++) {
                        mel[m][t] += s[k][t] * w;
                    }
                }
            }
        }
        return mel;
    }

    /** The coefficients of one channel, [n_mfcc][frames], floored at its own maximum. */
    public double[][] compute(float[] x) {
        return compute(new float[][] {x})[0];
    }

    /** The coefficients of every channel of {@code audio}, [channel][n_mfcc][frames]. */
    public double[][][] compute(Audio audio) {
        if (audio.rate() != sampleRate) {
            throw new IllegalArgumentException("mfcc: the audio is at " + audio.rate() + " Hz, this transform at " + sampleRate
                    + " Hz; resample it first (Resampler.resample(audio, " + sampleRate + "))");
        }
        return compute(audio.samples());
    }

    private double[][][] compute(float[][] channels) {
        double[][][] d = new double[channels.length][][];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < channels.length; c++) {
            d[c] = melSpectrogram(channels[c]);
            for (double[] band : d[c]) {
                for (int t = 0; t < band.length; t++) {
                    band[t] = params.logMels() ? Math.log(band[t] + LOG_OFFSET) : 10.0 * Math.log10(Math.max(band[t], AMIN));
                    max = Math.max(max, band[t]);
                }
            }
        }
        // 10 log10(max(amin, ref = 1)) = 0: amplitude_to_DB's reference term subtracts nothing
        if (!params.logMels() && params.topDb() != null) {
            double floor = max - params.topDb();
            for (double[][] channel : d) {
                for (double[] band : channel) {
                    for (int t = 0; t < band.length; t++) {
                        band[t] = Math.max(band[t], floor);
                    }
                }
            }
        }
        double[][][] out = new double[channels.length][][];
        for (int c = 0; c < channels.length; c++) {
            out[c] = dct(d[c]);
        }
        return out;
    }

    private double[][] dct(double[][] db) {
        int frames = db[0].length;
        double[][] out = new double[params.nMfcc()][frames];
        for (int m = 0; m < db.length; m++) {
            for (int c = 0; c < out.length; c++) {
                double w = dct[m][c];
                for (int t = 0; t < frames; t++) {
                    out[c][t] += db[m][t] * w;
                }
            }
        }
        return out;
    }

    /** torchaudio's create_dct(n_mfcc, n_mels, 'ortho'), [n_mels][n_mfcc]. */
    static double[][] dctMatrix(int nMfcc, int nMels) {
        double[][] dct = new double[nMels][nMfcc];
        double scale = Math.sqrt(2.0 / nMels);
        for (int m = 0; m < nMels; m++) {
            for (int c = 0; c < nMfcc; c++) {
                double v = Math.cos(Math.PI / nMels * (m + 0.5) * c);
                dct[m][c] = (c == 0 ? v * (1.0 / Math.sqrt(2.0)) : v) * scale;
            }
        }
        return dct;
    }
}
