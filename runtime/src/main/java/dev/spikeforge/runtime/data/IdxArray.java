package dev.spikeforge.runtime.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The contents of one unsigned-byte IDX file: its sizes, outermost first, and its elements in the
 * file's (row-major) order. Immutable: {@link #copyData()} hands out a copy; the loaders of this
 * package take the array itself, so that 47 MB of images are not copied twice.
 */
public final class IdxArray {

    private final int[] dims;
    private final byte[] data;

    private IdxArray(int[] dims, byte[] data) {
        long size = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("IDX sizes must be >= 1: " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (dims.length == 0 || size != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not hold "
                    + data.length + " bytes");
        }
        this.dims = dims;
        this.data = data;
    }

    /** An array of copies of {@code dims} and {@code data}. */
    public static IdxArray of(int[] dims, byte[] data) {
        return new IdxArray(Objects.requireNonNull(dims, "dims").clone(),
                Objects.requireNonNull(data, "data").clone());
    }

    /** For the reader: takes both arrays without copying them. */
    static IdxArray owning(int[] dims, byte[] data) {
        return new IdxArray(dims, data);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements: the product of the sizes. */
    public int size() {
        return data.length;
    }

    /** Element {@code i} in file order, unsigned: 0..255. */
    public int get(int i) {
        return data[i] & 0xFF;
    }

    public byte[] copyData() {
        return data.clone();
    }

    /** The array itself, for loaders of this package that hand it to an immutable owner. */
    byte[] sharedData() {
        return data;
    }

    /** "60000 x 28 x 28", the way the messages write sizes. */
    public String shapeText() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(" x "));
    }

    @Override
    public String toString() {
        return "IdxArray[" + shapeText() + "]";
    }
}
