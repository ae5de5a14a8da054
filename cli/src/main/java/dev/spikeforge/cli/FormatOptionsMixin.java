package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.pipeline.QuantSettings;
import picocli.CommandLine.Option;

/** Overrides of the deploy block's weight format: what quantising and quantisation-aware fine-tuning share. */
final class FormatOptionsMixin {

    @Option(names = "--bits", paramLabel = "B", description = "Weight bits, 2 to 16 (default: the deploy block's, else 8).")
    Integer bits;

    // Two plain options, checked in problem(): picocli listed an exclusive @ArgGroup inside a mixin
    // twice in each command's usage help.
    @Option(names = "--per-channel", description = "One scale per output channel.")
    boolean perChannel;

    @Option(names = "--per-layer", description = "One scale per layer.")
    boolean perLayer;

    /** The overrides, or null when they are wrong (the message names the option). */
    String problem() {
        if (bits != null && (bits < 2 || bits > 16)) {
            return "--bits must be 2 to 16, got " + bits;
        }
        if (perChannel && perLayer) {
            return "--per-channel and --per-layer exclude each other; give one of them";
        }
        return null;
    }

    /** Whether any of the options was given. */
    boolean given() {
        return bits != null || perChannel || perLayer;
    }

    QuantSettings settings() {
        return new QuantSettings(bits, perChannel ? DeploySpec.Granularity.PER_CHANNEL
                : perLayer ? DeploySpec.Granularity.PER_LAYER : null);
    }
}
