package dev.spikeforge.spark;

import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.OutputLock;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.QuantSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spikeforge sweep}: the points of a grid, each run as one Spark task through the pipeline's
 * stages ({@link PointRunner}), one row each. Everything a task could refuse (the grid, the model,
 * the checkpoint, the targets) is checked on the driver before Spark starts. Points whose hash
 * already has a row in {@code DIR/points} are not run again, so an interrupted sweep resumes.
 */
public final class Sweep {

    /** The samples each point verifies on when neither {@code --samples} nor the grid says. */
    public static final int DEFAULT_SAMPLES = 1000;

    private Sweep() {
    }

    /**
     * What to sweep.
     *
     * @param checkpoint {@code --checkpoint}, or null for the grid's
     * @param samples    {@code --samples}, or null for the grid's (else {@value #DEFAULT_SAMPLES})
     * @param dataDir    the datasets' folder override, or null
     */
    public record Request(Path model, Path grid, Path checkpoint, Path out, Integer samples, Path dataDir, String version) {
    }

    /**
     * A checked sweep: the job the tasks share, its points in the grid's order, and the checkpoint's
     * bytes (broadcast to the executors, which need not see the driver's files).
     */
    public record Prepared(Request request, SweepGrid grid, String modelName, SweepJob job, List<SweepJob.Point> points,
                           byte[] checkpoint) {
    }

    /**
     * A finished sweep.
     *
     * @param ran    points run now
     * @param reused points whose row an earlier run of the same inputs had written
     */
    public record Result(List<SweepRow> rows, int ran, int reused, Path dir, double seconds) {
    }

    /** Reads the grid, the model, the checkpoint and the targets, and computes each point's hash. */
    public static Prepared prepare(Request r) throws SweepException {
        SweepGrid grid = SweepGrid.read(r.grid());
        Path checkpoint = r.checkpoint() != null ? r.checkpoint() : grid.checkpoint();
        if (checkpoint == null) {
            throw new SweepException(SweepException.USAGE, "no checkpoint: give --checkpoint C or \"checkpoint\" in "
                    + r.grid() + " (spikeforge train " + r.model() + " writes one)");
        }
        int samples = r.samples() != null ? r.samples() : grid.samples() != null ? grid.samples() : DEFAULT_SAMPLES;
        Pipeline p = Pipeline.builder().dataDir(r.dataDir()).version(r.version()).build();
        LoadedModel m;
        byte[] ckpt;
        try {
            m = p.load(r.model());
            try {
                ckpt = Files.readAllBytes(checkpoint);
            } catch (NoSuchFileException e) {
                throw new SweepException(SweepException.INPUT, checkpoint + ": no such checkpoint (train one with"
                        + " spikeforge train " + r.model() + ")");
            } catch (IOException e) {
                throw new SweepException(SweepException.INPUT, checkpoint + ": cannot read the checkpoint: " + e.getMessage());
            }
            p.checkpoint(m, checkpoint);
        } catch (PipelineException e) {
            throw failure(e, "");
        }
        try {
            p.targets(m, grid.targets());
        } catch (PipelineException e) {
            throw failure(e, r.grid() + ": field \"targets\": ");
        }
        SweepJob job = new SweepJob(r.model().toAbsolutePath().normalize().toString(), m.source().text(),
                checkpoint.toAbsolutePath().normalize().toString(), SweepJob.sha256(ckpt), samples, grid.targets(),
                r.version(), r.dataDir() == null ? null : r.dataDir().toAbsolutePath().toString(),
                r.out().resolve("points").toAbsolutePath().toString(), grid.synth());
        List<SweepJob.Point> points = new ArrayList<>();
        for (SweepGrid.Point gp : grid.points()) {
            QuantOptions o = new QuantSettings(gp.bits(), gp.granularity() == null ? null
                    : PointRunner.granularity(gp.granularity())).options(m.network());
            String g = o.granularity().name().toLowerCase(Locale.ROOT);
            points.add(new SweepJob.Point(points.size(), o.weightBits(), g, gp.qatEpochs(),
                    job.hash(o.weightBits(), g, gp.qatEpochs())));
        }
        return new Prepared(r, grid, m.name(), job, points, ckpt);
    }

    private static SweepException failure(PipelineException e, String prefix) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (!e.diagnostics().isEmpty()) {
            m = DiagnosticRenderer.render(e.source(), e.diagnostics()).stripTrailing() + (m.isEmpty() ? "" : "\n" + m);
        }
        int code = switch (e.kind()) {
            case CHECK_FAILED -> SweepException.CHECK_FAILED;
            case USAGE -> SweepException.USAGE;
            case INPUT -> SweepException.INPUT;
        };
        return new SweepException(code, prefix + m);
    }

    /** Runs the points that have no row yet on {@code spark}, then writes rows.csv, rows.parquet and pareto.html. */
    public static Result run(Prepared prep, SparkSession spark, PrintStream log) throws SweepException {
        Path dir = prep.request().out();
        // one sweep at a time per folder: a second one is refused at once, naming the first
        try (OutputLock lock = OutputLock.acquire(dir)) {
            removeStaging(dir);
            return locked(prep, spark, log);
        } catch (OutputLock.Busy e) {
            throw new SweepException(SweepException.INPUT, e.oneLine());
        } catch (IOException e) {
            throw new SweepException(SweepException.INPUT, dir + ": cannot take the lock " + OutputLock.lockFile(dir) + ": "
                    + e.getMessage() + "; check that the folder is writable");
        }
    }

    /** What a killed sweep's Parquet writer left in the folder. */
    private static void removeStaging(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith(".rows.parquet.stage-")).toList()) {
                AtomicFiles.deleteTree(p);
            }
        }
    }

    private static Result locked(Prepared prep, SparkSession spark, PrintStream log) throws SweepException {
        long start = System.nanoTime();
        Path dir = prep.request().out();
        Path pointsDir = Path.of(prep.job().pointsDir());
        try {
            Files.createDirectories(pointsDir);
        } catch (IOException e) {
            throw new SweepException(SweepException.INPUT, pointsDir + ": cannot create the output folder: " + e.getMessage());
        }
        List<SweepRow> rows = new ArrayList<>();
        List<SweepJob.Point> todo = new ArrayList<>();
        for (SweepJob.Point pt : prep.points()) {
            SweepRow done = existing(pointsDir.resolve(pt.hash() + ".json"), pt.hash());
            if (done != null) {
                rows.add(done.withPoint(pt.index()));
            } else {
                todo.add(pt);
            }
        }
        int reused = rows.size();
        log.printf(Locale.ROOT, "sweep %s: %d points, %d with a row already (%s), %d to run on %s%n", prep.modelName(),
                prep.points().size(), reused, pointsDir, todo.size(), spark.sparkContext().master());
        if (!todo.isEmpty()) {
            List<String> failed = runPoints(prep, todo, spark, pointsDir, rows);
            if (!failed.isEmpty()) {
                String how = spark.sparkContext().isStopped() ? "Spark stopped the sweep; is the master at "
                        + spark.sparkContext().master() + " running and reachable? Its error is above. " : "";
                throw new SweepException(SweepException.INPUT, how + failed.size() + " of " + todo.size()
                        + " points failed after Spark's retries; first: " + failed.get(0) + ". The " + (todo.size()
                        - failed.size()) + " others have their rows in " + pointsDir + "; run the sweep again to run only"
                        + " the failed points");
            }
        }
        rows.sort(Comparator.comparingInt(SweepRow::point));
        try {
            SweepOutputs.write(dir, prep, rows);
        } catch (IOException e) {
            throw new SweepException(SweepException.INPUT, dir + ": cannot write the sweep's results: " + e.getMessage());
        }
        return new Result(rows, todo.size(), reused, dir, (System.nanoTime() - start) / 1e9);
    }

    private static SweepRow existing(Path file, String hash) {
        try {
            SweepRow r = SweepRow.fromJson(Files.readString(file));
            return r != null && hash.equals(r.hash()) ? r : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Runs each point as its own Spark job of one task, at most a few per core in flight, and writes
     * each row to {@code points/HASH.json} here on the driver as soon as its job ends (executors
     * need no shared folder). Returns the points that failed after Spark's retries, as sentences.
     */
    private static List<String> runPoints(Prepared prep, List<SweepJob.Point> todo, SparkSession spark, Path pointsDir,
                                          List<SweepRow> rows) throws SweepException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> checkpoint = jsc.broadcast(prep.checkpoint());
        Task task = new Task(prep.job(), prep.points().size(), checkpoint);
        int window = Math.max(2, 2 * jsc.defaultParallelism());
        Map<SweepJob.Point, JavaFutureAction<List<PointRunner.Outcome>>> running = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        int next = 0;
        try {
            while (next < todo.size() || !running.isEmpty()) {
                while (next < todo.size() && running.size() < window) {
                    SweepJob.Point pt = todo.get(next++);
                    jsc.setJobDescription("spikeforge sweep " + prep.modelName() + " point " + pt.index());
                    running.put(pt, jsc.parallelize(List.of(pt), 1).map(task).collectAsync());
                }
                boolean ended = false;
                for (Iterator<Map.Entry<SweepJob.Point, JavaFutureAction<List<PointRunner.Outcome>>>> it =
                        running.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isDone()) {
                        continue;
                    }
                    it.remove();
                    ended = true;
                    SweepJob.Point pt = e.getKey();
                    try {
                        PointRunner.Outcome o = e.getValue().get().get(0);
                        SweepRow row = SweepRow.fromJson(o.json());
                        if (row == null) {
                            throw new SweepException(SweepException.INPUT, "point " + pt.index()
                                    + ": a task returned an unreadable row: " + o.json());
                        }
                        if (o.keep()) {
                            AtomicFiles.writeString(pointsDir.resolve(pt.hash() + ".json"), o.json());
                        }
                        rows.add(row);
                    } catch (ExecutionException | java.util.concurrent.CancellationException ex) {
                        failed.add("point " + pt.index() + " (bits " + pt.bits() + ", " + pt.granularity() + ", qat "
                                + pt.qatEpochs() + "): " + rootMessage(ex));
                    } catch (IOException ex) {
                        throw new SweepException(SweepException.INPUT, pointsDir + ": cannot write point " + pt.index()
                                + "'s row: " + ex.getMessage() + "; check that the folder is writable");
                    }
                }
                if (!ended) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.values().forEach(f -> f.cancel(true));
            throw new SweepException(SweepException.INPUT, "the sweep was interrupted; the finished points have their rows in "
                    + pointsDir + "; run the sweep again to resume");
        }
        return failed;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String m = root.getClass().getSimpleName() + ": " + String.valueOf(root.getMessage()).lines().findFirst().orElse("")
                .strip();
        if (root instanceof ClassNotFoundException || root instanceof NoClassDefFoundError) {
            m += " (the executors lack spikeforge's classes: run the sweep with ./spikeforge, which ships"
                    + " spikeforge-spark.jar and its lib/ as spark.jars, or give --conf spark.jars=...)";
        }
        return m;
    }

    /** One point in one Spark task; the row travels back as its JSON, and the driver writes it. */
    static final class Task implements Function<SweepJob.Point, PointRunner.Outcome> {
        private static final long serialVersionUID = 2L;
        private final SweepJob job;
        private final int total;
        private final Broadcast<byte[]> checkpoint;

        Task(SweepJob job, int total, Broadcast<byte[]> checkpoint) {
            this.job = job;
            this.total = total;
            this.checkpoint = checkpoint;
        }

        @Override
        public PointRunner.Outcome call(SweepJob.Point pt) throws Exception {
            TaskContext tc = TaskContext.get();
            int threads = tc == null ? 1 : Math.max(1, tc.cpus());
            PointRunner.Outcome o = PointRunner.run(job, pt, threads, checkpoint.value());
            SweepRow row = SweepRow.fromJson(o.json());
            System.err.printf(Locale.ROOT, "sweep: point %d/%d (bits %d, %s, qat %d) %s in %.1f s%n", pt.index() + 1, total,
                    pt.bits(), pt.granularity(), pt.qatEpochs(), row == null ? "?" : row.status(),
                    row == null ? 0.0 : row.wallSeconds());
            return o;
        }
    }
}
