package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.Frontend;
import org.junit.jupiter.api.Test;

/** The bytes a model reads of an MFCC (docs/semantics.md section 12.4). */
class MfccFrontendTest {

    @Test
    void cmvnMapsPlusMinusRangeStandardDeviationsOntoTheBytes() {
        // mean 2, population sd 1: z = -1, 1, -1, 1 ... and range 1: z = -1 -> 0, z = 1 -> 255
        double[][] c = {{1, 3, 1, 3}, {5, 5, 5, 5}, {0, 0, 0, 8}};
        byte[] b = MfccFrontend.bytes(c, true, 1);
        int[] got = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            got[i] = b[i] & 0xFF;
        }
        // row 1 is constant: z = 0 -> round(127.5) = 128 (half away from zero)
        // row 2: mean 2, sd sqrt(12) = 3.4641: z = -0.577 -> round(53.92) = 54, z = 1.732 -> 255 (clamped)
        assertArrayEquals(new int[] {0, 255, 0, 255, 128, 128, 128, 128, 54, 54, 54, 255}, got);
    }

    @Test
    void withoutCmvnTheCoefficientsThemselvesAreScaled() {
        double[][] c = {{-200, -100, -50, 0, 49.9, 100, 1e9}};
        byte[] b = MfccFrontend.bytes(c, false, 100);
        int[] got = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            got[i] = b[i] & 0xFF;
        }
        // (x + 100) / 200 * 255: -50 -> 63.75 -> 64; 49.9 -> 191.1 -> 191
        assertArrayEquals(new int[] {0, 0, 64, 128, 191, 255, 255}, got);
    }

    @Test
    void featuresAreTorchaudiosMfccOfTheSameParameters() {
        Frontend.Mfcc m = new Frontend.Mfcc(13, 512, 160, 40, 20, 7000, 80, true, 3);
        MfccParams p = MfccFrontend.settings(m);
        assertEquals(13, p.nMfcc());
        assertEquals(512, p.nFft());
        assertEquals(512, p.window(), "win_length = n_fft");
        assertEquals(160, p.hop());
        assertEquals(40, p.nMels());
        assertEquals(7000.0, p.fMaxAt(16000));
        float[] x = new float[4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.1) * 0.3f;
        }
        double[][] a = new MfccFrontend(m, 16000).features(x);
        double[][] b = new Mfcc(16000, p).compute(x);
        assertEquals(13, a.length);
        assertEquals(1 + 4000 / 160, a[0].length);
        for (int k = 0; k < 13; k++) {
            assertArrayEquals(b[k], a[k]);
        }
    }
}
