package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.pipeline.QuantSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What the commands that quantise share: the checkpoint and the format overrides. */
final class QuantOptionsMixin {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Trained weights (.npz).")
    Path checkpoint;

    @Option(names = "--bits", paramLabel = "B", description = "Weight bits, 2 to 16 (default: the deploy block's, else 8).")
    Integer bits;

    // Two plain options, checked in settings(): picocli listed an exclusive @ArgGroup inside a mixin
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

    QuantSettings settings() {
        return new QuantSettings(bits, perChannel ? DeploySpec.Granularity.PER_CHANNEL
                : perLayer ? DeploySpec.Granularity.PER_LAYER : null);
    }
}
