package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import dev.spikeforge.targets.fpga.RtlSimulator;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code spikeforge verify MODEL --checkpoint C}: the float model against the integer model on the
 * same input spikes (SEMANTICS.md section 5, comparison 3), pass or fail against tolerances.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run the float model and the integer model on the same input spikes of the test",
                "split and compare them: accuracy of each, class agreement, and per-layer spike counts",
                "and their correlation. Fails (exit 1) when a tolerance is broken."},
        footer = {"", "Exit codes: 0 within tolerances, 1 a tolerance broken or the model cannot be quantised,",
                "2 usage error, 3 unreadable model, dataset or checkpoint."})
final class VerifyCommand implements Callable<Integer> {

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
            "equals the integer model exactly: a neurocore preset or spec file, or a target as in a deploy",
            "block, e.g. 'fpga(lanes = 16, family = xc7)'. Repeatable."})
    List<String> targets;

    @Option(names = "--rtl", description = {"For fpga targets, also simulate the generated Verilog on the same samples",
            "and require every spike, its cycle, every membrane and every step's cycles to equal the emulator."})
    boolean rtl;

    @Option(names = "--simulator", paramLabel = "verilator|iverilog", defaultValue = "verilator",
            description = "The RTL simulator for --rtl (default: ${DEFAULT-VALUE}).")
    String simulator;

    @Option(names = "--vcd", paramLabel = "FILE", description = "With --rtl, keep the simulation's waveforms in FILE.")
    Path vcd;

    @Option(names = "--out", paramLabel = "DIR", description = "Where --target writes the compiled folders (default: NAME-compiled).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (samples != null && samples < 1 || !(agreement >= 0 && agreement <= 1) || !(drop >= 0)) {
            err.println("spikeforge verify: --samples takes a number of at least 1, --tolerance-agreement a fraction"
                    + " from 0 to 1, --tolerance-drop points of at least 0");
            return ExitCodes.USAGE;
        }
        RtlSimulator.Tool tool;
        try {
            tool = RtlSimulator.Tool.parse(simulator);
        } catch (IllegalArgumentException e) {
            err.println("spikeforge verify: --simulator: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if ((rtl || vcd != null) && (targets == null || targets.stream().noneMatch(t -> t.trim().startsWith("fpga")))) {
            err.println("spikeforge verify: --rtl and --vcd need an fpga target, e.g. --target 'fpga(lanes = 16)'");
            return ExitCodes.USAGE;
        }
        RunSetup.Prepared p = RunSetup.prepare("verify", modelFile, data, err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        List<DeploySpec.TargetRequest> requests = targets == null ? List.of() : Targets.requests(p.network(), targets);
        boolean towardZero = false;
        if (!requests.isEmpty()) {
            TargetFamily family = TargetFamily.named(requests.get(0).family());
            towardZero = family != null && family.shiftTowardZero(requests.get(0), Targets.modelDir(p.loaded()));
        }
        QuantOptionsMixin.Quantised q = quant.quantise("verify", p.loaded(), towardZero, err);
        if (q.exitCode() != ExitCodes.OK) {
            return q.exitCode();
        }
        Network net = p.network();
        QuantizedNetwork qn = q.result().network();
        ImageDataset test = p.data().test();
        int n = samples == null ? test.count() : Math.min(samples, test.count());
        int threads = data.threads != null ? data.threads : Runtime.getRuntime().availableProcessors();
        FloatModel floatModel = new FloatModel(net, q.checkpoint().parameters());
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        long start = System.nanoTime();
        FloatIntegerComparison.Result r = FloatIntegerComparison.run(net, floatModel, qn, test, n,
                p.train().seed(), 32, threads, done -> {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    progress.update("verify", done, n, String.format(Locale.ROOT, "%.0f samples/s", done / elapsed),
                            done / elapsed);
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        FloatIntegerComparison.Tolerances tol = new FloatIntegerComparison.Tolerances(agreement, drop);
        List<String> failures = new java.util.ArrayList<>(r.failures(tol));
        List<EmulatorCheck.Result> emulated = new java.util.ArrayList<>();
        Path folder = out != null ? out : Path.of(net.name() + "-compiled");
        boolean direct = qn.encoding().kind() == dev.spikeforge.compiler.ir.Encoding.Kind.DIRECT;
        for (DeploySpec.TargetRequest request : requests) {
            try {
                EmulatorCheck.Result e = EmulatorCheck.run(qn, request, Targets.modelDir(p.loaded()), n, (from, count) -> {
                    int[] idx = java.util.stream.IntStream.range(from, from + count).toArray();
                    float[] input = InputEncoder.encode(net, test, idx, p.train().seed());
                    return FloatIntegerComparison.integerInputs(input, count, qn.inputSize(), qn.timesteps(), direct);
                }, threads, folder, rtl && request.family().equals("fpga") ? new EmulatorCheck.Rtl(tool, vcd) : null);
                emulated.add(e);
                if (e.exact() < n) {
                    failures.add(e.target() + ": the emulator differs from the integer model on " + (n - e.exact())
                            + " of " + n + " samples; first: " + e.first());
                }
                if (e.fpga() != null && e.fpga().rtlPerSample() != null && e.fpga().rtlExact() < n) {
                    failures.add(e.target() + ": the RTL simulation differs from the emulator on "
                            + (n - e.fpga().rtlExact()) + " of " + n + " samples; first: " + e.fpga().rtlFirst());
                }
            } catch (TargetException e) {
                if (!e.diagnostics().isEmpty()) {
                    err.print(DiagnosticRenderer.render(p.loaded().compilation().source(), e.diagnostics()));
                } else {
                    err.println("spikeforge verify: error: " + e.getMessage());
                }
                err.flush();
                return ExitCodes.CHECK_FAILED;
            } catch (MappingFileException e) {
                err.println("spikeforge verify: error: " + e.getMessage());
                err.flush();
                return ExitCodes.INPUT_ERROR;
            } catch (FileProblemException e) {
                err.println("spikeforge verify: error: " + e.oneLine());
                err.flush();
                return ExitCodes.INPUT_ERROR;
            } catch (RtlSimulator.RtlSimException e) {
                err.println("spikeforge verify: error: " + e.getMessage());
                err.flush();
                return ExitCodes.INPUT_ERROR;
            }
        }
        if (json) {
            stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(toJson(net, qn, r, tol, failures, seconds, threads, emulated)));
        } else {
            print(stdout, net, qn, r, tol, failures, seconds, threads, emulated);
        }
        stdout.flush();
        if (junit != null) {
            try {
                AtomicFiles.writeString(junit, junit(net, r, tol, seconds, emulated));
            } catch (IOException e) {
                err.println("spikeforge verify: error: " + junit + ": cannot write the JUnit report: "
                        + ModelFiles.readError(e));
                return ExitCodes.INPUT_ERROR;
            }
        }
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private static void print(PrintWriter out, Network net, QuantizedNetwork qn, FloatIntegerComparison.Result r,
                              FloatIntegerComparison.Tolerances tol, List<String> failures, double seconds,
                              int threads, List<EmulatorCheck.Result> emulated) {
        out.printf(Locale.ROOT, "model %s, weights int%d %s, membrane int%d: %d test samples, T = %d%n", net.name(),
                qn.numerics().weightBits(), qn.numerics().granularity().keyword(), qn.numerics().membraneBits(),
                r.samples(), net.timesteps());
        out.printf(Locale.ROOT, "float accuracy    %6.2f%%%n", 100 * r.floatAccuracy());
        out.printf(Locale.ROOT, "integer accuracy  %6.2f%%  (drop %.2f points, tolerance %.2f)%n",
                100 * r.integerAccuracy(), r.dropPoints(), tol.dropPoints());
        out.printf(Locale.ROOT, "class agreement   %6.2f%%  (tolerance %.2f%%)%n", 100 * r.agreement(),
                100 * tol.agreement());
        out.println("layer     neurons  float spikes/sample  integer spikes/sample  correlation");
        for (FloatIntegerComparison.LayerCounts l : r.layers()) {
            out.printf(Locale.ROOT, "%-8s %8d  %19.1f  %21.1f  %11.4f%n", l.layer(), l.neurons(),
                    l.floatSpikes() / (double) r.samples(), l.integerSpikes() / (double) r.samples(), l.correlation());
        }
        out.printf(Locale.ROOT, "integer model: %.1f s on %d threads, %.3g synaptic ops/s per thread (%.1f s in all)%n",
                r.integerSeconds(), threads, r.synapticOps() / Math.max(1e-9, r.integerSeconds()) / threads, seconds);
        for (EmulatorCheck.Result e : emulated) {
            out.printf(Locale.ROOT, "%s emulator: %d of %d samples exactly equal to the integer model (every spike,"
                    + " membrane and readout)%s%n", e.target(), e.exact(), e.perSample().size(),
                    e.first() == null ? "" : "; first difference: " + e.first());
            EmulationSummary m = e.summary();
            if (m != null) {
                out.printf(Locale.ROOT, "  %s: %.0f cycles per inference (%.1f us at the clock), %.3g J per inference;"
                        + " folder %s%n", e.target(), m.meanCycles(), 1e6 * m.meanSeconds(), m.meanEnergy().totalJ(),
                        e.folder());
            }
            EmulatorCheck.FpgaStats f = e.fpga();
            if (f != null) {
                out.printf(Locale.ROOT, "  %s: %.0f cycles per inference (min %d, max %d; the closed-form formula agrees"
                        + " on every step), emulator %.3g cycles/s per thread; folder %s%n", e.target(), f.meanCycles(),
                        f.minCycles(), f.maxCycles(), f.emulatorCyclesPerSecond(), e.folder());
                if (f.rtlPerSample() != null) {
                    String name = f.rtlTool().name().toLowerCase(Locale.ROOT);
                    out.printf(Locale.ROOT, "  %s RTL simulation: %d of %d samples exactly equal to the emulator (every"
                            + " spike and its cycle, every membrane, cycles per step, readout)%s; %.3g cycles/s (build %.1f s)%n",
                            name, f.rtlExact(), f.rtlPerSample().size(), f.rtlFirst() == null ? "" : "; first difference: "
                            + f.rtlFirst(), f.rtlCyclesPerSecond(), f.rtlBuildSeconds());
                }
            }
        }
        out.println(failures.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", failures));
    }

    private static ObjectNode toJson(Network net, QuantizedNetwork qn, FloatIntegerComparison.Result r,
                                     FloatIntegerComparison.Tolerances tol, List<String> failures, double seconds,
                                     int threads, List<EmulatorCheck.Result> emulated) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.verify/1");
        doc.put("model", net.name());
        doc.put("weight_bits", qn.numerics().weightBits());
        doc.put("granularity", qn.numerics().granularity().keyword());
        doc.put("membrane_bits", qn.numerics().membraneBits());
        doc.put("samples", r.samples());
        doc.put("float_accuracy", r.floatAccuracy());
        doc.put("integer_accuracy", r.integerAccuracy());
        doc.put("accuracy_drop_points", r.dropPoints());
        doc.put("agreement", r.agreement());
        doc.put("tolerance_agreement", tol.agreement());
        doc.put("tolerance_drop_points", tol.dropPoints());
        ArrayNode layers = doc.putArray("layers");
        for (FloatIntegerComparison.LayerCounts l : r.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", l.layer());
            o.put("node", l.node());
            o.put("neurons", l.neurons());
            o.put("float_spikes", l.floatSpikes());
            o.put("integer_spikes", l.integerSpikes());
            o.put("correlation", l.correlation());
        }
        doc.put("integer_seconds", r.integerSeconds());
        doc.put("integer_synaptic_ops", r.synapticOps());
        doc.put("integer_threads", threads);
        doc.put("seconds", seconds);
        ArrayNode targetsNode = doc.putArray("targets");
        for (EmulatorCheck.Result e : emulated) {
            ObjectNode t = targetsNode.addObject();
            t.put("target", e.target());
            t.put("folder", e.folder().toString());
            t.put("samples", e.perSample().size());
            t.put("exact_samples", e.exact());
            t.put("first_difference", e.first() == null ? null : e.first().toString());
            if (e.summary() != null) {
                t.put("cycles_per_inference", e.summary().meanCycles());
                t.put("seconds_per_inference", e.summary().meanSeconds());
                t.put("energy_per_inference_j", e.summary().meanEnergy().totalJ());
            }
            EmulatorCheck.FpgaStats f = e.fpga();
            if (f != null) {
                t.put("cycles_per_inference", f.meanCycles());
                t.put("min_cycles", f.minCycles());
                t.put("max_cycles", f.maxCycles());
                t.put("emulator_cycles_per_second_per_thread", f.emulatorCyclesPerSecond());
                if (f.rtlPerSample() != null) {
                    t.put("rtl_simulator", f.rtlTool().name().toLowerCase(Locale.ROOT));
                    t.put("rtl_exact_samples", f.rtlExact());
                    t.put("rtl_first_difference", f.rtlFirst());
                    t.put("rtl_cycles_per_second", f.rtlCyclesPerSecond());
                    t.put("rtl_build_seconds", f.rtlBuildSeconds());
                }
            }
        }
        doc.put("passed", failures.isEmpty());
        ArrayNode f = doc.putArray("failures");
        failures.forEach(f::add);
        return doc;
    }

    /** One test suite: a test case per tolerance, and per target one per sample (exact emulator agreement). */
    static String junit(Network net, FloatIntegerComparison.Result r, FloatIntegerComparison.Tolerances tol,
                        double seconds, List<EmulatorCheck.Result> emulated) {
        List<String> broken = r.failures(tol);
        String agreementFail = broken.stream().anyMatch(f -> f.startsWith("class agreement")) ? String.format(Locale.ROOT,
                "class agreement %.4f is below %.4f", r.agreement(), tol.agreement()) : null;
        String dropFail = broken.stream().anyMatch(f -> f.startsWith("integer accuracy")) ? String.format(Locale.ROOT,
                "integer accuracy %.4f is %.2f points below float %.4f (tolerance %.2f)", r.integerAccuracy(),
                r.dropPoints(), r.floatAccuracy(), tol.dropPoints()) : null;
        StringBuilder cases = new StringBuilder();
        int tests = 2;
        int failures = (agreementFail == null ? 0 : 1) + (dropFail == null ? 0 : 1);
        testCase(cases, net.name() + ".float_vs_integer", "class_agreement", agreementFail);
        testCase(cases, net.name() + ".float_vs_integer", "accuracy_drop", dropFail);
        for (EmulatorCheck.Result e : emulated) {
            for (int i = 0; i < e.perSample().size(); i++) {
                EmulatorCheck.Mismatch m = e.perSample().get(i);
                testCase(cases, net.name() + ".emulator." + e.target(), "sample_" + i, m == null ? null : m.toString());
                tests++;
                failures += m == null ? 0 : 1;
            }
            if (e.fpga() != null && e.fpga().rtlPerSample() != null) {
                String cls = net.name() + ".rtl_" + e.fpga().rtlTool().name().toLowerCase(Locale.ROOT) + "." + e.target();
                for (int i = 0; i < e.fpga().rtlPerSample().size(); i++) {
                    String m = e.fpga().rtlPerSample().get(i);
                    testCase(cases, cls, "sample_" + i, m);
                    tests++;
                    failures += m == null ? 0 : 1;
                }
            }
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + String.format(Locale.ROOT,
                "<testsuite name=\"spikeforge.verify.%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\""
                        + " time=\"%.3f\">%n", xml(net.name()), tests, failures, seconds) + cases + "</testsuite>\n";
    }

    private static void testCase(StringBuilder sb, String className, String name, String failure) {
        sb.append("  <testcase classname=\"").append(xml(className)).append("\" name=\"").append(name).append('"');
        if (failure == null) {
            sb.append("/>\n");
        } else {
            sb.append(">\n    <failure message=\"").append(xml(failure)).append("\"/>\n  </testcase>\n");
        }
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
