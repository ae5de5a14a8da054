package dev.spikeforge.compiler.ir;

/**
 * Fully connected layer: I[t] = W x[t] + b, weights {@code units x inFeatures}. A recurrent one
 * adds W_rec s[t-1], where s are the spikes of the neuron node that follows it (see {@link Recurrence}).
 */
public record DenseNode(String name, String layer, Origin origin, Shape shape, int inFeatures, int units,
                        boolean bias, Recurrence recurrent) implements Node {

    /** A feed-forward dense layer. */
    public DenseNode(String name, String layer, Origin origin, Shape shape, int inFeatures, int units, boolean bias) {
        this(name, layer, origin, shape, inFeatures, units, bias, Recurrence.NONE);
    }

    @Override
    public String kind() {
        return "dense";
    }

    public boolean isRecurrent() {
        return recurrent != Recurrence.NONE;
    }

    public long parameterCount() {
        return (long) units * inFeatures + (bias ? units : 0) + recurrent.weights(units);
    }
}
