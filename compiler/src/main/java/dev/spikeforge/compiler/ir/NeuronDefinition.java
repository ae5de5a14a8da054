package dev.spikeforge.compiler.ir;

/**
 * A named neuron, {@code neuron lif = LIF(beta = 0.95, threshold = 1.0, reset = subtract)}.
 *
 * <pre>
 *   h[t] = beta * v[t-1] + I[t]          (IF: beta = 1)
 *   s[t] = 1 if h[t] >= theta else 0
 *   v[t] = h[t] - s[t] * theta           reset = subtract
 *   v[t] = h[t] * (1 - s[t])             reset = zero
 * </pre>
 *
 * @param tau the time constant in steps when the file gave {@code tau} (beta = exp(-1/tau)),
 *            else NaN; kept so that dumps and exports can say what was written
 */
public record NeuronDefinition(String name, Origin origin, NeuronModel model, double beta, double theta,
                               Reset reset, double tau) {

    public static NeuronDefinition lif(String name, double beta, double theta, Reset reset) {
        return new NeuronDefinition(name, Origin.NONE, NeuronModel.LIF, beta, theta, reset, Double.NaN);
    }

    public static NeuronDefinition integrateAndFire(String name, double theta, Reset reset) {
        return new NeuronDefinition(name, Origin.NONE, NeuronModel.IF, 1.0, theta, reset, Double.NaN);
    }
}
