package dev.spikeforge.pipeline;

import java.nio.file.Path;

/**
 * Where and what to compile.
 *
 * @param out                the output folder (the integer model's files, one folder per target)
 * @param writeIntegerModel  also write the integer model and its quantisation report (model.json, ...)
 * @param rateSamples        training samples the integer model runs to measure firing rates, which
 *                           placement weighs spike traffic by (0: every neuron counts once)
 */
public record CompileSettings(Path out, boolean writeIntegerModel, int rateSamples) {

    public CompileSettings {
        if (rateSamples < 0) {
            throw new IllegalArgumentException("rateSamples must be at least 0, got " + rateSamples);
        }
    }

    /** Everything into {@code out}, with firing rates from 256 training samples. */
    public static CompileSettings to(Path out) {
        return new CompileSettings(out, true, 256);
    }

    /** Only the targets' folders into {@code out}, without firing rates (what verify and profile compile). */
    public static CompileSettings targetsOnly(Path out) {
        return new CompileSettings(out, false, 0);
    }
}
