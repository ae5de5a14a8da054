package dev.spikeforge.compiler.ir;

/**
 * 2-D convolution, square kernel: I[t] = W (*) x[t] + b, weights {@code filters x inChannels x
 * kernel x kernel}. Output size per axis: floor((H + 2 * padding - kernel) / stride) + 1.
 */
public record Conv2dNode(String name, String layer, Origin origin, Shape shape, int inChannels, int filters,
                         int kernel, int stride, int padding, boolean bias) implements Node {

    @Override
    public String kind() {
        return "conv";
    }

    public long weightCount() {
        return Shape.times(Shape.times(Shape.times(filters, inChannels), kernel), kernel);
    }

    public long parameterCount() {
        return Math.addExact(Math.min(weightCount(), Long.MAX_VALUE - filters), bias ? filters : 0);
    }
}
