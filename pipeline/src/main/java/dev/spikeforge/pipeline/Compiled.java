package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.target.CompiledTarget;
import dev.spikeforge.compiler.target.Target;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained model compiled: its integer model in the deploy formats ({@link #model()}, what the
 * float model is compared with) and, per target, the integer model quantised with that target's
 * own numerics and the folder written from it.
 *
 * @param modelFiles the integer model's files written (empty when not asked for)
 * @param notes      what compiling chose or could not do (firing rates measured or not), as sentences
 */
public record Compiled(Trained trained, QuantSettings settings, Quantised model, Path out, List<Path> modelFiles,
                       List<Build> targets, List<String> notes) {

    public Compiled {
        modelFiles = List.copyOf(modelFiles);
        targets = List.copyOf(targets);
        notes = List.copyOf(notes);
    }

    /**
     * One target built.
     *
     * @param quantised the integer model with the target's numerics, which its folder holds
     */
    public record Build(Target target, Quantised quantised, CompiledTarget folder) {
    }
}
