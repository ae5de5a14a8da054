package dev.spikeforge.compiler.ir;

/**
 * The output layer: a dense current I[t] = W x[t] + b over {@code classes} outputs, decoded by
 * {@link ReadoutMode}. {@code beta} is the membrane leak of the {@code membrane} mode (1 elsewhere);
 * {@code neuron} is the spiking neuron of the {@code count} mode (null elsewhere).
 * Prediction = argmax(out), ties to the lowest class index.
 */
public record ReadoutNode(String name, String layer, Origin origin, Shape shape, int inFeatures, int classes,
                          ReadoutMode mode, double beta, NeuronDefinition neuron, boolean bias) implements Node {

    @Override
    public String kind() {
        return "readout";
    }

    public long parameterCount() {
        return (long) classes * inFeatures + (bias ? classes : 0);
    }
}
