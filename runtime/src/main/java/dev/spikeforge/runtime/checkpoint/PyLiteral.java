package dev.spikeforge.runtime.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent reader of the Python literals of a .npy header, the dict that numpy's
 * {@code ast.literal_eval} reads: {@code {'descr': ..., 'fortran_order': False, 'shape': (3, 4), }}.
 * It reads a dict of string keys whose values are strings (single or double quotes, no escapes),
 * non-negative integers (with Python 2's {@code 3L} suffix), True, False, and tuples and lists of
 * these, nested, into {@link Map}, {@link List}, {@link String}, {@link Long} and {@link Boolean};
 * {@code (5)} is the integer 5, as in Python. Whitespace and trailing commas are allowed anywhere
 * Python allows them.
 *
 * <p>Shared by the checkpoint reader ({@code NpyHeader}) and the event-file reader, which word
 * their messages differently ({@link Dialect}) and throw their own exceptions ({@link Syntax}).
 * A reader that takes less than this (NpyHeader takes only tuples of sizes) overrides
 * {@link #sequence(char)} and uses the scanning methods.
 *
 * @param <E> the exception a syntax problem is reported with
 */
public class PyLiteral<E extends Exception> {

    /** Makes the exception for a syntax problem. */
    @FunctionalInterface
    public interface Syntax<E extends Exception> {
        /**
         * @param what    what is wrong, such as "expected ':'"
         * @param at      the character position in the header text
         * @param excerpt the stripped header text, cut to {@link Dialect#excerptLength()} and "..."
         */
        E error(String what, int at, String excerpt);
    }

    /** Checks a key of the dict as soon as its value is read, before the rest of the dict. */
    @FunctionalInterface
    public interface KeyCheck<E extends Exception> {
        void check(String key) throws E;
    }

    /**
     * The words of a reader's syntax messages, where its readers differ.
     *
     * @param endsEarly         the text ends before the dict does
     * @param expectedKey       a dict key is not a quoted string
     * @param expectedValue     a value starts with none of the literals
     * @param tooManyDigits     an integer is longer than {@code maxDigits}
     * @param maxDigits         the longest integer read
     * @param excerptLength     how much of the header a message shows
     * @param refuseRepeatedKey a key given twice is a syntax error (else the last value counts)
     */
    public record Dialect(String endsEarly, String expectedKey, String expectedValue, String tooManyDigits,
                          int maxDigits, int excerptLength, boolean refuseRepeatedKey) {
    }

    /** Deeper tuples and lists than this are refused (a .npy descr nests two or three levels). */
    private static final int MAX_DEPTH = 9;

    protected final String text;
    protected int pos;
    private final Dialect dialect;
    private final Syntax<E> syntax;
    private int depth;

    public PyLiteral(String text, Dialect dialect, Syntax<E> syntax) {
        this.text = text;
        this.dialect = dialect;
        this.syntax = syntax;
    }

    /** The whole text as one dict, with nothing but whitespace around it. */
    public Map<String, Object> dict() throws E {
        return dict(key -> { });
    }

    /** The whole text as one dict, checking each key as soon as its value is read. */
    public Map<String, Object> dict(KeyCheck<E> keys) throws E {
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        expect('{');
        skipSpace();
        while (peek() != '}') {
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value();
            keys.check(key);
            if (out.put(key, value) != null && dialect.refuseRepeatedKey()) {
                throw syntax("key '" + key + "' appears twice");
            }
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
            } else if (peek() != '}') {
                throw syntax("expected ',' or '}'");
            }
        }
        pos++;
        skipSpace();
        if (pos != text.length()) {
            throw syntax("text after the closing '}'");
        }
        return out;
    }

    protected Object value() throws E {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(' || c == '[') {
            return sequence(c);
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (Character.isDigit(c)) {
            return integer();
        }
        throw syntax(dialect.expectedValue());
    }

    /** A tuple or list from its {@code open} bracket; "(5)" is the integer 5 in Python, not a tuple. */
    protected Object sequence(char open) throws E {
        char close = open == '(' ? ')' : ']';
        if (depth++ >= MAX_DEPTH) {
            throw syntax("nesting too deep");
        }
        pos++;
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        skipSpace();
        while (peek() != close) {
            items.add(value());
            skipSpace();
            comma = peek() == ',';
            if (comma) {
                pos++;
                skipSpace();
            } else if (peek() != close) {
                throw syntax("expected ',' or '" + close + "'");
            }
        }
        pos++;
        depth--;
        if (close == ')' && items.size() == 1 && !comma) {
            return items.get(0);
        }
        return items;
    }

    /** A quoted string at {@code pos}, the quotes left out. */
    protected String string() throws E {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw syntax(dialect.expectedKey());
        }
        int end = text.indexOf(quote, pos + 1);
        if (end < 0) {
            throw syntax("unterminated string");
        }
        String v = text.substring(pos + 1, end);
        pos = end + 1;
        return v;
    }

    /** The digits at {@code pos} (at least one, the caller has seen it), and an optional L. */
    protected Long integer() throws E {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && pos - start < dialect.maxDigits()) {
            pos++;
        }
        if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            throw syntax(dialect.tooManyDigits());
        }
        long v = Long.parseLong(text.substring(start, pos));
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++;
        }
        return v;
    }

    protected void skipSpace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    protected char peek() throws E {
        if (pos >= text.length()) {
            throw syntax(dialect.endsEarly());
        }
        return text.charAt(pos);
    }

    protected void expect(char c) throws E {
        if (peek() != c) {
            throw syntax("expected '" + c + "'");
        }
        pos++;
    }

    /** The caller's exception for {@code what} at the current position. */
    protected E syntax(String what) {
        String shown = text.strip();
        if (shown.length() > dialect.excerptLength()) {
            shown = shown.substring(0, dialect.excerptLength()) + "...";
        }
        return syntax.error(what, pos, shown);
    }
}
