package dev.spikeforge.compiler.ir;

/**
 * The end of a residual block: the sum of the main-path current and the skip-path current (the
 * identity, or a 1x1 strided convolution), which then charges the block's neurons.
 */
public record ResidualAddNode(String name, String layer, Origin origin, Shape shape) implements Node {

    @Override
    public String kind() {
        return "add";
    }
}
