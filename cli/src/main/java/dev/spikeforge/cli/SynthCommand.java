package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.targets.fpga.FpgaDesign;
import dev.spikeforge.targets.fpga.FpgaDevices;
import dev.spikeforge.targets.fpga.FpgaFolder;
import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.fpga.RtlSimulator;
import dev.spikeforge.targets.fpga.Synthesis;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge synth DIR}: yosys resources per layer engine and in total, and whether they fit the device. */
@Command(name = "synth",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Synthesise an fpga folder with yosys (synth_xilinx for xc7, synth_ice40 for ice40, generic",
                "synth otherwise) and report LUTs, flip-flops, block RAMs and DSPs per layer engine and in total,",
                "and whether the design fits the device. The total leaves out the trace ports, which only the test",
                "benches use. iCE40 designs that fit are placed and routed with nextpnr-ice40 for Fmax."},
        footer = {"", "Exit codes: 0 fits (or generic), 1 does not fit, 2 usage error, 3 unreadable folder or a tool",
                "that is missing or failed."})
final class SynthCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The fpga folder (OUT/fpga-FAMILY-pLANES).")
    Path dir;

    @Option(names = "--device", paramLabel = "PART", description = "Check against this part instead of the folder's.")
    String device;

    @Option(names = "--no-pnr", description = "Skip place and route (iCE40).")
    boolean noPnr;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (device != null && !FpgaDevices.known(device)) {
            err.println("spikeforge synth: --device " + device + " is not in the device table; known: "
                    + String.join(", ", FpgaDevices.names()));
            return ExitCodes.USAGE;
        }
        FpgaDesign d;
        try {
            d = FpgaFolder.read(dir);
        } catch (FpgaFolderException e) {
            err.println("spikeforge synth: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        err.println("spikeforge synth: running yosys (a few minutes for a LeNet5-sized design)...");
        err.flush();
        Synthesis.Report r;
        try {
            r = Synthesis.run(dir, d, device, !noPnr);
        } catch (RtlSimulator.RtlSimException e) {
            err.println("spikeforge synth: error: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", "spikeforge.synth/1");
            doc.put("folder", dir.toString());
            doc.put("family", r.family());
            doc.put("device", r.device() == null ? null : r.device().name());
            ArrayNode rows = doc.putArray("modules");
            for (Synthesis.Resources m : r.perModule()) {
                row(rows.addObject(), m);
            }
            row(doc.putObject("total"), r.total());
            doc.put("fits", r.fits());
            ArrayNode over = doc.putArray("over_limits");
            r.overLimits().forEach(over::add);
            if (!Double.isNaN(r.fmaxMhz())) {
                doc.put("fmax_mhz", r.fmaxMhz());
            }
            doc.put("nextpnr", r.nextpnrNote());
            doc.put("seconds", r.seconds());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s, yosys %s flow (%.0f s; log %s)%n", d.top(), r.family(), r.seconds(), r.log());
            out.printf(Locale.ROOT, "%-22s %9s %9s %7s %6s %8s %8s%n", "module", "LUTs", "FFs", "BRAMs", "DSPs", "carries", "LUTRAM");
            for (Synthesis.Resources m : r.perModule()) {
                print(out, m);
            }
            print(out, r.total());
            out.println("(per-module rows include each engine's trace ports and the top's trace multiplexers; the total"
                    + " is the flattened design without them. BRAMs in 36 kbit (xc7) or 4 kbit (ice40) blocks)");
            if (r.device() != null) {
                FpgaDevices.Device dev = r.device();
                out.printf(Locale.ROOT, "%s: %d LUTs, %d FFs, %d BRAMs, %d DSPs (%s)%n", dev.name(), dev.luts(), dev.flipFlops(),
                        dev.brams(), dev.dsps(), dev.source());
                out.println(r.fits() ? "FITS " + dev.name() : "DOES NOT FIT " + dev.name() + ": " + String.join("; ", r.overLimits()));
            }
            if (!Double.isNaN(r.fmaxMhz())) {
                out.printf(Locale.ROOT, "nextpnr-ice40: Fmax %.1f MHz%n", r.fmaxMhz());
            } else if (r.nextpnrNote() != null) {
                out.println("nextpnr-ice40: " + r.nextpnrNote());
            }
        }
        out.flush();
        return r.device() == null || r.fits() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private static void row(ObjectNode o, Synthesis.Resources m) {
        o.put("module", m.name());
        o.put("luts", m.luts());
        o.put("flip_flops", m.flipFlops());
        o.put("brams", m.brams());
        o.put("dsps", m.dsps());
        o.put("carries", m.carries());
        o.put("lutram", m.lutRam());
        o.put("cells", m.cells());
    }

    private static void print(PrintWriter out, Synthesis.Resources m) {
        out.printf(Locale.ROOT, "%-22s %9d %9d %7d %6d %8d %8d%n", m.name(), m.luts(), m.flipFlops(), m.brams(), m.dsps(),
                m.carries(), m.lutRam());
    }
}
