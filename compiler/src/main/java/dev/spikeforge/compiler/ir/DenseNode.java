package dev.spikeforge.compiler.ir;

/** Fully connected layer: I[t] = W x[t] + b, weights {@code units x inFeatures}. */
public record DenseNode(String name, String layer, Origin origin, Shape shape, int inFeatures, int units,
                        boolean bias) implements Node {

    @Override
    public String kind() {
        return "dense";
    }

    public long parameterCount() {
        return (long) units * inFeatures + (bias ? units : 0);
    }
}
