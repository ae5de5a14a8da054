package dev.spikeforge.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Fuzzes ONE fuzz test class in this JVM (Jazzer's JUnit integration fuzzes a single
 * {@code @FuzzTest} per run). scripts/fuzz.sh starts one JVM per loader with
 * <pre>
 *   java -Xmx1g -cp TEST_CLASSPATH dev.spikeforge.fuzz.FuzzMain CLASS DURATION OUT_DIR [KEEP_GOING]
 * </pre>
 * CLASS is a simple name such as SnnFuzzTest; DURATION is Jazzer's (30s, 5m); OUT_DIR receives the
 * generated corpus (.cifuzz-corpus), the findings (crash-*, timeout-*, slow-unit-*, oom-*) and the
 * statistics of {@link Fuzzing}. Each input is bounded to {@value #TIMEOUT_SECONDS} s (libFuzzer
 * -timeout) and the heap to what -Xmx gives (an input that needs more is an OutOfMemoryError
 * finding); the whole process to {@value #RSS_LIMIT_MB} MB resident (libFuzzer -rss_limit_mb: the
 * 1 GB heap plus the JVM's own code, metaspace and stacks).
 *
 * <p>Exit code 0 when the run found nothing, 1 when it found something, and libFuzzer's own
 * (70 timeout, 71 out of memory) when a finding ended the process.
 */
public final class FuzzMain {

    static final int TIMEOUT_SECONDS = 5;
    static final int RSS_LIMIT_MB = 2048;

    private FuzzMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: FuzzMain CLASS DURATION OUT_DIR [KEEP_GOING]");
            System.exit(2);
        }
        String className = FuzzMain.class.getPackageName() + "." + args[0];
        Path out = Path.of(args[2]).toAbsolutePath();
        Files.createDirectories(out);
        String keepGoing = args.length > 3 ? args[3] : "1";
        // Read by Jazzer's JUnit integration before the first fuzz test runs: fuzz, do not replay.
        System.setProperty("JAZZER_FUZZ", "1");
        System.setProperty(Fuzzing.STATS_PROPERTY, out.toString());

        List<String> libFuzzer = new ArrayList<>(List.of(
                "fuzz",
                "-timeout=" + TIMEOUT_SECONDS,
                "-rss_limit_mb=" + RSS_LIMIT_MB,
                "-report_slow_units=" + TIMEOUT_SECONDS,
                "-print_final_stats=1",
                "-artifact_prefix=" + out + "/"));
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Class.forName(className)))
                .configurationParameter("jazzer.max_duration", args[1])
                .configurationParameter("jazzer.keep_going", keepGoing)
                .configurationParameter("jazzer.internal.basedir", out.toString())
                // Coverage of spikeforge's loaders and of jHDF, which NIR files drive; not of this harness.
                .configurationParameter("jazzer.instrument", "dev.spikeforge.**,io.jhdf.**")
                .configurationParameter("jazzer.instrumentation_excludes", "dev.spikeforge.fuzz.**");
        for (int i = 0; i < libFuzzer.size(); i++) {
            request.configurationParameter("jazzer.internal.arg." + i, libFuzzer.get(i));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(discovery, summary);
        TestExecutionSummary s = summary.getSummary();
        s.printFailuresTo(new PrintWriter(System.err, true), 12);
        System.out.printf("fuzz: %s: %d fuzz test(s), %d failed%n", args[0], s.getTestsFoundCount(), s.getTotalFailureCount());
        System.exit(s.getTestsFoundCount() == 0 ? 2 : s.getTotalFailureCount() > 0 ? 1 : 0);
    }
}
