package dev.spikeforge.compiler.ir;

/** A layer of spiking neurons, one per element of its input current; see {@link NeuronDefinition}. */
public record NeuronNode(String name, String layer, Origin origin, Shape shape, NeuronDefinition neuron)
        implements Node {

    @Override
    public String kind() {
        return switch (neuron.model()) {
            case IF -> "if";
            case LIF -> "lif";
            case CUBA -> "cuba";
        };
    }
}
