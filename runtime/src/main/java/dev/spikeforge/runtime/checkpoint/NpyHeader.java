package dev.spikeforge.runtime.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The header of a .npy file: the Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}.
 *
 * <p>Writing reproduces numpy 1.24's {@code _write_array_header} character for character: keys
 * sorted, {@code repr} of each value followed by ", ", then spare spaces so that the first axis can
 * grow in place (numpy's GROWTH_AXIS_MAX_DIGITS = 21 minus the digits of the first dimension; none
 * for a scalar). Reading accepts what numpy's {@code ast.literal_eval} would accept for these three
 * keys: either quote style, any whitespace, an optional trailing comma, and the {@code 3L} integers
 * of files written by Python 2.
 */
final class NpyHeader {

    /** numpy's GROWTH_AXIS_MAX_DIGITS: len(str(8 * 2**64 - 1)). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    final DType dtype;
    final int[] shape;

    NpyHeader(DType dtype, int[] shape) {
        this.dtype = dtype;
        this.shape = shape;
    }

    /** The dict text as numpy writes it, before the alignment padding and newline. */
    static String dictText(DType dtype, int[] shape) {
        String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': "
                + NdArray.shapeString(shape) + ", }";
        if (shape.length == 0) {
            return dict;
        }
        return dict + " ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
    }

    static NpyHeader parse(String text) throws NpyFormatException {
        Map<String, Object> dict = new Parser(text).dict();
        for (String key : dict.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new NpyFormatException("header has an unexpected key '" + key
                        + "'; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
            }
        }
        DType dtype = dtype(require(dict, "descr"));
        Object fortran = require(dict, "fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new NpyFormatException("header 'fortran_order' is " + describe(fortran) + ", not True or False");
        }
        if ((Boolean) fortran) {
            throw new NpyFormatException("Fortran-ordered arrays are not supported; save a C-ordered copy "
                    + "with numpy.save(f, numpy.ascontiguousarray(a))");
        }
        Object shape = require(dict, "shape");
        if (!(shape instanceof int[])) {
            throw new NpyFormatException("header 'shape' is " + describe(shape)
                    + ", not a tuple of sizes such as (3, 4), (5,) or ()");
        }
        return new NpyHeader(dtype, (int[]) shape);
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "the string '" + value + "'";
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "True" : "False";
        }
        if (value instanceof int[]) {
            return "the tuple " + NdArray.shapeString((int[]) value);
        }
        if (value instanceof Long) {
            return "the integer " + value;
        }
        return value.toString();
    }

    /** A Python literal that no .npy key takes (a list, "(5)"), kept to name it in a message. */
    private record OtherLiteral(String text) {
        static final OtherLiteral LIST = new OtherLiteral("a list");

        @Override
        public String toString() {
            return text;
        }
    }

    private static Object require(Map<String, Object> dict, String key) throws NpyFormatException {
        Object v = dict.get(key);
        if (v == null) {
            throw new NpyFormatException("header has no '" + key + "' key; a .npy header has 'descr', "
                    + "'fortran_order' and 'shape'");
        }
        return v;
    }

    private static DType dtype(Object descr) throws NpyFormatException {
        if (descr == OtherLiteral.LIST) {
            throw new NpyFormatException("structured (record) dtypes are not supported; save each field as its own array");
        }
        if (!(descr instanceof String)) {
            throw new NpyFormatException("header 'descr' is " + describe(descr) + ", not a type string such as '<f4'");
        }
        String s = (String) descr;
        Optional<DType> t = DType.fromDescr(s);
        if (t.isPresent()) {
            return t.get();
        }
        if (s.startsWith(">") && DType.fromDescr("<" + s.substring(1)).isPresent()) {
            throw new NpyFormatException("big-endian arrays ('" + s + "') are not supported; convert with a.astype('<"
                    + s.substring(1) + "')");
        }
        StringBuilder known = new StringBuilder();
        for (DType k : DType.values()) {
            known.append(known.length() == 0 ? "" : ", ").append(k.descr()).append(" (").append(k.numpyName()).append(')');
        }
        throw new NpyFormatException("unsupported dtype '" + s + "'; supported: " + known);
    }

    /**
     * The header's dict as {@link PyLiteral} reads it, but for the values no .npy key takes: a
     * list (the descr of a structured dtype) is skipped, only to name it in the message, and a
     * tuple is a shape, a tuple of sizes.
     */
    private static final class Parser extends PyLiteral<NpyFormatException> {
        private static final Dialect DIALECT = new Dialect("header ends early", "expected a quoted key",
                "expected a string, True, False or a tuple", "size has too many digits", 18, 120, true);

        Parser(String text) {
            super(text, DIALECT, (what, at, shown) -> new NpyFormatException("header is not a valid .npy dict ("
                    + what + " at character " + at + "): " + shown));
        }

        @Override
        protected Object sequence(char open) throws NpyFormatException {
            return open == '(' ? tuple() : list();
        }

        /** Skips a list (the descr of a structured dtype), only to name it in the message. */
        private Object list() throws NpyFormatException {
            int depth = 0;
            char quote = 0;
            do {
                char c = peek();
                if (quote != 0) {
                    quote = c == quote ? 0 : quote;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '[' || c == '(') {
                    depth++;
                } else if (c == ']' || c == ')') {
                    depth--;
                }
                pos++;
            } while (depth > 0);
            return OtherLiteral.LIST;
        }

        /** A tuple of sizes; "(5)" is the integer 5 in Python, not a tuple, as numpy also says. */
        private Object tuple() throws NpyFormatException {
            pos++;
            List<Integer> dims = new ArrayList<>();
            boolean trailingComma = false;
            skipSpace();
            while (peek() != ')') {
                if (!Character.isDigit(text.charAt(pos))) {
                    throw syntax("expected a non-negative integer size");
                }
                long d = integer();
                if (d > Integer.MAX_VALUE) {
                    throw new NpyFormatException("shape size " + d + " is larger than a Java array can hold");
                }
                dims.add((int) d);
                skipSpace();
                trailingComma = peek() == ',';
                if (trailingComma) {
                    pos++;
                    skipSpace();
                } else if (peek() != ')') {
                    throw syntax("expected ',' or ')' in the shape");
                }
            }
            pos++;
            if (dims.size() == 1 && !trailingComma) {
                return new OtherLiteral("(" + dims.get(0) + "), an integer in Python; a 1-D shape is written ("
                        + dims.get(0) + ",)");
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
