package dev.spikeforge.spark;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every task of a sharded verification ({@code verify --master}) shares, shipped to the
 * executors: the model's text (the file's path only places its dataset), the checkpoint's path
 * (for messages) and content hash (its bytes travel as a broadcast, which a task checks against
 * the hash), the format
 * overrides and targets to compile for, the dataset options and the verification's settings. With
 * these a task compiles what the driver compiled; the merge then checks that it did (the compiled
 * files and the test samples, {@link dev.spikeforge.pipeline.Pipeline#mergeShards}).
 *
 * @param bits        {@code --bits}, or null for the deploy block's
 * @param granularity {@code per_layer} or {@code per_channel}, or null for the deploy block's
 * @param targets     the {@code --target} values as given; empty: none (verify compiles no target without them)
 * @param dataDir     the datasets' folder override, or null
 * @param limit       {@code --limit}, or null
 * @param samples     {@code --samples}, or null for all
 */
public record VerifyJob(String modelPath, String modelText, String checkpointPath, String checkpointSha256, Integer bits,
                        String granularity, List<String> targets, String dataDir, Integer limit, String version,
                        Integer samples, double agreement, double dropPoints) implements Serializable {

    private static final long serialVersionUID = 1L;

    public VerifyJob {
        targets = new ArrayList<>(targets);
    }

    /** The format overrides as the pipeline takes them. */
    QuantSettings quant() {
        return new QuantSettings(bits, granularity == null ? null
                : DeploySpec.Granularity.valueOf(granularity.toUpperCase(Locale.ROOT)));
    }

    /** The verification's settings (no RTL: it does not run in shards). */
    VerifySettings settings() {
        return new VerifySettings(samples, new FloatIntegerComparison.Tolerances(agreement, dropPoints), null, null, false,
                null);
    }
}
