package dev.spikeforge.cli;

import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code spikeforge verify ... --master URL} verifies: its samples cut into ranges that run as
 * tasks of a cluster, merged into the result one process gives ({@link Pipeline#verifyShard},
 * {@link Pipeline#mergeShards}). The command parses the options, compiles and prints as always;
 * only the verification itself is this. The main jar has no implementation, since it has no
 * Spark in it: the spark module's jar runs the same command with its own ({@link Main#main(String[],
 * ShardedVerifier)}), so that the options, the output and the exit codes are the main jar's.
 */
public interface ShardedVerifier {

    /**
     * Verifies {@code compiled} with {@code settings} on the cluster {@code job} names and returns
     * the merged verification; {@code session} is the driver's, which compiled it.
     */
    Verification verify(Pipeline session, Compiled compiled, VerifySettings settings, Job job) throws PipelineException;

    /** What is wrong with {@code master} as a cluster's address, as a sentence with the forms it takes, or null. */
    String masterProblem(String master);

    /**
     * What a task needs to compile what the driver compiled, in its own session.
     *
     * @param master    the Spark master URL ({@code --master})
     * @param model     the model file (it places the model's dataset; its text is {@code modelText})
     * @param modelText the text the driver compiled
     * @param checkpoint the trained weights
     * @param quant     the format overrides ({@code --bits}, {@code --per-channel}, {@code --per-layer})
     * @param targets   the {@code --target} values, as given (empty: none)
     * @param dataDir   {@code --data}, or null
     * @param limit     {@code --limit}, or null
     * @param version   the producer recorded in compiled files, e.g. {@code spikeforge 0.1.0}
     */
    record Job(String master, Path model, String modelText, Path checkpoint, QuantSettings quant, List<String> targets,
               Path dataDir, Integer limit, String version) {

        public Job {
            targets = List.copyOf(targets);
        }
    }
}
