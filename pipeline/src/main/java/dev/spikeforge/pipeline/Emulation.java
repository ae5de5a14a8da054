package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.target.TargetFigures;
import java.nio.file.Path;

/**
 * A compiled folder emulated on test samples of its model.
 *
 * @param trace what the waveform file holds, or null when none was written
 */
public record Emulation(String target, Path folder, String model, int samples, int timesteps, double accuracy,
                        TargetFigures figures, double seconds, int threads, String trace) {
}
