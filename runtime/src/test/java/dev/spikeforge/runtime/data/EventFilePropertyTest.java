package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.data.EventFile.Column;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Damaged event files: a valid file of random dtypes, then bytes overwritten, cut off, inserted or
 * duplicated (in the header or the data). The reader and the binning must answer each with a
 * valid recording or a {@link DatasetException}, never another exception.
 */
class EventFilePropertyTest {

    private static final String[] COORDINATES = {"|b1", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4",
        ">u4", "<i8", ">i8", "<u8", ">u8"};
    private static final String[] TIMES = {"|i1", "|u1", "<i2", ">u2", "<i4", ">i4", "<u4", "<i8", ">i8", "<u8", ">u8",
        "<f4", ">f4", "<f8", ">f8"};

    static byte[] validFile(Random r) {
        int n = r.nextInt(12);
        List<Column> columns = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of("x", "t"));
        if (r.nextBoolean()) {
            names.add("y");
        }
        if (r.nextBoolean()) {
            names.add("p");
        }
        if (r.nextInt(4) == 0) {
            names.add("extra");
        }
        java.util.Collections.shuffle(names, r);
        for (String name : names) {
            if (name.equals("t")) {
                String d = TIMES[r.nextInt(TIMES.length)];
                long[] t = new long[n];
                for (int e = 1; e < n; e++) {
                    t[e] = t[e - 1] + r.nextInt(3);
                }
                if (d.charAt(1) == 'f') {
                    columns.add(Column.floats("t", d, Arrays.stream(t).asDoubleStream().toArray()));
                } else {
                    columns.add(Column.ints("t", d, t));
                }
            } else {
                String d = COORDINATES[r.nextInt(COORDINATES.length)];
                long[] v = new long[n];
                for (int e = 0; e < n; e++) {
                    v[e] = d.equals("|b1") ? r.nextInt(2) : r.nextInt(name.equals("p") ? 2 : 40);
                }
                columns.add(Column.ints(name, d, v));
            }
        }
        return EventFile.toNpy(columns);
    }

    @Property(tries = 1500)
    void damagedFilesGiveARecordingOrADatasetException(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int kind,
                                                       @ForAll @IntRange(min = 1, max = 6) int edits) {
        Random r = new Random(seed);
        byte[] b = validFile(r);
        for (int k = 0; k < edits; k++) {
            b = mutate(b, kind, r);
        }
        try {
            EventFile f = EventFile.parse(Path.of("damaged.npy"), b);
            for (int e = 0; e < f.count(); e++) {
                assertTrue(f.x(e) >= 0 && f.y(e) >= 0 && f.p(e) >= 0);
                assertTrue(e == 0 || f.timeDouble(e) >= f.timeDouble(e - 1));
            }
            new EventBinning(Shape.chw(2, 40, 40), 1 + r.nextInt(8)).bin(f);
        } catch (DatasetException expected) {
            assertTrue(expected.getMessage().startsWith("damaged.npy: "), expected.getMessage());
        }
    }

    private static byte[] mutate(byte[] b, int kind, Random r) {
        if (b.length == 0) {
            return b;
        }
        int at = r.nextInt(b.length);
        switch (kind) {
            case 0 -> {                                   // overwrite a byte anywhere
                byte[] c = b.clone();
                c[at] = (byte) r.nextInt(256);
                return c;
            }
            case 1 -> {                                   // overwrite a header byte with a syntax character
                byte[] c = b.clone();
                String chars = "{}[](),:'\" 0123456789-LTFx<>|iufbV\n";
                c[r.nextInt(Math.min(b.length, 200))] = (byte) chars.charAt(r.nextInt(chars.length()));
                return c;
            }
            case 2 -> {                                   // cut off
                return Arrays.copyOf(b, at);
            }
            case 3 -> {                                   // insert bytes
                byte[] extra = new byte[1 + r.nextInt(9)];
                r.nextBytes(extra);
                byte[] c = new byte[b.length + extra.length];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(extra, 0, c, at, extra.length);
                System.arraycopy(b, at, c, at + extra.length, b.length - at);
                return c;
            }
            case 4 -> {                                   // change the header length
                byte[] c = b.clone();
                if (c.length > 9) {
                    c[8 + r.nextInt(2)] = (byte) r.nextInt(256);
                }
                return c;
            }
            default -> {                                  // delete a range
                int len = Math.min(b.length - at, 1 + r.nextInt(12));
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + len, c, at, b.length - at - len);
                return c;
            }
        }
    }
}
