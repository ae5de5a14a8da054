package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;

/**
 * Overrides of the deploy block's integer formats (the command line's {@code --bits},
 * {@code --per-channel}, {@code --per-layer}); null fields keep the deploy block's.
 */
public record QuantSettings(Integer weightBits, DeploySpec.Granularity granularity) {

    /** The deploy block's formats as they are. */
    public static final QuantSettings DEPLOY = new QuantSettings(null, null);

    /** The formats of {@code net}'s deploy block (or the defaults) with these overrides. */
    public QuantOptions options(Network net) {
        QuantOptions opt = QuantOptions.from(net.deploy().orElse(null));
        if (weightBits != null) {
            opt = opt.withWeightBits(weightBits);
        }
        if (granularity != null) {
            opt = opt.withGranularity(granularity);
        }
        return opt;
    }
}
