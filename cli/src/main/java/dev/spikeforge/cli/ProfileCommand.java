package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.summary.LayerRow;
import dev.spikeforge.compiler.summary.NetworkSummary;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import dev.spikeforge.targets.fpga.RtlSimulator;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge profile MODEL --checkpoint C}: counters of the float and integer models per
 * layer (spikes, firing rate, synaptic operations, neuron updates, dense-equivalent MACs), the
 * 45 nm energy estimates, and per deploy target the emulator's cycles, latency, throughput and
 * (neurocore) energy from the chip's figures. docs/profiling.md explains every figure.
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
            "a neurocore preset or spec file, or e.g. 'fpga(lanes = 16, family = xc7)'. Repeatable."})
    List<String> targets;

    @Option(names = "--no-targets", description = "Profile the software models only.")
    boolean noTargets;

    @Option(names = "--fpga-clock-mhz", paramLabel = "F", defaultValue = "100",
            description = "The clock an fpga design's latency is stated at (an assumption, not a timing result; default: ${DEFAULT-VALUE}).")
    double fpgaClockMhz;

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

    /** One target's figures per inference. */
    record TargetProfile(String target, String kind, Path folder, long exact, int samples, double cycles, double seconds,
                         String clock, EmulatedSample.Energy energy, double synapticOps, double neuronUpdates, double hops,
                         List<EmulationSummary.LayerLoad> layers) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (samples < 1 || !(fpgaClockMhz > 0) || !(inputRate >= 0) || sample < 0 || sample >= samples) {
            err.println("spikeforge profile: --samples takes a number of at least 1, --fpga-clock-mhz a positive clock,"
                    + " --input-rate a rate of at least 0, --sample one of the profiled samples (0 to --samples - 1)");
            return ExitCodes.USAGE;
        }
        RunSetup.Prepared p = RunSetup.prepare("profile", modelFile, data, err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        QuantOptionsMixin.Quantised q = quant.quantise("profile", p.loaded(), false, err);
        if (q.exitCode() != ExitCodes.OK) {
            return q.exitCode();
        }
        Network net = p.network();
        QuantizedNetwork qn = q.result().network();
        ImageDataset test = p.data().test();
        int n = Math.min(samples, test.count());
        int threads = data.threads != null ? data.threads : Runtime.getRuntime().availableProcessors();
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        FloatModel floatModel = new FloatModel(net, q.checkpoint().parameters());
        FloatIntegerComparison.Result r = FloatIntegerComparison.run(net, floatModel, qn, test, n, p.train().seed(), 32,
                threads, done -> progress.update("profile", done, n, "float and integer models", 0));
        // the integer model's input spikes, for the targets and the report
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        int[][] inputs = EmulateCommand.inputs(net, test, idx, p.train().seed());
        NetworkSummary summary = NetworkSummary.of(net);
        List<Row> rows = rows(qn, r, summary, n);

        List<TargetProfile> profiled = new ArrayList<>();
        List<DeploySpec.TargetRequest> requests = noTargets ? List.of()
                : targets != null ? Targets.requests(net, targets) : net.deploy().map(DeploySpec::targets).orElse(List.of());
        Path folder = out != null ? out : Path.of(net.name() + "-compiled");
        for (DeploySpec.TargetRequest request : requests) {
            TargetFamily family = TargetFamily.named(request.family());
            if (family == null) {
                continue;
            }
            // each target's integer model uses its own shift rounding, as compile does
            QuantizedNetwork qt = qn;
            boolean towardZero = family.shiftTowardZero(request, Targets.modelDir(p.loaded()));
            if (towardZero != qn.numerics().shiftTowardZero()) {
                Quantizer.Result rq = Quantizer.quantize(net, q.checkpoint().parameters().tensors(),
                        quant.options(net).withShiftTowardZero(towardZero));
                if (!rq.ok()) {
                    err.print(DiagnosticRenderer.render(p.loaded().compilation().source(), rq.diagnostics()));
                    return ExitCodes.CHECK_FAILED;
                }
                qt = rq.network();
            }
            try {
                EmulatorCheck.Result e = EmulatorCheck.run(qt, request, Targets.modelDir(p.loaded()), n,
                        (from, count) -> java.util.Arrays.copyOfRange(inputs, from, from + count), threads, folder, null);
                if (e.summary() != null) {
                    EmulationSummary m = e.summary();
                    profiled.add(new TargetProfile(e.target(), "neurocore", e.folder(), e.exact(), n, m.meanCycles(),
                            m.meanSeconds(), "the chip's clock", m.meanEnergy(), m.meanSynapticOps(), m.meanNeuronUpdates(),
                            m.meanHops(), m.layers()));
                } else {
                    double cycles = e.fpga().meanCycles();
                    profiled.add(new TargetProfile(e.target(), "fpga", e.folder(), e.exact(), n, cycles,
                            cycles / (fpgaClockMhz * 1e6), String.format(Locale.ROOT, "%.0f MHz (assumed)", fpgaClockMhz), null,
                            Double.NaN, Double.NaN, Double.NaN, List.of()));
                }
            } catch (TargetException e) {
                if (!e.diagnostics().isEmpty()) {
                    err.print(DiagnosticRenderer.render(p.loaded().compilation().source(), e.diagnostics()));
                } else {
                    err.println("spikeforge profile: error: " + e.getMessage());
                }
                err.flush();
                return ExitCodes.CHECK_FAILED;
            } catch (MappingFileException | RtlSimulator.RtlSimException e) {
                err.println("spikeforge profile: error: " + e.getMessage());
                return ExitCodes.INPUT_ERROR;
            } catch (FileProblemException e) {
                err.println("spikeforge profile: error: " + e.oneLine());
                return ExitCodes.INPUT_ERROR;
            }
        }
        if (html != null) {
            List<int[]> trace;
            try {
                trace = traceNeurons == null ? List.of() : parseNeurons(traceNeurons, qn);
            } catch (IllegalArgumentException e) {
                err.println("spikeforge profile: --trace-neurons: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = test.label(i);
            }
            ProfileReport.Data d = ProfileReport.gather(qn, inputs, labels, threads, sample, trace);
            java.util.Map<String, byte[]> plots = ProfileReport.plots(qn, d, rows, profiled, accuracyVsSteps);
            StringWriter text = new StringWriter();
            print(new PrintWriter(text), net, r, rows, profiled);
            List<String> lines = text.toString().lines().toList();
            List<String[]> table = new ArrayList<>();
            table.add(new String[] {"layer", "neurons", "spikes float", "spikes int", "firing rate", "synaptic ops",
                    "neuron updates", "ANN MACs"});
            for (Row x : rows) {
                table.add(new String[] {x.layer(), String.valueOf(x.neurons()), fmt(x.floatSpikes()), fmt(x.integerSpikes()),
                        String.format(Locale.ROOT, "%.4f", x.firingRate()), fmt(x.synapticOps()), fmt(x.neuronUpdates()),
                        fmt(x.macs())});
            }
            List<String> energyLines = lines.stream().filter(l -> l.startsWith("  compute only") || l.startsWith("  with SRAM"))
                    .map(String::trim).toList();
            List<String> targetLines = lines.stream().filter(l -> profiled.stream().anyMatch(t -> l.startsWith(t.target() + ":"))
                    || l.startsWith("  energy") || l.startsWith("  counters") || l.startsWith("  synaptic + neuron"))
                    .map(String::trim).toList();
            Path page = ProfileReport.write(html, net.name(), lines.get(0), table, energyLines, targetLines, plots);
            err.println("spikeforge profile: wrote " + page + " and " + plots.size() + " plots");
        }
        if (json) {
            stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                    toJson(net, r, rows, profiled)));
        } else {
            print(stdout, net, r, rows, profiled);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** One layer's counters per inference. */
    record Row(String layer, long neurons, double floatSpikes, double integerSpikes, double firingRate, double synapticOps,
               double neuronUpdates, double macs) {
    }

    static List<Row> rows(QuantizedNetwork qn, FloatIntegerComparison.Result r, NetworkSummary summary, int n) {
        List<Row> rows = new ArrayList<>();
        int steps = qn.timesteps();
        for (int l = 0; l < qn.layers().size(); l++) {
            QuantLayer ql = qn.layers().get(l);
            FloatIntegerComparison.LayerCounts c = r.layers().stream().filter(x -> x.layer().equals(ql.layer())).findFirst()
                    .orElse(null);
            long macs = summary.rows().stream().filter(x -> x.layer().equals(ql.layer())).mapToLong(LayerRow::synapses).sum();
            double fs = c == null ? 0 : c.floatSpikes() / (double) n;
            double is = c == null ? 0 : c.integerSpikes() / (double) n;
            rows.add(new Row(ql.layer(), ql.size(), fs, is, is / ((double) ql.size() * steps), r.layerSynapticOps()[l] / (double) n,
                    (double) ql.size() * steps, macs));
        }
        return rows;
    }

    static ReferenceEnergy.Estimate estimate(Row x) {
        return ReferenceEnergy.of(x.macs(), x.neurons(), x.synapticOps(), x.neuronUpdates());
    }

    private void print(PrintWriter out, Network net, FloatIntegerComparison.Result r, List<Row> rows,
                       List<TargetProfile> targetsDone) {
        out.printf(Locale.ROOT, "model %s, %d test samples, T = %d: float accuracy %.2f%%, integer accuracy %.2f%%,"
                + " agreement %.2f%%%n", net.name(), r.samples(), net.timesteps(), 100 * r.floatAccuracy(),
                100 * r.integerAccuracy(), 100 * r.agreement());
        out.println("per inference (mean over the samples):");
        out.printf(Locale.ROOT, "%-8s %9s %13s %13s %11s %14s %14s %14s%n", "layer", "neurons", "spikes float",
                "spikes int", "firing rate", "synaptic ops", "neuron upd.", "ANN MACs");
        Row total = new Row("total", 0, 0, 0, 0, 0, 0, 0);
        for (Row x : rows) {
            out.printf(Locale.ROOT, "%-8s %9d %13.1f %13.1f %11.4f %14.4g %14.4g %14.4g%n", x.layer(), x.neurons(),
                    x.floatSpikes(), x.integerSpikes(), x.firingRate(), x.synapticOps(), x.neuronUpdates(), x.macs());
            total = new Row("total", total.neurons() + x.neurons(), total.floatSpikes() + x.floatSpikes(),
                    total.integerSpikes() + x.integerSpikes(), 0, total.synapticOps() + x.synapticOps(),
                    total.neuronUpdates() + x.neuronUpdates(), total.macs() + x.macs());
        }
        out.printf(Locale.ROOT, "%-8s %9d %13.1f %13.1f %11s %14.4g %14.4g %14.4g%n", "total", total.neurons(),
                total.floatSpikes(), total.integerSpikes(), "", total.synapticOps(), total.neuronUpdates(), total.macs());
        ReferenceEnergy.Estimate e = estimate(total);
        out.println("energy per inference, ESTIMATES at 45 nm (Horowitz 2014; docs/profiling.md):");
        out.printf(Locale.ROOT, "  compute only:      ANN %s (4.6 pJ per MAC), SNN %s (0.9 pJ per synaptic op), SNN/ANN %.3f%n",
                joules(e.annComputeJ()), joules(e.snnComputeJ()), e.computeRatio());
        out.printf(Locale.ROOT, "  with SRAM access:  ANN %s, SNN %s (+5 pJ per 32-bit word from an 8 KB SRAM), SNN/ANN %.3f%n",
                joules(e.annWithMemoryJ()), joules(e.snnWithMemoryJ()), e.withMemoryRatio());
        for (TargetProfile t : targetsDone) {
            out.printf(Locale.ROOT, "%s: %.0f cycles per inference, %s at %s, %.1f inferences/s%s; emulator exact on %d of %d"
                    + " samples; folder %s%n", t.target(), t.cycles(), seconds(t.seconds()), t.clock(), 1 / t.seconds(),
                    inputRate > 0 ? String.format(Locale.ROOT, ", real-time margin %.2fx at %.0f inputs/s",
                            1 / (inputRate * t.seconds()), inputRate) : "", t.exact(), t.samples(), t.folder());
            if (!Double.isNaN(t.synapticOps())) {
                out.printf(Locale.ROOT, "  counters per inference: %.4g synaptic ops, %.4g neuron updates, %.4g spike hops%n",
                        t.synapticOps(), t.neuronUpdates(), t.hops());
            }
            if (t.energy() != null) {
                EmulatedSample.Energy en = t.energy();
                out.printf(Locale.ROOT, "  energy per inference (ESTIMATE from the spec's figures): synaptic %s, neuron %s,"
                        + " routing %s, static %s, total %s%n", joules(en.synapticJ()), joules(en.neuronJ()),
                        joules(en.routingJ()), joules(en.staticJ()), joules(en.totalJ()));
                out.println("  synaptic + neuron energy per layer: " + String.join(", ", t.layers().stream()
                        .map(l -> l.name() + " " + joules(l.meanComputeJ())).toList()));
            } else {
                out.println("  energy: not modelled for fpga designs (no per-operation figures; run a vendor power tool on"
                        + " the synthesised design)");
            }
        }
    }

    private ObjectNode toJson(Network net, FloatIntegerComparison.Result r, List<Row> rows, List<TargetProfile> done) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.profile/1");
        doc.put("model", net.name());
        doc.put("samples", r.samples());
        doc.put("timesteps", net.timesteps());
        doc.put("float_accuracy", r.floatAccuracy());
        doc.put("integer_accuracy", r.integerAccuracy());
        doc.put("agreement", r.agreement());
        ArrayNode ls = doc.putArray("layers");
        double macs = 0;
        double ops = 0;
        double neurons = 0;
        double updates = 0;
        for (Row x : rows) {
            ObjectNode o = ls.addObject();
            o.put("layer", x.layer());
            o.put("neurons", x.neurons());
            o.put("float_spikes_per_inference", x.floatSpikes());
            o.put("integer_spikes_per_inference", x.integerSpikes());
            o.put("firing_rate", x.firingRate());
            o.put("synaptic_ops_per_inference", x.synapticOps());
            o.put("neuron_updates_per_inference", x.neuronUpdates());
            o.put("ann_macs", x.macs());
            ReferenceEnergy.Estimate e = estimate(x);
            o.put("estimate_ann_compute_j", e.annComputeJ());
            o.put("estimate_snn_compute_j", e.snnComputeJ());
            macs += x.macs();
            ops += x.synapticOps();
            neurons += x.neurons();
            updates += x.neuronUpdates();
        }
        ReferenceEnergy.Estimate e = ReferenceEnergy.of(macs, neurons, ops, updates);
        ObjectNode est = doc.putObject("energy_estimate_45nm");
        est.put("source", "Horowitz, ISSCC 2014: 4.6 pJ per 32-bit float MAC, 0.9 pJ per 32-bit float add,"
                + " 10 pJ per 64-bit access to an 8 KB SRAM");
        est.put("ann_compute_j", e.annComputeJ());
        est.put("snn_compute_j", e.snnComputeJ());
        est.put("ann_with_sram_j", e.annWithMemoryJ());
        est.put("snn_with_sram_j", e.snnWithMemoryJ());
        ArrayNode ts = doc.putArray("targets");
        for (TargetProfile t : done) {
            ObjectNode o = ts.addObject();
            o.put("target", t.target());
            o.put("kind", t.kind());
            o.put("folder", t.folder().toString());
            o.put("exact_samples", t.exact());
            o.put("cycles_per_inference", t.cycles());
            o.put("seconds_per_inference", t.seconds());
            o.put("clock", t.clock());
            o.put("inferences_per_second", 1 / t.seconds());
            if (inputRate > 0) {
                o.put("real_time_margin", 1 / (inputRate * t.seconds()));
            }
            if (!Double.isNaN(t.synapticOps())) {
                o.put("synaptic_ops_per_inference", t.synapticOps());
                o.put("neuron_updates_per_inference", t.neuronUpdates());
                o.put("spike_hops_per_inference", t.hops());
            }
            if (t.energy() != null) {
                ObjectNode en = o.putObject("energy_estimate_j");
                en.put("synaptic", t.energy().synapticJ());
                en.put("neuron", t.energy().neuronJ());
                en.put("routing", t.energy().routingJ());
                en.put("static", t.energy().staticJ());
                en.put("total", t.energy().totalJ());
                ArrayNode pl = o.putArray("layers");
                for (EmulationSummary.LayerLoad l : t.layers()) {
                    ObjectNode lo = pl.addObject();
                    lo.put("layer", l.name());
                    lo.put("synaptic_ops_per_inference", l.meanSynapticOps());
                    lo.put("neuron_updates_per_inference", l.meanNeuronUpdates());
                    lo.put("synaptic_and_neuron_energy_estimate_j", l.meanComputeJ());
                }
            }
        }
        return doc;
    }

    /** {@code LAYER:INDEX,...}: a layer's name, node or index and a flat neuron index. */
    static List<int[]> parseNeurons(String spec, QuantizedNetwork q) {
        List<int[]> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + part + "' is not LAYER:INDEX");
            }
            int layer = -1;
            for (int l = 0; l < q.layers().size(); l++) {
                if (q.layers().get(l).layer().equals(kv[0]) || q.layers().get(l).node().equals(kv[0]) || kv[0].equals(String.valueOf(l))) {
                    layer = l;
                }
            }
            if (layer < 0) {
                throw new IllegalArgumentException("no layer '" + kv[0] + "'; layers: " + String.join(", ",
                        q.layers().stream().map(QuantLayer::layer).toList()));
            }
            int index;
            try {
                index = Integer.parseInt(kv[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + kv[1] + "' is not a neuron index");
            }
            if (index < 0 || index >= q.layers().get(layer).size()) {
                throw new IllegalArgumentException("layer '" + kv[0] + "' has neurons 0 to " + (q.layers().get(layer).size() - 1)
                        + ", not " + index);
            }
            out.add(new int[] {layer, index});
        }
        return out;
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 1e5 ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String joules(double j) {
        if (j >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g mJ", j * 1e3);
        }
        if (j >= 1e-6) {
            return String.format(Locale.ROOT, "%.3g uJ", j * 1e6);
        }
        return String.format(Locale.ROOT, "%.3g nJ", j * 1e9);
    }

    static String seconds(double s) {
        return s >= 1e-3 ? String.format(Locale.ROOT, "%.3g ms", s * 1e3) : String.format(Locale.ROOT, "%.3g us", s * 1e6);
    }
}
