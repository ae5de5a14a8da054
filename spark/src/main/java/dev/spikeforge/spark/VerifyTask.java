package dev.spikeforge.spark;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.VerifyShard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One range of a sharded verification in one Spark task: the model compiled from the shipped
 * text and the broadcast checkpoint into a scratch folder (the targets' folders as the driver wrote them, which
 * the merge checks file by file), then {@link Pipeline#verifyShard} on the range, with the task's
 * cores ({@code spark.task.cpus}) as the engines' threads.
 */
final class VerifyTask implements Function<VerifyShard.Range, VerifyShard> {

    private static final long serialVersionUID = 1L;
    private final VerifyJob job;
    private final int tasks;
    private final Broadcast<byte[]> checkpoint;

    /** {@code checkpoint}: the checkpoint's bytes as the driver read them, broadcast to the executors. */
    VerifyTask(VerifyJob job, int tasks, Broadcast<byte[]> checkpoint) {
        this.job = job;
        this.tasks = tasks;
        this.checkpoint = checkpoint;
    }

    @Override
    public VerifyShard call(VerifyShard.Range range) throws Exception {
        long start = System.nanoTime();
        TaskContext tc = TaskContext.get();
        int threads = tc == null ? 1 : Math.max(1, tc.cpus());
        Path scratch = Files.createTempDirectory("spikeforge-verify-");
        try {
            VerifyShard v = shard(range, threads, scratch);
            System.err.printf(Locale.ROOT, "verify: %s (task %d of %d) in %.1f s%n", range,
                    tc == null ? 1 : tc.partitionId() + 1, tasks, (System.nanoTime() - start) / 1e9);
            return v;
        } catch (PipelineException e) {
            throw new IOException(range + ": " + e.oneLine().replace(TaskFiles.localName(job.checkpointPath(), scratch).toString(),
                    job.checkpointPath()).replace(scratch.resolve("compiled").toString(), "<out>"), e);
        } finally {
            try {
                AtomicFiles.deleteTree(scratch);
            } catch (IOException e) {
                // a scratch folder left in the temporary directory is harmless
            }
        }
    }

    private VerifyShard shard(VerifyShard.Range range, int threads, Path scratch) throws IOException, PipelineException {
        Path local = TaskFiles.checkpoint(checkpoint.value(), job.checkpointSha256(), job.checkpointPath(), scratch, "verify");
        Pipeline p = Pipeline.builder().threads(threads).dataDir(job.dataDir() == null ? null : Path.of(job.dataDir()))
                .limit(job.limit()).version(job.version()).build();
        LoadedModel m = p.load(Path.of(job.modelPath()), job.modelText());
        Trained t = p.checkpoint(m, local);
        // as verify: no target without --target (the deploy block's targets are compile's)
        Compiled c = p.compile(t, job.quant(), job.targets().isEmpty() ? List.of() : p.targets(m, job.targets()),
                CompileSettings.targetsOnly(scratch.resolve("compiled")));
        return p.verifyShard(c, job.settings(), range.from(), range.to());
    }

}
