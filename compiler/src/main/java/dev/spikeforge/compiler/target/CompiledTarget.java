package dev.spikeforge.compiler.target;

import java.nio.file.Path;
import java.util.List;

/**
 * A target's folder as {@link Target#compile} wrote it.
 *
 * @param report lines that say what was written (resources, placement), in the family's words
 */
public record CompiledTarget(Target target, Path folder, List<String> report) {

    public CompiledTarget {
        report = List.copyOf(report);
    }
}
