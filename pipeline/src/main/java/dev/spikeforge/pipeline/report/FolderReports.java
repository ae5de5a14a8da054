package dev.spikeforge.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.target.HardwareSynthesis;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.pipeline.Emulation;
import dev.spikeforge.pipeline.RtlComparison;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code emulate}, {@code rtl-sim} and {@code synth} report of a folder, as text and JSON. */
public final class FolderReports {

    private FolderReports() {
    }

    public static List<String> emulation(Emulation e) {
        TargetFigures f = e.figures();
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "model %s on %s: %s%d test samples, T = %d", e.model(), e.target(),
                f.resources().isEmpty() ? "" : f.resources() + ", ", e.samples(), e.timesteps()));
        out.add(String.format(Locale.ROOT, "accuracy             %6.2f%%", 100 * e.accuracy()));
        out.add(String.format(Locale.ROOT, "cycles per step      mean %.1f, max %d", f.meanStepCycles(), f.maxStepCycles()));
        out.add(String.format(Locale.ROOT, "cycles per inference mean %.1f, min %d, max %d", f.meanCycles(), f.minCycles(),
                f.maxCycles()));
        out.add(String.format(Locale.ROOT, "time per inference   %s (%.0f inferences/s)", TargetReport.latency(f),
                f.inferencesPerSecond()));
        if (!f.counters().isEmpty()) {
            out.add("events per inference " + TargetReport.counters(f));
        }
        out.addAll(TargetReport.details(f, ""));
        String energy = TargetReport.energy(f);
        if (energy != null) {
            out.add("energy per inference " + energy);
        }
        out.add(String.format(Locale.ROOT, "emulator: %.1f s on %d threads (%.1f samples/s)", e.seconds(), e.threads(),
                e.samples() / Math.max(1e-9, e.seconds())));
        if (e.trace() != null) {
            out.add(e.trace());
        }
        return out;
    }

    public static ObjectNode emulationJson(Emulation e) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.emulate/2");
        doc.put("model", e.model());
        doc.put("target", e.target());
        doc.put("folder", e.folder().toString());
        doc.put("timesteps", e.timesteps());
        doc.put("samples", e.samples());
        doc.put("accuracy", e.accuracy());
        TargetReport.json(doc, e.figures());
        doc.put("seconds", e.seconds());
        doc.put("threads", e.threads());
        doc.put("simulated_cycles_per_second", e.figures().meanCycles() * e.samples() / Math.max(1e-9, e.seconds()));
        return doc;
    }

    public static List<String> rtl(RtlComparison r, Path vcd) {
        List<String> out = new ArrayList<>();
        String name = r.run().tool();
        out.add(String.format(Locale.ROOT, "%s: %d samples, %,d cycles (%.0f per inference), accuracy %.2f%%", r.target(),
                r.samples(), r.cycles(), r.cycles() / (double) Math.max(1, r.samples()), 100 * r.accuracy()));
        out.add(String.format(Locale.ROOT, "emulator:  %8.2f s, %.3g cycles/s (one thread, every membrane recorded)",
                r.emulatorSeconds(), r.emulatorCyclesPerSecond()));
        out.add(String.format(Locale.ROOT, "%-9s  %8.2f s, %.3g cycles/s (build %.1f s, trace written and read back)",
                name + ":", r.run().runSeconds(), r.run().cyclesPerSecond(), r.run().buildSeconds()));
        if (!Double.isNaN(r.emulatorFastCyclesPerSecond())) {
            out.add(String.format(Locale.ROOT, "without recording: emulator %.3g cycles/s, %s %.3g cycles/s",
                    r.emulatorFastCyclesPerSecond(), name, r.rtlFastCyclesPerSecond()));
        }
        out.add(r.run().first() == null ? "EQUAL: every spike and its cycle, every membrane at the end of every step, the"
                + " cycles of every step and the readout" : "DIFFERENT: " + r.run().first());
        if (vcd != null) {
            out.add("wrote " + vcd);
        }
        return out;
    }

    public static ObjectNode rtlJson(RtlComparison r, Path folder) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.rtl-sim/1");
        doc.put("folder", folder.toString());
        doc.put("simulator", r.run().tool());
        doc.put("samples", r.samples());
        doc.put("equal", r.run().first() == null);
        doc.put("first_difference", r.run().first());
        doc.put("cycles", r.cycles());
        doc.put("accuracy", r.accuracy());
        doc.put("emulator_seconds", r.emulatorSeconds());
        doc.put("emulator_cycles_per_second", r.emulatorCyclesPerSecond());
        doc.put("rtl_build_seconds", r.run().buildSeconds());
        doc.put("rtl_seconds", r.run().runSeconds());
        doc.put("rtl_cycles_per_second", r.run().cyclesPerSecond());
        if (!Double.isNaN(r.emulatorFastCyclesPerSecond())) {
            doc.put("emulator_cycles_per_second_no_recording", r.emulatorFastCyclesPerSecond());
            doc.put("rtl_cycles_per_second_no_trace", r.rtlFastCyclesPerSecond());
        }
        return doc;
    }

    public static List<String> synthesis(HardwareSynthesis.Report r) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%s, %s flow (%.0f s; log %s)", r.design(), r.flow(), r.seconds(), r.log()));
        out.add(String.format(Locale.ROOT, "%-22s %9s %9s %7s %6s %8s %8s", "module", "LUTs", "FFs", "BRAMs", "DSPs",
                "carries", "LUTRAM"));
        for (HardwareSynthesis.Resources m : r.modules()) {
            out.add(row(m));
        }
        out.add(row(r.total()));
        r.notes().forEach(n -> out.add("(" + n + ")"));
        if (r.device() != null) {
            HardwareSynthesis.Device d = r.device();
            out.add(String.format(Locale.ROOT, "%s: %d LUTs, %d FFs, %d BRAMs, %d DSPs (%s)", d.name(), d.luts(), d.flipFlops(),
                    d.brams(), d.dsps(), d.source()));
            out.add(r.fits() ? "FITS " + d.name() : "DOES NOT FIT " + d.name() + ": " + String.join("; ", r.overLimits()));
        }
        if (!Double.isNaN(r.fmaxMhz())) {
            out.add(String.format(Locale.ROOT, "Fmax %.1f MHz (%s; the folder's latency figures use it from now on)",
                    r.fmaxMhz(), r.fmaxBasis()));
        }
        return out;
    }

    /** One line for a summary: {@code yosys xc7: 3951 LUTs, 1609 FFs, 12 BRAMs, 16 DSPs; fits xc7a35t}. */
    public static String synthesisLine(HardwareSynthesis.Report r) {
        HardwareSynthesis.Resources t = r.total();
        return String.format(Locale.ROOT, "%s: %d LUTs, %d FFs, %d BRAMs, %d DSPs; %s%s", r.flow(), t.luts(), t.flipFlops(),
                t.brams(), t.dsps(), r.device() == null ? "no device named" : (r.fits() ? "fits " : "does NOT fit ")
                        + r.device().name(), Double.isNaN(r.fmaxMhz()) ? "" : String.format(Locale.ROOT, ", Fmax %.1f MHz%s",
                        r.fmaxMhz(), r.fmaxEstimated() ? " (estimated, not measured)" : ""));
    }

    private static String row(HardwareSynthesis.Resources m) {
        return String.format(Locale.ROOT, "%-22s %9d %9d %7d %6d %8d %8d", m.name(), m.luts(), m.flipFlops(), m.brams(), m.dsps(),
                m.carries(), m.lutRam());
    }

    public static ObjectNode synthesisJson(HardwareSynthesis.Report r, Path folder) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.synth/1");
        doc.put("folder", folder.toString());
        doc.put("flow", r.flow());
        doc.put("device", r.device() == null ? null : r.device().name());
        ArrayNode rows = doc.putArray("modules");
        for (HardwareSynthesis.Resources m : r.modules()) {
            resources(rows.addObject(), m);
        }
        resources(doc.putObject("total"), r.total());
        doc.put("fits", r.fits());
        ArrayNode over = doc.putArray("over_limits");
        r.overLimits().forEach(over::add);
        if (!Double.isNaN(r.fmaxMhz())) {
            doc.put("fmax_mhz", r.fmaxMhz());
            doc.put("fmax_estimated", r.fmaxEstimated());
            doc.put("fmax_basis", r.fmaxBasis());
        }
        ArrayNode notes = doc.putArray("notes");
        r.notes().forEach(notes::add);
        doc.put("seconds", r.seconds());
        return doc;
    }

    private static void resources(ObjectNode o, HardwareSynthesis.Resources m) {
        o.put("module", m.name());
        o.put("luts", m.luts());
        o.put("flip_flops", m.flipFlops());
        o.put("brams", m.brams());
        o.put("dsps", m.dsps());
        o.put("carries", m.carries());
        o.put("lutram", m.lutRam());
        o.put("cells", m.cells());
    }
}
