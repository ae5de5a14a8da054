package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event version of Fashion-MNIST. It reads the Debian package dataset-fashion-mnist and fails
 * (does not skip) without it, as FashionMnistRealDataTest does.
 */
class EventFmnistTest {

    private static DatasetSplits fmnist;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws DatasetException {
        Path data = DatasetLocator.SYSTEM_DATA_ROOT.resolve("fashion-mnist");
        assertTrue(Files.isDirectory(data), data + " is missing: install it with `apt-get install dataset-fashion-mnist`");
        fmnist = MnistFormat.load(data);
    }

    @Test
    void theCommittedRecordingsAreTheToolsOutputByteForByte() throws IOException {
        // The options of scripts/make-event-fmnist.sh's header.
        new EventFmnist(EventFmnist.DEFAULT_SEED, 1.5, 1).write(fmnist, dir, new int[] {0, 1, 7}, 12, 12);
        Path committed = EventDatasetTest.tiny();
        List<Path> ours = files(dir);
        List<Path> theirs = files(committed);
        assertEquals(theirs.stream().map(p -> committed.relativize(p).toString()).toList(),
                ours.stream().map(p -> dir.relativize(p).toString()).toList());
        for (int i = 0; i < ours.size(); i++) {
            assertArrayEquals(Files.readAllBytes(theirs.get(i)), Files.readAllBytes(ours.get(i)), ours.get(i).toString());
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void eventsAreInsideTheSensorInTimeOrderAndSeedsDiffer() throws DatasetException {
        EventFmnist g = new EventFmnist(7, EventFmnist.DEFAULT_THRESHOLD, 3);
        EventFile f = EventFile.parse(Path.of("r.npy"), g.record(fmnist.train(), 3, 0));
        assertEquals("x <i2, y <i2, t <i8, p |b1", f.fields());
        assertTrue(f.count() > 500, f.count() + " events");
        for (int e = 0; e < f.count(); e++) {
            assertTrue(f.x(e) < 34 && f.y(e) < 34 && f.p(e) <= 1);
            assertTrue(f.time(e) >= 0 && f.time(e) <= 300_000);
        }
        byte[] again = g.record(fmnist.train(), 3, 0);
        assertArrayEquals(again, g.record(fmnist.train(), 3, 0));
        assertFalse(Arrays.equals(again, new EventFmnist(8, EventFmnist.DEFAULT_THRESHOLD, 3).record(fmnist.train(), 3, 0)));
        assertFalse(Arrays.equals(again, g.record(fmnist.train(), 3, 1)), "the split is part of the stream");
    }

    /**
     * The three saccades end where they began, so each pixel's log intensity returns to its start:
     * its ON events minus its OFF events, each weighted by its threshold, stay within one threshold
     * of zero. A reference that does not move by the threshold it crossed breaks this.
     */
    @Test
    void aClosedLoopOfSaccadesBalancesOnAndOffEventsPerPixel() {
        double c = 0.4;
        EventFmnist g = new EventFmnist(11, c, 3);
        for (int image : new int[] {0, 1, 2}) {
            List<long[]> events = g.events(fmnist.test(), image, 1);
            int[] net = new int[34 * 34];
            int on = 0;
            for (long[] ev : events) {
                net[(int) (ev[2] * 34 + ev[1])] += ev[3] == 1 ? 1 : -1;
                on += (int) ev[3];
            }
            for (int px = 0; px < net.length; px++) {
                // Thresholds differ by at most 10% between ON and OFF, so |net| counts at most 1 plus that share.
                assertTrue(Math.abs(net[px]) <= 1 + 0.25 * Math.max(1, count(events, px)), "pixel " + px + ": " + net[px]);
            }
            assertTrue(on > events.size() / 4 && on < 3 * events.size() / 4, on + " ON of " + events.size());
        }
    }

    private static int count(List<long[]> events, int px) {
        int n = 0;
        for (long[] ev : events) {
            n += ev[2] * 34 + ev[1] == px ? 1 : 0;
        }
        return n;
    }

    @Test
    void theMovingImageBrightensPixelsItMovesOnto() {
        // Saccade 1 moves the image from offset (1, 5) to (3, 1), right and up: its bright garment
        // moves onto dark pixels at its right and top edges (ON) and off them at its left and bottom
        // edges (OFF), so ON events lie right of and above OFF events. Swapped polarities fail this.
        for (int image = 0; image < 10; image++) {
            List<long[]> events = new EventFmnist(3, 0.5, 1).events(fmnist.train(), image, 0);
            double[] sum = new double[4];
            int[] n = new int[2];
            for (int i = 0; i < events.size(); i++) {
                long[] ev = events.get(i);
                assertTrue(i == 0 || ev[0] >= events.get(i - 1)[0]);
                assertTrue(ev[0] <= 100_000, "one saccade lasts 100 ms: " + ev[0]);
                int p = (int) ev[3];
                sum[2 * p] += ev[1];
                sum[2 * p + 1] += ev[2];
                n[p]++;
            }
            assertTrue(n[0] > 100 && n[1] > 100, "image " + image + ": " + n[1] + " ON, " + n[0] + " OFF");
            double dx = sum[2] / n[1] - sum[0] / n[0];
            double dy = sum[3] / n[1] - sum[1] / n[0];
            assertTrue(dx > 1 && dy < -2, "image " + image + ": ON - OFF mean position " + dx + ", " + dy);
        }
    }

    @Test
    void choosesTheFirstImagesOfEachClassInClassOrder() {
        List<Integer> chosen = EventFmnist.choose(fmnist.train(), new int[] {7, 0}, 5);
        assertEquals(5, chosen.size());
        // floor(5 / 2) = 2 per class, one more for the first class: 3 sneakers, then 2 T-shirts.
        for (int i = 0; i < 5; i++) {
            assertEquals(i < 3 ? 7 : 0, fmnist.train().label(chosen.get(i)));
        }
        assertTrue(chosen.get(0) < chosen.get(1) && chosen.get(1) < chosen.get(2));
        for (int i = 0; i < chosen.get(0); i++) {
            assertTrue(fmnist.train().label(i) != 7, "image " + i + " is an earlier sneaker");
        }
    }
}
