package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Frontend;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The spiking filterbank of docs/semantics.md section 12.5. */
class FilterbankTest {

    private static final Frontend.Filterbank DEFAULT = Frontend.Filterbank.DEFAULT;

    @Test
    void pcmNormalisesThePeakTo16384() {
        int[] x = Filterbank.pcm(new float[] {0.25f, -0.5f, 0.125f, 0f});
        assertArrayEquals(new int[] {8192, -16384, 4096, 0}, x);
        assertArrayEquals(new int[] {0, 0, 0}, Filterbank.pcm(new float[3]));
        // round half away from zero: 1/3 of the peak is 5461.33 -> 5461, -0.5 unit cases
        assertArrayEquals(new int[] {16384, 5461, -5461}, Filterbank.pcm(new float[] {3f, 1f, -1f}));
    }

    @Test
    void coefficientsAreTheRoundedRbjBandPass() {
        Filterbank bank = new Filterbank(DEFAULT, 16000);
        double[] centres = bank.centres();
        assertEquals(100, centres[0], 1e-9);
        assertEquals(7000, centres[15], 1e-6);
        double r = Math.pow(70, 1.0 / 15);
        double q = Math.sqrt(r) / (r - 1);
        for (int k = 0; k < 16; k++) {
            assertEquals(100 * Math.pow(r, k), centres[k], 1e-6);
            double w0 = 2 * Math.PI * centres[k] / 16000;
            double alpha = Math.sin(w0) / (2 * q);
            long[] c = bank.coefficients(k);
            assertEquals(Math.round(alpha / (1 + alpha) * 65536), c[0], "B0 of channel " + k);
            assertEquals(Math.round(-2 * Math.cos(w0) / (1 + alpha) * 65536), c[1], "A1 of channel " + k);
            assertEquals(Math.round((1 - alpha) / (1 + alpha) * 65536), c[2], "A2 of channel " + k);
        }
    }

    @Test
    void aToneExcitesTheChannelOfItsFrequencyMost() {
        // a threshold above what a full-scale tone reaches in a step, so that no channel saturates
        // at one event per step and the counts rank the channels' envelopes
        Filterbank bank = new Filterbank(new Frontend.Filterbank(16, 100, 7000, 10, 5, 8, 1 << 16, true), 16000);
        double[] centres = bank.centres();
        for (int k = 0; k < 16; k += 3) {
            float[] tone = new float[16000];
            for (int n = 0; n < tone.length; n++) {
                tone[n] = (float) Math.sin(2 * Math.PI * centres[k] * n / 16000);
            }
            int[] counts = counts(bank.events(Filterbank.pcm(tone), bank.steps(tone.length)), 16);
            int best = 0;
            for (int j = 1; j < 16; j++) {
                best = counts[j] > counts[best] ? j : best;
            }
            assertEquals(k, best, "a tone at " + centres[k] + " Hz fires most in channel " + best + ": "
                    + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void silenceAfterSoundFallsSilent() {
        Filterbank bank = new Filterbank(DEFAULT, 16000);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] clip = new float[32000];
        for (int n = 0; n < 8000; n++) {
            clip[n] = (float) (rnd.nextDouble() * 2 - 1);
        }
        byte[] events = bank.events(Filterbank.pcm(clip), bank.steps(clip.length));
        int steps = bank.steps(clip.length);
        assertTrue(counts(events, 16)[8] > 0, "noise makes events");
        // 0.5 s after the noise: nothing may fire in the last second
        for (int t = steps / 2 + 10; t < steps; t++) {
            for (int k = 0; k < 16; k++) {
                assertEquals(0, events[t * 16 + k], "channel " + k + " fires at step " + t + " in silence");
            }
        }
    }

    @Test
    void fullScaleNoiseStaysBounded() {
        // the integer path against the BigInteger definition on full-scale noise: any overflow in
        // the long arithmetic would make them differ
        SplittableRandom rnd = new SplittableRandom(11);
        int[] x = new int[4000];
        for (int n = 0; n < x.length; n++) {
            x[n] = rnd.nextBoolean() ? Filterbank.PEAK : -Filterbank.PEAK;
        }
        for (Frontend.Filterbank p : new Frontend.Filterbank[] {DEFAULT,
                new Frontend.Filterbank(4, 50, 7900, 5, 0, 0, 1, false)}) {
            Filterbank bank = new Filterbank(p, 16000);
            int steps = bank.steps(x.length);
            assertArrayEquals(reference(bank, p, x, steps), bank.events(x, steps));
        }
    }

    @Test
    void integerPathEqualsItsDefinition() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 40; trial++) {
            int rate = new int[] {8000, 16000, 22050, 48000}[rnd.nextInt(4)];
            int channels = 1 + rnd.nextInt(16);
            double fLow = 50 + rnd.nextDouble() * 200;
            double fHigh = fLow + 100 + rnd.nextDouble() * (0.45 * rate - fLow - 100);
            Frontend.Filterbank p = new Frontend.Filterbank(channels, fLow, fHigh, 1 + rnd.nextInt(20),
                    rnd.nextInt(9), rnd.nextInt(14), 1 + rnd.nextInt(1 << 16), rnd.nextBoolean());
            float[] clip = new float[rate / 4];
            double f = 100 + rnd.nextDouble() * 3000;
            for (int n = 0; n < clip.length; n++) {
                clip[n] = (float) (Math.sin(2 * Math.PI * f * n / rate) * (n % 977) / 977.0 + 0.3 * (rnd.nextDouble() - 0.5));
            }
            Filterbank bank = new Filterbank(p, rate);
            int[] x = Filterbank.pcm(clip);
            int steps = bank.steps(x.length);
            assertArrayEquals(reference(bank, p, x, steps), bank.events(x, steps), p.snn() + " at " + rate);
        }
    }

    @Test
    void eventsAreOneBitPerChannelPerStep() {
        Frontend.Filterbank p = new Frontend.Filterbank(3, 200, 3000, 10, 2, 0, 50, false);
        Filterbank bank = new Filterbank(p, 16000);
        assertEquals(160, bank.stepSamples());
        assertEquals(2, bank.steps(479), "a partial last step is dropped");
        float[] clip = new float[480];
        java.util.Arrays.fill(clip, 160, 320, 1f);
        byte[] e = bank.events(Filterbank.pcm(clip), 3);
        assertEquals(9, e.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, e[i], "nothing before the sound");
        }
        for (byte b : e) {
            assertTrue(b == 0 || b == 1);
        }
        assertThrows(IllegalArgumentException.class, () -> bank.events(new int[479], 3));
    }

    private static int[] counts(byte[] events, int channels) {
        int[] c = new int[channels];
        for (int i = 0; i < events.length; i++) {
            c[i % channels] += events[i];
        }
        return c;
    }

    /** docs/semantics.md section 12.5 written with exact integers and floor division, not shifts. */
    private static byte[] reference(Filterbank bank, Frontend.Filterbank p, int[] x, int steps) {
        int c = p.channels();
        BigInteger unit = BigInteger.ONE.shiftLeft(16);
        BigInteger state = BigInteger.ONE.shiftLeft(8);
        BigInteger k = BigInteger.ONE.shiftLeft(p.leakShift());
        BigInteger theta = BigInteger.valueOf(p.threshold());
        BigInteger[] y1 = fill(c);
        BigInteger[] y2 = fill(c);
        BigInteger[] env = fill(c);
        BigInteger[] v = fill(c);
        BigInteger prev = BigInteger.ZERO;
        BigInteger u1 = BigInteger.ZERO;
        BigInteger u2 = BigInteger.ZERO;
        int step = bank.stepSamples();
        byte[] out = new byte[steps * c];
        for (int n = 0; n < steps * step; n++) {
            BigInteger xn = BigInteger.valueOf(x[n]);
            BigInteger u = p.preEmphasis() ? xn.subtract(floorDiv(prev.multiply(BigInteger.valueOf(31)),
                    BigInteger.valueOf(32))) : xn;
            prev = xn;
            for (int ch = 0; ch < c; ch++) {
                long[] co = bank.coefficients(ch);
                BigInteger acc = BigInteger.valueOf(co[0]).multiply(u.subtract(u2)).multiply(state)
                        .subtract(BigInteger.valueOf(co[1]).multiply(y1[ch]))
                        .subtract(BigInteger.valueOf(co[2]).multiply(y2[ch]));
                BigInteger y = floorDiv(acc.add(unit.shiftRight(1)), unit);
                y2[ch] = y1[ch];
                y1[ch] = y;
                env[ch] = env[ch].subtract(floorDiv(env[ch], k)).add(floorDiv(y.abs(), state));
                v[ch] = v[ch].add(log2(env[ch]).subtract(BigInteger.valueOf(16L * p.floorBits())).max(BigInteger.ZERO));
                if (v[ch].compareTo(theta) >= 0) {
                    v[ch] = v[ch].mod(theta);
                    out[(n / step) * c + ch] = 1;
                }
            }
            u2 = u1;
            u1 = u;
        }
        return out;
    }

    /** 16 m + floor(16 (e - 2^m) / 2^m) for e >= 2, m = floor(log2 e); 0 below. */
    private static BigInteger log2(BigInteger e) {
        if (e.compareTo(BigInteger.TWO) < 0) {
            return BigInteger.ZERO;
        }
        int m = e.bitLength() - 1;
        BigInteger pow = BigInteger.ONE.shiftLeft(m);
        return BigInteger.valueOf(16L * m).add(floorDiv(e.subtract(pow).multiply(BigInteger.valueOf(16)), pow));
    }

    @Test
    void log2IsMitchellsApproximationWithFourFractionBits() {
        assertEquals(0, Filterbank.log2(0));
        assertEquals(0, Filterbank.log2(1));
        assertEquals(16, Filterbank.log2(2));
        assertEquals(24, Filterbank.log2(3), "1 + (3 - 2) / 2");
        assertEquals(16 * 10 + 8, Filterbank.log2(1536));
        for (long e = 2; e < 100_000; e += 7) {
            double exact = Math.log(e) / Math.log(2) * 16;
            long l = Filterbank.log2(e);
            assertTrue(l <= exact + 1e-9 && l > exact - 16 * 0.0861 - 1, e + ": " + l + " vs " + exact);
            assertEquals(log2(BigInteger.valueOf(e)).longValueExact(), l);
        }
    }

    private static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    private static BigInteger[] fill(int n) {
        BigInteger[] a = new BigInteger[n];
        java.util.Arrays.fill(a, BigInteger.ZERO);
        return a;
    }
}
