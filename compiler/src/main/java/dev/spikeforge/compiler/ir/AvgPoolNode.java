package dev.spikeforge.compiler.ir;

/**
 * Spiking average pooling, kernel K, stride K: I[t] = (1/K^2) * sum of the K x K input spikes.
 * Followed by an IF {@link NeuronNode} (threshold theta_pool) like any other spiking layer.
 * Output size per axis: floor(H / K).
 */
public record AvgPoolNode(String name, String layer, Origin origin, Shape shape, int kernel) implements Node {

    @Override
    public String kind() {
        return "avgpool";
    }
}
