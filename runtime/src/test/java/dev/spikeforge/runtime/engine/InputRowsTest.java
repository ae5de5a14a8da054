package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.encode.SplitMix64;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder writes a batch straight into the model's input buffer, from several threads at once
 * ({@link FloatModel#inputRows}); that buffer must hold exactly what the array path produces, for
 * every encoding, in float and in double.
 */
class InputRowsTest {

    @Test
    void rowsWrittenIntoTheModelsBufferEqualTheArrayPath() {
        int batch = 64;
        int n = 300;
        int steps = 7;
        double[] values = new double[batch * n];
        SplitMix64 rng = new SplitMix64(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextInt(256) / 255.0;
        }
        long[] samples = new long[batch];
        for (int b = 0; b < batch; b++) {
            samples[b] = 1000 + 7L * b;
        }
        for (Encoding.Kind kind : new Encoding.Kind[] {Encoding.Kind.POISSON, Encoding.Kind.BIPOLAR,
            Encoding.Kind.LATENCY, Encoding.Kind.DIRECT}) {
            Encoding enc = new Encoding(kind, 0);
            double[] v = values.clone();
            if (kind == Encoding.Kind.BIPOLAR) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 2 * v[i] - 1;
                }
            }
            float[] expected = new float[steps * batch * n];
            InputEncoder.encode(enc, v, n, samples, 5, steps, expected);
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                INDArray x = Nd4j.createUninitialized(type, expected.length).assign(Double.NaN);
                InputEncoder.encode(enc, v, n, samples, 5, steps, FloatModel.inputRows(x));
                double[] got = x.toDoubleVector();
                for (int i = 0; i < expected.length; i++) {
                    if (got[i] != expected[i]) {
                        assertEquals((double) expected[i], got[i], kind + " " + type + " at " + i);
                    }
                }
            }
        }
    }
}
