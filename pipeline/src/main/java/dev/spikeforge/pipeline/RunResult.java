package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.target.HardwareSynthesis;
import java.nio.file.Path;
import java.util.List;

/**
 * What the whole job produced: every stage's result, and the files under {@link #dir()}.
 *
 * @param synthesis per target with a hardware description when synthesis was asked for
 * @param report    the HTML report's page
 */
public record RunResult(Trained trained, Compiled compiled, Profile profile, List<Synthesised> synthesis, Path dir,
                        Path report) {

    public RunResult {
        synthesis = List.copyOf(synthesis);
    }

    public Verification verification() {
        return profile.verification();
    }

    /** One target's synthesis: its report, or why it failed. */
    public record Synthesised(String target, Path folder, HardwareSynthesis.Report report, String failure) {
    }
}
