package dev.spikeforge.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.RtlSimulation;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A verification as text, as JSON (schema {@code spikeforge.verify/1}) and as a JUnit XML report. */
public final class VerifyReport {

    private VerifyReport() {
    }

    public static List<String> text(Verification v) {
        List<String> out = new ArrayList<>();
        QuantizedNetwork qn = v.compiled().model().network();
        FloatIntegerComparison.Result r = v.comparison();
        FloatIntegerComparison.Tolerances tol = v.tolerances();
        out.add(String.format(Locale.ROOT, "model %s, weights int%d %s, membrane int%d: %d test samples, T = %d", qn.name(),
                qn.numerics().weightBits(), qn.numerics().granularity().keyword(), qn.numerics().membraneBits(),
                r.samples(), qn.timesteps()));
        var exact = v.compiled().trained().integerExact();
        if (exact != null) {
            out.add(String.format(Locale.ROOT, "float model: integer-exact (its quantisation-aware epochs' int%d %s weights"
                    + " run in the integer arithmetic, docs/semantics.md section 4.13)%s", exact.weightBits(),
                    exact.granularity().keyword(), Double.isNaN(v.integerExactResidual()) ? "" : String.format(Locale.ROOT,
                            "; largest rounding residual %.2g of a unit", v.integerExactResidual())));
        }
        out.add(String.format(Locale.ROOT, "float accuracy    %6.2f%%", 100 * r.floatAccuracy()));
        out.add(String.format(Locale.ROOT, "integer accuracy  %6.2f%%  (drop %.2f points, tolerance %.2f)",
                100 * r.integerAccuracy(), r.dropPoints(), tol.dropPoints()));
        out.add(String.format(Locale.ROOT, "class agreement   %6.2f%%  (tolerance %.2f%%)", 100 * r.agreement(),
                100 * tol.agreement()));
        out.add("layer     neurons  float spikes/sample  integer spikes/sample  correlation");
        for (FloatIntegerComparison.LayerCounts l : r.layers()) {
            out.add(String.format(Locale.ROOT, "%-8s %8d  %19.1f  %21.1f  %11.4f", l.layer(), l.neurons(),
                    l.floatSpikes() / (double) r.samples(), l.integerSpikes() / (double) r.samples(), l.correlation()));
        }
        out.add(String.format(Locale.ROOT, "integer model: %.1f s on %d threads, %.3g synaptic ops/s per thread (%.1f s in all)",
                r.integerSeconds(), v.threads(), r.synapticOps() / Math.max(1e-9, r.integerSeconds()) / v.threads(),
                v.seconds()));
        for (Verification.TargetProof t : v.targets()) {
            out.addAll(target(t, v.threads()));
        }
        List<String> failures = v.failures();
        out.add(failures.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", failures));
        return out;
    }

    private static List<String> target(Verification.TargetProof t, int threads) {
        List<String> out = new ArrayList<>();
        var f = t.figures();
        FloatIntegerComparison.Result own = t.ownTiming();
        if (own != null) {
            out.add(String.format(Locale.ROOT, "%s runs %s timing: float accuracy %.2f%%, integer %.2f%% (drop %.2f points),"
                    + " class agreement %.2f%%", t.target(), t.timing().keyword(), 100 * own.floatAccuracy(),
                    100 * own.integerAccuracy(), own.dropPoints(), 100 * own.agreement()));
        }
        out.add(String.format(Locale.ROOT, "%s emulator: %d of %d samples exactly equal to the integer model (every spike,"
                + " membrane and readout)%s", t.target(), t.exact(), t.perSample().size(),
                t.first() == null ? "" : "; first difference: " + t.first()));
        String energy = f.energy() == null ? "" : String.format(Locale.ROOT, ", %.3g J per inference", f.energy().total());
        out.add(String.format(Locale.ROOT, "  %s: %.0f cycles per inference (min %d, max %d), %s%s; emulator %.3g cycles/s"
                + " per thread; folder %s", t.target(), f.meanCycles(), f.minCycles(), f.maxCycles(), TargetReport.latency(f),
                energy, emulatorRate(f, threads), t.folder()));
        out.addAll(TargetReport.cycleModel(f, "  "));
        f.notes().forEach(n -> out.add("  " + n));
        RtlSimulation.RtlRun rtl = t.rtl();
        if (rtl != null) {
            out.add(String.format(Locale.ROOT, "  %s RTL simulation: %d of %d samples exactly equal to the emulator (every"
                    + " spike and its cycle, every membrane, cycles per step, readout)%s; %.3g cycles/s (build %.1f s)",
                    rtl.tool(), rtl.exact(), rtl.differences().size(), rtl.first() == null ? "" : "; first difference: "
                    + rtl.first(), rtl.cyclesPerSecond(), rtl.buildSeconds()));
        } else if (t.rtlNote() != null) {
            out.add("  " + t.rtlNote());
        }
        return out;
    }

    static double emulatorRate(dev.spikeforge.compiler.target.TargetFigures f, int threads) {
        return f.meanCycles() * f.samples() / Math.max(1e-9, f.emulatorSeconds()) / Math.max(1, threads);
    }

    public static ObjectNode json(Verification v) {
        QuantizedNetwork qn = v.compiled().model().network();
        FloatIntegerComparison.Result r = v.comparison();
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.verify/1");
        doc.put("model", qn.name());
        doc.put("weight_bits", qn.numerics().weightBits());
        doc.put("granularity", qn.numerics().granularity().keyword());
        doc.put("membrane_bits", qn.numerics().membraneBits());
        doc.put("samples", r.samples());
        var exact = v.compiled().trained().integerExact();
        if (exact != null) {
            ObjectNode e = doc.putObject("float_model_integer_exact");
            e.put("weight_bits", exact.weightBits());
            e.put("granularity", exact.granularity().keyword());
            if (!Double.isNaN(v.integerExactResidual())) {
                e.put("largest_residual", v.integerExactResidual());
            }
        }
        doc.put("float_accuracy", r.floatAccuracy());
        doc.put("integer_accuracy", r.integerAccuracy());
        doc.put("accuracy_drop_points", r.dropPoints());
        doc.put("agreement", r.agreement());
        doc.put("tolerance_agreement", v.tolerances().agreement());
        doc.put("tolerance_drop_points", v.tolerances().dropPoints());
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
        doc.put("integer_threads", v.threads());
        doc.put("seconds", v.seconds());
        ArrayNode targets = doc.putArray("targets");
        for (Verification.TargetProof t : v.targets()) {
            ObjectNode o = targets.addObject();
            o.put("target", t.target());
            o.put("family", t.family());
            o.put("folder", t.folder().toString());
            o.put("timing", t.timing().keyword());
            if (t.ownTiming() != null) {
                o.put("own_timing_float_accuracy", t.ownTiming().floatAccuracy());
                o.put("own_timing_integer_accuracy", t.ownTiming().integerAccuracy());
                o.put("own_timing_agreement", t.ownTiming().agreement());
            }
            o.put("samples", t.perSample().size());
            o.put("exact_samples", t.exact());
            o.put("first_difference", t.first() == null ? null : t.first().toString());
            TargetReport.json(o, t.figures());
            o.put("emulator_cycles_per_second_per_thread", emulatorRate(t.figures(), v.threads()));
            if (t.rtl() != null) {
                o.put("rtl_simulator", t.rtl().tool());
                o.put("rtl_samples", t.rtl().differences().size());
                o.put("rtl_exact_samples", t.rtl().exact());
                o.put("rtl_first_difference", t.rtl().first());
                o.put("rtl_cycles_per_second", t.rtl().cyclesPerSecond());
                o.put("rtl_build_seconds", t.rtl().buildSeconds());
            } else if (t.rtlNote() != null) {
                o.put("rtl_skipped", t.rtlNote());
            }
        }
        List<String> failures = v.failures();
        doc.put("passed", failures.isEmpty());
        ArrayNode f = doc.putArray("failures");
        failures.forEach(f::add);
        return doc;
    }

    /** One test suite: a test case per tolerance, and per target one per sample (exact emulator and RTL agreement). */
    public static String junit(Verification v) {
        FloatIntegerComparison.Result r = v.comparison();
        FloatIntegerComparison.Tolerances tol = v.tolerances();
        String name = v.compiled().model().network().name();
        List<String> broken = r.failures(tol);
        String agreementFail = broken.stream().anyMatch(f -> f.startsWith("class agreement")) ? String.format(Locale.ROOT,
                "class agreement %.4f is below %.4f", r.agreement(), tol.agreement()) : null;
        String dropFail = broken.stream().anyMatch(f -> f.startsWith("integer accuracy")) ? String.format(Locale.ROOT,
                "integer accuracy %.4f is %.2f points below float %.4f (tolerance %.2f)", r.integerAccuracy(),
                r.dropPoints(), r.floatAccuracy(), tol.dropPoints()) : null;
        StringBuilder cases = new StringBuilder();
        int tests = 2;
        int failures = (agreementFail == null ? 0 : 1) + (dropFail == null ? 0 : 1);
        testCase(cases, name + ".float_vs_integer", "class_agreement", agreementFail);
        testCase(cases, name + ".float_vs_integer", "accuracy_drop", dropFail);
        for (Verification.TargetProof t : v.targets()) {
            if (t.ownTiming() != null) {
                // the target's own timing: the same two tolerances, on its float and integer models
                List<String> own = t.ownTiming().failures(tol);
                String cls = name + ".float_vs_integer." + t.target() + "_" + t.timing().keyword();
                String agree = own.stream().filter(f -> f.startsWith("class agreement")).findFirst().orElse(null);
                String drop = own.stream().filter(f -> f.startsWith("integer accuracy")).findFirst().orElse(null);
                testCase(cases, cls, "class_agreement", agree);
                testCase(cases, cls, "accuracy_drop", drop);
                tests += 2;
                failures += (agree == null ? 0 : 1) + (drop == null ? 0 : 1);
            }
            for (int i = 0; i < t.perSample().size(); i++) {
                Verification.Mismatch m = t.perSample().get(i);
                testCase(cases, name + ".emulator." + t.target(), "sample_" + i, m == null ? null : m.toString());
                tests++;
                failures += m == null ? 0 : 1;
            }
            if (t.rtl() != null) {
                String cls = name + ".rtl_" + t.rtl().tool() + "." + t.target();
                for (int i = 0; i < t.rtl().differences().size(); i++) {
                    String m = t.rtl().differences().get(i);
                    testCase(cases, cls, "sample_" + i, m);
                    tests++;
                    failures += m == null ? 0 : 1;
                }
            }
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + String.format(Locale.ROOT,
                "<testsuite name=\"spikeforge.verify.%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\""
                        + " time=\"%.3f\">%n", Units.xml(name), tests, failures, v.seconds()) + cases + "</testsuite>\n";
    }

    private static void testCase(StringBuilder sb, String className, String name, String failure) {
        sb.append("  <testcase classname=\"").append(Units.xml(className)).append("\" name=\"").append(name).append('"');
        if (failure == null) {
            sb.append("/>\n");
        } else {
            sb.append(">\n    <failure message=\"").append(Units.xml(failure)).append("\"/>\n  </testcase>\n");
        }
    }
}
