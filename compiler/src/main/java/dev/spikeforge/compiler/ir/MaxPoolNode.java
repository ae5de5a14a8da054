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

    /** The most spikes one window holds: K on a sequence, K x K on a map. */
    public int window() {
        return shape != null && shape.isSequence() ? kernel : kernel * kernel;
    }

    /**
     * E506: the integer model runs a maxpool as a population that counts its window's spikes and
     * fires at a count of 1 (docs/semantics.md section 4.11). A membrane of {@code bits} bits that
     * wraps holds counts up to 2^(bits-1) - 1; a fuller window wraps to a negative count and the
     * pool stays silent where the maximum is 1.
     *
     * @return the message and the help, or null when a full window fits
     */
    public String[] wrapsIn(int bits) {
        long max = (1L << (bits - 1)) - 1;
        if (window() <= max) {
            return null;
        }
        String size = shape != null && shape.isSequence() ? String.valueOf(kernel) : kernel + "x" + kernel;
        int need = 33 - Integer.numberOfLeadingZeros(window());
        return new String[] {"maxpool '" + layer + "' counts up to " + window() + " spikes of its " + size
                + " window in a " + bits + "-bit membrane that wraps above " + max + ": a window with " + (max + 1)
                + " or more spikes would wrap below the threshold 1 and stay silent where its maximum is 1",
            "use membrane = int(" + need + ") or wider, or overflow = saturate"};
    }
}
