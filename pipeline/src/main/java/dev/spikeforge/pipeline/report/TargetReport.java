package dev.spikeforge.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.TargetFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A target's figures as text lines and JSON fields, the same for verify, profile, emulate and run. */
public final class TargetReport {

    private TargetReport() {
    }

    /**
     * Latency in words: {@code 660 us at 1000 MHz}, {@code 647 us at 100 MHz (assumed)} or
     * {@code 310 us at 62.3 MHz (Fmax measured by nextpnr-ice40 on hx8k)}.
     */
    public static String latency(TargetFigures f) {
        TargetFigures.Clock c = f.clock();
        String basis = c.assumed() ? "assumed" : c.basis();
        return String.format(Locale.ROOT, "%s at %s MHz%s", Units.seconds(f.meanSeconds()), mhz(c.mhz()),
                basis.isEmpty() ? "" : " (" + basis + ")");
    }

    /** The counters in one line: {@code 1.2e+05 synaptic ops, 4.6e+04 neuron updates}. */
    public static String counters(TargetFigures f) {
        return String.join(", ", f.counters().stream().map(c -> String.format(Locale.ROOT, "%.4g %s", c.perInference(),
                c.label())).toList());
    }

    /** The energy by category in one line, or null when not modelled. */
    public static String energy(TargetFigures f) {
        if (f.energy() == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        f.energy().parts().forEach((k, v) -> parts.add(k + " " + Units.joules(v)));
        return String.join(", ", parts) + ", total " + Units.joules(f.energy().total());
    }

    /** The family's per-layer figures and its notes, as indented lines. */
    public static List<String> details(TargetFigures f, String indent) {
        List<String> out = new ArrayList<>();
        if (!f.layers().isEmpty()) {
            f.layers().text().forEach(l -> out.add(indent + l));
        }
        out.addAll(cycleModel(f, indent));
        f.notes().forEach(n -> out.add(indent + n));
        return out;
    }

    /**
     * The family's cycle model as text lines: the prediction from the integer model's spikes against
     * the emulator's cycles (and the RTL's) where verify ran it, and the worst case from the design
     * alone with its latency at the figures' clock. Empty when the family has no cycle model.
     */
    public static List<String> cycleModel(TargetFigures f, String indent) {
        TargetFigures.CycleModel m = f.cycleModel();
        List<String> out = new ArrayList<>();
        if (m == null) {
            return out;
        }
        if (m.predictedSamples() > 0) {
            out.add(String.format(Locale.ROOT, "%scycle prediction from the integer model's spikes: mean %.1f cycles per"
                    + " inference; %d of %d samples equal to the emulator's cycles in every step%s%s", indent,
                    m.meanPredictedCycles(), m.equalSamples(), m.predictedSamples(),
                    m.rtlSamples() == 0 ? "" : String.format(Locale.ROOT, ", %d of %d to the RTL's", m.rtlEqualSamples(),
                            m.rtlSamples()),
                    m.firstDifference() == null ? "" : "; first difference: " + m.firstDifference()));
        }
        TargetFigures.Clock c = f.clock();
        String basis = c.assumed() ? "assumed" : c.basis();
        out.add(String.format(Locale.ROOT, "%sworst case: %d cycles per step, %d per inference (%s at %s MHz%s); measured"
                + " max %d per step, %d per inference", indent, m.worstStepCycles(), m.worstInferenceCycles(),
                Units.seconds(c.seconds(m.worstInferenceCycles())), mhz(c.mhz()), basis.isEmpty() ? "" : ", " + basis,
                f.maxStepCycles(), f.maxCycles()));
        return out;
    }

    /** The figures as JSON fields of {@code o}. */
    public static void json(ObjectNode o, TargetFigures f) {
        o.put("cycles_per_inference", f.meanCycles());
        o.put("min_cycles", f.minCycles());
        o.put("max_cycles", f.maxCycles());
        o.put("cycles_per_step_mean", f.meanStepCycles());
        o.put("cycles_per_step_max", f.maxStepCycles());
        o.put("clock_mhz", f.clock().mhz());
        o.put("clock_assumed", f.clock().assumed());
        if (!f.clock().basis().isEmpty()) {
            o.put("clock_basis", f.clock().assumed() ? "assumed" : f.clock().basis());
        }
        o.put("seconds_per_inference", f.meanSeconds());
        o.put("inferences_per_second", f.inferencesPerSecond());
        if (!f.resources().isEmpty()) {
            o.put("resources", f.resources());
        }
        for (TargetFigures.Counter c : f.counters()) {
            o.put(c.key(), c.perInference());
        }
        if (f.energy() != null) {
            ObjectNode en = o.putObject("energy_estimate_j");
            f.energy().parts().forEach(en::put);
            en.put("total", f.energy().total());
            o.put("energy_per_inference_j", f.energy().total());
        }
        if (!f.layers().isEmpty()) {
            o.set("layers", table(f.layers()));
        }
        TargetFigures.CycleModel m = f.cycleModel();
        if (m != null) {
            ObjectNode cm = o.putObject("cycle_model");
            cm.put("formula", m.formula());
            cm.put("predicted_samples", m.predictedSamples());
            cm.put("predicted_equal_emulator_samples", m.equalSamples());
            if (m.predictedSamples() > 0) {
                cm.put("predicted_cycles_per_inference", m.meanPredictedCycles());
            }
            cm.put("first_difference", m.firstDifference());
            cm.put("rtl_predicted_samples", m.rtlSamples());
            cm.put("predicted_equal_rtl_samples", m.rtlEqualSamples());
            cm.put("worst_cycles_per_step", m.worstStepCycles());
            cm.put("worst_cycles_per_inference", m.worstInferenceCycles());
            cm.put("worst_seconds_per_inference", f.clock().seconds(m.worstInferenceCycles()));
            cm.put("worst_note", m.worstNote());
        }
        ArrayNode notes = o.putArray("notes");
        f.notes().forEach(notes::add);
    }

    /** A figure table as a JSON array of one object per row. */
    public static ArrayNode table(FigureTable t) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (List<Object> row : t.rows()) {
            ObjectNode o = a.addObject();
            for (int i = 0; i < row.size(); i++) {
                Object v = row.get(i);
                String key = t.columns().get(i).key();
                if (v == null) {
                    o.putNull(key);
                } else if (v instanceof Integer n) {
                    o.put(key, n);
                } else if (v instanceof Long n) {
                    o.put(key, n);
                } else if (v instanceof Number n) {
                    o.put(key, n.doubleValue());
                } else {
                    o.put(key, v.toString());
                }
            }
        }
        return a;
    }

    /** Per-layer compute energy, or an empty map when not modelled. */
    public static Map<String, Double> layerEnergy(TargetFigures f) {
        return f.energy() == null ? Map.of() : f.energy().perLayerCompute();
    }

    static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** A clock as written: whole numbers without a fraction, others to 0.1 MHz (a measured Fmax has more digits than it means). */
    static String mhz(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
