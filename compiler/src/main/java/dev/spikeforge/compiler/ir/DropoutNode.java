package dev.spikeforge.compiler.ir;

/**
 * Dropout of rate p on spikes: one Bernoulli mask per sample per iteration, the same for all T
 * steps, scaled by 1/(1-p); the identity at evaluation.
 */
public record DropoutNode(String name, String layer, Origin origin, Shape shape, double p) implements Node {

    @Override
    public String kind() {
        return "dropout";
    }
}
