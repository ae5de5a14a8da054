package dev.spikeforge.targets.fpga;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small helpers for writing width-exact Verilog-2005 text (what keeps {@code verilator -Wall} quiet). */
final class Verilog {

    private final StringBuilder out = new StringBuilder();
    /** Bits that are computed but not needed; gathered into one {@code unused_bits} wire per module. */
    private final List<String> unused = new ArrayList<>();

    Verilog line(String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
        return this;
    }

    Verilog blank() {
        out.append('\n');
        return this;
    }

    void unused(String bits) {
        unused.add(bits);
    }

    /** Declares the unused-bits sink (Verilator's default --unused-regexp matches its name). */
    void flushUnused() {
        if (!unused.isEmpty()) {
            line("    // bits computed at full width but not needed downstream");
            line("    wire unused_bits = &{1'b0, %s};", String.join(", ", unused));
            unused.clear();
        }
    }

    String text() {
        return out.toString();
    }

    /**
     * An unsigned constant of {@code width} bits; at 64 bits and wider {@code value} is read as an
     * unsigned 64-bit number, so that a mask of all 64 lanes (-1L) is {@code 64'd18446744073709551615}.
     */
    static String k(int width, long value) {
        boolean fits = width >= 64 || (value >= 0 && (width == 63 || value < (1L << width)));
        if (!fits) {
            throw new IllegalArgumentException(Long.toUnsignedString(value) + " does not fit " + width + " unsigned bits");
        }
        return width + "'d" + Long.toUnsignedString(value);
    }

    /** A signed constant of {@code width} bits, written as its two's complement bit pattern. */
    static String sk(int width, long value) {
        long min = width >= 64 ? Long.MIN_VALUE : -(1L << (width - 1));
        long max = width >= 64 ? Long.MAX_VALUE : (1L << (width - 1)) - 1;
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit " + width + " signed bits");
        }
        long pattern = width >= 64 ? value : value & ((1L << width) - 1);
        return "$signed(" + width + "'h" + Long.toHexString(pattern) + ")";
    }

    /** Zero-extends the identifier {@code name} of {@code from} bits to {@code to} bits. */
    static String ext(String name, int from, int to) {
        if (from == to) {
            return name;
        }
        if (from > to) {
            throw new IllegalArgumentException("cannot extend " + name + " from " + from + " to " + to + " bits");
        }
        return "{" + k(to - from, 0) + ", " + name + "}";
    }

    /** Sign-extends the identifier {@code name} of {@code from} bits to {@code to} bits (a signed result). */
    static String sext(String name, int from, int to) {
        if (from == to) {
            return "$signed(" + name + ")";
        }
        if (from > to) {
            throw new IllegalArgumentException("cannot extend " + name + " from " + from + " to " + to + " bits");
        }
        return "$signed({{" + (to - from) + "{" + name + "[" + (from - 1) + "]}}, " + name + "})";
    }

    /** A hex word of {@code lanes} lanes of {@code bits} each, lane 0 least significant, two's complement. */
    static String hexWord(long[] lanes, int bits) {
        int total = lanes.length * bits;
        int digits = (total + 3) / 4;
        char[] hex = new char[digits];
        for (int d = 0; d < digits; d++) {
            int v = 0;
            for (int b = 0; b < 4; b++) {
                int bit = d * 4 + b;
                if (bit < total) {
                    int lane = bit / bits;
                    int within = bit % bits;
                    long x = lanes[lane];
                    if (((within < 64 ? x >> within : x >> 63) & 1) != 0) {
                        v |= 1 << b;
                    }
                }
            }
            hex[digits - 1 - d] = Character.forDigit(v, 16);
        }
        return new String(hex);
    }

    /** Reads back a lane of a hex word written by {@link #hexWord}; signed when {@code signed}. */
    static long lane(String hex, int lane, int bits, boolean signed) {
        long v = 0;
        for (int b = bits - 1; b >= 0; b--) {
            int bit = lane * bits + b;
            int digit = hex.length() - 1 - bit / 4;
            int d = digit < 0 ? 0 : Character.digit(hex.charAt(digit), 16);
            if (d < 0) {
                throw new NumberFormatException("not a hex digit: '" + hex.charAt(digit) + "'");
            }
            v = (v << 1) | ((d >> (bit % 4)) & 1);
        }
        if (signed && bits < 64 && ((v >> (bits - 1)) & 1) != 0) {
            v -= 1L << bits;
        }
        return v;
    }
}
