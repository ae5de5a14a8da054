package dev.spikeforge.compiler.ir;

/**
 * 1-D convolution over a CxL input (channels x length): I[t] = W (*) x[t] + b, weights {@code
 * filters x inChannels x kernel}. Output length: floor((L + 2 * padding - kernel) / stride) + 1;
 * taps in the padding read 0.
 */
public record Conv1dNode(String name, String layer, Origin origin, Shape shape, int inChannels, int filters,
                         int kernel, int stride, int padding, boolean bias) implements Node {

    @Override
    public String kind() {
        return "conv1d";
    }

    public long weightCount() {
        return Shape.times(Shape.times(filters, inChannels), kernel);
    }

    public long parameterCount() {
        return Math.addExact(Math.min(weightCount(), Long.MAX_VALUE - filters), bias ? filters : 0);
    }
}
