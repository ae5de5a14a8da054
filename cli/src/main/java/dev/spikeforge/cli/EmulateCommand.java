package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import dev.spikeforge.targets.neurocore.emulator.Vcd;
import java.io.IOException;
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
 * {@code spikeforge emulate DIR --model MODEL}: runs a neurocore mapping folder on the emulated
 * chip, core by core through its routing tables, with the same input spikes as every other engine
 * (the model's evaluation spikes of the first N test samples), and reports accuracy, cycles, load,
 * spike-limit violations and energy.
 */
@Command(name = "emulate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run a neurocore mapping folder (written by spikeforge compile --target NAME) on the",
                "cycle-accurate emulator: every core computes its own neurons from its own synapse image and",
                "every spike travels only along the routing tables. Reports accuracy, cycles per step and per",
                "inference, time at the clock, per-layer slowest core and utilisation, spikes-per-step limit",
                "violations and energy per inference. --trace writes a VCD of chosen neurons for GTKWave.",
                "An fpga folder (written for target fpga(...)) runs on the FPGA emulator: accuracy, cycles per",
                "step and per inference, spikes per layer; its waveforms come from spikeforge rtl-sim --vcd."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable or damaged mapping folder,",
                "model or dataset, or a mapping that does not belong to the model."})
final class EmulateCommand implements Callable<Integer> {

    private static final int BATCH = 32;

    @Parameters(index = "0", paramLabel = "DIR", description = "The mapping folder (OUT/neurocore-NAME) or fpga folder (OUT/fpga-...).")
    Path dir;

    @Option(names = "--model", required = true, paramLabel = "MODEL.snn",
            description = "The model the mapping was compiled from: its dataset, input encoding and seed give the"
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
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (samples != null && samples < 1 || threads != null && threads < 1 || traceSample < 0
                || !traceTime.equals("steps") && !traceTime.equals("cycles")) {
            err.println("spikeforge emulate: --samples and --threads take a number of at least 1, --trace-sample a"
                    + " sample index, --trace-time steps or cycles");
            return ExitCodes.USAGE;
        }
        if ((trace == null) != (traceNeurons == null)) {
            err.println("spikeforge emulate: --trace FILE.vcd and --trace-neurons LAYER:INDEX,... go together");
            return ExitCodes.USAGE;
        }
        if (java.nio.file.Files.exists(dir.resolve("fpga.json"))) {
            if (trace != null) {
                err.println("spikeforge emulate: --trace is for neurocore folders; for an fpga folder use"
                        + " spikeforge rtl-sim DIR --model MODEL --vcd FILE");
                return ExitCodes.USAGE;
            }
            return FpgaEmulation.run(dir, modelFile, samples, dataDir, threads, json, out, err);
        }
        Mapping m;
        try {
            m = MappingFiles.read(dir);
        } catch (MappingFileException e) {
            err.println("spikeforge emulate: error: " + e.getMessage());
            return ExitCodes.INPUT_ERROR;
        }
        List<Vcd.Probe> probes = List.of();
        if (traceNeurons != null) {
            try {
                probes = Vcd.Probe.parse(traceNeurons, m);
            } catch (IllegalArgumentException e) {
                err.println("spikeforge emulate: --trace-neurons: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        RunSetup.Prepared p = prepareForFolder("emulate", dir, modelFile, dataDir, m.input().size(), m.timesteps(),
                m.input().encoding(), err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        Network net = p.network();
        if (!net.name().equals(m.model())) {
            err.println("spikeforge emulate: warning: the mapping was compiled from model '" + m.model()
                    + "' but --model is '" + net.name() + "'");
        }
        ImageDataset test = p.data().test();
        int n = samples == null ? test.count() : Math.min(samples, test.count());
        if (trace != null && traceSample >= n) {
            err.println("spikeforge emulate: --trace-sample " + traceSample + " is not among the " + n
                    + " samples emulated");
            return ExitCodes.USAGE;
        }
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        NeurocoreEmulator emu = new NeurocoreEmulator(m);
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        long start = System.nanoTime();
        List<EmulatedSample> results = new ArrayList<>(n);
        int correct = 0;
        int[] traced = null;
        for (int from = 0; from < n; from += BATCH) {
            int b = Math.min(BATCH, n - from);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) {
                idx[i] = from + i;
            }
            int[][] inputs = inputs(net, test, idx, p.train().seed());
            List<EmulatedSample> part = emu.run(inputs, workers);
            for (int i = 0; i < b; i++) {
                correct += part.get(i).prediction() == test.label(idx[i]) ? 1 : 0;
                if (trace != null && idx[i] == traceSample) {
                    traced = inputs[i];
                }
            }
            results.addAll(part);
            double elapsed = (System.nanoTime() - start) / 1e9;
            progress.update("emulate", from + b, n, String.format(Locale.ROOT, "%.1f samples/s",
                    (from + b) / elapsed), (from + b) / elapsed);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        EmulationSummary summary = EmulationSummary.of(m, results);
        double accuracy = correct / (double) Math.max(1, n);
        if (trace != null) {
            EmulatedSample recorded = emu.run(traced, true);
            try {
                Vcd.write(trace, m, recorded, probes, traceTime.equals("steps") ? Vcd.TimeAxis.STEPS
                        : Vcd.TimeAxis.CYCLES, "test sample " + traceSample + ", label " + test.label(traceSample)
                        + ", predicted " + recorded.prediction());
            } catch (IOException e) {
                err.println("spikeforge emulate: error: " + trace + ": cannot write the trace: " + ModelFiles.readError(e));
                return ExitCodes.INPUT_ERROR;
            }
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(toJson(m, summary, accuracy, seconds, workers)));
        } else {
            print(out, m, summary, accuracy, seconds, workers);
            if (trace != null) {
                out.println("wrote " + trace + ": " + probes.size() + " neurons of test sample " + traceSample
                        + ", 1 time unit = 1 " + (traceTime.equals("steps") ? "step" : "clock cycle"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Why the model cannot supply this mapping's inputs, or null. */
    /**
     * The model and data that supply a compiled folder's inputs: the model's dataset, read with
     * {@code dataDir} when given; an error (printed) when the model does not fit the folder.
     */
    static RunSetup.Prepared prepareForFolder(String command, Path dir, Path modelFile, Path dataDir, long inputSize,
                                              int timesteps, String encoding, PrintWriter err) {
        DataOptions options = new DataOptions();
        options.dataDir = dataDir;
        RunSetup.Prepared p = RunSetup.prepare(command, modelFile, options, err);
        if (p.exitCode() != ExitCodes.OK) {
            return p;
        }
        String mismatch = mismatch(p.network(), inputSize, timesteps, encoding);
        if (mismatch != null) {
            err.println("spikeforge " + command + ": error: " + dir + ": " + mismatch + "; pass with --model the model the"
                    + " folder was compiled from, or compile it again with spikeforge compile MODEL");
            return new RunSetup.Prepared(p.loaded(), p.data(), ExitCodes.INPUT_ERROR);
        }
        return p;
    }

    /** Why the model cannot supply the inputs of a compiled folder (input size, T, encoding), or null. */
    static String mismatch(Network net, long inputSize, int timesteps, String encoding) {
        long size = net.input().shape().size();
        if (size != inputSize) {
            return "the folder takes " + inputSize + " input values but model '" + net.name() + "' has " + size;
        }
        if (net.timesteps() != timesteps) {
            return "the folder runs T = " + timesteps + " steps but model '" + net.name() + "' has T = "
                    + net.timesteps();
        }
        Encoding.Kind kind = net.input().encoding().kind();
        if (kind == Encoding.Kind.EVENTS) {
            return "model '" + net.name() + "' takes recorded events, which the emulators cannot read yet";
        }
        if (!kind.keyword().equals(encoding)) {
            return "the folder expects " + encoding + " input but model '" + net.name() + "' encodes " + kind.keyword();
        }
        return null;
    }

    /** The evaluation spikes of samples {@code idx} as the integer engines take them (see FloatIntegerComparison). */
    static int[][] inputs(Network net, ImageDataset test, int[] idx, long seed) {
        float[] spikes = InputEncoder.encode(net, test, idx, seed);
        int b = idx.length;
        int n = test.sampleSize();
        int steps = net.timesteps();
        boolean direct = net.input().encoding().kind() == Encoding.Kind.DIRECT;
        int[][] ints = new int[b][steps * n];
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < n; i++) {
                    float v = spikes[(t * b + s) * n + i];
                    ints[s][t * n + i] = direct ? Math.round(v * 255f) : (int) v;
                }
            }
        }
        return ints;
    }

    private static void print(PrintWriter out, Mapping m, EmulationSummary s, double accuracy, double seconds,
                              int workers) {
        Mapping.Figures f = m.target();
        out.printf(Locale.ROOT, "model %s on %s: %d cores, %d test samples, T = %d%n", m.model(), f.name(),
                m.cores().size(), s.samples(), m.timesteps());
        out.printf(Locale.ROOT, "accuracy            %6.2f%%%n", 100 * accuracy);
        out.printf(Locale.ROOT, "cycles per step     mean %.1f, max %d%n", s.meanStepCycles(), s.maxStepCycles());
        out.printf(Locale.ROOT, "cycles per inference  mean %.1f, max %d%n", s.meanCycles(), s.maxCycles());
        out.printf(Locale.ROOT, "time per inference  %s at %s MHz (%.0f inferences/s)%n", seconds(s.meanSeconds()),
                trim(f.clockMhz()), s.meanSeconds() > 0 ? 1 / s.meanSeconds() : 0.0);
        out.printf(Locale.ROOT, "events per inference  %.4g synaptic ops, %.4g neuron updates, %.4g packets,"
                + " %.4g hops%n", s.meanSynapticOps(), s.meanNeuronUpdates(), s.meanPackets(), s.meanHops());
        out.println("layer         cores  slowest core  its utilisation  mean utilisation  cycles/inference");
        for (EmulationSummary.LayerLoad l : s.layers()) {
            out.printf(Locale.ROOT, "%-12s %6d  %12d  %14.1f%%  %15.1f%%  %16.1f%n", l.name(), l.cores(),
                    l.slowestCore(), 100 * l.slowestUtilisation(), 100 * l.meanUtilisation(), l.meanCycles());
        }
        EmulationSummary.SpikeLimitTotals lim = s.spikeLimit();
        if (lim.limit() == 0) {
            out.println("spike limit         none (max_spikes_per_core_per_step = 0)");
        } else if (lim.violations() == 0) {
            out.printf(Locale.ROOT, "spike limit         %d per core per step: never exceeded%n", lim.limit());
        } else {
            out.printf(Locale.ROOT, "spike limit         %d per core per step: EXCEEDED %d times in %d samples; worst:"
                    + " core %d sent %d spikes in step %d of sample %d (too many spikes: the chip would drop or"
                    + " delay them)%n", lim.limit(), lim.violations(), lim.samples(), lim.worstCore(),
                    lim.worstSpikes(), lim.worstStep(), lim.worstSample());
        }
        EmulatedSample.Energy e = s.meanEnergy();
        out.printf(Locale.ROOT, "energy per inference  synaptic %s, neuron %s, routing %s, static %s, total %s%n",
                joules(e.synapticJ()), joules(e.neuronJ()), joules(e.routingJ()), joules(e.staticJ()),
                joules(e.totalJ()));
        out.printf(Locale.ROOT, "emulator: %.1f s on %d threads (%.1f samples/s)%n", seconds, workers,
                s.samples() / Math.max(1e-9, seconds));
    }

    private static ObjectNode toJson(Mapping m, EmulationSummary s, double accuracy, double seconds, int workers) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.emulate/1");
        doc.put("model", m.model());
        doc.put("target", m.target().name());
        doc.put("mapping", m.dir().toString());
        doc.put("cores", m.cores().size());
        doc.put("timesteps", m.timesteps());
        doc.put("samples", s.samples());
        doc.put("accuracy", accuracy);
        doc.put("clock_mhz", m.target().clockMhz());
        doc.put("cycles_per_step_mean", s.meanStepCycles());
        doc.put("cycles_per_step_max", s.maxStepCycles());
        doc.put("cycles_per_inference_mean", s.meanCycles());
        doc.put("cycles_per_inference_max", s.maxCycles());
        doc.put("seconds_per_inference", s.meanSeconds());
        doc.put("synaptic_ops_per_inference", s.meanSynapticOps());
        doc.put("neuron_updates_per_inference", s.meanNeuronUpdates());
        doc.put("packets_per_inference", s.meanPackets());
        doc.put("hops_per_inference", s.meanHops());
        ArrayNode layers = doc.putArray("layers");
        for (EmulationSummary.LayerLoad l : s.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", l.name());
            o.put("cores", l.cores());
            o.put("slowest_core", l.slowestCore());
            o.put("slowest_core_utilisation", l.slowestUtilisation());
            o.put("mean_utilisation", l.meanUtilisation());
            o.put("cycles_per_inference", l.meanCycles());
        }
        ArrayNode util = doc.putArray("core_utilisation");
        for (double u : s.coreUtilisation()) {
            util.add(u);
        }
        EmulationSummary.SpikeLimitTotals lim = s.spikeLimit();
        ObjectNode limit = doc.putObject("spike_limit");
        limit.put("max_spikes_per_core_per_step", lim.limit());
        limit.put("violations", lim.violations());
        limit.put("samples_with_violations", lim.samples());
        if (lim.violations() > 0) {
            limit.put("worst_sample", lim.worstSample());
            limit.put("worst_core", lim.worstCore());
            limit.put("worst_step", lim.worstStep());
            limit.put("worst_spikes", lim.worstSpikes());
        }
        EmulatedSample.Energy e = s.meanEnergy();
        ObjectNode energy = doc.putObject("energy_per_inference_j");
        energy.put("synaptic", e.synapticJ());
        energy.put("neuron", e.neuronJ());
        energy.put("routing", e.routingJ());
        energy.put("static", e.staticJ());
        energy.put("total", e.totalJ());
        doc.put("emulator_seconds", seconds);
        doc.put("emulator_threads", workers);
        return doc;
    }

    static String joules(double j) {
        return engineering(j, "J");
    }

    static String seconds(double s) {
        return engineering(s, "s");
    }

    /** 3 significant digits with p, n, u, m prefixes. */
    private static String engineering(double v, String unit) {
        String[] prefix = {"p", "n", "u", "m", ""};
        double scaled = v * 1e12;
        int i = 0;
        while (i < prefix.length - 1 && Math.abs(scaled) >= 1000) {
            scaled /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.3g %s%s", scaled, prefix[i], unit);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
