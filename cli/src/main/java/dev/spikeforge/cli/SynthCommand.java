package dev.spikeforge.cli;

import dev.spikeforge.compiler.target.HardwareSynthesis;
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

/** {@code spikeforge synth DIR}: resources per module and in total, and whether they fit the device. */
@Command(name = "synth",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Synthesise a compiled folder's hardware description (yosys: synth_xilinx for xc7, synth_ice40",
                "for ice40, generic synth otherwise) and report LUTs, flip-flops, block RAMs and DSPs per module and",
                "in total, and whether the design fits the device. iCE40 designs that fit are placed and routed with",
                "nextpnr-ice40 for a measured Fmax; xc7 designs that fit get an Fmax ESTIMATED from yosys sta (logic",
                "delay x 2 for routing, no place and route; docs/targets.md). Later latencies use either, labelled."},
        footer = {"", "Exit codes: 0 fits (or no device), 1 does not fit, 2 usage error, 3 unreadable folder or a tool",
                "that is missing or failed."})
final class SynthCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The compiled folder (OUT/fpga-FAMILY-pLANES).")
    Path dir;

    @Option(names = "--device", paramLabel = "PART", description = "Check against this part instead of the folder's.")
    String device;

    @Option(names = "--no-pnr", description = "Skip place and route (iCE40; the xc7 estimate always runs).")
    boolean noPnr;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Pipeline p = Cli.pipeline(spec, null);
            var folder = p.read(dir);
            spec.commandLine().getErr().println("spikeforge synth: synthesising (a few minutes for a LeNet5-sized design)...");
            spec.commandLine().getErr().flush();
            HardwareSynthesis.Report r = Folders.synthesise(folder, device, !noPnr);
            if (json) {
                Cli.print(spec, FolderReports.synthesisJson(r, dir));
            } else {
                Cli.print(spec, FolderReports.synthesis(r));
            }
            return r.device() == null || r.fits() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
