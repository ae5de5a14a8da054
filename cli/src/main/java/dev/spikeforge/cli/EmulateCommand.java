package dev.spikeforge.cli;

import dev.spikeforge.pipeline.Emulation;
import dev.spikeforge.pipeline.Folders;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.report.FolderReports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge emulate DIR --model MODEL}: runs a compiled folder on its target's emulator,
 * which reads only the folder's files, with the same input spikes as every other engine (the
 * model's evaluation spikes of the first N test samples).
 */
@Command(name = "emulate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run a compiled target folder (written by spikeforge compile) on its target's emulator, which",
                "reads only the folder's files. Reports accuracy, cycles per step and per inference, time at the",
                "clock, the target's counters and per-layer figures, its limits and energy per inference.",
                "--trace writes a VCD of chosen neurons for GTKWave where the target can."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable or damaged folder,",
                "model or dataset, or a folder that does not belong to the model."})
final class EmulateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The compiled folder (OUT/neurocore-NAME, OUT/fpga-...).")
    Path dir;

    @Option(names = "--model", required = true, paramLabel = "MODEL.snn",
            description = "The model the folder was compiled from: its dataset, input encoding and seed give the"
                    + " input spikes.")
    Path modelFile;

    @Option(names = "--samples", paramLabel = "N", description = "Emulate the first N test samples (default: all).")
    Integer samples;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    @Option(names = "--threads", paramLabel = "N", description = "Samples emulated in parallel (default: all cores).")
    Integer threads;

    @Option(names = "--trace", paramLabel = "FILE.vcd", description = "Write a VCD of the --trace-neurons.")
    Path trace;

    @Option(names = "--trace-neurons", paramLabel = "LAYER:INDEX,...",
            description = "Neurons to trace: a layer's name, node or index, and a flat neuron index.")
    String traceNeurons;

    @Option(names = "--trace-sample", paramLabel = "K", defaultValue = "0",
            description = "Which of the emulated samples to trace (default: ${DEFAULT-VALUE}, the first).")
    int traceSample;

    @Option(names = "--trace-time", paramLabel = "steps|cycles", defaultValue = "steps",
            description = "One VCD time unit is one step, or one clock cycle (default: ${DEFAULT-VALUE}).")
    String traceTime;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (samples != null && samples < 1 || threads != null && threads < 1 || traceSample < 0
                || !traceTime.equals("steps") && !traceTime.equals("cycles")) {
            return Cli.usage(spec, "--samples and --threads take a number of at least 1, --trace-sample a"
                    + " sample index, --trace-time steps or cycles");
        }
        if ((trace == null) != (traceNeurons == null)) {
            return Cli.usage(spec, "--trace FILE.vcd and --trace-neurons LAYER:INDEX,... go together");
        }
        try {
            Pipeline p = Cli.pipeline(spec, DataOptions.of(dataDir, threads));
            var folder = p.read(dir);
            var model = p.load(modelFile);
            Emulation e = Folders.emulate(p, folder, model, samples, trace, traceNeurons, traceSample,
                    traceTime.equals("cycles"));
            if (json) {
                Cli.print(spec, FolderReports.emulationJson(e));
            } else {
                Cli.print(spec, FolderReports.emulation(e));
            }
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
