package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.TrainSpec;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The train block's {@code augment}: what a draw does to an image, and how the draws are made. */
class ImageAugmentTest {

    /** Two samples of 2 channels of 3 x 4 pixels, every pixel a different value 1..48. */
    private static ImageDataset images() {
        byte[] pixels = new byte[2 * 24];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i + 1);
        }
        return new ImageDataset(2, 2, 3, 4, 2, pixels, new byte[] {0, 1});
    }

    private static int[] apply(ImageAugment.Draw d, int sample) {
        int[] out = new int[24];
        ImageAugment.apply(d, images(), sample, out);
        return out;
    }

    @Test
    void noDrawKeepsTheImage() {
        ImageDataset set = images();
        int[] out = apply(new ImageAugment.Draw(0, 0, false), 1);
        for (int i = 0; i < 24; i++) {
            assertEquals(set.pixel(1, i), out[i]);
        }
    }

    @Test
    void aShiftMovesEveryChannelAndFillsWithZero() {
        ImageDataset set = images();
        int[] out = apply(new ImageAugment.Draw(1, -2, false), 0);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    int sy = y - 1;
                    int sx = x + 2;
                    int expected = sy >= 0 && sx < 4 ? set.pixel(0, c, sy, sx) : 0;
                    assertEquals(expected, out[(c * 3 + y) * 4 + x], "c " + c + " y " + y + " x " + x);
                }
            }
        }
        // by hand: channel 0's first row is zeros (moved down), its second row is row 0's columns 2, 3 then zeros
        assertArrayEquals(new int[] {0, 0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0}, java.util.Arrays.copyOf(out, 12));
    }

    @Test
    void aMirrorReversesEachRowBeforeTheShift() {
        int[] mirrored = apply(new ImageAugment.Draw(0, 0, true), 0);
        assertArrayEquals(new int[] {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9}, java.util.Arrays.copyOf(mirrored, 12));
        assertArrayEquals(new int[] {16, 15, 14, 13}, java.util.Arrays.copyOfRange(mirrored, 12, 16));
        // mirrored, then moved one column right: column 0 is new
        int[] both = apply(new ImageAugment.Draw(0, 1, true), 0);
        assertArrayEquals(new int[] {0, 4, 3, 2, 0, 8, 7, 6}, java.util.Arrays.copyOf(both, 8));
    }

    @Test
    void everyBinOfAnEventRecordingMovesAsAnImageWould() {
        // one recording of 3 bins, each a 2 x 3 x 4 frame (EventDataset's 1 x T x N layout), counts 1..72
        byte[] bins = new byte[3 * 24];
        for (int i = 0; i < bins.length; i++) {
            bins[i] = (byte) (i + 1);
        }
        ImageDataset recording = new ImageDataset(1, 1, 3, 24, 1, bins, new byte[] {0});
        for (ImageAugment.Draw d : new ImageAugment.Draw[] {new ImageAugment.Draw(1, -2, false),
                new ImageAugment.Draw(0, 1, true), new ImageAugment.Draw(-1, 0, true)}) {
            int[] out = new int[72];
            ImageAugment.applyToBins(d, recording, 0, 2, 3, 4, out);
            for (int t = 0; t < 3; t++) {
                ImageDataset frame = new ImageDataset(1, 2, 3, 4, 1,
                        java.util.Arrays.copyOfRange(bins, t * 24, t * 24 + 24), new byte[] {0});
                int[] alone = new int[24];
                ImageAugment.apply(d, frame, 0, alone);
                assertArrayEquals(alone, java.util.Arrays.copyOfRange(out, t * 24, t * 24 + 24), d + " bin " + t);
            }
        }
        // by hand: bin 1 mirrored (its values are 25..48), channel 0's first row reversed
        int[] mirrored = new int[72];
        ImageAugment.applyToBins(new ImageAugment.Draw(0, 0, true), recording, 0, 2, 3, 4, mirrored);
        assertArrayEquals(new int[] {28, 27, 26, 25}, java.util.Arrays.copyOfRange(mirrored, 24, 28));
        // an epoch of event-frame augmentation applies the sample's one draw to every bin
        ImageAugment a = ImageAugment.ofEventFrames(new TrainSpec.Augment(1, true), 5, 2, 3, 4);
        for (int epoch = 1; epoch <= 4; epoch++) {
            int[] viaEpoch = new int[72];
            a.epoch(epoch).pixels(recording, 0, viaEpoch);
            int[] direct = new int[72];
            ImageAugment.applyToBins(a.draw(epoch, 0), recording, 0, 2, 3, 4, direct);
            assertArrayEquals(direct, viaEpoch, "epoch " + epoch);
        }
    }

    @Test
    void aShiftAsLargeAsTheImageLeavesNothing() {
        assertArrayEquals(new int[24], apply(new ImageAugment.Draw(3, 0, false), 0));
        assertArrayEquals(new int[24], apply(new ImageAugment.Draw(0, -4, true), 1));
    }

    @Test
    void drawsAreUniformOverTheRangeAndDependOnlyOnSeedEpochAndSample() {
        ImageAugment a = new ImageAugment(new TrainSpec.Augment(2, true), 7);
        int n = 20_000;
        int[] dy = new int[5];
        int[] dx = new int[5];
        int mirrored = 0;
        for (int s = 0; s < n; s++) {
            ImageAugment.Draw d = a.draw(3, s);
            dy[d.dy() + 2]++;
            dx[d.dx() + 2]++;
            mirrored += d.mirror() ? 1 : 0;
            assertEquals(d, new ImageAugment(new TrainSpec.Augment(2, true), 7).draw(3, s), "the same draw again");
        }
        // each of the 5 moves 1/5 of the time, the mirror 1/2: within 5 standard deviations
        double sdMove = Math.sqrt(n * 0.2 * 0.8);
        for (int i = 0; i < 5; i++) {
            assertTrue(Math.abs(dy[i] - n * 0.2) < 5 * sdMove, "dy " + (i - 2) + ": " + dy[i]);
            assertTrue(Math.abs(dx[i] - n * 0.2) < 5 * sdMove, "dx " + (i - 2) + ": " + dx[i]);
        }
        assertTrue(Math.abs(mirrored - n * 0.5) < 5 * Math.sqrt(n * 0.25), "mirrored " + mirrored);
        // dy and dx are drawn apart: every pair occurs
        Set<Integer> pairs = new HashSet<>();
        for (int s = 0; s < 500; s++) {
            ImageAugment.Draw d = a.draw(3, s);
            pairs.add(d.dy() * 10 + d.dx());
        }
        assertEquals(25, pairs.size());
        // another epoch or seed draws anew
        int sameEpoch = 0;
        int sameSeed = 0;
        for (int s = 0; s < 200; s++) {
            sameEpoch += a.draw(3, s).equals(a.draw(4, s)) ? 1 : 0;
            sameSeed += a.draw(3, s).equals(new ImageAugment(new TrainSpec.Augment(2, true), 8).draw(3, s)) ? 1 : 0;
        }
        assertTrue(sameEpoch < 30 && sameSeed < 30, "equal draws: " + sameEpoch + " across epochs, " + sameSeed
                + " across seeds (1 in 50 expected by chance)");
    }

    @Test
    void onlyWhatIsAskedForIsDrawn() {
        ImageAugment shiftOnly = new ImageAugment(new TrainSpec.Augment(1, false), 1);
        ImageAugment mirrorOnly = new ImageAugment(new TrainSpec.Augment(0, true), 1);
        boolean anyMirror = false;
        boolean anyMove = false;
        for (int s = 0; s < 200; s++) {
            ImageAugment.Draw d = shiftOnly.draw(0, s);
            assertTrue(Math.abs(d.dy()) <= 1 && Math.abs(d.dx()) <= 1 && !d.mirror(), d.toString());
            anyMove |= d.dy() != 0 || d.dx() != 0;
            ImageAugment.Draw m = mirrorOnly.draw(0, s);
            assertEquals(0, m.dy());
            assertEquals(0, m.dx());
            anyMirror |= m.mirror();
        }
        assertTrue(anyMirror && anyMove);
        assertNotEquals(shiftOnly.draw(0, 0), shiftOnly.draw(0, 1000), "a draw for each sample");
    }

    @Test
    void anEpochPresentsEachSampleAsItsDrawSays() {
        ImageAugment a = new ImageAugment(new TrainSpec.Augment(1, true), 5);
        int[] viaEpoch = new int[24];
        a.epoch(2).pixels(images(), 1, viaEpoch);
        assertArrayEquals(apply(a.draw(2, 1), 1), viaEpoch);
    }
}
