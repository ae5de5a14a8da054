package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The MFCC's rules that need no torchaudio: silence, the shared floor, lengths, Parseval, the DCT, the parameters. */
class MfccTest {

    private static float[] noise(int n, double amplitude, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amplitude * (2 * r.nextDouble() - 1));
        }
        return x;
    }

    @Test
    void silenceIsMinus100DbInEveryBandSoOnlyC0IsNonZero() {
        double[][] c = Mfcc.torchaudio(16000, 20).compute(new float[1600]);
        assertEquals(9, c[0].length, "1 + 1600 / 200 frames");
        for (int t = 0; t < 9; t++) {
            assertEquals(-100 * Math.sqrt(128), c[0][t], 1e-9);
            for (int k = 1; k < 20; k++) {
                assertEquals(0, c[k][t], 1e-9);
            }
        }
        // log mels have no floor: ln(0 + 1e-6) in every band
        double[][] log = new Mfcc(16000, MfccParams.TORCHAUDIO.withLogMels(true)).compute(new float[400]);
        assertEquals(Math.log(1e-6) * Math.sqrt(128), log[0][0], 1e-9);
    }

    @Test
    void theTopDbFloorIsTakenOverEveryChannel() {
        Mfcc mfcc = Mfcc.torchaudio(8000, 13);
        float[] loud = noise(2000, 0.5, 1);
        double[][][] both = mfcc.compute(new Audio(8000, new float[][] {loud, new float[2000]}));
        double maxDb = Double.NEGATIVE_INFINITY;
        for (double[] band : mfcc.melSpectrogram(loud)) {
            for (double v : band) {
                maxDb = Math.max(maxDb, 10 * Math.log10(v));
            }
        }
        // the silent channel sits on the loud channel's floor, not at -100 dB
        assertEquals((maxDb - 80) * Math.sqrt(128), both[1][0][0], 1e-9);
        assertEquals(-100 * Math.sqrt(128), mfcc.compute(new float[2000])[0][0], 1e-9);
        double[][] alone = mfcc.compute(loud);
        for (int k = 0; k < 13; k++) {
            assertEquals(alone[k][3], both[0][k][3], 1e-12, "the loud channel is its own maximum");
        }
        // no floor: the silent channel is at -100 dB
        double[][][] unfloored = new Mfcc(8000, MfccParams.TORCHAUDIO.withNMfcc(13).withTopDb(null))
                .compute(new Audio(8000, new float[][] {loud, new float[2000]}));
        assertEquals(-100 * Math.sqrt(128), unfloored[1][0][0], 1e-9);
    }

    @Test
    void reflectPaddingNeedsMoreThanHalfAnFft() {
        Mfcc mfcc = Mfcc.torchaudio(16000, 20);
        assertEquals(201, mfcc.minimumSamples());
        assertEquals(2, mfcc.compute(new float[201])[0].length);
        assertEquals(3, mfcc.compute(new float[400])[0].length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mfcc.compute(new float[200]));
        assertEquals("spectrogram: 200 samples are too few for n_fft 400: reflect padding by 200 needs at least 201"
                + " (torchaudio refuses them too); pad the clip or use a smaller n_fft", e.getMessage());
    }

    @Test
    void powerSpectrogramKeepsParsevalsEnergyForEvenAndOddFfts() {
        double[] x = new double[1000];
        float[] f = noise(1000, 1, 7);
        for (int i = 0; i < x.length; i++) {
            x[i] = f[i];
        }
        for (int nFft : new int[] {400, 511, 512}) {
            PowerSpectrogram s = new PowerSpectrogram(nFft, nFft - 50, 160);
            double[][] p = s.power(x);
            double[] xp = PowerSpectrogram.reflectPad(x, nFft / 2);
            int left = 25;
            for (int t = 0; t < p[0].length; t++) {
                double time = 0;
                for (int n = 0; n < nFft - 50; n++) {
                    double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / (nFft - 50));
                    double v = xp[t * 160 + left + n] * w;
                    time += v * v;
                }
                // |X_0|^2 + 2 sum_{k=1}^{(n-1)/2} |X_k|^2 (+ |X_{n/2}|^2 for even n) = n sum (x w)^2
                double freq = p[0][t] + (nFft % 2 == 0 ? p[nFft / 2][t] : 0);
                for (int k = 1; k <= (nFft - 1) / 2; k++) {
                    freq += 2 * p[k][t];
                }
                assertEquals(nFft * time, freq, 1e-9 * nFft * time, "n_fft " + nFft + " frame " + t);
            }
        }
    }

    @Test
    void reflectPaddingMirrorsWithoutTheEdgeSample() {
        double[] p = PowerSpectrogram.reflectPad(new double[] {1, 2, 3, 4}, 2);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {3, 2, 1, 2, 3, 4, 3, 2}, p);
    }

    @Test
    void theOrthonormalDctHasOrthonormalColumns() {
        double[][] d = Mfcc.dctMatrix(40, 40);
        for (int a = 0; a < 40; a++) {
            for (int b = 0; b < 40; b++) {
                double dot = 0;
                for (int m = 0; m < 40; m++) {
                    dot += d[m][a] * d[m][b];
                }
                assertEquals(a == b ? 1 : 0, dot, 1e-12);
            }
        }
    }

    @Test
    void melScalesRoundTripAndMeetAt1000HzForSlaney() {
        for (MelScale s : MelScale.values()) {
            for (double f : new double[] {0, 20, 700, 999.99, 1000, 4000, 22050}) {
                assertEquals(f, s.melToHz(s.hzToMel(f)), 1e-9 * Math.max(1, f));
            }
        }
        assertEquals(15.0, MelScale.SLANEY.hzToMel(1000), 1e-12);
        assertEquals(2595 * Math.log10(1 + 1000 / 700.0), MelScale.HTK.hzToMel(1000), 1e-12);
    }

    @Test
    void htkTrianglesPeakAtOneAndSlaneyTrianglesHaveAreaTwoOverTheirWidth() {
        double[][] fb = MelFilterbank.build(201, 0, 8000, 40, 16000, MelFilterbank.Norm.NONE, MelScale.HTK);
        for (int m = 0; m < 40; m++) {
            double peak = 0;
            for (double[] row : fb) {
                peak = Math.max(peak, row[m]);
            }
            assertEquals(true, peak > 0.3 && peak <= 1.0, "band " + m + " peak " + peak);
        }
        assertEquals(0.0, fb[0][0], "0 Hz is the first band's lower edge");
        double[] lin = MelFilterbank.linspace(0, 1, 5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, lin);
    }

    @Test
    void parametersAreCheckedWithTheirFix() {
        assertEquals("mfcc parameters: n_mfcc 41 is more than the 40 mel bands; keep at most n_mels coefficients"
                + " (torchaudio refuses more too)", assertThrows(IllegalArgumentException.class,
                        () -> MfccParams.TORCHAUDIO.withNMels(40).withNMfcc(41)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MfccParams.TORCHAUDIO.withWinLength(401));
        assertThrows(IllegalArgumentException.class, () -> MfccParams.TORCHAUDIO.withHopLength(0));
        assertThrows(IllegalArgumentException.class, () -> MfccParams.TORCHAUDIO.withTopDb(-1.0));
        assertThrows(IllegalArgumentException.class, () -> MfccParams.TORCHAUDIO.withFMin(100).withFMax(50.0));
        assertEquals("mfcc: f_min 5000.0 Hz is above f_max 4000.0 Hz (half of 8000 Hz when f_max is not given); lower"
                + " f_min or give f_max", assertThrows(IllegalArgumentException.class,
                        () -> new Mfcc(8000, MfccParams.TORCHAUDIO.withFMin(5000))).getMessage());
        assertEquals(200, MfccParams.TORCHAUDIO.hop());
        assertEquals(128, MfccParams.TORCHAUDIO.withWinLength(256).hop());
        assertEquals(11025.0, MfccParams.TORCHAUDIO.fMaxAt(22050));
        assertEquals(5512.0, MfccParams.TORCHAUDIO.fMaxAt(11025), "floor(sr / 2), as torchaudio's sample_rate // 2");
        Audio a = Audio.mono(8000, new float[800]);
        assertThrows(IllegalArgumentException.class, () -> Mfcc.torchaudio(16000, 20).compute(a));
    }
}
