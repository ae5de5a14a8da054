package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AudioTest {

    @Test
    void mixdownIsTheMeanOfTheChannelsRoundedOnce() {
        Audio a = new Audio(8000, new float[][] {{1f, 0.5f, -1f}, {0f, 0.25f, 1f}, {0.5f, 0f, 0.1f}});
        assertArrayEquals(new float[] {0.5f, 0.25f, (float) ((-1.0 + 1.0 + 0.1f) / 3)}, a.mixdown());
        assertEquals(1, a.toMono().channels());
        Audio mono = Audio.mono(8000, new float[] {1f});
        assertSame(mono, mono.toMono());
    }

    @Test
    void isImmutable() {
        float[][] x = {{1f, 2f}};
        Audio a = new Audio(8000, x);
        x[0][0] = 9f;
        a.samples()[0][1] = 9f;
        a.channel(0)[0] = 9f;
        assertArrayEquals(new float[] {1f, 2f}, a.channel(0));
        assertEquals(new Audio(8000, new float[][] {{1f, 2f}}), a);
    }

    @Test
    void refusesRaggedOrEmptyChannelsAndZeroRates() {
        assertThrows(IllegalArgumentException.class, () -> new Audio(8000, new float[][] {{1f}, {1f, 2f}}));
        assertThrows(IllegalArgumentException.class, () -> new Audio(8000, new float[0][]));
        assertThrows(IllegalArgumentException.class, () -> Audio.mono(0, new float[1]));
    }
}
