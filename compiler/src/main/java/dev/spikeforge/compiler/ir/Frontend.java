package dev.spikeforge.compiler.ir;

/**
 * How an audio dataset's clips become a model's input (docs/language.md section 4.2, "audio";
 * docs/semantics.md section 12). A front end is declared in the dataset:
 * {@code dataset = audio("data/spoken-digits", frontend = mfcc(n_mfcc = 20))}.
 */
public sealed interface Frontend {

    String keyword();

    /** The front end as the .snn file writes it, every parameter given. */
    String snn();

    /** The input shape the front end makes of a clip of {@code samples} samples at {@code rate} Hz. */
    Shape shape(int samples, int rate);

    /**
     * Mel-frequency cepstral coefficients equal to torchaudio's {@code MFCC} with the same
     * parameters (htk mel scale, no mel norm, power spectrum, top_db 80, orthonormal DCT-II,
     * centred reflect-padded frames), then one byte per coefficient per frame for the model:
     * with {@code cmvn}, each coefficient's mean and standard deviation over the clip's frames are
     * removed and +-{@code range} standard deviations map onto 0..255; without it +-{@code range}
     * (in the MFCC's own units) does. The input is 1 x n_mfcc x frames, an image whose rows are the
     * coefficients.
     *
     * @param fMax 0 for rate / 2
     */
    record Mfcc(int nMfcc, int nFft, int hopLength, int nMels, double fMin, double fMax, double topDb,
                boolean cmvn, double range) implements Frontend {

        public static final Mfcc SEED = new Mfcc(20, 400, 200, 128, 0, 0, 80, true, 3);

        @Override
        public String keyword() {
            return "mfcc";
        }

        /** Frames of a clip: 1 + floor(samples / hop) (frames are centred, as torchaudio's are). */
        public int frames(int samples) {
            return 1 + samples / hopLength;
        }

        @Override
        public Shape shape(int samples, int rate) {
            return Shape.chw(1, nMfcc, frames(samples));
        }

        @Override
        public String snn() {
            return "mfcc(n_mfcc = " + nMfcc + ", n_fft = " + nFft + ", hop_length = " + hopLength + ", n_mels = " + nMels
                    + ", f_min = " + Values.num(fMin) + ", f_max = " + Values.num(fMax) + ", top_db = " + Values.num(topDb)
                    + ", cmvn = " + cmvn + ", range = " + Values.num(range) + ")";
        }
    }

    /**
     * The spiking filterbank (docs/semantics.md section 12.3): {@code channels} band-pass filters
     * between {@code fLow} and {@code fHigh} Hz, rectified, smoothed by a leaky integrator of
     * shift {@code leakShift}, and integrate-and-fire spike generators of threshold
     * {@code threshold} driven by the envelope's log2 above {@code floorBits}; one event bit per
     * channel per step of {@code stepMs} milliseconds. The
     * input is {@code channels} values per step, with {@code encode events(bins = T)}.
     */
    record Filterbank(int channels, double fLow, double fHigh, double stepMs, int leakShift, int floorBits,
                      long threshold, boolean preEmphasis) implements Frontend {

        public static final Filterbank DEFAULT = new Filterbank(16, 100, 7000, 10, 5, 8, 16384, true);

        @Override
        public String keyword() {
            return "filterbank";
        }

        @Override
        public Shape shape(int samples, int rate) {
            return Shape.flat(channels);
        }

        /** Samples per step at {@code rate}: round_half_away(step_ms * rate / 1000), at least 1. */
        public int stepSamples(int rate) {
            return (int) Math.max(1, dev.spikeforge.compiler.quant.Rounding.halfAway(stepMs * rate / 1000.0));
        }

        /** Steps of a clip: whole steps only. */
        public int steps(int samples, int rate) {
            return samples / stepSamples(rate);
        }

        @Override
        public String snn() {
            return "filterbank(channels = " + channels + ", f_low = " + Values.num(fLow) + ", f_high = " + Values.num(fHigh)
                    + ", step_ms = " + Values.num(stepMs) + ", leak_shift = " + leakShift + ", floor = " + floorBits
                    + ", threshold = " + threshold
                    + ", pre_emphasis = " + preEmphasis + ")";
        }
    }

    /** Number formatting shared by {@link #snn()}: integers without a fraction, others as Java writes them. */
    final class Values {
        private Values() {
        }

        static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
