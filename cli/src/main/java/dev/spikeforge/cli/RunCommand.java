package dev.spikeforge.cli;

import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.RunResult;
import dev.spikeforge.pipeline.RunSettings;
import dev.spikeforge.pipeline.report.RunSummary;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge run MODEL}: the whole job in one process (check, train or take
 * {@code --checkpoint}, compile for every deploy target, verify with the RTL, profile, and one
 * summary), each stage once; everything under {@code build/<model>/}.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"The whole job: check, train (unless --checkpoint), compile for every target of the deploy block,",
                "verify (float vs integer, each emulator vs the integer model, and each RTL simulation vs its emulator),",
                "profile, and a summary table of accuracy, agreement, cycles, latency and energy per target.",
                "Every file goes under OUT (default build/NAME/): the checkpoint, compiled/, verify.json,",
                "verify.xml (JUnit), profile.json, summary.txt, and report/report.html with its plots."},
        footer = {"", "Exit codes: 1 a check or tolerance failed, 2 usage error, 3 unreadable input or a tool that",
                "failed, else 0."})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", paramLabel = "C", description = "Use this checkpoint instead of training.")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "DIR", description = "Where everything goes (default: build/NAME).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Train on the first N training samples (default: all).")
    Integer limit;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "500",
            description = "Verify and profile on the first N test samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--rtl-samples", paramLabel = "N", defaultValue = "20",
            description = "Samples the RTL simulation of targets with an RTL checks (default: ${DEFAULT-VALUE}; 0: none).")
    int rtlSamples;

    @Option(names = "--tolerance-agreement", paramLabel = "F", defaultValue = "0.99",
            description = "verify's class agreement tolerance (default: ${DEFAULT-VALUE}).")
    double agreement;

    @Option(names = "--tolerance-drop", paramLabel = "POINTS", defaultValue = "0.5",
            description = "verify's accuracy drop tolerance (default: ${DEFAULT-VALUE}).")
    double drop;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    @Option(names = "--synth", description = "Also synthesise every target with a hardware description (minutes for larger models).")
    boolean synth;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (samples < 1 || rtlSamples < 0 || limit != null && limit < 1 || !(agreement >= 0 && agreement <= 1) || !(drop >= 0)) {
            return Cli.usage(spec, "--samples and --limit take a number of at least 1, --rtl-samples at least 0,"
                    + " --tolerance-agreement a fraction from 0 to 1, --tolerance-drop points of at least 0");
        }
        try {
            Pipeline p = Cli.pipeline(spec, DataOptions.of(dataDir, null));
            LoadedModel model = p.load(modelFile);
            RunResult r = p.run(model, new RunSettings(checkpoint, out, samples, rtlSamples, "verilator",
                    new FloatIntegerComparison.Tolerances(agreement, drop), synth, limit));
            spec.commandLine().getOut().print(RunSummary.text(r));
            spec.commandLine().getOut().flush();
            if (!r.verification().passed()) {
                return ExitCodes.CHECK_FAILED;
            }
            return r.synthesis().stream().anyMatch(s -> s.report() == null) ? ExitCodes.INPUT_ERROR
                    : r.synthesis().stream().anyMatch(s -> s.report().device() != null && !s.report().fits())
                    ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
