package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.quant.Rounding;

/**
 * The {@code mfcc(...)} front end (docs/semantics.md section 12.2): torchaudio's MFCC of a clip,
 * then one byte per coefficient per frame for the model's input.
 */
public final class MfccFrontend {

    private final Frontend.Mfcc params;
    private final Mfcc mfcc;

    public MfccFrontend(Frontend.Mfcc params, int rate) {
        this.params = params;
        this.mfcc = new Mfcc(rate, settings(params));
    }

    /**
     * torchaudio's MFCC parameters for {@code params}: win_length = n_fft, htk mel scale, no mel
     * norm, decibels (not log mels); f_max 0 stands for torchaudio's default, rate / 2.
     */
    public static MfccParams settings(Frontend.Mfcc params) {
        return new MfccParams(params.nMfcc(), params.nFft(), null, params.hopLength(), params.fMin(),
                params.fMax() > 0 ? params.fMax() : null, params.nMels(), params.topDb(), MelScale.HTK,
                MelFilterbank.Norm.NONE, false);
    }

    /** The fewest samples a clip may have: torchaudio refuses n_fft / 2 or fewer (reflect padding). */
    public int minimumSamples() {
        return mfcc.minimumSamples();
    }

    /** The coefficients of a mono clip: [n_mfcc][frames], equal to torchaudio's MFCC. */
    public double[][] features(float[] clip) {
        return mfcc.compute(clip);
    }

    /**
     * The input bytes of {@code features} ([n_mfcc][frames]), coefficient-major (row k holds
     * coefficient k over the frames): with cmvn, z = (c - mean_k) / sd_k over the clip's frames
     * (population standard deviation; z = 0 where sd_k is 0, a constant coefficient), else z = c;
     * then byte = clamp(round_half_away((z + range) / (2 range) * 255), 0, 255).
     */
    public byte[] bytes(double[][] features) {
        return bytes(features, params.cmvn(), params.range());
    }

    static byte[] bytes(double[][] features, boolean cmvn, double range) {
        int k = features.length;
        int frames = k == 0 ? 0 : features[0].length;
        byte[] out = new byte[k * frames];
        for (int c = 0; c < k; c++) {
            double[] row = features[c];
            double mean = 0;
            double sd = 0;
            if (cmvn) {
                for (double v : row) {
                    mean += v;
                }
                mean /= frames;
                for (double v : row) {
                    sd += (v - mean) * (v - mean);
                }
                sd = Math.sqrt(sd / frames);
            }
            for (int f = 0; f < frames; f++) {
                double z = cmvn ? (sd > 0 ? (row[f] - mean) / sd : 0) : row[f];
                long b = Rounding.halfAway((z + range) / (2 * range) * 255);
                out[c * frames + f] = (byte) Math.max(0, Math.min(255, b));
            }
        }
        return out;
    }
}
