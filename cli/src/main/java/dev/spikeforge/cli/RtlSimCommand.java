package dev.spikeforge.cli;

import dev.spikeforge.pipeline.Folders;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.RtlComparison;
import dev.spikeforge.pipeline.report.FolderReports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge rtl-sim DIR --model MODEL}: simulates a folder's RTL on the model's evaluation
 * spikes and requires it to equal the folder's emulator exactly (docs/semantics.md section 5.2),
 * with both simulators' speeds side by side.
 */
@Command(name = "rtl-sim",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Simulate a compiled folder's RTL (written by spikeforge compile for a target with a hardware",
                "description) on the first N test samples and compare it with the folder's emulator: every output spike",
                "and its cycle, every membrane at the end of every step, the cycles of every step, the readout.",
                "Verilator builds a C++ model once per folder (kept in DIR/sim-verilator); Icarus runs the",
                "4-state test bench, where an undefined value would show."},
        footer = {"", "Exit codes: 0 equal, 1 a difference, 2 usage error, 3 unreadable folder, model or dataset,",
                "or a simulator that is missing or failed."})
final class RtlSimCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The compiled folder (OUT/fpga-FAMILY-pLANES).")
    Path dir;

    @Option(names = "--model", required = true, paramLabel = "MODEL.snn",
            description = "The model the folder was compiled from: its dataset, input encoding and seed give the input spikes.")
    Path modelFile;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "10",
            description = "Simulate the first N test samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--simulator", paramLabel = "verilator|iverilog", defaultValue = "verilator",
            description = "Verilator (fast, 2-state) or Icarus Verilog (4-state) (default: ${DEFAULT-VALUE}).")
    String simulator;

    @Option(names = "--vcd", paramLabel = "FILE", description = "Keep the waveforms of the whole run in FILE.")
    Path vcd;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    @Option(names = "--speed", description = {"Also time both without recording: the emulator keeps no membranes and",
            "the simulation writes no trace (only cycles and readouts), for a side-by-side speed figure."})
    boolean speed;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (samples < 1) {
            return Cli.usage(spec, "--samples takes a number of at least 1");
        }
        try {
            Pipeline p = Cli.pipeline(spec, DataOptions.of(dataDir, null));
            var folder = p.read(dir);
            RtlComparison r = Folders.rtl(p, folder, p.load(modelFile), samples, simulator, vcd, speed);
            if (json) {
                Cli.print(spec, FolderReports.rtlJson(r, dir));
            } else {
                Cli.print(spec, FolderReports.rtl(r, vcd));
            }
            return r.run().first() == null ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
