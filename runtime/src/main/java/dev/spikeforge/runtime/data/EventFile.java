package dev.spikeforge.runtime.data;

import dev.spikeforge.runtime.checkpoint.PyLiteral;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One event-camera recording as Tonic stores it: a .npy file (numpy's {@code np.save}) holding a
 * 1-D structured array, one record per event, with fields {@code x}, {@code y}, {@code t} and
 * {@code p} (Tonic's {@code tonic.io.events_struct} is x int16, y int16, t int64, p bool; its
 * datasets also use int64 for every field, and audio datasets such as SHD have no y).
 *
 * <p>Fields are found by name, in any order, with any of these dtypes, little- or big-endian:
 * bool, int8..int64, uint8..uint64, and for {@code t} also float32 and float64. {@code x} and
 * {@code t} are required; without {@code y} every event has y = 0 (a 1-D sensor such as a
 * cochlea); without {@code p} every event has polarity 0. Other fields, and numpy's padding
 * entries of aligned dtypes ({@code ('', '|V6')}), are skipped. Times are kept as read (Tonic's
 * unit is microseconds; the binning of {@link EventBinning} only needs them ordered).
 *
 * <p>Checked at reading: the .npy magic, version 1.0, 2.0 or 3.0, a shape of one axis (N,), the
 * data exactly N records long, coordinates and polarities not negative and below 2^31, t
 * non-decreasing (and finite for float times, below 2^63 for uint64). Every problem is a
 * {@link DatasetException} that names the file, the first offending event and a fix; whether a
 * coordinate fits the sensor is checked by {@link EventBinning}, which knows the sensor.
 *
 * <p>The header's Python dict literal is read by {@link PyLiteral}, as the checkpoint reader's
 * {@code NpyHeader} reads it; what the values mean is decided here, since that reader by design
 * refuses structured dtypes.
 */
public final class EventFile {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy refuses longer headers by default (10,000 bytes); any event dtype needs under 1 KiB. */
    private static final int MAX_HEADER_BYTES = 65_535;
    private static final int ARRAY_ALIGN = 64;
    /** numpy's GROWTH_AXIS_MAX_DIGITS: spare spaces after the shape so that N can grow in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** What a usable file is, for the fix part of format messages. */
    public static final String FORMAT = "an event file is a .npy of a 1-D structured array with fields x, t "
            + "(required), y and p (optional), as Tonic saves events with numpy.save";

    private final Path file;
    private final String fields;
    private final int[] x;
    private final int[] y;
    private final int[] p;
    private final long[] t;
    private final double[] tFloat;
    private final boolean hasY;
    private final boolean hasP;

    private EventFile(Path file, String fields, int[] x, int[] y, int[] p, long[] t, double[] tFloat,
                      boolean hasY, boolean hasP) {
        this.file = file;
        this.fields = fields;
        this.x = x;
        this.y = y;
        this.p = p;
        this.t = t;
        this.tFloat = tFloat;
        this.hasY = hasY;
        this.hasP = hasP;
    }

    /** Reads and checks {@code file}. */
    public static EventFile read(Path file) throws DatasetException {
        DataFiles.check(file);
        return parse(file, DataFiles.read(file));
    }

    /** Parses the bytes of a .npy file; {@code file} only names it in messages. */
    public static EventFile parse(Path file, byte[] bytes) throws DatasetException {
        return new Reader(file, bytes).read();
    }

    /** The file this recording came from. */
    public Path file() {
        return file;
    }

    /** Number of events. */
    public int count() {
        return x.length;
    }

    public int x(int event) {
        return x[event];
    }

    /** 0 for every event when the file has no y field. */
    public int y(int event) {
        return y[event];
    }

    /** 0 for every event when the file has no p field; a bool p is 0 or 1. */
    public int p(int event) {
        return p[event];
    }

    public boolean hasY() {
        return hasY;
    }

    public boolean hasP() {
        return hasP;
    }

    /** True when t is a float field (float32 or float64); then read times with {@link #timeDouble}. */
    public boolean floatTime() {
        return tFloat != null;
    }

    /** The time of an event of an integer t field. */
    public long time(int event) {
        if (t == null) {
            throw new IllegalStateException("t of " + file + " is a float field; use timeDouble");
        }
        return t[event];
    }

    /** The time of an event as a double (exact for float fields and for integers below 2^53). */
    public double timeDouble(int event) {
        return tFloat != null ? tFloat[event] : (double) t[event];
    }

    /** The fields read, with their dtypes as the header wrote them: "x <i2, y <i2, t <i8, p |b1". */
    public String fields() {
        return fields;
    }

    long[] times() {
        return t;
    }

    double[] floatTimes() {
        return tFloat;
    }

    // ---------------------------------------------------------------- writing

    /**
     * One field of a structured array to write: its name, its numpy dtype string ({@code <i2},
     * {@code >u4}, {@code |b1}, {@code <f8}, ...) and one value per event. Integer and bool
     * fields take {@code ints} (written modulo the field's width); float fields take {@code floats}.
     */
    public record Column(String name, String descr, long[] ints, double[] floats) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(descr, "descr");
            Scalar s = Scalar.parse(descr);
            if (s == null) {
                throw new IllegalArgumentException("unsupported dtype " + descr);
            }
            if ((s.kind == 'f') != (floats != null) || (ints == null) == (floats == null)) {
                throw new IllegalArgumentException(descr + " needs " + (s.kind == 'f' ? "floats" : "ints"));
            }
        }

        public static Column ints(String name, String descr, long... values) {
            return new Column(name, descr, values, null);
        }

        public static Column floats(String name, String descr, double... values) {
            return new Column(name, descr, null, values);
        }

        int length() {
            return ints != null ? ints.length : floats.length;
        }
    }

    /**
     * The bytes numpy's {@code np.save} writes for a 1-D structured array of these columns
     * (format version 1.0; the header dict, its growth spaces and the 64-byte alignment as numpy
     * writes them), so files written here are the files Tonic would write.
     */
    public static byte[] toNpy(List<Column> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no columns");
        }
        int n = columns.get(0).length();
        StringBuilder descr = new StringBuilder("[");
        int itemSize = 0;
        List<Scalar> scalars = new ArrayList<>();
        for (Column c : columns) {
            if (c.length() != n) {
                throw new IllegalArgumentException("column " + c.name() + " has " + c.length() + " values, not " + n);
            }
            Scalar s = Scalar.parse(c.descr());
            scalars.add(s);
            descr.append(descr.length() == 1 ? "" : ", ").append("('").append(c.name()).append("', '")
                    .append(s.size == 1 ? "|" + c.descr().substring(1) : c.descr()).append("')");
            itemSize += s.size;
        }
        descr.append(']');
        String dict = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" + n + ",), }";
        dict += " ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(n).length());
        byte[] dictBytes = dict.getBytes(StandardCharsets.US_ASCII);
        int prefix = MAGIC.length + 4;
        int headerLength = dictBytes.length + 1;
        int padding = ARRAY_ALIGN - (prefix + headerLength) % ARRAY_ALIGN;
        int total = headerLength + padding;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("header too long for format 1.0");
        }
        byte[] out = new byte[Math.toIntExact(prefix + total + (long) n * itemSize)];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[8] = (byte) total;
        out[9] = (byte) (total >>> 8);
        System.arraycopy(dictBytes, 0, out, prefix, dictBytes.length);
        for (int i = prefix + dictBytes.length; i < prefix + total - 1; i++) {
            out[i] = ' ';
        }
        out[prefix + total - 1] = '\n';
        int at = prefix + total;
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < columns.size(); c++) {
                Scalar s = scalars.get(c);
                Column col = columns.get(c);
                long bits = s.kind == 'f'
                        ? (s.size == 4 ? Float.floatToRawIntBits((float) col.floats()[e]) & 0xFFFFFFFFL
                                : Double.doubleToRawLongBits(col.floats()[e]))
                        : col.ints()[e];
                for (int b = 0; b < s.size; b++) {
                    int shift = 8 * (s.bigEndian ? s.size - 1 - b : b);
                    out[at++] = (byte) (bits >>> shift);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- dtypes

    /** A scalar numpy dtype: kind b (bool), i, u or f, its size in bytes and byte order. */
    static final class Scalar {
        final char kind;
        final int size;
        final boolean bigEndian;
        final String descr;

        private Scalar(char kind, int size, boolean bigEndian, String descr) {
            this.kind = kind;
            this.size = size;
            this.bigEndian = bigEndian;
            this.descr = descr;
        }

        /** The scalar of a descr such as {@code <u2}, or null when it is not one spikeforge reads. */
        static Scalar parse(String d) {
            if (d.length() < 3 || "<>|=".indexOf(d.charAt(0)) < 0) {
                return null;
            }
            char order = d.charAt(0);
            char kind = d.charAt(1);
            String digits = d.substring(2);
            int size;
            switch (kind + digits) {
                case "b1", "i1", "u1" -> size = 1;
                case "i2", "u2" -> size = 2;
                case "i4", "u4", "f4" -> size = 4;
                case "i8", "u8", "f8" -> size = 8;
                default -> {
                    return null;
                }
            }
            // '|' (no order) is what numpy writes for one byte; '=' (native) never appears in a file
            // numpy wrote, and the writer's byte order is unknown, so it is refused for wider types.
            if (size > 1 && (order == '|' || order == '=')) {
                return null;
            }
            return new Scalar(kind, size, order == '>', d);
        }

        String numpyName() {
            return switch (kind) {
                case 'b' -> "bool";
                case 'i' -> "int" + 8 * size;
                case 'u' -> "uint" + 8 * size;
                default -> "float" + 8 * size;
            };
        }

        /** The raw integer bits of one value at {@code at}, sign-extended for int kinds. */
        long bits(byte[] b, int at) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                int shift = 8 * (bigEndian ? size - 1 - i : i);
                v |= (long) (b[at + i] & 0xFF) << shift;
            }
            if (kind == 'i' && size < 8) {
                int unused = 64 - 8 * size;
                v = v << unused >> unused;
            }
            return v;
        }
    }

    /** The byte size of a field spikeforge skips, or -1 when it cannot tell (an object field). */
    private static int skippedSize(String d) {
        Scalar s = Scalar.parse(d);
        if (s != null) {
            return s.size;
        }
        if (d.length() < 3 || "<>|=".indexOf(d.charAt(0)) < 0) {
            return -1;
        }
        char kind = d.charAt(1);
        String rest = d.substring(2);
        if ((kind == 'M' || kind == 'm') && rest.startsWith("8")) {
            return 8;
        }
        if (!rest.matches("[0-9]{1,6}")) {
            return -1;
        }
        int n = Integer.parseInt(rest);
        return switch (kind) {
            case 'b', 'i', 'u', 'f', 'c', 'S', 'V', 'a' -> n;
            case 'U' -> 4 * n;
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- reading

    /** One field of the header's descr list, with its byte offset in a record. */
    private record Field(String name, String descr, int offset, int size) {
    }

    private static final class Reader {
        private final Path file;
        private final byte[] b;

        Reader(Path file, byte[] bytes) {
            this.file = file;
            this.b = bytes;
        }

        private DatasetException error(String problem, String fix) {
            return new DatasetException(file, problem, fix);
        }

        EventFile read() throws DatasetException {
            if (b.length < MAGIC.length || !startsWithMagic()) {
                throw error("not a .npy file: it does not start with the .npy magic \\x93NUMPY (first bytes: "
                        + firstBytes() + ")", FORMAT);
            }
            if (b.length < 8) {
                throw error("truncated: it ends after " + b.length + " bytes, inside the .npy preamble", FORMAT);
            }
            int major = b[6] & 0xFF;
            int minor = b[7] & 0xFF;
            int lengthBytes;
            if (major == 1 && minor == 0) {
                lengthBytes = 2;
            } else if ((major == 2 || major == 3) && minor == 0) {
                lengthBytes = 4;
            } else {
                throw error("is .npy version " + major + "." + minor + "; spikeforge reads versions 1.0, 2.0 and 3.0",
                        "save it again with numpy.save");
            }
            if (b.length < 8 + lengthBytes) {
                throw error("truncated: it ends after " + b.length + " bytes, inside the .npy header length",
                        FORMAT);
            }
            long headerLength = 0;
            for (int i = lengthBytes - 1; i >= 0; i--) {
                headerLength = headerLength << 8 | (b[8 + i] & 0xFF);
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw error("the .npy header length is " + headerLength + " bytes, more than any event dtype needs ("
                        + MAX_HEADER_BYTES + ")", "the file is damaged; save it again with numpy.save");
            }
            int dataStart = 8 + lengthBytes + (int) headerLength;
            if (b.length < dataStart) {
                throw error("truncated: the .npy header needs " + dataStart + " bytes, found " + b.length,
                        "the file was cut short; save it again with numpy.save");
            }
            String text = new String(b, 8 + lengthBytes, (int) headerLength,
                    major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = new HeaderParser(file, text).header();
            return records(h, dataStart);
        }

        private EventFile records(Header h, int dataStart) throws DatasetException {
            Field fx = h.field("x");
            Field fy = h.field("y");
            Field ft = h.field("t");
            Field fp = h.field("p");
            if (fx == null || ft == null) {
                String missing = fx == null && ft == null ? "fields x and t" : fx == null ? "field x" : "field t";
                throw error("has no " + missing + " (its fields: " + h.names() + ")",
                        "events need x and t, y and p are optional; rename the fields, e.g. with "
                                + "numpy.lib.recfunctions.rename_fields(events, {'ts': 't'})");
            }
            Scalar sx = coordinate(fx);
            Scalar sy = fy == null ? null : coordinate(fy);
            Scalar sp = fp == null ? null : coordinate(fp);
            Scalar st = Scalar.parse(ft.descr());
            if (st == null) {
                throw unsupported(ft, "bool, int8..int64, uint8..uint64, float32 or float64");
            }
            long n = h.count;
            long expected = n * h.itemSize;
            long found = b.length - (long) dataStart;
            if (found != expected) {
                String what = found < expected ? "truncated data" : "data longer than its shape";
                throw error(what + ": shape (" + n + ",) of " + h.itemSize + "-byte records (" + h.fieldList()
                        + ") needs " + expected + " bytes after the header, found " + found,
                        found < expected ? "the file was cut short; save it again with numpy.save"
                                : "the file is damaged; save it again with numpy.save");
            }
            int count = (int) n;
            int[] xs = new int[count];
            int[] ys = new int[count];
            int[] ps = new int[count];
            long[] ts = st.kind == 'f' ? null : new long[count];
            double[] tf = st.kind == 'f' ? new double[count] : null;
            for (int e = 0; e < count; e++) {
                int rec = dataStart + e * h.itemSize;
                xs[e] = coordinateValue(fx, sx, rec, e);
                if (fy != null) {
                    ys[e] = coordinateValue(fy, sy, rec, e);
                }
                if (fp != null) {
                    ps[e] = polarityValue(fp, sp, rec, e);
                }
                if (tf != null) {
                    double v = st.size == 4 ? Float.intBitsToFloat((int) st.bits(b, rec + ft.offset()))
                            : Double.longBitsToDouble(st.bits(b, rec + ft.offset()));
                    if (!Double.isFinite(v)) {
                        throw error("t of event " + e + " is " + v + "; times must be finite numbers",
                                "remove or repair that event");
                    }
                    tf[e] = v;
                    if (e > 0 && v < tf[e - 1]) {
                        throw notOrdered(e, Double.toString(tf[e - 1]), Double.toString(v));
                    }
                } else {
                    long v = st.bits(b, rec + ft.offset());
                    if (st.kind == 'u' && st.size == 8 && v < 0) {
                        throw error("t of event " + e + " is " + Long.toUnsignedString(v)
                                        + ", above 2^63 - 1, the largest time spikeforge reads",
                                "subtract the first timestamp from t");
                    }
                    ts[e] = v;
                    if (e > 0 && v < ts[e - 1]) {
                        throw notOrdered(e, Long.toString(ts[e - 1]), Long.toString(v));
                    }
                }
            }
            String fields = h.fieldList();
            return new EventFile(file, fields, xs, ys, ps, ts, tf, fy != null, fp != null);
        }

        private DatasetException notOrdered(int e, String before, String at) {
            return error("t is not non-decreasing: event " + e + " has t = " + at + " after t = " + before
                    + " of event " + (e - 1) + " (the first decrease)", "sort the events by time, e.g. events = events[numpy.argsort("
                    + "events['t'], kind='stable')]");
        }

        private Scalar coordinate(Field f) throws DatasetException {
            Scalar s = Scalar.parse(f.descr());
            if (s == null || s.kind == 'f') {
                throw unsupported(f, "bool, int8..int64 or uint8..uint64");
            }
            return s;
        }

        private DatasetException unsupported(Field f, String supported) {
            return error("field " + f.name() + " has dtype '" + f.descr() + "', which spikeforge does not read for "
                            + f.name() + " (supported: " + supported + ", little- or big-endian)",
                    "convert it, e.g. with events.astype([... ('" + f.name() + "', '<i8') ...])");
        }

        private int coordinateValue(Field f, Scalar s, int rec, int e) throws DatasetException {
            long v = s.bits(b, rec + f.offset());
            if (s.kind == 'u' && s.size == 8 && v < 0) {
                throw error(f.name() + " of event " + e + " is " + Long.toUnsignedString(v)
                        + ", larger than any sensor (at most 2147483647)", "the file is damaged or the field is not "
                        + "a coordinate");
            }
            if (v < 0) {
                throw error(f.name() + " of event " + e + " is " + v + " (the first negative one); coordinates are "
                        + "0 or more", "shift the coordinates so that the sensor starts at 0");
            }
            if (v > Integer.MAX_VALUE) {
                throw error(f.name() + " of event " + e + " is " + v + ", larger than any sensor (at most 2147483647)",
                        "the file is damaged or the field is not a coordinate");
            }
            return (int) v;
        }

        private int polarityValue(Field f, Scalar s, int rec, int e) throws DatasetException {
            long v = s.bits(b, rec + f.offset());
            if (v < 0 || v > Integer.MAX_VALUE) {
                String shown = s.kind == 'u' && v < 0 ? Long.toUnsignedString(v) : Long.toString(v);
                throw error("p of event " + e + " is " + shown + " (the first out of range); spikeforge reads a "
                                + "polarity as a channel 0..C-1 (0 = OFF, 1 = ON)",
                        "map polarities to 0 and 1, e.g. events['p'] = events['p'] > 0 for -1/+1 polarities");
            }
            return (int) v;
        }

        private boolean startsWithMagic() {
            for (int i = 0; i < MAGIC.length; i++) {
                if (b[i] != MAGIC[i]) {
                    return false;
                }
            }
            return true;
        }

        private String firstBytes() {
            if (b.length == 0) {
                return "none, it is empty";
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < Math.min(8, b.length); i++) {
                s.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
            }
            return s.toString();
        }
    }

    /** What the header says: the record layout and the number of records. */
    private static final class Header {
        final List<Field> fields;
        final int itemSize;
        final long count;

        Header(List<Field> fields, int itemSize, long count) {
            this.fields = fields;
            this.itemSize = itemSize;
            this.count = count;
        }

        Field field(String name) {
            for (Field f : fields) {
                if (f.name().equals(name)) {
                    return f;
                }
            }
            return null;
        }

        String names() {
            List<String> names = new ArrayList<>();
            for (Field f : fields) {
                if (!f.name().isEmpty()) {
                    names.add(f.name());
                }
            }
            return names.isEmpty() ? "none" : String.join(", ", names);
        }

        String fieldList() {
            List<String> parts = new ArrayList<>();
            for (Field f : fields) {
                if (!f.name().isEmpty()) {
                    parts.add(f.name() + " " + f.descr());
                }
            }
            return String.join(", ", parts);
        }
    }

    /**
     * The header dict of a structured .npy: {@code {'descr': [('x', '<u2'), ...], 'fortran_order':
     * False, 'shape': (N,), }}, read as numpy's {@code ast.literal_eval} would for these keys:
     * either quote style, any whitespace, trailing commas, Python 2's {@code 5L} integers.
     */
    private static final class HeaderParser {
        private static final PyLiteral.Dialect DIALECT = new PyLiteral.Dialect("the header ends early",
                "expected a quoted string", "expected a string, a number, True, False, a tuple or a list",
                "number has too many digits", 18, 160, false);

        private final Path file;
        private final String s;

        HeaderParser(Path file, String s) {
            this.file = file;
            this.s = s;
        }

        Header header() throws DatasetException {
            Map<String, Object> dict = new PyLiteral<>(s, DIALECT, this::syntax).dict(this::checkKey);
            Object descr = dict.get("descr");
            Object fortran = dict.get("fortran_order");
            Object shape = dict.get("shape");
            if (descr == null || fortran == null || shape == null) {
                throw new DatasetException(file, "the .npy header lacks '" + (descr == null ? "descr"
                        : fortran == null ? "fortran_order" : "shape") + "'", FORMAT);
            }
            if (!(fortran instanceof Boolean)) {
                throw new DatasetException(file, "the .npy header's fortran_order is not True or False", FORMAT);
            }
            // For a 1-D array Fortran and C order are the same bytes, so either is read.
            List<Field> fields = fields(descr);
            int itemSize = 0;
            for (Field f : fields) {
                itemSize += f.size();
            }
            if (!(shape instanceof List<?> dims) || dims.size() != 1) {
                throw new DatasetException(file, "holds an array of shape " + shapeText(shape)
                        + ", not a 1-D array of events (N,)", FORMAT);
            }
            if (!(dims.get(0) instanceof Long n)) {
                throw new DatasetException(file, "holds an array of shape " + shapeText(shape)
                        + ", not a 1-D array of events (N,)", FORMAT);
            }
            if (n > IdxReader.MAX_ELEMENTS) {
                throw new DatasetException(file, "holds " + n + " events, more than one Java array can hold ("
                        + IdxReader.MAX_ELEMENTS + ")", "split the recording");
            }
            return new Header(fields, itemSize, n);
        }

        private void checkKey(String key) throws DatasetException {
            switch (key) {
                case "descr", "fortran_order", "shape" -> { }
                default -> throw new DatasetException(file, "the .npy header has an unexpected key '" + key + "'",
                        FORMAT);
            }
        }

        private DatasetException syntax(String what, int at, String shown) {
            return new DatasetException(file, "the .npy header is not a valid dict (" + what + " at character " + at
                    + "): " + shown, "the file is damaged; save it again with numpy.save");
        }

        private static String shapeText(Object shape) {
            if (shape instanceof List<?> dims) {
                StringBuilder t = new StringBuilder("(");
                for (int i = 0; i < dims.size(); i++) {
                    t.append(i == 0 ? "" : ", ").append(dims.get(i));
                }
                return t.append(dims.size() == 1 ? ",)" : ")").toString();
            }
            return String.valueOf(shape);
        }

        private List<Field> fields(Object descr) throws DatasetException {
            if (descr instanceof String plain) {
                throw new DatasetException(file, "holds a plain array of dtype '" + plain
                        + "', not a structured array of events", FORMAT
                        + "; a 2-D array of columns converts with numpy.lib.recfunctions.unstructured_to_structured");
            }
            if (!(descr instanceof List<?> list) || list.isEmpty()) {
                throw new DatasetException(file, "the .npy header's descr is not a list of (name, dtype) fields",
                        FORMAT);
            }
            List<Field> fields = new ArrayList<>();
            int offset = 0;
            for (Object item : list) {
                if (!(item instanceof List<?> tuple) || tuple.size() < 2
                        || !(tuple.get(0) instanceof String name) || !(tuple.get(1) instanceof String type)) {
                    throw new DatasetException(file, "the .npy header's descr has an entry " + item
                            + " that is not a (name, dtype) pair", FORMAT + "; nested and titled fields are not read");
                }
                boolean ours = name.equals("x") || name.equals("y") || name.equals("t") || name.equals("p");
                if (tuple.size() > 2) {
                    throw new DatasetException(file, "field " + (name.isEmpty() ? "''" : name)
                            + " is a sub-array " + item + "; every event field must be one scalar", FORMAT);
                }
                int size = skippedSize(type);
                if (size < 0) {
                    throw new DatasetException(file, "field " + (name.isEmpty() ? "''" : name) + " has dtype '" + type
                            + "', which spikeforge does not read" + (ours ? " (supported: bool, int8..int64, "
                            + "uint8..uint64, float32 and float64 for t, little- or big-endian)" : ""),
                            "convert the field, e.g. with events.astype(...)");
                }
                for (Field f : fields) {
                    if (!name.isEmpty() && f.name().equals(name)) {
                        throw new DatasetException(file, "field " + name + " appears twice in the descr", FORMAT);
                    }
                }
                fields.add(new Field(name, type, offset, size));
                offset += size;
                if (offset > MAX_HEADER_BYTES * 16) {
                    throw new DatasetException(file, "records of more than " + offset + " bytes", FORMAT);
                }
            }
            return fields;
        }
    }
}
