package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The validation hold-out of a training set: per class without groups, whole groups with them. */
class DatasetSplitsTest {

    /** n samples of two bytes, i / 250 and i % 250 (its number, {@link #ids}), with label i % classes. */
    static ImageDataset numbered(int n, int classes) {
        byte[] pixels = new byte[2 * n];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[2 * i] = (byte) (i / 250);
            pixels[2 * i + 1] = (byte) (i % 250);
            labels[i] = (byte) (i % classes);
        }
        return new ImageDataset(n, 1, 1, 2, classes, pixels, labels);
    }

    /** The numbers of a dataset's samples, in its order. */
    static int[] ids(ImageDataset d) {
        int[] id = new int[d.count()];
        for (int i = 0; i < id.length; i++) {
            id[i] = d.pixel(i, 0) * 250 + d.pixel(i, 1);
        }
        return id;
    }

    static int[] perClass(ImageDataset d) {
        int[] c = new int[d.classes()];
        for (int i = 0; i < d.count(); i++) {
            c[d.label(i)]++;
        }
        return c;
    }

    @Test
    void withoutGroupsEachClassGivesItsShare() {
        ImageDataset train = numbered(1000, 4);
        DatasetSplits s = new DatasetSplits(train, numbered(10, 4)).holdOut(0.1, 7);
        assertArrayEquals(new int[] {25, 25, 25, 25}, perClass(s.validation()));
        assertArrayEquals(new int[] {225, 225, 225, 225}, perClass(s.train()));
        // every sample is on exactly one side, and each side keeps the training set's order
        int[] t = ids(s.train());
        int[] v = ids(s.validation());
        int[] both = java.util.stream.IntStream.concat(Arrays.stream(t), Arrays.stream(v)).sorted().toArray();
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), both);
        assertArrayEquals(Arrays.stream(t).sorted().toArray(), t);
        assertArrayEquals(Arrays.stream(v).sorted().toArray(), v);
        assertNull(s.trainGroups());
        assertEquals(10, s.test().count());
    }

    @Test
    void theSeedChoosesTheSamplesAndTheSameSeedTheSameOnes() {
        DatasetSplits all = new DatasetSplits(numbered(200, 2), numbered(4, 2));
        int[] a = ids(all.holdOut(0.2, 1).validation());
        assertArrayEquals(a, ids(all.holdOut(0.2, 1).validation()));
        assertFalse(Arrays.equals(a, ids(all.holdOut(0.2, 2).validation())), "seeds 1 and 2 chose the same samples");
    }

    @Test
    void groupsAreNeverSplitAndTheShareIsReachedWithWholeGroups() {
        int n = 600;
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            groups[i] = i / 20; // 30 groups of 20 samples, each with every class
        }
        DatasetSplits s = new DatasetSplits(numbered(n, 10), numbered(10, 10), groups, null).holdOut(0.15, 25);
        // 90 samples wanted: five whole groups give 100
        assertEquals(100, s.validation().count());
        assertEquals(500, s.train().count());
        assertEquals(500, s.trainGroups().length);
        Set<Integer> kept = new HashSet<>();
        for (int g : s.trainGroups()) {
            kept.add(g);
        }
        assertEquals(25, kept.size(), "whole groups stay in training");
        // the held-out samples are exactly the samples of the five groups not kept
        int[] held = Arrays.stream(ids(s.validation())).toArray();
        int[] want = java.util.stream.IntStream.range(0, n).filter(i -> !kept.contains(groups[i])).toArray();
        assertArrayEquals(want, held);
    }

    @Test
    void limitCutsTheGroupsWithTheSamples() {
        int[] groups = {0, 0, 1, 1, 2, 2};
        DatasetSplits s = new DatasetSplits(numbered(6, 2), numbered(2, 2), groups, null).limit(4, 1);
        assertArrayEquals(new int[] {0, 0, 1, 1}, s.trainGroups());
        assertEquals(1, s.test().count());
        assertThrows(IllegalArgumentException.class, () -> new DatasetSplits(numbered(6, 2), numbered(2, 2),
                new int[] {0, 1}, null), "groups must match the samples");
    }

    @Test
    void aShareThatHoldsOutNothingOrEverythingIsRefused() {
        DatasetSplits few = new DatasetSplits(numbered(4, 2), numbered(2, 2));
        String m = assertThrows(IllegalArgumentException.class, () -> few.holdOut(0.1, 1)).getMessage();
        assertTrue(m.contains("holds out none"), m);
        DatasetSplits oneGroup = new DatasetSplits(numbered(4, 2), numbered(2, 2), new int[4], null);
        m = assertThrows(IllegalArgumentException.class, () -> oneGroup.holdOut(0.5, 1)).getMessage();
        assertTrue(m.contains("every one") && m.contains("1 groups"), m);
        assertThrows(IllegalArgumentException.class, () -> few.holdOut(0, 1));
        assertThrows(IllegalArgumentException.class, () -> few.holdOut(1, 1));
    }

    @Test
    void aClipsGroupIsItsNameUpToTheLastUnderscore() {
        assertEquals("espeak-ng_en-us_Alex", DatasetSplits.groupOf("espeak-ng_en-us_Alex_03.wav"));
        assertEquals("0a7c2a8d_nohash", DatasetSplits.groupOf("0a7c2a8d_nohash_1.wav"));
        assertEquals("single", DatasetSplits.groupOf("single.wav"));
        assertEquals("_x", DatasetSplits.groupOf("_x.wav"));
        assertEquals("a", DatasetSplits.groupOf("a_b"));
    }
}
