package dev.spikeforge.cli;

import dev.spikeforge.pipeline.QuantSettings;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What the commands that quantise share: the checkpoint and the format overrides. */
final class QuantOptionsMixin {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Trained weights (.npz).")
    Path checkpoint;

    @Mixin
    FormatOptionsMixin formats;

    /** The overrides, or null when they are wrong (the message names the option). */
    String problem() {
        return formats.problem();
    }

    QuantSettings settings() {
        return formats.settings();
    }
}
