package dev.spikeforge.compiler.ir;

/**
 * Max pooling of spikes, kernel K, stride K, on a CxHxW map (K x K windows) or a CxL sequence
 * (windows of K): the output spike is the OR of the window's input spikes (their maximum, as
 * spikes are 0 or 1). It has no neurons and no weights; its input must be a spiking layer.
 * Output size per axis: floor(size / K).
 */
public record MaxPoolNode(String name, String layer, Origin origin, Shape shape, int kernel) implements Node {

    @Override
    public String kind() {
        return "maxpool";
    }
}
