package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.source.SourceFile;
import java.nio.file.Path;

/**
 * A model file read, compiled and verified once: its source (for diagnostics against it), its
 * network, and the folder that relative file names in it (spec files, datasets) are resolved against.
 */
public record LoadedModel(Path file, SourceFile source, Network network, Path modelDir) {

    public String name() {
        return network.name();
    }

    /** The train block, which names the dataset. */
    public TrainSpec train() throws PipelineException {
        return network.train().orElseThrow(() -> PipelineException.located(PipelineException.Kind.INPUT, file + ": error: model '"
                + network.name() + "' has no train block naming its dataset; add for example train { dataset = fashion_mnist }"));
    }

    /** The run seed: the train block's, else 0. */
    public long seed() {
        return network.train().map(TrainSpec::seed).orElse(0L);
    }
}
