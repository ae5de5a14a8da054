package dev.spikeforge.runtime.audio;

/**
 * The parameters of {@link Mfcc}, with torchaudio's defaults ({@link #TORCHAUDIO}:
 * {@code MFCC(n_mfcc = 40, dct_type = 2, norm = 'ortho', log_mels = False)} over
 * {@code MelSpectrogram}'s defaults and {@code AmplitudeToDB('power', top_db = 80)}).
 *
 * @param nMfcc coefficients kept, 1..nMels (torchaudio: 40)
 * @param nFft FFT length (400)
 * @param winLength Hann window length, at most nFft; null for nFft
 * @param hopLength samples between frames; null for winLength / 2
 * @param fMin lowest band edge in Hz (0)
 * @param fMax highest band edge in Hz; null for floor(sample_rate / 2)
 * @param nMels mel bands (128)
 * @param topDb the dB floor below the maximum, at least 0 (80); null for none. Not used with logMels
 * @param melScale HTK (torchaudio's default) or SLANEY
 * @param melNorm NONE (default) or SLANEY (area normalised triangles)
 * @param logMels ln(mel + 1e-6) instead of decibels (false)
 */
public record MfccParams(int nMfcc, int nFft, Integer winLength, Integer hopLength, double fMin, Double fMax, int nMels,
        Double topDb, MelScale melScale, MelFilterbank.Norm melNorm, boolean logMels) {

    /** torchaudio's defaults. */
    public static final MfccParams TORCHAUDIO = new MfccParams(40, 400, null, null, 0.0, null, 128, 80.0, MelScale.HTK,
            MelFilterbank.Norm.NONE, false);

    public MfccParams {
        String where = "mfcc parameters: ";
        if (nFft < 1 || nMels < 1 || nMfcc < 1) {
            throw new IllegalArgumentException(where + "n_fft, n_mels and n_mfcc must be at least 1, got " + nFft + ", "
                    + nMels + ", " + nMfcc);
        }
        if (nMfcc > nMels) {
            throw new IllegalArgumentException(where + "n_mfcc " + nMfcc + " is more than the " + nMels
                    + " mel bands; keep at most n_mels coefficients (torchaudio refuses more too)");
        }
        if (winLength != null && (winLength < 1 || winLength > nFft)) {
            throw new IllegalArgumentException(where + "win_length " + winLength + " must be 1 to n_fft " + nFft);
        }
        if (hopLength != null && hopLength < 1 || hopLength == null && (winLength != null ? winLength : nFft) < 2) {
            throw new IllegalArgumentException(where + "hop_length must be at least 1, got "
                    + (hopLength != null ? hopLength : "win_length / 2 = 0"));
        }
        if (!(fMin >= 0) || fMax != null && !(fMax >= fMin)) {
            throw new IllegalArgumentException(where + "needs 0 <= f_min <= f_max, got f_min " + fMin + ", f_max " + fMax);
        }
        if (topDb != null && !(topDb >= 0)) {
            throw new IllegalArgumentException(where + "top_db must be at least 0 dB, got " + topDb);
        }
        if (melScale == null || melNorm == null) {
            throw new IllegalArgumentException(where + "mel scale and mel norm must be given");
        }
    }

    /** The window length used: winLength, or nFft. */
    public int window() {
        return winLength != null ? winLength : nFft;
    }

    /** The hop used: hopLength, or window() / 2. */
    public int hop() {
        return hopLength != null ? hopLength : window() / 2;
    }

    /** The highest band edge used at {@code sampleRate}: fMax, or floor(sampleRate / 2). */
    public double fMaxAt(int sampleRate) {
        return fMax != null ? fMax : sampleRate / 2;
    }

    public MfccParams withNMfcc(int n) {
        return new MfccParams(n, nFft, winLength, hopLength, fMin, fMax, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withNFft(int n) {
        return new MfccParams(nMfcc, n, winLength, hopLength, fMin, fMax, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withWinLength(Integer n) {
        return new MfccParams(nMfcc, nFft, n, hopLength, fMin, fMax, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withHopLength(Integer n) {
        return new MfccParams(nMfcc, nFft, winLength, n, fMin, fMax, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withFMin(double f) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, f, fMax, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withFMax(Double f) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, fMin, f, nMels, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withNMels(int n) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, fMin, fMax, n, topDb, melScale, melNorm, logMels);
    }

    public MfccParams withTopDb(Double db) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, fMin, fMax, nMels, db, melScale, melNorm, logMels);
    }

    public MfccParams withMel(MelScale scale, MelFilterbank.Norm norm) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, fMin, fMax, nMels, topDb, scale, norm, logMels);
    }

    public MfccParams withLogMels(boolean on) {
        return new MfccParams(nMfcc, nFft, winLength, hopLength, fMin, fMax, nMels, topDb, melScale, melNorm, on);
    }
}
