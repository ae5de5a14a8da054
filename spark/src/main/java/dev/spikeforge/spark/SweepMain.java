package dev.spikeforge.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikeforge sweep MODEL --grid GRID.json}: the main class of {@code spikeforge-spark.jar},
 * which the launcher runs for the {@code sweep} subcommand (every other subcommand runs the main
 * jar, which has no Spark in it).
 */
@Command(name = "spikeforge sweep",
        mixinStandardHelpOptions = true,
        versionProvider = SweepMain.Version.class,
        description = {"Run a design-space sweep: every point of the grid's cross product (weight bits,",
                "granularity) quantises the checkpoint, compiles for the targets and verifies on the",
                "test samples, one Spark task per point (embedded local[*] unless --master says).",
                "Writes DIR/rows.csv, DIR/rows.parquet and DIR/pareto.html, and each point's row as",
                "DIR/points/HASH.json as it finishes; points that already have a row are not run again.",
                "The grid format is in docs/language.md, \"Sweep grids\"."},
        footer = {"", "Exit codes: 0 the sweep finished (each row's status says whether its point passed),",
                "1 the model or checkpoint is refused, 2 usage error or bad grid, 3 unreadable or",
                "unwritable file, or the tasks failed."})
public final class SweepMain implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path model;

    @Option(names = "--grid", paramLabel = "GRID.json", required = true, description = "The grid file (JSON).")
    Path grid;

    @Option(names = "--checkpoint", paramLabel = "C", description = "The trained checkpoint (default: the grid's \"checkpoint\").")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "DIR", description = "The results' folder (default: build/sweep/NAME, NAME the model file's).")
    Path out;

    @Option(names = "--samples", paramLabel = "N", description = "Test samples each point verifies on (default: the grid's"
            + " \"samples\", else " + Sweep.DEFAULT_SAMPLES + ").")
    Integer samples;

    @Option(names = "--master", paramLabel = "URL", description = {"The Spark master (default: spark-submit's --master when",
            "run by spark-submit, else local[*], embedded; e.g. spark://HOST:7077)."})
    String master;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Read datasets from DIR instead of their usual place.")
    Path dataDir;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = {"A Spark setting, as spark-submit's --conf (repeat it),",
            "e.g. spark.executor.memory=2g or spark.driver.host=10.0.0.5."})
    java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

    /** The master URLs Spark takes (SparkContext.createTaskScheduler, SparkSubmit). */
    static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local|local\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?]|local-cluster\\[[0-9]+, *[0-9]+, *[0-9]+]"
            + "|spark://[^\\s]+|yarn|k8s://[^\\s]+|mesos://[^\\s]+");

    private final PrintStream out_;
    private final PrintStream err;

    SweepMain(PrintStream out, PrintStream err) {
        this.out_ = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new SweepMain(out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("spikeforge sweep: " + e.getMessage());
            err.println("Try 'spikeforge sweep --help' for the options.");
            return SweepException.USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        if (samples != null && samples < 1) {
            err.println("spikeforge sweep: --samples takes a number of at least 1, got " + samples);
            return SweepException.USAGE;
        }
        if (master == null) {
            // spark-submit passes its --master as this property; without it, embedded
            master = System.getProperty("spark.master", "local[*]");
        }
        if (!MASTER.matcher(master).matches()) {
            err.println("spikeforge sweep: --master " + master + " is not a Spark master URL; use local[*] (embedded, the"
                    + " default), local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT");
            return SweepException.USAGE;
        }
        System.setProperty("java.awt.headless", "true");
        String stem = model.getFileName().toString().replaceFirst("\\.snn$", "");
        Path dir = out != null ? out : Path.of("build", "sweep", stem);
        SparkSession spark = null;
        try {
            Sweep.Prepared prep = Sweep.prepare(new Sweep.Request(model, grid, checkpoint, dir, samples, dataDir,
                    "spikeforge " + version()));
            spark = session(master, "spikeforge sweep " + prep.modelName(), withShippedJars(master, conf));
            Sweep.Result r = Sweep.run(prep, spark, err);
            print(r);
            return 0;
        } catch (SweepException e) {
            err.println(e.getMessage().contains("\n") ? e.getMessage() : "spikeforge sweep: error: " + e.getMessage());
            return e.exitCode();
        } catch (Exception e) {
            // Spark refusing a master URL or failing to reach it (Scala throws checked exceptions
            // undeclared), and the like: one line, no trace
            String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            err.println("spikeforge sweep: error: Spark on " + master + " failed: " + e.getClass().getSimpleName() + ": " + m
                    + (master.startsWith("local") ? "" : "; is the master running and reachable? Its error is above"));
            return SweepException.INPUT;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    /**
     * A Spark session on {@code master}, without a web UI; an embedded one, or one whose master is on
     * this machine's loopback address, binds the driver to that address.
     */
    public static SparkSession session(String master, String name) {
        return session(master, name, java.util.Map.of());
    }

    /** The same, with Spark settings {@code conf} (which win over these defaults). */
    public static SparkSession session(String master, String name, java.util.Map<String, String> conf) {
        SparkSession.Builder b = SparkSession.builder().master(master).appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.session.timeZone", "UTC");
        if (master.startsWith("local") || master.matches("spark://(127\\.0\\.0\\.1|localhost)(:\\d+)?")) {
            // a cluster on this machine reaches the driver on the loopback address too
            b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        for (var e : conf.entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        return b.getOrCreate();
    }

    /**
     * {@code conf} with {@code spark.jars} set, for a cluster, to what its executors need besides
     * Spark: this jar and its {@code lib/} folder (Spark itself is in {@code spark-lib/}, never
     * shipped). A {@code spark.jars} the user gives ({@code --conf}, or spark-submit's {@code --jars})
     * is kept as it is; run from classes (the tests) nothing is added.
     */
    static java.util.Map<String, String> withShippedJars(String master, java.util.Map<String, String> conf) {
        if (master.startsWith("local") || conf.containsKey("spark.jars") || System.getProperty("spark.jars") != null) {
            return conf;
        }
        java.util.List<Path> jars = shippedJars();
        if (jars.isEmpty()) {
            return conf;
        }
        java.util.Map<String, String> c = new java.util.LinkedHashMap<>(conf);
        c.put("spark.jars", String.join(",", jars.stream().map(j -> j.toUri().toString()).toList()));
        return c;
    }

    /** This jar and the jars of its {@code lib/} folder, sorted; empty when these classes are not in a jar. */
    static java.util.List<Path> shippedJars() {
        try {
            Path here = Path.of(SweepMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!java.nio.file.Files.isRegularFile(here)) {
                return java.util.List.of();
            }
            java.util.List<Path> out = new java.util.ArrayList<>(java.util.List.of(here));
            Path lib = here.resolveSibling("lib");
            if (java.nio.file.Files.isDirectory(lib)) {
                try (var s = java.nio.file.Files.list(lib)) {
                    out.addAll(s.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
                }
            }
            return out;
        } catch (java.net.URISyntaxException | IOException | SecurityException e) {
            return java.util.List.of();
        }
    }

    private void print(Sweep.Result r) {
        int targets = r.rows().stream().mapToInt(x -> x.targets().size()).max().orElse(0);
        boolean luts = r.rows().stream().anyMatch(x -> x.targets().stream().anyMatch(t -> t.luts() != null));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%5s %4s %-11s %3s %-7s %8s %8s %8s", "point",
                "bits", "granularity", "qat", "status", "float", "integer", "agree"));
        for (int k = 1; k <= targets; k++) {
            head.append(String.format(Locale.ROOT, "  %8s %12s %12s", "t" + k + " exact", "t" + k + " cycles",
                    "t" + k + " energy"));
            if (luts) {
                head.append(String.format(Locale.ROOT, " %8s", "t" + k + " LUTs"));
            }
        }
        head.append(String.format(Locale.ROOT, " %7s", "wall s"));
        out_.println(head);
        for (SweepRow x : r.rows()) {
            StringBuilder l = new StringBuilder(String.format(Locale.ROOT, "%5d %4d %-11s %3d %-7s %8s %8s %8s", x.point(),
                    x.bits(), x.granularity(), x.qatEpochs(), x.status(), pct(x.floatAccuracy()), pct(x.integerAccuracy()),
                    pct(x.agreement())));
            for (int k = 0; k < targets; k++) {
                if (k < x.targets().size()) {
                    SweepRow.TargetCells t = x.targets().get(k);
                    l.append(String.format(Locale.ROOT, "  %8s %12.0f %12s", t.exact() + "/" + x.samples(), t.cycles(),
                            t.energyJoules() == null ? "-" : String.format(Locale.ROOT, "%.3g nJ", t.energyJoules() * 1e9)));
                    if (luts) {
                        l.append(String.format(Locale.ROOT, " %8s", t.luts() == null ? "-" : t.luts().toString()));
                    }
                } else {
                    l.append(String.format(Locale.ROOT, "  %8s %12s %12s", "-", "-", "-"));
                    if (luts) {
                        l.append(String.format(Locale.ROOT, " %8s", "-"));
                    }
                }
            }
            l.append(String.format(Locale.ROOT, " %7.1f", x.wallSeconds()));
            out_.println(l);
            if (!x.error().isEmpty()) {
                out_.println("      " + x.status() + ": " + x.error());
            }
        }
        for (int k = 0; k < targets; k++) {
            final int t = k;
            r.rows().stream().filter(x -> x.targets().size() > t).findFirst()
                    .ifPresent(x -> out_.println("t" + (t + 1) + " = " + x.targets().get(t).target()));
        }
        out_.printf(Locale.ROOT, "wrote %s, %s and %s: %d points run, %d from earlier rows, %.1f s%n",
                r.dir().resolve("rows.csv"), r.dir().resolve("rows.parquet"), r.dir().resolve("pareto.html"), r.ran(),
                r.reused(), r.seconds());
        out_.flush();
    }

    private static String pct(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * d);
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = SweepMain.class.getResourceAsStream("/dev/spikeforge/spark/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** {@code spikeforge sweep --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spikeforge " + version() + " (sweep, Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                    + ")", "Java " + System.getProperty("java.version")};
        }
    }
}
