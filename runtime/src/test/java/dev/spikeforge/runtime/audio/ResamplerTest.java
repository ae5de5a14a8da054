package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    private static double[] sine(double hz, int rate, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.sin(2 * Math.PI * hz * i / rate);
        }
        return x;
    }

    @Test
    void equalRatesReturnACopyOfTheInput() {
        double[] x = {1, 2, 3};
        double[] y = Resampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertNotSame(x, y);
    }

    @Test
    void ratesAreReducedByTheirGcd() {
        Resampler r = new Resampler(44100, 16000);
        assertEquals(441, r.inputPeriod());
        assertEquals(160, r.outputPeriod());
        assertEquals(17, r.halfWidth(), "ceil(6 * 441 / (160 * 0.99))");
        double[] x = sine(300, 48000, 999);
        assertArrayEquals(Resampler.resample(x, 3, 1), Resampler.resample(x, 48000, 16000));
    }

    @Test
    void outputLengthIsCeilOfQnOverP() {
        assertEquals(334, new Resampler(48000, 16000).outputLength(1000));
        assertEquals(2000, new Resampler(8000, 16000).outputLength(1000));
        assertEquals(726, new Resampler(22050, 16000).outputLength(1000));
        assertEquals(726, Resampler.resample(new double[1000], 22050, 16000).length);
    }

    @Test
    void aToneWellBelowBothNyquistsKeepsItsShape() {
        for (int[] rates : new int[][] {{48000, 16000}, {8000, 16000}, {44100, 16000}, {22050, 16000}}) {
            double[] y = Resampler.resample(sine(440, rates[0], rates[0] / 10), rates[0], rates[1]);
            double[] expected = sine(440, rates[1], y.length);
            // away from the edges, where the filter sees the zero padding
            for (int i = 100; i < y.length - 100; i++) {
                assertEquals(expected[i], y[i], 2e-3, rates[0] + " -> " + rates[1] + " at " + i);
            }
        }
    }

    @Test
    void audioResamplesEveryChannel() {
        Audio a = new Audio(48000, new float[][] {new float[480], new float[480]});
        Audio b = Resampler.resample(a, 16000);
        assertEquals(16000, b.rate());
        assertEquals(2, b.channels());
        assertEquals(160, b.frames());
    }

    @Test
    void ratesWithoutACommonDivisorThatNeedAHugeKernelAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Resampler(44101, 16000));
        assertTrue(e.getMessage().startsWith("resampler: 44101 Hz -> 16000 Hz reduce by their gcd 1 to 44101 -> 16000,"
                + " whose kernel has"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 16000));
    }
}
