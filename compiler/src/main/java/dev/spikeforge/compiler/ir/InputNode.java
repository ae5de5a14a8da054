package dev.spikeforge.compiler.ir;

/** The network's input: one spike (or, for {@code direct}, analog) value per element per step. */
public record InputNode(String name, String layer, Origin origin, Shape shape, Encoding encoding)
        implements Node {

    @Override
    public String kind() {
        return "input";
    }
}
