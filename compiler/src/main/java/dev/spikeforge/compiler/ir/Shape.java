package dev.spikeforge.compiler.ir;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shape of one sample's activity at one time step: {@code N} (flat), {@code CxL} (channels x
 * length, for conv1d) or {@code CxHxW}.
 * Batch and time are never part of a shape. {@link #UNKNOWN} stands after a layer whose shape
 * rule failed, so that one mistake is reported once and not again downstream.
 */
public final class Shape {

    public static final Shape UNKNOWN = new Shape(new int[0]);

    /**
     * The most values one array of the engines holds (Java's largest safe array length): a layer's
     * neurons per sample and its weights must each fit. Shape rules give {@link #UNKNOWN} past it
     * and the verifier reports E404.
     */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape has at least one dimension; use Shape.UNKNOWN");
        }
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("shape sizes must be >= 1: " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape flat(int n) {
        return of(n);
    }

    public static Shape chw(int c, int h, int w) {
        return of(c, h, w);
    }

    public boolean isKnown() {
        return dims.length > 0;
    }

    /** CxHxW: a feature map that conv and avgpool can take. */
    public boolean isSpatial() {
        return dims.length == 3;
    }

    /** CxL: channels x length, a sequence that conv1d and maxpool can take. */
    public boolean isSequence() {
        return dims.length == 2;
    }

    public static Shape cl(int c, int length) {
        return of(c, length);
    }

    /** The length of a CxL sequence. */
    public int length() {
        if (!isSequence()) {
            throw new IllegalStateException("shape " + this + " is not CxL");
        }
        return dims[1];
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    /** The channels of a CxHxW map or a CxL sequence. */
    public int channels() {
        if (!isSpatial() && !isSequence()) {
            throw new IllegalStateException("shape " + this + " has no channels");
        }
        return dims[0];
    }

    public int height() {
        requireSpatial();
        return dims[1];
    }

    public int width() {
        requireSpatial();
        return dims[2];
    }

    /** a * b for sizes (both >= 0), or Long.MAX_VALUE when the product does not fit a long. */
    public static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** Number of elements (neurons of a layer with this output). */
    public long size() {
        long n = 1;
        for (int d : dims) {
            n = times(n, d);
        }
        return isKnown() ? n : 0;
    }

    public int[] toArray() {
        return dims.clone();
    }

    private void requireSpatial() {
        if (!isSpatial()) {
            throw new IllegalStateException("shape " + this + " is not CxHxW");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** "1x28x28", "784", or "?" when unknown: the notation of the .snn language. */
    @Override
    public String toString() {
        return isKnown()
                ? Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"))
                : "?";
    }
}
