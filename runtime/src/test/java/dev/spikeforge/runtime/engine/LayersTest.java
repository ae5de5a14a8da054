package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weight-only backward of a convolution fed by the input (driven by the input's non-zero
 * values) gives the weight and bias gradients that ND4J's conv2d_bp gives, in float, on spike
 * inputs and on real-valued inputs (direct encoding, spike counts), with padding and strides.
 */
class LayersTest {

    @ParameterizedTest
    @CsvSource({"1, 28, 20, 5, 1, 0, 50, true", "2, 9, 3, 3, 2, 1, 7, true", "3, 8, 4, 3, 1, 1, 5, true",
        "1, 28, 20, 5, 1, 0, 70, false", "2, 10, 6, 3, 2, 1, 40, false", "2, 11, 5, 4, 3, 2, 33, false"})
    void firstLayerWeightGradientEqualsConv2dBp(int c, int h, int filters, int k, int stride, int pad, int rows,
                                                boolean spikes) {
        int out = (h + 2 * pad - k) / stride + 1;
        Conv2dNode node = new Conv2dNode("c", "c", Origin.NONE, Shape.chw(filters, out, out), c, filters, k, stride, pad,
                true);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, c, h, h).lt(0.3).castTo(DataType.FLOAT);
        if (!spikes) {
            x.muli(Nd4j.rand(DataType.FLOAT, rows, c, h, h).mul(3));
        }
        INDArray w = Nd4j.randn(DataType.FLOAT, filters, c, k, k);
        INDArray b = Nd4j.randn(DataType.FLOAT, filters);
        INDArray g = Nd4j.randn(DataType.FLOAT, rows, filters, out, out);

        INDArray wantW = Nd4j.zeros(DataType.FLOAT, w.shape());
        INDArray wantB = Nd4j.zeros(DataType.FLOAT, b.shape());
        Layers.convBackward(node, x, w, b, g, Nd4j.create(DataType.FLOAT, x.shape()), wantW, wantB, 3,
                Nd4j.create(DataType.FLOAT, w.shape()), Nd4j.create(DataType.FLOAT, b.shape()));
        INDArray gotW = Nd4j.zeros(DataType.FLOAT, w.shape());
        INDArray gotB = Nd4j.zeros(DataType.FLOAT, b.shape());
        Layers.convWeightBackward(node, x, g, gotW, gotB, 3);

        double scale = wantW.amaxNumber().doubleValue();
        assertEquals(0, gotW.sub(wantW).amaxNumber().doubleValue() / scale, 1e-5);
        assertEquals(0, gotB.sub(wantB).amaxNumber().doubleValue() / wantB.amaxNumber().doubleValue(), 1e-5);
        // gradients are added to what the arrays hold
        Layers.convWeightBackward(node, x, g, gotW, gotB, 3);
        assertEquals(0, gotW.sub(wantW.mul(2)).amaxNumber().doubleValue() / scale, 2e-5);
    }
}
