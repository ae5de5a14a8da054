package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.nio.file.Path;

/**
 * What to verify, and how strictly.
 *
 * @param samples     the first N test samples (null: all)
 * @param tolerances  the float/integer comparison's (docs/semantics.md section 5.3)
 * @param rtlTool     the RTL simulator that must equal each emulator (null: no RTL proof)
 * @param rtlSamples  how many of the samples the RTL simulates (null: all of them)
 * @param rtlRequired a missing simulator is a failure (else the RTL proof is skipped with a note)
 * @param vcd         where the RTL simulation keeps its waveforms, or null
 */
public record VerifySettings(Integer samples, FloatIntegerComparison.Tolerances tolerances, String rtlTool,
                             Integer rtlSamples, boolean rtlRequired, Path vcd) {

    /** The defaults of docs/semantics.md section 5.3: agreement at least 99%, accuracy drop at most 0.5 points. */
    public static final FloatIntegerComparison.Tolerances DEFAULT_TOLERANCES = new FloatIntegerComparison.Tolerances(0.99, 0.5);

    public static VerifySettings samples(int n) {
        return new VerifySettings(n, DEFAULT_TOLERANCES, null, null, false, null);
    }

    public VerifySettings withTolerances(FloatIntegerComparison.Tolerances t) {
        return new VerifySettings(samples, t, rtlTool, rtlSamples, rtlRequired, vcd);
    }

    /** With the RTL of every target that has one simulated by {@code tool} on the first {@code n} samples (null: all). */
    public VerifySettings withRtl(String tool, Integer n, boolean required, Path waves) {
        return new VerifySettings(samples, tolerances, tool, n, required, waves);
    }
}
