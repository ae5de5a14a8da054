package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;

/** Trained weights quantised to one set of integer formats: the integer model a target (or the comparison) runs. */
public record Quantised(QuantOptions options, QuantizedNetwork network) {
}
