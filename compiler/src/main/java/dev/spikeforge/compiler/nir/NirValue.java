package dev.spikeforge.compiler.nir;

import java.util.Arrays;

/**
 * One dataset of a NIR file: a numeric array (a scalar has an empty shape) or a string.
 * Numbers are held as doubles whatever their stored type, which is exact for float32, float64
 * and for integers up to 2^53 (NIR's shapes, strides and kernel sizes).
 */
public sealed interface NirValue {

    /** The element types NIR files use (numpy's float32, float64, int32, int64). */
    enum DType {
        FLOAT32("float32"),
        FLOAT64("float64"),
        INT32("int32"),
        INT64("int64");

        private final String numpy;

        DType(String numpy) {
            this.numpy = numpy;
        }

        /** The numpy name, for messages. */
        public String numpy() {
            return numpy;
        }

        public boolean isInteger() {
            return this == INT32 || this == INT64;
        }
    }

    /** Says what this value is, for messages: "a float32 array of shape (3, 4)", "the string \"LIF\"". */
    String describe();

    /**
     * A row-major numeric array.
     *
     * @param shape the dimensions; empty for a scalar (an HDF5 SCALAR dataspace)
     */
    record NirArray(DType dtype, int[] shape, double[] data) implements NirValue {

        public NirArray {
            shape = shape.clone();
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, not "
                        + data.length);
            }
        }

        public static NirArray float32(float[] values, int... shape) {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            return new NirArray(DType.FLOAT32, shape, d);
        }

        public static NirArray int64(long... values) {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            return new NirArray(DType.INT64, new int[] {values.length}, d);
        }

        public static NirArray int64Scalar(long value) {
            return new NirArray(DType.INT64, new int[0], new double[] {value});
        }

        /** {@code value} in every element of a float64 array of {@code shape}: a neuron parameter. */
        public static NirArray filled(int[] shape, double value) {
            int n = 1;
            for (int x : shape) {
                n *= x;
            }
            double[] d = new double[n];
            Arrays.fill(d, value);
            return new NirArray(DType.FLOAT64, shape, d);
        }

        public boolean isScalar() {
            return shape.length == 0;
        }

        public int rank() {
            return shape.length;
        }

        public int size() {
            return data.length;
        }

        /** The values as float32, as weights are trained and stored. */
        public float[] floats() {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data[i];
            }
            return f;
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public double[] data() {
            return data.clone();
        }

        public double get(int i) {
            return data[i];
        }

        /** The shape as Python prints it: (3, 4), (3,), (). */
        public String shapeText() {
            if (shape.length == 1) {
                return "(" + shape[0] + ",)";
            }
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                b.append(i > 0 ? ", " : "").append(shape[i]);
            }
            return b.append(')').toString();
        }

        @Override
        public String describe() {
            return isScalar() ? "a " + dtype.numpy() + " scalar" : "a " + dtype.numpy() + " array of shape " + shapeText();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NirArray a && a.dtype == dtype && Arrays.equals(a.shape, shape)
                    && Arrays.equals(a.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return dtype.numpy() + shapeText() + (data.length <= 8 ? Arrays.toString(data) : "");
        }
    }

    /** A string dataset (NIR's node types, edges' names, string metadata, Conv2d's "same" padding). */
    record NirText(String value) implements NirValue {
        @Override
        public String describe() {
            return "the string \"" + value + "\"";
        }
    }
}
