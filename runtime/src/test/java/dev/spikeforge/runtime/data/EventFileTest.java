package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.data.EventFile.Column;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileTest {

    /*
     * Written by numpy 2.4.6 (Debian's python3-numpy) with Tonic's tonic.io.events_struct:
     *
     *   a = np.zeros(3, dtype=np.dtype([('x', np.int16), ('y', np.int16), ('t', np.int64), ('p', bool)]))
     *   a['x'] = [3, 0, 33]; a['y'] = [1, 2, 33]; a['t'] = [10, 10, 250000]; a['p'] = [True, False, True]
     *   b = io.BytesIO(); np.save(b, a); print(b.getvalue().hex())
     *
     * pasted in 96-character pieces, no byte edited.
     */
    private static final String TONIC_3 = "934e554d50590100b6007b276465736372273a205b282778272c20273c693227292c20282779272c20273c693227292c"
            + "20282774272c20273c693827292c20282770272c20277c623127295d2c2027666f727472616e5f6f72646572273a2046"
            + "616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020"
            + "20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a"
            + "030001000a0000000000000001000002000a00000000000000002100210090d003000000000001";

    private static final Path FILE = Path.of("rec.npy");

    @TempDir
    Path dir;

    private static List<Column> tonic(long[] x, long[] y, long[] t, long[] p) {
        return List.of(Column.ints("x", "<i2", x), Column.ints("y", "<i2", y), Column.ints("t", "<i8", t),
                Column.ints("p", "|b1", p));
    }

    static byte[] npy(Column... columns) {
        return EventFile.toNpy(List.of(columns));
    }

    private static String failure(byte[] bytes) {
        return assertThrows(DatasetException.class, () -> EventFile.parse(FILE, bytes)).getMessage();
    }

    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message lacks '" + part + "': " + message);
        }
    }

    @Test
    void readsTheBytesNumpyWritesForTonicsEventStruct() throws DatasetException {
        byte[] golden = HexFormat.of().parseHex(TONIC_3);
        EventFile f = EventFile.parse(FILE, golden);
        assertEquals(3, f.count());
        assertEquals(List.of(3, 0, 33), List.of(f.x(0), f.x(1), f.x(2)));
        assertEquals(List.of(1, 2, 33), List.of(f.y(0), f.y(1), f.y(2)));
        assertEquals(List.of(10L, 10L, 250000L), List.of(f.time(0), f.time(1), f.time(2)));
        assertEquals(List.of(1, 0, 1), List.of(f.p(0), f.p(1), f.p(2)));
        assertTrue(f.hasY() && f.hasP() && !f.floatTime());
        assertEquals("x <i2, y <i2, t <i8, p |b1", f.fields());
    }

    @Test
    void writesExactlyTheBytesNumpyWrites() {
        byte[] golden = HexFormat.of().parseHex(TONIC_3);
        assertArrayEquals(golden, EventFile.toNpy(tonic(new long[] {3, 0, 33}, new long[] {1, 2, 33},
                new long[] {10, 10, 250000}, new long[] {1, 0, 1})));
    }

    @Test
    void readsFromDiskThroughTheDatasetFileGate() throws IOException, DatasetException {
        Path file = dir.resolve("a.npy");
        Files.write(file, HexFormat.of().parseHex(TONIC_3));
        assertEquals(3, EventFile.read(file).count());
        assertEquals(file, EventFile.read(file).file());
        String missing = assertThrows(DatasetException.class, () -> EventFile.read(dir.resolve("none.npy")))
                .getMessage();
        assertContains(missing, "none.npy");
    }

    /** Every coordinate dtype in both byte orders, every time dtype; values at the ends of each range. */
    @Test
    void everyDtypeInBothByteOrders() throws DatasetException {
        String[] ints = {"b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"};
        for (char order : new char[] {'<', '>'}) {
            for (String c : ints) {
                String d = (c.endsWith("1") ? '|' : order) + c;
                long max = c.equals("b1") ? 1 : c.equals("i1") ? 127 : c.equals("u1") ? 255 : c.equals("i2") ? 32767
                        : c.equals("u2") ? 65535 : Integer.MAX_VALUE;
                long[] v = {0, max, 1, max};
                EventFile f = EventFile.parse(FILE, npy(Column.ints("x", d, v), Column.ints("y", d, v),
                        Column.ints("t", order + "i8", 0, 1, 2, 3), Column.ints("p", d, v)));
                for (int e = 0; e < 4; e++) {
                    assertEquals(v[e], f.x(e), d);
                    assertEquals(v[e], f.y(e), d);
                    assertEquals(v[e], f.p(e), d);
                }
            }
            for (String c : ints) {
                if (c.equals("b1")) {
                    continue;
                }
                String d = (c.endsWith("1") ? '|' : order) + c;
                boolean signed = c.startsWith("i");
                int bits = 8 * Integer.parseInt(c.substring(1));
                long min = signed ? (bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1))) : 0;
                long max = bits == 64 ? Long.MAX_VALUE : signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
                long[] t = {min, min, 0, max - 1, max};
                EventFile f = EventFile.parse(FILE, npy(Column.ints("x", "<u2", 0, 0, 0, 0, 0),
                        Column.ints("t", d, t)));
                for (int e = 0; e < t.length; e++) {
                    assertEquals(t[e], f.time(e), d);
                }
                assertFalse(f.floatTime());
            }
            for (String c : new String[] {"f4", "f8"}) {
                double[] t = {-1.5, 0, 0.25, 1e6, 3.0e7};
                EventFile f = EventFile.parse(FILE, npy(Column.ints("x", "<u2", 0, 0, 0, 0, 0),
                        Column.floats("t", order + c, t)));
                assertTrue(f.floatTime());
                for (int e = 0; e < t.length; e++) {
                    assertEquals(t[e], f.timeDouble(e), c);
                }
            }
        }
    }

    @Test
    void uint64TimesUpToTwoToTheSixtyThreeMinusOne() throws DatasetException {
        EventFile f = EventFile.parse(FILE, npy(Column.ints("x", "<u2", 0, 0), Column.ints("t", "<u8", 0,
                Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE, f.time(1));
        String m = failure(npy(Column.ints("x", "<u2", 0, 0), Column.ints("t", "<u8", 0, -1L)));
        assertContains(m, "rec.npy: t of event 1 is 18446744073709551615, above 2^63 - 1", "subtract the first");
    }

    @Test
    void withoutYAndPEveryEventHasZeros() throws DatasetException {
        // Tonic's audio datasets (SHD: t, x, p) and a file with x and t alone, fields in any order.
        EventFile shd = EventFile.parse(FILE, npy(Column.ints("t", "<i8", 5, 6), Column.ints("x", "<i8", 699, 3),
                Column.ints("p", "<i8", 0, 0)));
        assertFalse(shd.hasY());
        assertEquals(0, shd.y(0));
        assertEquals(699, shd.x(0));
        EventFile bare = EventFile.parse(FILE, npy(Column.ints("x", "<u2", 7), Column.ints("t", "<i4", 1)));
        assertFalse(bare.hasP());
        assertEquals(0, bare.p(0));
        assertEquals(0, bare.y(0));
    }

    @Test
    void otherFieldsAndNumpysAlignmentPaddingAreSkipped() throws DatasetException {
        // np.dtype([('x', '<u2'), ('t', '<i8')], align=True) writes [('x', '<u2'), ('', '|V6'), ('t', '<i8')].
        byte[] aligned = withHeader("{'descr': [('x', '<u2'), ('', '|V6'), ('t', '<i8'), ('q', '<f2'), "
                + "('name', '<U3')], 'fortran_order': False, 'shape': (2,), }", 2 + 6 + 8 + 2 + 12, 2,
                (rec, e) -> {
                    rec[0] = (byte) (10 + e);
                    rec[8] = (byte) (100 + e);
                    Arrays.fill(rec, 2, 8, (byte) 0x77);
                    Arrays.fill(rec, 16, 30, (byte) 0x55);
                });
        EventFile f = EventFile.parse(FILE, aligned);
        assertEquals(List.of(10, 11), List.of(f.x(0), f.x(1)));
        assertEquals(List.of(100L, 101L), List.of(f.time(0), f.time(1)));
        assertEquals("x <u2, t <i8, q <f2, name <U3", f.fields());
    }

    @Test
    void headerSpellingsNumpyAcceptsAreRead() throws DatasetException {
        // Double quotes, no trailing comma, Python 2 long sizes, odd spacing, fortran_order True (one axis:
        // the same bytes), format version 2.0.
        byte[] odd = withHeader("{ \"shape\" : ( 1L , ) , \"fortran_order\":True,\"descr\":[(\"x\",\"<u2\"),"
                + "(\"t\",\"<i8\"),]}", 10, 1, (rec, e) -> {
                    rec[0] = 9;
                    rec[2] = 4;
                });
        EventFile f = EventFile.parse(FILE, odd);
        assertEquals(9, f.x(0));
        assertEquals(4, f.time(0));
        byte[] v2 = version2(HexFormat.of().parseHex(TONIC_3));
        assertEquals(250000L, EventFile.parse(FILE, v2).time(2));
    }

    @Test
    void anEmptyRecordingIsValid() throws DatasetException {
        EventFile f = EventFile.parse(FILE, EventFile.toNpy(tonic(new long[0], new long[0], new long[0], new long[0])));
        assertEquals(0, f.count());
    }

    // ------------------------------------------------------------------ each bad file

    @Test
    void notANpyFile() {
        assertContains(failure("x,y,t,p\n1,2,3,1\n".getBytes(StandardCharsets.US_ASCII)),
                "rec.npy: not a .npy file", "(first bytes: 78 2c 79 2c 74 2c 70 0a)", "an event file is a .npy");
        assertContains(failure(new byte[0]), "rec.npy: not a .npy file", "none, it is empty");
    }

    @Test
    void aPlainArrayIsNotEvents() {
        byte[] plain = withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }", 8, 12, (r, e) -> { });
        assertContains(failure(plain), "rec.npy: holds a plain array of dtype '<i8', not a structured array",
                "unstructured_to_structured");
    }

    @Test
    void aMissingField() {
        assertContains(failure(npy(Column.ints("x", "<u2", 1), Column.ints("ts", "<i8", 1))),
                "rec.npy: has no field t (its fields: x, ts)", "rename_fields");
        assertContains(failure(npy(Column.ints("y", "<u2", 1), Column.ints("ts", "<i8", 1))),
                "has no fields x and t (its fields: y, ts)");
    }

    @Test
    void anUnsupportedDtypeIsNamed() {
        assertContains(failure(npy(Column.ints("x", "<u2", 1), Column.floats("t", "<f8", 1), Column.floats("p", "<f4", 1))),
                "rec.npy: field p has dtype '<f4', which spikeforge does not read for p",
                "(supported: bool, int8..int64 or uint8..uint64, little- or big-endian)", "astype");
        byte[] half = withHeader("{'descr': [('x', '<u2'), ('t', '<f2')], 'fortran_order': False, 'shape': (1,), }",
                4, 1, (r, e) -> { });
        assertContains(failure(half), "field t has dtype '<f2'", "float32 or float64");
        byte[] object = withHeader("{'descr': [('x', '|O'), ('t', '<i8')], 'fortran_order': False, 'shape': (1,), }",
                16, 1, (r, e) -> { });
        assertContains(failure(object), "field x has dtype '|O', which spikeforge does not read");
        byte[] sub = withHeader("{'descr': [('x', '<u2', (2,)), ('t', '<i8')], 'fortran_order': False, "
                + "'shape': (1,), }", 12, 1, (r, e) -> { });
        assertContains(failure(sub), "field x is a sub-array");
    }

    @Test
    void aNegativeCoordinateNamesTheFirstEvent() {
        String m = failure(npy(Column.ints("x", "<i2", 0, 5, -3, -4), Column.ints("y", "<i2", 0, 0, 0, 0),
                Column.ints("t", "<i8", 0, 1, 2, 3)));
        assertContains(m, "rec.npy: x of event 2 is -3 (the first negative one)", "shift the coordinates");
        assertContains(failure(npy(Column.ints("x", "<i2", 0), Column.ints("y", ">i4", -7), Column.ints("t", "<i8", 0))),
                "y of event 0 is -7");
    }

    @Test
    void aCoordinateBeyondAnySensor() {
        assertContains(failure(npy(Column.ints("x", "<i8", 1L << 31), Column.ints("t", "<i8", 0))),
                "x of event 0 is 2147483648, larger than any sensor (at most 2147483647)");
    }

    @Test
    void negativePolarityGetsTheMappingFix() {
        assertContains(failure(npy(Column.ints("x", "<i2", 0, 0), Column.ints("t", "<i8", 0, 1),
                Column.ints("p", "<i1", 1, -1))), "rec.npy: p of event 1 is -1 (the first out of range)",
                "events['p'] = events['p'] > 0");
    }

    @Test
    void timesMustNotDecrease() {
        assertContains(failure(npy(Column.ints("x", "<i2", 0, 0, 0, 0), Column.ints("t", "<i8", 5, 5, 9, 8))),
                "rec.npy: t is not non-decreasing: event 3 has t = 8 after t = 9 of event 2 (the first decrease)",
                "argsort");
        assertContains(failure(npy(Column.ints("x", "<i2", 0, 0), Column.floats("t", "<f8", 2.5, 2.25))),
                "event 1 has t = 2.25 after t = 2.5");
    }

    @Test
    void aFloatTimeMustBeFinite() {
        assertContains(failure(npy(Column.ints("x", "<i2", 0, 0), Column.floats("t", "<f4", 0, Double.NaN))),
                "rec.npy: t of event 1 is NaN; times must be finite");
    }

    @Test
    void truncatedDataSaysExpectedAndFoundBytes() {
        byte[] full = HexFormat.of().parseHex(TONIC_3);
        assertContains(failure(Arrays.copyOf(full, full.length - 5)),
                "rec.npy: truncated data: shape (3,) of 13-byte records (x <i2, y <i2, t <i8, p |b1) needs 39 bytes "
                        + "after the header, found 34", "cut short");
        assertContains(failure(Arrays.copyOf(full, full.length + 2)), "data longer than its shape", "needs 39",
                "found 41");
        assertContains(failure(Arrays.copyOf(full, 100)), "truncated: the .npy header needs 192 bytes, found 100");
        assertContains(failure(Arrays.copyOf(full, 7)), "truncated: it ends after 7 bytes");
    }

    @Test
    void notOneAxis() {
        byte[] scalar = withHeader("{'descr': [('x', '<u2'), ('t', '<i8')], 'fortran_order': False, 'shape': (), }",
                10, 1, (r, e) -> { });
        assertContains(failure(scalar), "holds an array of shape (), not a 1-D array of events (N,)");
        byte[] twoD = withHeader("{'descr': [('x', '<u2'), ('t', '<i8')], 'fortran_order': False, 'shape': (2, 2), }",
                10, 4, (r, e) -> { });
        assertContains(failure(twoD), "shape (2, 2)");
    }

    @Test
    void aBrokenHeaderOrVersion() {
        byte[] bad = withHeader("{'descr': [('x', '<u2'), ('t', '<i8')], 'fortran_order': False, 'shape': (1,) ",
                10, 1, (r, e) -> { });
        assertContains(failure(bad), "the .npy header is not a valid dict");
        byte[] v9 = HexFormat.of().parseHex(TONIC_3);
        v9[6] = 9;
        assertContains(failure(v9), "is .npy version 9.0; spikeforge reads versions 1.0, 2.0 and 3.0");
        byte[] extraKey = withHeader("{'descr': [('x', '<u2'), ('t', '<i8')], 'fortran_order': False, 'shape': (1,), "
                + "'z': 1}", 10, 1, (r, e) -> { });
        assertContains(failure(extraKey), "unexpected key 'z'");
    }

    // ------------------------------------------------------------------ helpers

    interface RecordFiller {
        void fill(byte[] record, int event);
    }

    /** A version 1.0 .npy with this header text (padded as numpy pads) and {@code count} records. */
    static byte[] withHeader(String dict, int itemSize, int count, RecordFiller filler) {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        int total = d.length + 1;
        total += 64 - (10 + total) % 64;
        byte[] out = new byte[10 + total + itemSize * count];
        byte[] head = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) total, (byte) (total >>> 8)};
        System.arraycopy(head, 0, out, 0, 10);
        Arrays.fill(out, 10, 10 + total - 1, (byte) ' ');
        System.arraycopy(d, 0, out, 10, d.length);
        out[10 + total - 1] = '\n';
        for (int e = 0; e < count; e++) {
            byte[] rec = new byte[itemSize];
            filler.fill(rec, e);
            System.arraycopy(rec, 0, out, 10 + total + e * itemSize, itemSize);
        }
        return out;
    }

    /** The same array as format version 2.0 (a 4-byte header length). */
    private static byte[] version2(byte[] v1) {
        int len = (v1[8] & 0xFF) | (v1[9] & 0xFF) << 8;
        byte[] out = new byte[v1.length + 2];
        System.arraycopy(v1, 0, out, 0, 8);
        out[6] = 2;
        out[8] = (byte) len;
        out[9] = (byte) (len >>> 8);
        System.arraycopy(v1, 10, out, 12, v1.length - 10);
        return out;
    }
}
