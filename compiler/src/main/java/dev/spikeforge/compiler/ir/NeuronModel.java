package dev.spikeforge.compiler.ir;

/** The spiking neuron models (docs/semantics.md section 2.1). */
public enum NeuronModel {
    /** Leaky integrate-and-fire: h[t] = beta * v[t-1] + I[t], 0 < beta < 1. */
    LIF,
    /** Integrate-and-fire: LIF with beta = 1. */
    IF
}
