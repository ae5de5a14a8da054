package dev.spikeforge.compiler.ir;

/** CxHxW -> C*H*W in channel-major (C, then H, then W) order. */
public record FlattenNode(String name, String layer, Origin origin, Shape shape) implements Node {

    @Override
    public String kind() {
        return "flatten";
    }
}
