package dev.spikeforge.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An immutable n-dimensional array value: a {@link DType}, a shape, and the elements in C order
 * (last index fastest), as numpy holds them. A scalar has shape {@code ()} and one element;
 * zero-size arrays such as shape {@code (0,)} or {@code (3, 0)} are allowed, as in numpy.
 *
 * <p>The elements are kept as one little-endian byte array, the exact bytes of a .npy file's data.
 * That makes equality bitwise (two NaNs with the same bits are equal, 0.0 and -0.0 are not), keeps
 * NaN payloads through a round trip, and lets the writer stream the bytes without converting.
 * The typed accessors ({@link #floats()}, {@link #ints()}, ...) return fresh copies and refuse an
 * array of another dtype rather than convert silently.
 */
public final class NdArray {

    /** numpy 1.x's NPY_MAXDIMS. */
    public static final int MAX_RANK = 32;
    /** The largest Java byte array the JVM will allocate; it bounds one array's data. */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private final DType dtype;
    private final int[] shape;
    private final byte[] data;

    /** Takes ownership of {@code data}: callers pass a fresh array and validated shape. */
    private NdArray(DType dtype, int[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    public static NdArray of(float[] data, int... shape) {
        ByteBuffer b = allocate(DType.FLOAT32, data.length, shape);
        b.asFloatBuffer().put(data);
        return new NdArray(DType.FLOAT32, shape.clone(), b.array());
    }

    public static NdArray ofDoubles(double[] data, int... shape) {
        ByteBuffer b = allocate(DType.FLOAT64, data.length, shape);
        b.asDoubleBuffer().put(data);
        return new NdArray(DType.FLOAT64, shape.clone(), b.array());
    }

    /** Signed bytes (int8). */
    public static NdArray ofBytes(byte[] data, int... shape) {
        allocate(DType.INT8, data.length, shape);
        return new NdArray(DType.INT8, shape.clone(), data.clone());
    }

    /** Unsigned bytes (uint8): the same bits as {@code data}, read as 0..255. */
    public static NdArray ofUnsignedBytes(byte[] data, int... shape) {
        allocate(DType.UINT8, data.length, shape);
        return new NdArray(DType.UINT8, shape.clone(), data.clone());
    }

    public static NdArray ofShorts(short[] data, int... shape) {
        ByteBuffer b = allocate(DType.INT16, data.length, shape);
        b.asShortBuffer().put(data);
        return new NdArray(DType.INT16, shape.clone(), b.array());
    }

    public static NdArray ofInts(int[] data, int... shape) {
        ByteBuffer b = allocate(DType.INT32, data.length, shape);
        b.asIntBuffer().put(data);
        return new NdArray(DType.INT32, shape.clone(), b.array());
    }

    public static NdArray ofLongs(long[] data, int... shape) {
        ByteBuffer b = allocate(DType.INT64, data.length, shape);
        b.asLongBuffer().put(data);
        return new NdArray(DType.INT64, shape.clone(), b.array());
    }

    public static NdArray ofBooleans(boolean[] data, int... shape) {
        allocate(DType.BOOL, data.length, shape);
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = data[i] ? (byte) 1 : (byte) 0;
        }
        return new NdArray(DType.BOOL, shape.clone(), bytes);
    }

    /**
     * An array from its little-endian element bytes (the data part of a .npy file).
     *
     * @throws IllegalArgumentException when the byte count does not fit the shape, or a BOOL
     *         byte is neither 0 nor 1
     */
    public static NdArray fromLittleEndian(DType dtype, byte[] data, int... shape) {
        return wrap(dtype, shape.clone(), data.clone());
    }

    /** Without copying: for {@link Npy}, which hands over a freshly read buffer. */
    static NdArray wrap(DType dtype, int[] shape, byte[] data) {
        long expected = checkShape(dtype, shape);
        if (data.length != expected) {
            throw new IllegalArgumentException("shape " + shapeString(shape) + " of " + dtype.numpyName()
                    + " needs " + expected + " bytes, got " + data.length);
        }
        if (dtype == DType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                if (data[i] != 0 && data[i] != 1) {
                    throw new IllegalArgumentException("bool element " + i + " is the byte " + (data[i] & 0xFF)
                            + "; numpy bools are 0 or 1");
                }
            }
        }
        return new NdArray(dtype, shape, data);
    }

    /**
     * Checks a shape and returns the byte count of its data. Sizes are checked with exact
     * arithmetic so that a hostile header cannot overflow into a small allocation.
     */
    static long checkShape(DType dtype, int[] shape) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " is above numpy's limit of " + MAX_RANK);
        }
        long bytes = dtype.itemSize();
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + shapeString(shape) + " has a negative size");
            }
            bytes *= d;
            if (bytes > MAX_DATA_BYTES) {
                throw new IllegalArgumentException("shape " + shapeString(shape) + " of " + dtype.numpyName()
                        + " is larger than one Java array can hold (" + MAX_DATA_BYTES + " bytes)");
            }
        }
        return bytes;
    }

    private static ByteBuffer allocate(DType dtype, int length, int[] shape) {
        long bytes = checkShape(dtype, shape);
        if (bytes / dtype.itemSize() != length) {
            String hint = shape.length == 0 ? "; give the shape, for example (data, data.length) for a vector" : "";
            throw new IllegalArgumentException("shape " + shapeString(shape) + " holds " + bytes / dtype.itemSize()
                    + " elements, the data has " + length + hint);
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public int size() {
        return data.length / dtype.itemSize();
    }

    public float[] floats() {
        float[] out = new float[require(DType.FLOAT32, "floats()")];
        view().asFloatBuffer().get(out);
        return out;
    }

    public double[] doubles() {
        double[] out = new double[require(DType.FLOAT64, "doubles()")];
        view().asDoubleBuffer().get(out);
        return out;
    }

    /** The elements of an INT8 or UINT8 array (read UINT8 values with Byte.toUnsignedInt). */
    public byte[] bytes() {
        if (dtype != DType.INT8 && dtype != DType.UINT8) {
            throw wrongType("bytes()");
        }
        return data.clone();
    }

    public short[] shorts() {
        short[] out = new short[require(DType.INT16, "shorts()")];
        view().asShortBuffer().get(out);
        return out;
    }

    public int[] ints() {
        int[] out = new int[require(DType.INT32, "ints()")];
        view().asIntBuffer().get(out);
        return out;
    }

    public long[] longs() {
        long[] out = new long[require(DType.INT64, "longs()")];
        view().asLongBuffer().get(out);
        return out;
    }

    public boolean[] booleans() {
        boolean[] out = new boolean[require(DType.BOOL, "booleans()")];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] != 0;
        }
        return out;
    }

    /** A copy of the element bytes, little-endian, C order: the data part of the .npy file. */
    public byte[] toLittleEndian() {
        return data.clone();
    }

    /** The element bytes without a copy, for writers in this package; never modify. */
    byte[] littleEndianData() {
        return data;
    }

    private int require(DType wanted, String accessor) {
        if (dtype != wanted) {
            throw wrongType(accessor);
        }
        return size();
    }

    private IllegalStateException wrongType(String accessor) {
        return new IllegalStateException(accessor + " called on a " + dtype.numpyName() + " array ("
                + dtype.descr() + "); use the accessor of its dtype or toLittleEndian()");
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    public static String shapeString(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray a && dtype == a.dtype && Arrays.equals(shape, a.shape)
                && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(data);
    }

    /** For example {@code float32 (2, 3)}. */
    @Override
    public String toString() {
        return dtype.numpyName() + " " + shapeString(shape);
    }
}
