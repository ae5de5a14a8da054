package dev.spikeforge.compiler.ir;

/** The spiking neuron models (docs/semantics.md section 2.1). */
public enum NeuronModel {
    /** Leaky integrate-and-fire: h[t] = beta * v[t-1] + I[t], 0 < beta < 1. */
    LIF,
    /** Integrate-and-fire: LIF with beta = 1. */
    IF,
    /**
     * Current-based LIF: a synaptic current i[t] = alpha * i[t-1] + I[t] (0 <= alpha < 1) feeds
     * the membrane, h[t] = beta * v[t-1] + i[t] (0 < beta <= 1). With alpha = 0 it is LIF.
     */
    CUBA
}
