package dev.spikeforge.spark;

import dev.spikeforge.cli.ShardedVerifier;
import dev.spikeforge.compiler.io.Checksums;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.VerifyShard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spikeforge verify ... --master URL}: the verification's samples cut into consecutive
 * ranges, each one Spark task ({@link VerifyTask}: it compiles the model again from the shipped
 * text and checkpoint and verifies its range), the ranges' results merged on the driver in sample
 * order by {@link Pipeline#mergeShards}, which also checks that every task read the driver's test
 * samples and compiled the driver's files. The result equals the one-process verification in
 * everything but the timings (docs: SHARDED_NOTES / the verify section).
 */
public final class ShardedVerify implements ShardedVerifier {

    private final PrintStream log;

    public ShardedVerify(PrintStream log) {
        this.log = log;
    }

    @Override
    public Verification verify(Pipeline session, Compiled compiled, VerifySettings settings, Job job)
            throws PipelineException {
        String bad = masterProblem(job.master());
        if (bad != null) {
            throw PipelineException.of(PipelineException.Kind.USAGE, bad);
        }
        String why = session.unshardable(compiled, settings);
        if (why != null) {
            throw PipelineException.of(PipelineException.Kind.USAGE, why);
        }
        VerifyJob vj = job(job, settings);
        System.setProperty("java.awt.headless", "true");
        boolean existing = SparkSession.getDefaultSession().isDefined();
        SparkSession spark = null;
        try {
            spark = SweepMain.session(job.master(), "spikeforge verify " + compiled.trained().model().name(),
                    SweepMain.withShippedJars(job.master(), java.util.Map.of()));
            return run(session, compiled, settings, vj, spark, 0);
        } catch (PipelineException e) {
            throw e;
        } catch (Exception e) {
            // Spark refusing a master URL or failing to reach it (Scala throws checked exceptions undeclared)
            String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            throw PipelineException.of(PipelineException.Kind.INPUT, "Spark on " + job.master() + " failed: "
                    + e.getClass().getSimpleName() + ": " + m + (job.master().startsWith("local") ? ""
                    : "; is the master running and reachable? Its error is above"));
        } finally {
            if (spark != null && !existing) {
                spark.stop();
            }
        }
    }

    @Override
    public String masterProblem(String master) {
        return SweepMain.MASTER.matcher(master).matches() ? null : "--master " + master + " is not a Spark master URL; use"
                + " local[N] or local[*] (embedded), spark://HOST:PORT, yarn or k8s://https://HOST:PORT";
    }

    /** The job the tasks share: the driver's model text, the checkpoint's path and SHA-256, the options. */
    static VerifyJob job(Job job, VerifySettings settings) throws PipelineException {
        byte[] checkpoint;
        try {
            checkpoint = Files.readAllBytes(job.checkpoint());
        } catch (NoSuchFileException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, job.checkpoint() + ": no such checkpoint");
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, job.checkpoint() + ": cannot read the checkpoint: "
                    + e.getMessage());
        }
        var g = job.quant().granularity();
        return new VerifyJob(job.model().toAbsolutePath().normalize().toString(), job.modelText(),
                job.checkpoint().toAbsolutePath().normalize().toString(), Checksums.sha256(checkpoint), job.quant().weightBits(),
                g == null ? null : g.name().toLowerCase(Locale.ROOT), job.targets(),
                job.dataDir() == null ? null : job.dataDir().toAbsolutePath().normalize().toString(), job.limit(),
                job.version(), settings.samples(), settings.tolerances().agreement(), settings.tolerances().dropPoints());
    }

    /**
     * Runs the job's ranges on {@code spark} and merges them.
     *
     * @param shardSize samples per task, a multiple of {@link VerifyShard#ALIGNMENT}; 0: about two tasks per core
     *                  of the cluster ({@link VerifyShard#size}, with twice Spark's default parallelism)
     */
    Verification run(Pipeline session, Compiled compiled, VerifySettings settings, VerifyJob job, SparkSession spark,
                     int shardSize) throws PipelineException {
        long start = System.nanoTime();
        int n = session.verifySamples(compiled, settings);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int size = shardSize > 0 ? shardSize : VerifyShard.size(n, 2 * Math.max(1, jsc.defaultParallelism()));
        List<VerifyShard.Range> ranges = VerifyShard.ranges(n, size);
        if (ranges.isEmpty()) {
            return session.verify(compiled, settings);   // no sample to cut (an empty test split): nothing to run on Spark
        }
        byte[] checkpoint;
        try {
            checkpoint = Files.readAllBytes(java.nio.file.Path.of(job.checkpointPath()));
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, job.checkpointPath() + ": cannot read the checkpoint: "
                    + e.getMessage());
        }
        if (!Checksums.sha256(checkpoint).equals(job.checkpointSha256())) {
            throw PipelineException.of(PipelineException.Kind.INPUT, job.checkpointPath() + ": the checkpoint changed since"
                    + " the verification started (its SHA-256 differs); run verify again");
        }
        log.printf(Locale.ROOT, "verify %s: %d samples in %d task(s) of up to %d on %s%n", compiled.trained().model().name(),
                n, ranges.size(), size, spark.sparkContext().master());
        log.flush();
        jsc.setJobDescription("spikeforge verify " + compiled.trained().model().name());
        List<VerifyShard> shards;
        try {
            shards = jsc.parallelize(ranges, ranges.size()).map(new VerifyTask(job, ranges.size(), jsc.broadcast(checkpoint)))
                    .collect();
        } catch (Exception e) {
            // SparkException, checked but undeclared (Scala): a task's failure, the cause its exception
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String m = String.valueOf(root.getMessage()).lines().findFirst().orElse("").strip();
            if (spark.sparkContext().isStopped()) {
                throw PipelineException.of(PipelineException.Kind.INPUT, "Spark stopped the verification (" + m + "); is"
                        + " the master at " + spark.sparkContext().master() + " running and reachable? Its error is above");
            }
            throw PipelineException.of(PipelineException.Kind.INPUT, "the verification's tasks failed: " + m);
        }
        return session.mergeShards(compiled, settings, shards, (System.nanoTime() - start) / 1e9);
    }
}
