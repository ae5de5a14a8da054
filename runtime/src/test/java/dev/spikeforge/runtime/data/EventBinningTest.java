package dev.spikeforge.runtime.data;

import static dev.spikeforge.runtime.data.EventFileTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.data.EventFile.Column;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EventBinningTest {

    private static final Path FILE = Path.of("rec.npy");

    /** Events {t, x, y, p}, with Tonic's dtype. */
    static EventFile events(long[]... tXYP) throws DatasetException {
        long[] t = new long[tXYP.length];
        long[] x = new long[tXYP.length];
        long[] y = new long[tXYP.length];
        long[] p = new long[tXYP.length];
        for (int e = 0; e < tXYP.length; e++) {
            t[e] = tXYP[e][0];
            x[e] = tXYP[e][1];
            y[e] = tXYP[e][2];
            p[e] = tXYP[e][3];
        }
        return EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("x", "<i2", x), Column.ints("y", "<i2", y),
                Column.ints("t", "<i8", t), Column.ints("p", "|b1", p))));
    }

    private static EventFile times(long... t) throws DatasetException {
        return EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("x", "<i2", new long[t.length]),
                Column.ints("t", "<i8", t))));
    }

    private static int[] rowSums(byte[] bins, int rows) {
        int[] s = new int[rows];
        int width = bins.length / rows;
        for (int i = 0; i < bins.length; i++) {
            s[i / width] += bins[i] & 0xFF;
        }
        return s;
    }

    /**
     * t0 = 100, t_last = 110, T = 3: w = 10 // 3 = 3, bins [100, 103), [103, 106), [106, 109); the
     * events at 109 and 110 are in none. Sensor 2 x 3 x 4 (C x H x W): input (p * 3 + y) * 4 + x.
     */
    @Test
    void aHandComputedRecording() throws DatasetException {
        EventFile f = events(
                new long[] {100, 0, 0, 0},   // bin 0, input 0
                new long[] {102, 3, 2, 1},   // bin 0, input (1*3+2)*4+3 = 23
                new long[] {103, 1, 1, 0},   // bin 1, input 5
                new long[] {103, 1, 1, 0},   // bin 1, input 5 again
                new long[] {105, 2, 0, 1},   // bin 1, input (3+0)*4+2 = 14
                new long[] {106, 0, 2, 1},   // bin 2, input (3+2)*4 = 20
                new long[] {108, 3, 0, 0},   // bin 2, input 3
                new long[] {109, 1, 0, 0},   // t0 + 3w = 109: no bin
                new long[] {110, 2, 2, 1});  // the last event: no bin
        EventBinning b = new EventBinning(Shape.chw(2, 3, 4), 3);
        assertEquals(24, b.inputs());
        byte[] expected = new byte[3 * 24];
        expected[0] = 1;
        expected[23] = 1;
        expected[24 + 5] = 2;
        expected[24 + 14] = 1;
        expected[48 + 20] = 1;
        expected[48 + 3] = 1;
        assertArrayEquals(expected, b.bin(f));
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, -1, -1}, b.binOf(f));
    }

    @Test
    void allEventsAtOneTimestampFillNoBin() throws DatasetException {
        // D = 0, so w = 0 and every bin [t0, t0) is empty, as Tonic's frames are.
        assertArrayEquals(new int[] {0, 0, 0, 0}, rowSums(new EventBinning(Shape.flat(1), 4).bin(times(7, 7, 7, 7, 7)), 4));
    }

    @Test
    void oneEventFillsNoBin() throws DatasetException {
        assertArrayEquals(new int[] {0, 0}, rowSums(new EventBinning(Shape.flat(1), 2).bin(times(12345)), 2));
    }

    @Test
    void eventsAtTheLastTimestampFallInNoBin() throws DatasetException {
        // D = 8, T = 4: w = 2, bins [0,2) [2,4) [4,6) [6,8); both events at t_max = 8 are outside.
        EventFile f = times(0, 1, 7, 8, 8);
        EventBinning b = new EventBinning(Shape.flat(1), 4);
        assertArrayEquals(new int[] {2, 0, 0, 1}, rowSums(b.bin(f), 4));
        assertArrayEquals(new int[] {0, 0, 3, -1, -1}, b.binOf(f));
    }

    @Test
    void aSpanShorterThanTheBinCountFillsNoBin() throws DatasetException {
        // D = 2 < T = 3: 2 // 3 = 0.
        assertArrayEquals(new int[] {0, 0, 0}, rowSums(new EventBinning(Shape.flat(1), 3).bin(times(0, 1, 2)), 3));
        // D = 3 = T: w = 1, bins [0,1) [1,2) [2,3), t = 3 outside.
        assertArrayEquals(new int[] {1, 1, 1}, rowSums(new EventBinning(Shape.flat(1), 3).bin(times(0, 1, 2, 3)), 3));
    }

    @Test
    void anEmptyRecordingIsTZeroRows() throws DatasetException {
        byte[] out = new EventBinning(Shape.chw(2, 2, 2), 5).bin(times());
        assertArrayEquals(new byte[5 * 8], out);
    }

    @Test
    void countsSaturateAt255() throws DatasetException {
        long[] t = new long[301];
        for (int i = 0; i < 300; i++) {
            t[i] = i < 150 ? 0 : 1;   // 300 events of input 0 in bin 0, [0, 5)
        }
        t[300] = 10;
        EventFile f = times(t);
        byte[] out = new EventBinning(Shape.flat(3), 2).bin(f);
        assertEquals(255, out[0] & 0xFF);
        assertEquals(0, out[3] & 0xFF);
    }

    @Test
    void floatTimesUsePythonsFloorDivision() throws DatasetException {
        // D = 1.0, T = 3: 1.0 // 3 = 0.0 in Python, so no bin has events; D = 3.5: w = 1.0.
        EventFile short_ = EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("x", "<i2", 0, 0),
                Column.floats("t", "<f8", 0.25, 1.25))));
        assertArrayEquals(new int[] {0, 0, 0}, rowSums(new EventBinning(Shape.flat(1), 3).bin(short_), 3));
        EventFile f = EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("x", "<i2", 0, 0, 0, 0),
                Column.floats("t", "<f8", 0.5, 1.4, 1.5, 4.0))));
        // Bins [0.5, 1.5) [1.5, 2.5) [2.5, 3.5): 0.5 and 1.4 in the first, 1.5 in the second, 4.0 in none.
        assertArrayEquals(new int[] {2, 1, 0}, rowSums(new EventBinning(Shape.flat(1), 3).bin(f), 3));
        assertEquals(2.0, EventBinning.floorDivide(7.0, 3));
        assertEquals(0.0, EventBinning.floorDivide(2.9999, 3));
        assertEquals(3.0, EventBinning.floorDivide(9.0, 3));
    }

    @Test
    void oneDimensionalSensors() throws DatasetException {
        // C x L: input p * L + x; a flat N: one polarity, input x. A file without y is y = 0.
        EventFile f = EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("t", "<i8", 0, 0, 5, 10),
                Column.ints("x", "<i8", 4, 1, 4, 0), Column.ints("p", "<i8", 1, 0, 1, 0))));
        byte[] cl = new EventBinning(Shape.cl(2, 5), 2).bin(f);
        byte[] expected = new byte[20];
        expected[5 + 4] = 1;          // bin 0: p 1, x 4
        expected[1] = 1;              // bin 0: p 0, x 1
        expected[10 + 5 + 4] = 1;     // bin 1 ([5, 10)): p 1, x 4
        assertArrayEquals(expected, cl);
        EventFile mono = times(0, 3, 6);
        assertArrayEquals(new byte[] {1, 0, 0, 1, 0, 0}, new EventBinning(Shape.flat(3), 2).bin(mono));
    }

    /** Integer times: the bins equal the per-event statement of the rule, bin = (t - t0) / w when below T. */
    @Property(tries = 300)
    void integerBinsFollowThePerEventRule(@ForAll long seed, @ForAll @IntRange(min = 0, max = 60) int n,
                                          @ForAll @IntRange(min = 1, max = 12) int bins,
                                          @ForAll @IntRange(min = 0, max = 40) int maxGap) throws DatasetException {
        Random r = new Random(seed);
        long[] t = new long[n];
        long now = r.nextInt(1000) - 500;
        for (int e = 0; e < n; e++) {
            now += maxGap == 0 ? 0 : r.nextInt(maxGap + 1);
            t[e] = now;
        }
        EventFile f = times(t);
        int[] got = new EventBinning(Shape.flat(1), bins).binOf(f);
        for (int e = 0; e < n; e++) {
            long w = (t[n - 1] - t[0]) / bins;
            long k = w == 0 ? -1 : (t[e] - t[0]) / w;
            assertEquals(k >= 0 && k < bins ? k : -1, got[e], "event " + e);
        }
        int[] sums = rowSums(new EventBinning(Shape.flat(1), bins).bin(f), bins);
        for (int i = 0; i < bins; i++) {
            int count = 0;
            for (int g : got) {
                count += g == i ? 1 : 0;
            }
            assertEquals(count, sums[i]);
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void xOutsideTheSensor() throws DatasetException {
        EventFile f = events(new long[] {0, 33, 0, 0}, new long[] {1, 34, 0, 1}, new long[] {2, 40, 0, 0});
        String m = assertThrows(DatasetException.class, () -> new EventBinning(Shape.chw(2, 34, 34), 5).bin(f))
                .getMessage();
        assertContains(m, "rec.npy: x of event 1 is 34 (the first outside the sensor)",
                "the model's input 2x34x34 is a sensor of 34 x 34 (x by y), 2 polarities, so x must be below 34",
                "declare the model's input as the sensor of the recordings");
    }

    @Test
    void yOutsideTheSensor() throws DatasetException {
        EventFile f = events(new long[] {0, 0, 33, 0}, new long[] {1, 0, 128, 1});
        String m = assertThrows(DatasetException.class, () -> new EventBinning(Shape.chw(2, 34, 34), 5).bin(f))
                .getMessage();
        assertContains(m, "rec.npy: y of event 1 is 128 (the first outside the sensor)", "so y must be below 34",
                "declare the model's input");
    }

    @Test
    void yOnAOneDimensionalSensor() throws DatasetException {
        EventFile f = events(new long[] {0, 0, 0, 0}, new long[] {1, 0, 3, 0});
        String m = assertThrows(DatasetException.class, () -> new EventBinning(Shape.cl(2, 34), 5).bin(f))
                .getMessage();
        assertContains(m, "rec.npy: y of event 1 is 3 (the first not 0)", "is a 1-D sensor of 34 positions",
                "declare a 2-D sensor (input 2xHxW)");
    }

    @Test
    void polarityOutsideTheChannels() throws DatasetException {
        EventFile f = events(new long[] {0, 0, 0, 0}, new long[] {1, 0, 0, 1});
        String m = assertThrows(DatasetException.class, () -> new EventBinning(Shape.chw(1, 34, 34), 5).bin(f))
                .getMessage();
        assertContains(m, "rec.npy: p of event 1 is 1", "has 1 polarity channel, so p must be 0",
                "declare 2 channels (input 2x...)");
        EventFile three = EventFile.parse(FILE, EventFile.toNpy(List.of(Column.ints("x", "<i2", 0),
                Column.ints("t", "<i8", 0), Column.ints("p", "<i4", 2))));
        assertContains(assertThrows(DatasetException.class, () -> new EventBinning(Shape.chw(2, 1, 1), 1).bin(three))
                .getMessage(), "p of event 0 is 2", "so p must be 0 or 1");
    }

    @Test
    void anEventOutsideEveryBinIsStillChecked() throws DatasetException {
        // The last event is in no bin, but its x is still outside the sensor.
        EventFile f = events(new long[] {0, 0, 0, 0}, new long[] {9, 50, 0, 0});
        assertContains(assertThrows(DatasetException.class, () -> new EventBinning(Shape.chw(2, 34, 34), 3).bin(f))
                .getMessage(), "x of event 1 is 50");
    }

    @Test
    void aTimeSpanBeyond64Bits() throws DatasetException {
        EventFile f = times(Long.MIN_VALUE, Long.MAX_VALUE);
        assertContains(assertThrows(DatasetException.class, () -> new EventBinning(Shape.flat(1), 2).bin(f))
                .getMessage(), "rec.npy: the time span from t = -9223372036854775808 to t = 9223372036854775807 "
                + "does not fit 64 bits", "subtract the first timestamp");
    }

    @Test
    void shapesThatAreNoEventSensor() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> new EventBinning(Shape.chw(3, 34, 34), 5))
                .getMessage(), "1 or 2 polarity channels, not 3");
        assertContains(assertThrows(IllegalArgumentException.class, () -> new EventBinning(Shape.flat(4), 0))
                .getMessage(), "bins must be at least 1");
    }
}
