package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.nio.file.Path;

/**
 * The whole job's settings.
 *
 * @param checkpoint  trained weights to use instead of training (null: train)
 * @param out         where everything goes (null: build/NAME)
 * @param samples     test samples verify and profile run
 * @param rtlSamples  samples the RTL simulation of targets with an RTL checks (0: none)
 * @param rtlTool     the RTL simulator
 * @param tolerances  the float/integer comparison's
 * @param synth       also synthesise every target that has a hardware description
 * @param trainLimit  train on the first N samples of each split (null: all)
 */
public record RunSettings(Path checkpoint, Path out, int samples, int rtlSamples, String rtlTool,
                          FloatIntegerComparison.Tolerances tolerances, boolean synth, Integer trainLimit) {

    public static RunSettings defaults() {
        return new RunSettings(null, null, 500, 20, "verilator", VerifySettings.DEFAULT_TOLERANCES, false, null);
    }
}
