package dev.spikeforge.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.cli.ShardedVerifier;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.TrainSettings;
import dev.spikeforge.runtime.data.BarsDataset;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep on a real Spark standalone cluster: a master and two workers on 127.0.0.1, each a
 * separate JVM started from the Maven artifacts (a temporary Spark home whose {@code jars/} holds
 * the test's class path without the spikeforge modules, which reach the executors only as the
 * session's {@code spark.jars}, as they do from {@code spikeforge-spark.jar}). One executor is
 * killed with SIGKILL while it runs a point; Spark retries that point elsewhere, and every point's
 * row is present exactly once and equal to the embedded run's. A sharded verification on the same
 * cluster equals the one-pass verification.
 */
class StandaloneClusterTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path grid;
    static final List<Process> daemons = new ArrayList<>();

    @BeforeAll
    static void trained() throws Exception {
        System.setProperty("java.awt.headless", "true");
        BarsDataset.write(dir.resolve("bars"), 256, 128);
        model = dir.resolve("bars.snn");
        Files.writeString(model, SweepTest.MODEL);
        Pipeline p = Pipeline.builder().build();
        p.train(p.load(model), TrainSettings.DEFAULTS.to(dir.resolve("bars.npz")));
        grid = dir.resolve("grid.json");
        Files.writeString(grid, """
                {"checkpoint": "bars.npz", "samples": 96,
                 "grid": {"bits": [3, 4, 5, 6, 7, 8], "granularity": ["per_layer", "per_channel"]},
                 "targets": ["fpga(lanes = 4)", "neurocore(preset = loihi_like, timing = sequential)"]}
                """);
    }

    @AfterAll
    static void stopDaemons() {
        for (Process d : daemons) {
            d.descendants().forEach(ProcessHandle::destroyForcibly);
            d.destroyForcibly();
        }
    }

    @Test
    @Timeout(600)
    void aSweepOnAStandaloneClusterSurvivesAKilledExecutorAndEqualsTheEmbeddedRun() throws Exception {
        Path home = sparkHome();
        List<Path> shipped = moduleJars(dir.resolve("ship"));
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        Path masterLog = dir.resolve("master.log");
        daemons.add(start(home, masterLog, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort())));
        List<Process> workers = new ArrayList<>();
        for (int w = 1; w <= 2; w++) {
            Path work = Files.createDirectories(dir.resolve("work" + w));
            Process worker = start(home, dir.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker", master,
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--work-dir", work.toString(),
                    "--webui-port", "0");
            daemons.add(worker);
            workers.add(worker);
        }
        awaitLog(masterLog, "Registering worker", 2, 120);

        // on the cluster, killing an executor in the middle of a point
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.jars", String.join(",", shipped.stream().map(j -> j.toUri().toString()).toList()));
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.executor.memory", "640m");
        Sweep.Prepared prep = Sweep.prepare(new Sweep.Request(model, grid, null, dir.resolve("cluster"), null, null,
                "spikeforge test"));
        SparkSession spark = SweepMain.session(master, "StandaloneClusterTest", conf);
        Map<String, AtomicInteger> runningOn = new ConcurrentHashMap<>();
        List<String> lost = java.util.Collections.synchronizedList(new ArrayList<>());
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                runningOn.computeIfAbsent(e.taskInfo().executorId(), k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                runningOn.computeIfAbsent(e.taskInfo().executorId(), k -> new AtomicInteger()).decrementAndGet();
                TaskEndReason r = e.reason();
                if (!(r instanceof org.apache.spark.Success$)) {
                    lost.add(e.taskInfo().executorId() + ": " + r);
                }
            }
        });
        AtomicReference<String> killed = new AtomicReference<>();
        Path points = dir.resolve("cluster").resolve("points");
        Thread killer = new Thread(() -> killAnExecutorInTheMiddleOfAPoint(workers, runningOn, points, killed));
        killer.setDaemon(true);
        killer.start();
        Sweep.Result onCluster;
        try {
            onCluster = Sweep.run(prep, spark, quiet());
            shardedVerificationOnTheClusterEqualsOnePass(spark, master);
        } finally {
            spark.stop();
        }
        killer.join(10_000);
        assertTrue(killed.get() != null, "an executor was killed during the sweep");
        assertTrue(lost.stream().anyMatch(l -> l.startsWith(killed.get() + ":")),
                "the killed executor's point was lost and retried: " + lost + ", killed " + killed.get());

        // every point's row once, equal to the embedded run's
        int n = prep.points().size();
        assertEquals(12, n);
        assertEquals(n, onCluster.rows().size());
        assertEquals(n, onCluster.ran());
        Set<Integer> seen = new HashSet<>();
        for (SweepRow r : onCluster.rows()) {
            assertTrue(seen.add(r.point()), "point " + r.point() + " has one row");
        }
        try (Stream<Path> s = Files.list(points)) {
            assertEquals(n, s.count(), "one row file per point");
        }
        SparkSession embedded = SweepMain.session("local[2]", "StandaloneClusterTest embedded");
        Sweep.Result local;
        try {
            local = Sweep.run(Sweep.prepare(new Sweep.Request(model, grid, null, dir.resolve("embedded"), null, null,
                    "spikeforge test")), embedded, quiet());
        } finally {
            embedded.stop();
        }
        for (int k = 0; k < n; k++) {
            assertEquals(local.rows().get(k).withoutWallTime(), onCluster.rows().get(k).withoutWallTime());
        }
        assertEquals(Files.readAllLines(dir.resolve("embedded").resolve("rows.csv")).stream().map(StandaloneClusterTest::noWall)
                .toList(), Files.readAllLines(dir.resolve("cluster").resolve("rows.csv")).stream()
                .map(StandaloneClusterTest::noWall).toList());
        assertTrue(onCluster.rows().stream().allMatch(r -> r.targets().size() == 2 && r.targets().get(0).exact() == 96
                || r.status().equals("error")), "the emulators ran on the executors: " + onCluster.rows());
    }

    /** verify --master on the same cluster: its ranges, run on the executors, merge into the one-pass verification. */
    private static void shardedVerificationOnTheClusterEqualsOnePass(SparkSession spark, String master) throws Exception {
        List<String> targets = List.of("fpga(lanes = 4)", "neurocore(preset = loihi_like, timing = sequential)");
        Path checkpoint = dir.resolve("bars.npz");
        Pipeline p = Pipeline.builder().threads(1).build();
        LoadedModel m = p.load(model);
        Compiled c = p.compile(p.checkpoint(m, checkpoint), QuantSettings.DEPLOY, p.targets(m, targets),
                CompileSettings.targetsOnly(dir.resolve("verify-compiled")));
        VerifySettings s = VerifySettings.samples(100);
        Verification one = p.verify(c, s);
        ShardedVerifier.Job job = new ShardedVerifier.Job(master, model, Files.readString(model), checkpoint,
                QuantSettings.DEPLOY, targets, null, null, p.version());
        Verification merged = new ShardedVerify(quiet()).run(p, c, s, ShardedVerify.job(job, s), spark, 32);
        ShardedVerifyTest.assertSame(one, merged, "verify on the cluster in ranges of 32");
    }

    /** Waits for a point to have finished and an executor to be running another, then SIGKILLs that executor. */
    private static void killAnExecutorInTheMiddleOfAPoint(List<Process> workers, Map<String, AtomicInteger> runningOn,
                                                          Path points, AtomicReference<String> killed) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                boolean onePointDone;
                try (Stream<Path> s = Files.list(points)) {
                    onePointDone = s.findAny().isPresent();
                } catch (IOException e) {
                    onePointDone = false;
                }
                if (onePointDone) {
                    for (var e : runningOn.entrySet()) {
                        if (e.getValue().get() > 0) {
                            for (Process w : workers) {
                                var executor = w.descendants().filter(h -> h.info().commandLine().map(c ->
                                        c.contains("CoarseGrainedExecutorBackend") && c.contains("--executor-id " + e.getKey()
                                                + " ")).orElse(false)).findFirst();
                                if (executor.isPresent()) {
                                    executor.get().destroyForcibly();   // SIGKILL on Linux
                                    killed.set(e.getKey());
                                    return;
                                }
                            }
                        }
                    }
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String noWall(String csvLine) {
        return csvLine.substring(0, csvLine.lastIndexOf(','));
    }

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    }

    /**
     * A Spark home for the daemons: {@code jars/} links every jar of this JVM's class path (Spark
     * and the libraries), but not the spikeforge modules, which are class folders here.
     */
    private static Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home").resolve("jars"));
        int k = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            // not spikeforge's own jars (a packaged build's, e.g. cli/target/spikeforge.jar, whose manifest would
            // also bring the main jar's lib/ in), nor the SLF4J 1 binding the rest of the build uses: Spark logs
            // through SLF4J 2 into Log4j 2, and the test waits for its log lines
            boolean ours = name.startsWith("spikeforge") || name.startsWith("slf4j-nop") || name.startsWith("slf4j-api-1.");
            if (Files.isRegularFile(p) && name.endsWith(".jar") && !ours) {
                Files.createSymbolicLink(jars.resolve(String.format("%03d-%s", k++, p.getFileName())), p.toAbsolutePath());
            }
        }
        return jars.getParent();
    }

    /** The spikeforge modules' class folders on the class path (not the tests'), each as a jar to ship. */
    private static List<Path> moduleJars(Path out) throws IOException {
        Files.createDirectories(out);
        List<Path> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p) && p.endsWith("classes") && !p.endsWith("test-classes")) {
                Path jar = out.resolve(p.getParent().getParent().getFileName() + ".jar");
                try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(p)) {
                    for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                        j.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
                        Files.copy(f, j);
                        j.closeEntry();
                    }
                }
                jars.add(jar);
            } else if (Files.isRegularFile(p) && p.getFileName().toString().startsWith("spikeforge")
                    && p.getFileName().toString().endsWith(".jar") && !p.getFileName().toString().contains("-tests")) {
                jars.add(p);
            }
        }
        assertTrue(jars.size() >= 4, "the spikeforge modules are on the class path: " + jars);
        return jars;
    }

    private static Process start(Path home, Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx192m");
        for (String o : System.getProperty("spikeforge.spark.jvm.options", "").split(" ")) {
            if (!o.isBlank()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + File.separator + "*");
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");   // what a distribution's load-spark-env.sh sets
        return pb.start();
    }

    private static void awaitLog(Path log, String line, int times, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.split(java.util.regex.Pattern.quote(line), -1).length - 1 >= times) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + times + " x '" + line + "' in " + log + " within " + seconds + " s:\n"
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
