package dev.spikeforge.cli;

import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.Profile;
import dev.spikeforge.pipeline.ProfileSettings;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.report.ProfileHtml;
import dev.spikeforge.pipeline.report.ProfileReport;
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
 * {@code spikeforge profile MODEL --checkpoint C}: counters of the float and integer models per
 * layer, the 45 nm energy estimates, and per target its emulator's cycles, latency, throughput and
 * energy. docs/profiling.md explains every figure.
 */
@Command(name = "profile",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Count what a trained model does on the first N test samples: spikes and firing rates of the",
                "float and integer models per layer, synaptic operations, neuron updates and the MACs of the same",
                "network run as an ANN; energy estimates (45 nm reference figures, compute only and with SRAM",
                "accesses); and per deploy target (or --target) the emulator's cycles, latency, throughput and",
                "energy. Every energy figure is an estimate; docs/profiling.md gives the sources."},
        footer = {"", "Exit codes: 0 ok, 1 the model cannot be quantised or a target's rules fail, 2 usage error,",
                "3 unreadable model, dataset or checkpoint."})
final class ProfileCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Mixin
    QuantOptionsMixin quant;

    @Mixin
    DataOptions data;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "200",
            description = "Profile the first N test samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--target", paramLabel = "SPEC", description = {"Profile on this target instead of the deploy block's:",
            "a preset or spec file, or e.g. 'fpga(lanes = 16, family = xc7)'. Repeatable."})
    List<String> targets;

    @Option(names = "--no-targets", description = "Profile the software models only.")
    boolean noTargets;

    @Option(names = "--assumed-clock-mhz", paramLabel = "F", description = {"The clock at which",
            "latency is stated for targets whose clock is an assumption, not a timing result (default: each target's)."})
    Double assumedClockMhz;

    @Option(names = "--input-rate", paramLabel = "HZ", defaultValue = "0",
            description = "Inputs per second the application delivers: reports each target's real-time margin.")
    double inputRate;

    @Option(names = "--out", paramLabel = "DIR", description = "Where targets are compiled (default: NAME-compiled).")
    Path out;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Option(names = "--html", paramLabel = "DIR", description = {"Also write DIR/report.html (self-contained, plots embedded)",
            "and the plots as PNG files: spike raster, firing rates, spikes per step, energy, membrane traces."})
    Path html;

    @Option(names = "--sample", paramLabel = "K", defaultValue = "0",
            description = "The test sample the raster and membrane traces show (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--trace-neurons", paramLabel = "LAYER:INDEX,...",
            description = "Neurons whose membranes to plot (default: the three most active of the last hidden layer).")
    String traceNeurons;

    @Option(names = "--accuracy-vs-steps", description = "Also plot the accuracy the readout would give after each step.")
    boolean accuracyVsSteps;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (samples < 1 || assumedClockMhz != null && !(assumedClockMhz > 0) || !(inputRate >= 0) || sample < 0
                || sample >= samples) {
            return Cli.usage(spec, "--samples takes a number of at least 1, --assumed-clock-mhz a positive clock,"
                    + " --input-rate a rate of at least 0, --sample one of the profiled samples (0 to --samples - 1)");
        }
        String problem = quant.problem() != null ? quant.problem() : data.problem();
        if (problem != null) {
            return Cli.usage(spec, problem);
        }
        try {
            Pipeline p = Cli.pipeline(spec, data);
            LoadedModel model = p.load(modelFile);
            var trained = p.checkpoint(model, quant.checkpoint);
            Path folder = out != null ? out : Path.of(model.name() + "-compiled");
            var compiled = p.compile(trained, quant.settings(), noTargets ? List.of() : p.targets(model, targets),
                    CompileSettings.targetsOnly(folder));
            ProfileSettings s = new ProfileSettings(samples, false, sample, List.of(), assumedClockMhz, inputRate);
            if (html != null) {
                s = s.withPlots(sample, TraceNeurons.parse(traceNeurons, compiled.model().network()));
            }
            Profile profile = p.profile(compiled, VerifySettings.samples(samples), s);
            if (html != null) {
                var written = ProfileHtml.write(html, profile, accuracyVsSteps);
                spec.commandLine().getErr().println("spikeforge profile: wrote " + written.page() + " and " + written.plots()
                        + " plots");
            }
            if (json) {
                Cli.print(spec, ProfileReport.json(profile));
            } else {
                Cli.print(spec, ProfileReport.text(profile));
            }
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        } catch (IllegalArgumentException e) {
            return Cli.usage(spec, "--trace-neurons: " + e.getMessage());
        } catch (FileProblemException e) {
            return Cli.fail(spec, PipelineException.of(PipelineException.Kind.INPUT, e.oneLine()));
        } catch (IOException e) {
            return Cli.fail(spec, PipelineException.of(PipelineException.Kind.INPUT, html + ": cannot write the report: "
                    + e.getMessage()));
        }
    }
}
