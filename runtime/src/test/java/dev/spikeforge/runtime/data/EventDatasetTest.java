package dev.spikeforge.runtime.data;

import static dev.spikeforge.runtime.data.EventFileTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.data.EventFile.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventDatasetTest {

    /** The committed recordings (scripts/make-event-fmnist.sh, options in its header): 3 classes x 4 per split. */
    static Path tiny() {
        try {
            return Path.of(EventDatasetTest.class.getResource("/events/fmnist-tiny").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Shape NMNIST = Shape.chw(2, 34, 34);

    @TempDir
    Path dir;

    private static List<Path> sortedFiles(Path split) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> classes = Files.list(split).sorted()) {
            for (Path c : classes.toList()) {
                try (Stream<Path> files = Files.list(c).sorted()) {
                    out.addAll(files.toList());
                }
            }
        }
        return out;
    }

    @Test
    void loadsTheCommittedRecordingsClassByClassFileByFile() throws Exception {
        int bins = 10;
        DatasetSplits s = EventDataset.load(tiny(), NMNIST, bins);
        EventBinning binning = new EventBinning(NMNIST, bins);
        for (String split : List.of("train", "test")) {
            ImageDataset d = split.equals("train") ? s.train() : s.test();
            assertEquals(12, d.count());
            assertEquals(3, d.classes());
            assertEquals(1, d.channels());
            assertEquals(bins, d.height());
            assertEquals(2 * 34 * 34, d.width());
            List<Path> files = sortedFiles(tiny().resolve(split));
            assertEquals(12, files.size());
            for (int i = 0; i < 12; i++) {
                // Classes 0_tshirt, 1_trouser, 7_sneaker are labels 0, 1, 2; four files each, by name.
                assertEquals(i / 4, d.label(i), split + " sample " + i);
                assertEquals(List.of("0_tshirt", "1_trouser", "7_sneaker").get(i / 4),
                        files.get(i).getParent().getFileName().toString());
                byte[] sample = new byte[d.sampleSize()];
                d.copySample(i, sample, 0);
                assertArrayEquals(binning.bin(EventFile.read(files.get(i))), sample, files.get(i).toString());
                int total = 0;
                for (byte b : sample) {
                    total += b & 0xFF;
                }
                assertTrue(total > 50, files.get(i) + " has " + total + " binned events");
            }
        }
    }

    @Test
    void aRecordingWithoutEventsIsAllZeroBins() throws Exception {
        writeSplit("train", "a", "r0.npy", recording(3), "r1.npy", recording(0));
        writeSplit("test", "a", "r0.npy", recording(0));
        DatasetSplits s = EventDataset.load(dir, Shape.chw(2, 4, 4), 2);
        assertEquals(2, s.train().count());
        byte[] second = new byte[s.train().sampleSize()];
        s.train().copySample(1, second, 0);
        assertArrayEquals(new byte[2 * 32], second);
        byte[] first = new byte[s.train().sampleSize()];
        s.train().copySample(0, first, 0);
        assertEquals(1, first[0]);   // events at t 0, 1, 2: w = 1, bins [0, 1) and [1, 2)
        assertEquals(1, first[32 + 17]);   // p 1, y 0, x 1: (1 * 4 + 0) * 4 + 1
    }

    @Test
    void hiddenEntriesAreIgnored() throws Exception {
        writeSplit("train", "a", "r.npy", recording(1), ".DS_Store", new byte[3]);
        writeSplit("test", "a", "r.npy", recording(1));
        Files.createDirectories(dir.resolve("train/.cache"));
        assertEquals(1, EventDataset.load(dir, Shape.chw(2, 4, 4), 2).train().count());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void noSuchFolder() {
        assertContains(failure(dir.resolve("nope"), Shape.chw(2, 4, 4)), "nope: no such folder",
                "train/<class>/*.npy and test/<class>/*.npy");
    }

    @Test
    void aMissingSplit() {
        writeSplit("train", "a", "r.npy", recording(1));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), dir + ": missing test/ in this folder",
                "an event dataset folder holds");
    }

    @Test
    void classFoldersThatDiffer() {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("train", "b", "r.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        writeSplit("test", "c", "r.npy", recording(1));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), dir + ": the class folders of train/ and test/ differ: "
                + "test/ lacks b; test/ has c, which train/ does not have (train/ has a, b)",
                "give test/ one folder per class of train/, with the same names");
    }

    @Test
    void aFileWhereClassFoldersBelong() {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        write(dir.resolve("train/stray.npy"), recording(1));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), "stray.npy: is a file in train/, where only class folders "
                + "belong", "move recordings into train/<class>/");
    }

    @Test
    void somethingOtherThanANpyInAClassFolder() {
        writeSplit("train", "a", "r.npy", recording(1), "notes.txt", new byte[1]);
        writeSplit("test", "a", "r.npy", recording(1));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), "notes.txt: is not a .npy file in the class folder train/a/",
                "class folders hold only .npy recordings");
    }

    @Test
    void aClassFolderWithoutRecordings() throws IOException {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        Files.createDirectories(dir.resolve("train/b"));
        Files.createDirectories(dir.resolve("test/b"));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), "b: holds no .npy recordings",
                "put the recordings of class b there");
    }

    @Test
    void aShapeThatIsNoSensor() {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        assertContains(failure(dir, Shape.chw(3, 4, 4)), dir + ": the model's input 3x4x4 with 5 time steps cannot "
                + "take event recordings", "1 or 2 polarity channels, not 3", "declare the input as the sensor");
    }

    @Test
    void moreThan256Classes() throws IOException {
        for (int c = 0; c < 257; c++) {
            Files.createDirectories(dir.resolve("train").resolve(String.format("c%03d", c)));
        }
        writeSplit("test", "c000", "r.npy", recording(1));
        assertContains(failure(dir, Shape.chw(2, 4, 4)), "train: has 257 class folders; spikeforge takes at most 256");
    }

    @Test
    void moreBytesThanOneArrayHolds() {
        // 2 recordings x 1 bin x 2 x 30000 x 30000 inputs = 3.6e9 bytes; refused before anything is read.
        writeSplit("train", "a", "r0.npy", recording(1), "r1.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        String m = assertThrows(DatasetException.class,
                () -> EventDataset.load(dir, Shape.chw(2, 30000, 30000), 1)).getMessage();
        assertContains(m, "train: 2 recordings of 1 bins x 1800000000 inputs need 3600000000 bytes, more than one "
                + "Java array can hold", "use fewer recordings or fewer time steps");
    }

    @Test
    void aBadRecordingIsNamedByItsPath() {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("test", "a", "r0.npy", recording(1), "r1.npy", new byte[] {1, 2, 3});
        assertContains(failure(dir, Shape.chw(2, 4, 4)), dir.resolve("test/a/r1.npy") + ": not a .npy file");
    }

    @Test
    void anEventOutsideTheModelsInputNamesTheFix() {
        writeSplit("train", "a", "r.npy", recording(1));
        writeSplit("test", "a", "r.npy", recording(1));
        // recording() puts x up to 3: a 2x4x3 input is one column too narrow.
        assertContains(failure(dir, Shape.chw(2, 4, 3)), dir.resolve("train/a/r.npy") + ": x of event ",
                "so x must be below 3", "declare the model's input as the sensor of the recordings");
    }

    // ------------------------------------------------------------------ helpers

    private String failure(Path root, Shape input) {
        return assertThrows(DatasetException.class, () -> EventDataset.load(root, input, 5)).getMessage();
    }

    /** n events at t = 0..n-1, x = i % 4, y = 0, p = i % 2. */
    private static byte[] recording(int n) {
        long[] x = new long[n];
        long[] y = new long[n];
        long[] t = new long[n];
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 4;
            t[i] = i;
            p[i] = i % 2;
        }
        if (n == 1) {
            x[0] = 3;
        }
        return EventFile.toNpy(List.of(Column.ints("x", "<i2", x), Column.ints("y", "<i2", y),
                Column.ints("t", "<i8", t), Column.ints("p", "|b1", p)));
    }

    private void writeSplit(String split, String cls, Object... nameAndBytes) {
        for (int i = 0; i < nameAndBytes.length; i += 2) {
            write(dir.resolve(split).resolve(cls).resolve((String) nameAndBytes[i]), (byte[]) nameAndBytes[i + 1]);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
