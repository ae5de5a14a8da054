package dev.spikeforge.runtime.train;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import java.util.Locale;

/**
 * The formats a checkpoint's quantisation-aware epochs trained with: the model's deploy block,
 * with the weight width and granularity they ran at ({@code train --fine-tune} may change these
 * two; nothing else can differ). A checkpoint that records them holds weights on that integer
 * model's grid, and its float model runs integer-exact (docs/semantics.md section 4.13).
 * Recorded in the checkpoint's manifest as {@code "integer_exact": {"weight_bits": 8,
 * "granularity": "per_channel"}}.
 */
public record QatFormats(int weightBits, DeploySpec.Granularity granularity) {

    /** The weight width and granularity of {@code options} (the rest is the deploy block's). */
    public static QatFormats of(QuantOptions options) {
        return new QatFormats(options.weightBits(), options.granularity());
    }

    /** The full formats: {@code net}'s deploy block (or the defaults) with this weight width and granularity. */
    public QuantOptions options(Network net) {
        return QuantOptions.from(net.deploy().orElse(null)).withWeightBits(weightBits).withGranularity(granularity);
    }

    /** The manifest's spelling of the granularity. */
    String granularityKeyword() {
        return granularity.name().toLowerCase(Locale.ROOT);
    }

    /** The granularity of a manifest's keyword, or null for none of them. */
    static DeploySpec.Granularity granularity(String keyword) {
        for (DeploySpec.Granularity g : DeploySpec.Granularity.values()) {
            if (g.name().toLowerCase(Locale.ROOT).equals(keyword)) {
                return g;
            }
        }
        return null;
    }
}
