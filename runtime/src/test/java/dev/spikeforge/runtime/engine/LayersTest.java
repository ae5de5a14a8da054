package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The channels-last convolution kernels against ND4J's NCHW ones: the weight-only backward of a
 * convolution fed by the input (driven by the input's non-zero values) gives the weight and bias
 * gradients that conv2d_bp gives, on spike inputs and on real-valued inputs (direct encoding, spike
 * counts); the NHWC forward and backward give what NCHW conv2d and conv2d_bp give; the NHWC pools
 * give exactly what the NCHW pools give. With padding and strides.
 */
class LayersTest {

    private static final Layers.Scratch SCRATCH = (key, shape) -> Nd4j.create(DataType.FLOAT, shape);

    @ParameterizedTest
    @CsvSource({"1, 28, 20, 5, 1, 0, 50, true", "2, 9, 3, 3, 2, 1, 7, true", "3, 8, 4, 3, 1, 1, 5, true",
        "1, 28, 20, 5, 1, 0, 70, false", "2, 10, 6, 3, 2, 1, 40, false", "2, 11, 5, 4, 3, 2, 33, false"})
    void firstLayerWeightGradientEqualsConv2dBp(int c, int h, int filters, int k, int stride, int pad, int rows,
                                                boolean spikes) {
        Case t = new Case(c, h, filters, k, stride, pad, rows, spikes);
        INDArray wantW = Nd4j.zeros(DataType.FLOAT, t.w.shape());
        INDArray wantB = Nd4j.zeros(DataType.FLOAT, t.b.shape());
        t.nchwBackward(Nd4j.create(DataType.FLOAT, t.x.shape()), wantW, wantB);
        INDArray gotW = Nd4j.zeros(DataType.FLOAT, t.w.shape());
        INDArray gotB = Nd4j.zeros(DataType.FLOAT, t.b.shape());
        Layers.convWeightBackward(t.node, t.x, nhwc(t.g), gotW, gotB, 3);

        assertClose(wantW, gotW, 1e-5);
        assertClose(wantB, gotB, 1e-5);
        // gradients are added to what the arrays hold
        Layers.convWeightBackward(t.node, t.x, nhwc(t.g), gotW, gotB, 3);
        assertClose(wantW.mul(2), gotW, 2e-5);
    }

    @ParameterizedTest
    @CsvSource({"6, 12, 16, 5, 1, 0, 20", "2, 9, 3, 3, 2, 1, 7", "3, 8, 4, 3, 1, 1, 5", "4, 11, 5, 4, 3, 2, 9"})
    void channelsLastConvolutionEqualsNchw(int c, int h, int filters, int k, int stride, int pad, int rows) {
        Case t = new Case(c, h, filters, k, stride, pad, rows, true);
        INDArray want = Nd4j.create(DataType.FLOAT, rows, filters, t.out, t.out);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(t.x, t.w, t.b).addOutputs(want)
                .addIntegerArguments(k, k, stride, stride, pad, pad, 1, 1, 0, 0, 1).build());
        INDArray got = Nd4j.create(DataType.FLOAT, rows, t.out, t.out, filters);
        Layers.conv(t.node, t.x, false, t.w, t.b, got, SCRATCH);
        assertClose(nhwc(want), got, 1e-5);
        Layers.conv(t.node, nhwc(t.x), true, t.w, t.b, got, SCRATCH);
        assertClose(nhwc(want), got, 1e-5);

        INDArray wantIn = Nd4j.create(DataType.FLOAT, t.x.shape());
        INDArray wantW = Nd4j.zeros(DataType.FLOAT, t.w.shape());
        INDArray wantB = Nd4j.zeros(DataType.FLOAT, t.b.shape());
        t.nchwBackward(wantIn, wantW, wantB);
        INDArray gotIn = Nd4j.create(DataType.FLOAT, rows, h, h, c);
        INDArray gotW = Nd4j.ones(DataType.FLOAT, t.w.shape());
        INDArray gotB = Nd4j.ones(DataType.FLOAT, t.b.shape());
        Layers.convBackward(t.node, nhwc(t.x), t.w, t.b, nhwc(t.g), gotIn, gotW, gotB, 3, SCRATCH);
        assertClose(nhwc(wantIn), gotIn, 1e-5);
        // added to what the arrays hold (ones), in the weights' own OIYX layout
        assertClose(wantW.add(1), gotW, 1e-5);
        assertClose(wantB.add(1), gotB, 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"20, 24, 2, 9", "3, 7, 2, 4", "5, 9, 3, 2"})
    void channelsLastPoolingEqualsNchwExactly(int c, int h, int k, int rows) {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, c, h, h).lt(0.3).castTo(DataType.FLOAT);
        int out = h / k;
        INDArray want = Layers.avgpool(k, x, false, Nd4j.create(DataType.FLOAT, rows, c, out, out));
        INDArray got = Layers.avgpool(k, nhwc(x), true, Nd4j.create(DataType.FLOAT, rows, out, out, c));
        assertEquals(nhwc(want), got);
        INDArray g = Nd4j.randn(DataType.FLOAT, rows, c, out, out);
        INDArray wantIn = Layers.avgpoolBackward(k, x, false, g, Nd4j.create(DataType.FLOAT, x.shape()));
        INDArray gotIn = Layers.avgpoolBackward(k, nhwc(x), true, nhwc(g), Nd4j.create(DataType.FLOAT, rows, h, h, c));
        assertEquals(nhwc(wantIn), gotIn);
    }

    /** A convolution with random weights, bias, input (spikes or real values) and output gradient, in NCHW. */
    private static final class Case {
        final Conv2dNode node;
        final int out;
        final INDArray x;
        final INDArray w;
        final INDArray b;
        final INDArray g;

        Case(int c, int h, int filters, int k, int stride, int pad, int rows, boolean spikes) {
            out = (h + 2 * pad - k) / stride + 1;
            node = new Conv2dNode("c", "c", Origin.NONE, Shape.chw(filters, out, out), c, filters, k, stride, pad, true);
            Nd4j.getRandom().setSeed(5);
            x = Nd4j.rand(DataType.FLOAT, rows, c, h, h).lt(0.3).castTo(DataType.FLOAT);
            if (!spikes) {
                x.muli(Nd4j.rand(DataType.FLOAT, rows, c, h, h).mul(3));
            }
            w = Nd4j.randn(DataType.FLOAT, filters, c, k, k);
            b = Nd4j.randn(DataType.FLOAT, filters);
            g = Nd4j.randn(DataType.FLOAT, rows, filters, out, out);
        }

        /** ND4J's NCHW conv2d_bp with OIYX weights: gradIn written, the weight gradient and 3 x the bias gradient added. */
        void nchwBackward(INDArray gradIn, INDArray gradW, INDArray gradB) {
            INDArray dW = Nd4j.create(DataType.FLOAT, w.shape());
            INDArray dB = Nd4j.create(DataType.FLOAT, b.shape());
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, g).addOutputs(gradIn, dW, dB)
                    .addIntegerArguments(node.kernel(), node.kernel(), node.stride(), node.stride(), node.padding(),
                            node.padding(), 1, 1, 0, 0, 1).build());
            gradW.addi(dW);
            gradB.addi(dB.muli(3));
        }
    }

    private static INDArray nhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static void assertClose(INDArray want, INDArray got, double relative) {
        assertArrayEquals(want.shape(), got.shape());
        double scale = want.amaxNumber().doubleValue();
        assertEquals(0, got.sub(want).amaxNumber().doubleValue() / scale, relative);
    }
}
