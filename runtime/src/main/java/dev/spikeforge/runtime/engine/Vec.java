package dev.spikeforge.runtime.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access to the off-heap buffer of a contiguous, c-ordered ND4J array, without copying.
 * Training runs in float; gradient checks run the same kernels in double. The kernels compute in
 * double and store in the array's precision, so a float model rounds once per stored value.
 */
abstract class Vec {

    abstract double get(int i);

    abstract void set(int i, double v);

    static Vec of(INDArray a) {
        if (a.ordering() != 'c' || a.offset() != 0 || a.data().length() != a.length()) {
            throw new IllegalArgumentException("kernels need a contiguous c-ordered array with offset 0");
        }
        if (a.dataType() == DataType.FLOAT) {
            return new FloatVec(a.data().asNioFloat());
        } else if (a.dataType() == DataType.DOUBLE) {
            return new DoubleVec(a.data().asNioDouble());
        }
        throw new IllegalArgumentException("kernels run in float or double, not " + a.dataType());
    }

    private static final class FloatVec extends Vec {
        private final FloatBuffer b;

        FloatVec(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, (float) v);
        }
    }

    private static final class DoubleVec extends Vec {
        private final DoubleBuffer b;

        DoubleVec(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, v);
        }
    }
}
