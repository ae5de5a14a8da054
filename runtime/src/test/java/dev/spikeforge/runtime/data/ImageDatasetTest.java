package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikeforge.compiler.ir.Shape;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    /** 4 samples of 2x2x3; pixel p of sample s is 10 * s + p + 200 (so some are above 127). */
    private static ImageDataset four() {
        byte[] pixels = new byte[4 * 12];
        for (int s = 0; s < 4; s++) {
            for (int p = 0; p < 12; p++) {
                pixels[s * 12 + p] = (byte) (10 * s + p + 200);
            }
        }
        return new ImageDataset(4, 2, 2, 3, 5, pixels, new byte[] {0, 4, 2, 3});
    }

    private static int expected(int s, int p) {
        return (10 * s + p + 200) & 0xFF;
    }

    @Test
    void accessorsReadChannelMajorUnsignedPixels() {
        ImageDataset d = four();
        assertEquals(4, d.count());
        assertEquals(12, d.sampleSize());
        assertEquals(Shape.chw(2, 2, 3), d.sampleShape());
        assertEquals(expected(1, 0), d.pixel(1, 0));
        assertEquals(expected(3, 11), d.pixel(3, 11));
        assertEquals(expected(2, 6 + 3 + 2), d.pixel(2, 1, 1, 2), "channel 1, row 1, column 2 = 6 + 3 + 2");
        assertEquals(4, d.label(1));
        byte[] out = new byte[14];
        d.copySample(2, out, 1);
        assertEquals(expected(2, 0), out[1] & 0xFF);
        assertEquals(expected(2, 11), out[12] & 0xFF);
        assertEquals("4 samples of 2x2x3, 5 classes", d.toString());
    }

    @Test
    void outOfRangeIndicesThrow() {
        ImageDataset d = four();
        assertThrows(IndexOutOfBoundsException.class, () -> d.pixel(4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.pixel(0, 12));
        assertThrows(IndexOutOfBoundsException.class, () -> d.pixel(0, 2, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {4}));
    }

    @Test
    void subsetKeepsTheGivenOrderAndRepeats() {
        ImageDataset s = four().subset(new int[] {3, 1, 3});
        assertEquals(3, s.count());
        assertArrayEquals(new int[] {3, 4, 3}, new int[] {s.label(0), s.label(1), s.label(2)});
        assertEquals(expected(1, 5), s.pixel(1, 5));
        assertEquals(expected(3, 11), s.pixel(2, 11));
        assertEquals(0, four().subset(new int[0]).count());
    }

    @Test
    void limitTakesTheFirstSamples() {
        ImageDataset d = four();
        ImageDataset two = d.limit(2);
        assertEquals(2, two.count());
        assertEquals(expected(1, 11), two.pixel(1, 11));
        assertSame(d, d.limit(4));
        assertSame(d, d.limit(100));
        assertThrows(IllegalArgumentException.class, () -> d.limit(-1));
    }

    @Test
    void theConstructorCopiesItsArrays() {
        byte[] pixels = new byte[2];
        byte[] labels = new byte[] {1};
        ImageDataset d = new ImageDataset(1, 1, 1, 2, 2, pixels, labels);
        pixels[0] = 9;
        labels[0] = 0;
        assertEquals(0, d.pixel(0, 0));
        assertEquals(1, d.label(0));
    }

    @Test
    void theConstructorRejectsSizesThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(2, 1, 2, 2, 10, new byte[7], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(2, 1, 2, 2, 10, new byte[8], new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(1, 1, 1, 1, 10, new byte[1], new byte[] {10}));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(1, 0, 1, 1, 10, new byte[0], new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(1, 1, 1, 1, 0, new byte[1], new byte[1]));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(1, 65536, 65536, 65536, 10, new byte[1], new byte[1]));
    }

    @Test
    void splitsMustAgreeInShapeAndClasses() {
        ImageDataset d = four();
        assertEquals(2, new DatasetSplits(d, d.limit(1)).limit(2, 5).train().count());
        ImageDataset other = new ImageDataset(1, 1, 2, 3, 5, new byte[6], new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> new DatasetSplits(d, other));
        ImageDataset moreClasses = new ImageDataset(1, 2, 2, 3, 6, new byte[12], new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> new DatasetSplits(d, moreClasses));
    }
}
