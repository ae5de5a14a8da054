package dev.spikeforge.compiler.ir;

/**
 * A named neuron, {@code neuron lif = LIF(beta = 0.95, threshold = 1.0, reset = subtract)} or
 * {@code neuron syn = CUBA(alpha = 0.9, beta = 0.95)}.
 *
 * <pre>
 *   i[t] = alpha * i[t-1] + I[t]         (alpha = 0 for LIF and IF: i[t] = I[t])
 *   h[t] = beta * v[t-1] + i[t]          (IF: beta = 1)
 *   s[t] = 1 if h[t] >= theta else 0
 *   v[t] = h[t] - s[t] * theta           reset = subtract
 *   v[t] = h[t] * (1 - s[t])             reset = zero
 * </pre>
 *
 * @param tau    the membrane time constant in steps when the file gave {@code tau} (beta =
 *               exp(-1/tau)), else NaN; kept so that dumps and exports can say what was written
 * @param alpha  the synaptic current's decay: 0 for LIF and IF (no synaptic state), in [0, 1) for CUBA
 * @param tauSyn the synaptic time constant in steps when the file gave {@code tau_syn} (alpha =
 *               exp(-1/tau_syn)), else NaN
 */
public record NeuronDefinition(String name, Origin origin, NeuronModel model, double beta, double theta,
                               Reset reset, double tau, double alpha, double tauSyn) {

    /** A neuron without synaptic state (LIF or IF). */
    public NeuronDefinition(String name, Origin origin, NeuronModel model, double beta, double theta, Reset reset,
                            double tau) {
        this(name, origin, model, beta, theta, reset, tau, 0.0, Double.NaN);
    }

    public static NeuronDefinition lif(String name, double beta, double theta, Reset reset) {
        return new NeuronDefinition(name, Origin.NONE, NeuronModel.LIF, beta, theta, reset, Double.NaN);
    }

    public static NeuronDefinition integrateAndFire(String name, double theta, Reset reset) {
        return new NeuronDefinition(name, Origin.NONE, NeuronModel.IF, 1.0, theta, reset, Double.NaN);
    }

    public static NeuronDefinition cuba(String name, double alpha, double beta, double theta, Reset reset) {
        return new NeuronDefinition(name, Origin.NONE, NeuronModel.CUBA, beta, theta, reset, Double.NaN, alpha,
                Double.NaN);
    }

    /** Whether the neuron keeps a synaptic current between steps (a CUBA neuron with alpha > 0). */
    public boolean hasSynapticCurrent() {
        return alpha > 0;
    }
}
