package dev.spikeforge.runtime.engine;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk access to the off-heap buffer of a contiguous, c-ordered ND4J array, without copying the
 * array. Kernels read runs of elements into plain double arrays, compute there (plain array loops
 * the JIT vectorises), and write them back: one kernel implementation serves float training and
 * double gradient checks, and a float model rounds once per stored value. The Vector API kernels
 * ({@link SimdKernels}) read and write float vectors as floats and widen in their lanes.
 */
abstract class Vec {

    /**
     * The array whose buffer this views. The NIO view does not keep ND4J's buffer alive, and ND4J
     * frees a buffer's native memory once its array is unreachable: a temporary array (a
     * {@code dup} made contiguous for a kernel) could otherwise be freed while a kernel reads it.
     * Every access ends with a reachability fence on this vector.
     */
    private final INDArray owner;

    Vec(INDArray owner) {
        this.owner = owner;
    }

    /** Keeps this vector, and so its array, reachable up to this point of an access. */
    final void fence() {
        Reference.reachabilityFence(this);
    }

    /**
     * dst[dstOff .. dstOff+len) = this[offset .. offset+len); {@code scratch} (at least len long)
     * is the caller's staging area for float arrays, so no call allocates or looks anything up.
     */
    abstract void read(int offset, double[] dst, int dstOff, int len, float[] scratch);

    /** this[offset .. offset+len) = src[srcOff .. srcOff+len); scratch as for {@link #read}. */
    abstract void write(int offset, double[] src, int srcOff, int len, float[] scratch);

    /** Whether the values are float32: then {@link #readFloats} works. */
    abstract boolean isFloat();

    /**
     * dst[0 .. len) = this[offset .. offset+len), for a float vector. A double vector has no float
     * view without rounding, so the kernels that read floats ask {@link #isFloat} first.
     */
    void readFloats(int offset, float[] dst, int len) {
        throw new UnsupportedOperationException("a double vector is read into doubles");
    }

    /**
     * this[offset .. offset+len) = src[0 .. len), widened exactly in a double vector. Absolute bulk
     * puts touch no buffer position, so threads may write disjoint ranges at once.
     */
    abstract void writeFloats(int offset, float[] src, int len);

    void read(int offset, double[] dst, int dstOff, int len) {
        read(offset, dst, dstOff, len, new float[len]);
    }

    void write(int offset, double[] src, int srcOff, int len) {
        write(offset, src, srcOff, len, new float[len]);
    }

    /** All of this vector into {@code dst} (as long as this vector), in chunks on all cores. */
    void readAll(double[] dst) {
        Chunks.forEach(dst.length, COPY_CHUNK, (from, to) -> read(from, dst, from, to - from));
    }

    /** All of {@code src} into this vector, rounded to its type, in chunks on all cores. */
    void writeAll(double[] src) {
        Chunks.forEach(src.length, COPY_CHUNK, (from, to) -> write(from, src, from, to - from));
    }

    /**
     * Elements per task of {@link #readAll} and {@link #writeAll}: a copy is independent per
     * element. The MLP's weights and gradients, 392,000 values each, were copied 3 times a batch on
     * one core (1.3 ms).
     */
    private static final int COPY_CHUNK = 1 << 15;

    static Vec of(INDArray a) {
        if (a.ordering() != 'c' || a.offset() != 0 || a.data().length() != a.length()) {
            throw new IllegalArgumentException("kernels need a contiguous c-ordered array with offset 0");
        }
        if (a.dataType() == DataType.FLOAT) {
            return new FloatVec(a, a.data().asNioFloat());
        } else if (a.dataType() == DataType.DOUBLE) {
            return new DoubleVec(a, a.data().asNioDouble());
        }
        throw new IllegalArgumentException("kernels run in float or double, not " + a.dataType());
    }

    private static final class FloatVec extends Vec {
        private final FloatBuffer b;

        FloatVec(INDArray owner, FloatBuffer b) {
            super(owner);
            this.b = b;
        }

        @Override
        boolean isFloat() {
            return true;
        }

        @Override
        void readFloats(int offset, float[] dst, int len) {
            b.get(offset, dst, 0, len);
            fence();
        }

        @Override
        void writeFloats(int offset, float[] src, int len) {
            b.put(offset, src, 0, len);
            fence();
        }

        @Override
        void read(int offset, double[] dst, int dstOff, int len, float[] s) {
            b.get(offset, s, 0, len);
            fence();
            if (Simd.enabled()) {
                SimdKernels.widen(s, dst, dstOff, len);
                return;
            }
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] = s[i];
            }
        }

        @Override
        void write(int offset, double[] src, int srcOff, int len, float[] s) {
            if (Simd.enabled()) {
                SimdKernels.narrow(src, srcOff, s, len);
            } else {
                for (int i = 0; i < len; i++) {
                    s[i] = (float) src[srcOff + i];
                }
            }
            b.put(offset, s, 0, len);
            fence();
        }
    }

    private static final class DoubleVec extends Vec {
        private final DoubleBuffer b;

        DoubleVec(INDArray owner, DoubleBuffer b) {
            super(owner);
            this.b = b;
        }

        @Override
        boolean isFloat() {
            return false;
        }

        @Override
        void read(int offset, double[] dst, int dstOff, int len, float[] scratch) {
            b.get(offset, dst, dstOff, len);
            fence();
        }

        @Override
        void write(int offset, double[] src, int srcOff, int len, float[] scratch) {
            b.put(offset, src, srcOff, len);
            fence();
        }

        @Override
        void writeFloats(int offset, float[] src, int len) {
            double[] d = new double[len];
            for (int i = 0; i < len; i++) {
                d[i] = src[i];
            }
            b.put(offset, d, 0, len);
            fence();
        }
    }
}
