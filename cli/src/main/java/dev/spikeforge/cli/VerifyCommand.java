package dev.spikeforge.cli;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.report.VerifyReport;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge verify MODEL --checkpoint C}: the float model against the integer model on the
 * same input spikes, each target's emulator against its integer model, each RTL against its
 * emulator (docs/semantics.md section 5), pass or fail. With {@code --master URL} the
 * verification itself runs through a {@link ShardedVerifier} (the spark jar's: the samples in
 * ranges on a cluster, merged into the same result), and everything else as without it.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run the float model and the integer model on the same input spikes of the test",
                "split and compare them: accuracy of each, class agreement, and per-layer spike counts",
                "and their correlation; with --target, also require each target's emulator to equal its",
                "integer model exactly. Fails (exit 1) when a tolerance is broken or anything differs."},
        footer = {"", "Exit codes: 0 within tolerances, 1 a tolerance broken or the model cannot be",
                "quantised, 2 usage error, 3 unreadable model, dataset or checkpoint, or (with",
                "--master) the cluster's tasks failed."})
final class VerifyCommand implements Callable<Integer> {

    /** What {@code --master} verifies with; null in the main jar, which has no Spark. */
    private final ShardedVerifier sharded;

    VerifyCommand() {
        this(null);
    }

    VerifyCommand(ShardedVerifier sharded) {
        this.sharded = sharded;
    }

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Mixin
    QuantOptionsMixin quant;

    @Mixin
    DataOptions data;

    @Option(names = "--samples", paramLabel = "N", description = "Compare on the first N test samples (default: all).")
    Integer samples;

    @Option(names = "--tolerance-agreement", paramLabel = "F", defaultValue = "0.99",
            description = "Least fraction of samples where both models predict the same class (default: ${DEFAULT-VALUE}).")
    double agreement;

    @Option(names = "--tolerance-drop", paramLabel = "POINTS", defaultValue = "0.5",
            description = "Largest accuracy drop of the integer model, in percentage points (default: ${DEFAULT-VALUE}).")
    double drop;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report for CI systems.")
    Path junit;

    @Option(names = "--target", paramLabel = "SPEC", description = {"Also compile for this target and check that its emulator",
            "equals the integer model exactly: a preset or spec file, or a target as in a deploy",
            "block, e.g. 'fpga(lanes = 16, family = xc7)'. Repeatable."})
    List<String> targets;

    @Option(names = "--rtl", description = {"For targets with an RTL description, also simulate it on the same samples",
            "and require every spike, its cycle, every membrane and every step's cycles to equal the emulator."})
    boolean rtl;

    @Option(names = "--simulator", paramLabel = "verilator|iverilog", defaultValue = "verilator",
            description = "The RTL simulator for --rtl (default: ${DEFAULT-VALUE}).")
    String simulator;

    @Option(names = "--vcd", paramLabel = "FILE", description = "With --rtl, keep the simulation's waveforms in FILE.")
    Path vcd;

    @Option(names = "--out", paramLabel = "DIR", description = "Where --target writes the compiled folders (default: NAME-compiled).")
    Path out;

    @Option(names = "--master", paramLabel = "URL", description = {
            "Verify on Apache Spark: the samples cut into tasks",
            "of consecutive ranges (multiples of 32 samples,",
            "about two tasks per core), each task compiling the",
            "model again and verifying its range, the results",
            "merged in sample order: the output is the one",
            "without --master but for the timings. local[N]",
            "runs embedded; spark://HOST:7077, yarn or k8s://...",
            "a cluster whose machines have the dataset, the",
            "checkpoint at the same path and the spark jar's",
            "libraries. A task uses spark.task.cpus threads",
            "(--threads is the driver's). Not with --rtl or",
            "--vcd. Runs from spikeforge-spark.jar, which",
            "./spikeforge uses when --master is given."})
    String master;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (samples != null && samples < 1 || !(agreement >= 0 && agreement <= 1) || !(drop >= 0)) {
            return Cli.usage(spec, "--samples takes a number of at least 1, --tolerance-agreement a fraction"
                    + " from 0 to 1, --tolerance-drop points of at least 0");
        }
        String problem = quant.problem() != null ? quant.problem() : data.problem();
        if (problem != null) {
            return Cli.usage(spec, problem);
        }
        if (master != null && sharded == null) {
            return Cli.usage(spec, "--master verifies on Apache Spark, which this jar (spikeforge.jar) does not contain; run"
                    + " it through the launcher, ./spikeforge verify MODEL --checkpoint C --master " + master + ", which runs"
                    + " spark/target/spikeforge-spark.jar (or: java $(cat spark/target/jvm-options.txt) -jar"
                    + " spark/target/spikeforge-spark.jar verify ...)");
        }
        if (master != null && sharded.masterProblem(master) != null) {
            return Cli.usage(spec, sharded.masterProblem(master));
        }
        if (master != null && (rtl || vcd != null)) {
            return Cli.usage(spec, "--rtl and --vcd cannot run with --master: the RTL simulation runs on one machine only;"
                    + " verify the RTL without --master (with --samples), and all the samples with --master");
        }
        if ((rtl || vcd != null) && (targets == null || targets.isEmpty())) {
            return Cli.usage(spec, "--rtl and --vcd need a --target with an RTL description, e.g. --target 'fpga(lanes = 16)'");
        }
        try {
            Pipeline p = Cli.pipeline(spec, data);
            LoadedModel model = p.load(modelFile);
            var trained = p.checkpoint(model, quant.checkpoint);
            Path folder = out != null ? out : Path.of(model.name() + "-compiled");
            Compiled c = p.compile(trained, quant.settings(), targets == null ? List.of() : p.targets(model, targets),
                    CompileSettings.targetsOnly(folder));
            VerifySettings s = new VerifySettings(samples, new FloatIntegerComparison.Tolerances(agreement, drop),
                    rtl || vcd != null ? simulator : null, null, true, vcd);
            Verification v = master == null ? p.verify(c, s) : sharded.verify(p, c, s, new ShardedVerifier.Job(master,
                    modelFile, model.source().text(), quant.checkpoint, quant.settings(), targets == null ? List.of()
                    : targets, data.dataDir, data.limit, p.version()));
            if (s.rtlTool() != null && v.targets().stream().allMatch(t -> t.rtl() == null)) {
                return Cli.usage(spec, "--rtl and --vcd need a --target with an RTL description simulated by " + simulator
                        + ", e.g. --target 'fpga(lanes = 16)'");
            }
            if (json) {
                Cli.print(spec, VerifyReport.json(v));
            } else {
                Cli.print(spec, VerifyReport.text(v));
            }
            if (junit != null) {
                AtomicFiles.writeString(junit, VerifyReport.junit(v));
            }
            return v.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        } catch (IOException e) {
            return Cli.fail(spec, PipelineException.of(PipelineException.Kind.INPUT, junit
                    + ": cannot write the JUnit report: " + e.getMessage()));
        }
    }
}
