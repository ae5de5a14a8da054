package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.targets.fpga.FpgaDesign;
import dev.spikeforge.targets.fpga.FpgaEmulator;
import dev.spikeforge.targets.fpga.FpgaFolder;
import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.fpga.RtlSimulator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge rtl-sim DIR --model MODEL}: builds and runs the generated Verilog of an fpga
 * folder in Verilator or Icarus on the model's evaluation spikes, runs the FPGA emulator on the same
 * spikes, and requires them to agree exactly (SEMANTICS.md section 5, comparison 2). Also reports the
 * simulated cycles per second of each, side by side.
 */
@Command(name = "rtl-sim",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Simulate an fpga folder (written by spikeforge compile with a target fpga(...)) in an RTL",
                "simulator on the first N test samples and compare it with the FPGA emulator: every output spike",
                "and its cycle, every membrane at the end of every step, the cycles of every step, the readout.",
                "Verilator builds a C++ model once per folder (kept in DIR/sim-verilator); Icarus runs the",
                "4-state test bench, where an undefined value would show."},
        footer = {"", "Exit codes: 0 equal, 1 a difference, 2 usage error, 3 unreadable folder, model or dataset,",
                "or a simulator that is missing or failed."})
final class RtlSimCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The fpga folder (OUT/fpga-FAMILY-pLANES).")
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
            "Verilator writes no trace (only cycles and readouts), for a side-by-side speed figure."})
    boolean speed;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RtlSimulator.Tool tool;
        try {
            tool = RtlSimulator.Tool.parse(simulator);
        } catch (IllegalArgumentException e) {
            err.println("spikeforge rtl-sim: --simulator: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (samples < 1) {
            err.println("spikeforge rtl-sim: --samples takes a number of at least 1");
            return ExitCodes.USAGE;
        }
        FpgaDesign d;
        try {
            d = FpgaFolder.read(dir);
        } catch (FpgaFolderException e) {
            err.println("spikeforge rtl-sim: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        RunSetup.Prepared p = EmulateCommand.prepareForFolder("rtl-sim", dir, modelFile, dataDir,
                (long) d.inputShape()[0] * d.inputShape()[1] * d.inputShape()[2], d.timesteps(), d.encoding(), err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        Network net = p.network();
        ImageDataset test = p.data().test();
        int n = Math.min(samples, test.count());
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        int[][] inputs = EmulateCommand.inputs(net, test, idx, p.train().seed());

        FpgaEmulator emulator = new FpgaEmulator(d);
        List<FpgaEmulator.Sample> want = new ArrayList<>();
        long e0 = System.nanoTime();
        for (int[] in : inputs) {
            want.add(emulator.run(in, true));
        }
        double emuSeconds = (System.nanoTime() - e0) / 1e9;
        RtlSimulator.Result got;
        try {
            got = RtlSimulator.run(dir, d, inputs, tool, vcd);
        } catch (RtlSimulator.RtlSimException e) {
            err.println("spikeforge rtl-sim: error: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        double emuFast = Double.NaN;
        double rtlFast = Double.NaN;
        long cyclesAll = want.stream().mapToLong(FpgaEmulator.Sample::cycles).sum();
        if (speed) {
            long f0 = System.nanoTime();
            for (int[] in : inputs) {
                emulator.run(in, false);
            }
            emuFast = cyclesAll / Math.max(1e-9, (System.nanoTime() - f0) / 1e9);
            try {
                RtlSimulator.Result quiet = RtlSimulator.run(dir, d, inputs, tool, null, false);
                rtlFast = cyclesAll / Math.max(1e-9, quiet.runSeconds());
            } catch (RtlSimulator.RtlSimException e) {
                err.println("spikeforge rtl-sim: error: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            }
        }
        String name = tool.name().toLowerCase(Locale.ROOT);
        String diff = RtlSimulator.firstDifference(d, want, got.samples(), "emulator", name);
        long cycles = want.stream().mapToLong(FpgaEmulator.Sample::cycles).sum();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += IntegerSimulator.argmax(got.samples().get(i).readout()) == test.label(i) ? 1 : 0;
        }
        double emuRate = cycles / Math.max(1e-9, emuSeconds);
        double rtlRate = cycles / Math.max(1e-9, got.runSeconds());
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", "spikeforge.rtl-sim/1");
            doc.put("folder", dir.toString());
            doc.put("simulator", name);
            doc.put("samples", n);
            doc.put("equal", diff == null);
            doc.put("first_difference", diff);
            doc.put("cycles", cycles);
            doc.put("accuracy", correct / (double) n);
            doc.put("emulator_seconds", emuSeconds);
            doc.put("emulator_cycles_per_second", emuRate);
            doc.put("rtl_build_seconds", got.buildSeconds());
            doc.put("rtl_seconds", got.runSeconds());
            doc.put("rtl_cycles_per_second", rtlRate);
            if (speed) {
                doc.put("emulator_cycles_per_second_no_recording", emuFast);
                doc.put("rtl_cycles_per_second_no_trace", rtlFast);
            }
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s: %d samples, %,d cycles (%.0f per inference), accuracy %.2f%%%n", d.top(), n, cycles,
                    cycles / (double) n, 100.0 * correct / n);
            out.printf(Locale.ROOT, "emulator:  %8.2f s, %.3g cycles/s (one thread, every membrane recorded)%n", emuSeconds, emuRate);
            out.printf(Locale.ROOT, "%-9s  %8.2f s, %.3g cycles/s (build %.1f s, trace written and read back)%n", name + ":",
                    got.runSeconds(), rtlRate, got.buildSeconds());
            if (speed) {
                out.printf(Locale.ROOT, "without recording: emulator %.3g cycles/s, %s %.3g cycles/s (%s)%n", emuFast, name,
                        rtlFast, tool == RtlSimulator.Tool.VERILATOR ? "no trace written" : "the test bench always traces");
            }
            out.println(diff == null ? "EQUAL: every spike and its cycle, every membrane at the end of every step, the cycles"
                    + " of every step and the readout" : "DIFFERENT: " + diff);
            if (vcd != null) {
                out.println("wrote " + vcd);
            }
        }
        out.flush();
        return diff == null ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
