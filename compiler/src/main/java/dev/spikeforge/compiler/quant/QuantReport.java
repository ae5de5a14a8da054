package dev.spikeforge.compiler.quant;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What quantisation did, per layer: the scale(s), the fraction of weights clipped, the largest
 * per-step current and the guard bits it needs, the float and integer thresholds, and the beta of
 * the float model against the beta the integer leak represents. As a text table and as JSON
 * (schema {@code spikeforge.quantization/1}). A network with synaptic currents (CUBA layers) also
 * gets the current's width and, per layer, the synaptic leak with the float alpha against the
 * alpha it represents; recurrent synapses show in the kind ({@code dense+recurrent}).
 */
public final class QuantReport {

    private QuantReport() {
    }

    public static String text(QuantizedNetwork q) {
        QuantizedNetwork.Numerics n = q.numerics();
        StringBuilder sb = new StringBuilder();
        boolean currents = hasSynapticCurrents(q);
        sb.append(String.format(Locale.ROOT, "model %s: weights int%d %s, membrane int%d (%s)%s, T = %d, readout %d bits%n",
                q.name(), n.weightBits(), n.granularity().keyword(), n.membraneBits(), n.overflow().keyword(),
                currents ? ", current int" + n.currentBits() : "", q.timesteps(), q.readoutBits()));
        List<String[]> rows = new ArrayList<>();
        rows.add(columns(currents, new String[] {"layer", "kind", "neurons", "scale (1 unit)", "weights", "clipped",
            "max |I|/step", "G", "theta float", "theta int", "leak", "beta float", "beta int"},
                "current leak", "alpha float", "alpha int"));
        for (QuantLayer l : q.layers()) {
            boolean cuba = l.hasSynapticCurrent();
            rows.add(columns(currents, new String[] {
                l.layer(),
                kinds(l),
                String.valueOf(l.size()),
                range(l.scale()),
                String.valueOf(l.stats().weights()),
                String.format(Locale.ROOT, "%.2f%%", 100 * l.stats().clippedFraction()),
                String.valueOf(l.maxCurrent()),
                l.spiking() ? String.valueOf(l.guardBits()) : "-",
                Double.isNaN(l.floatTheta()) ? "-" : num(l.floatTheta()),
                l.theta() == null ? "-" : range(l.theta()),
                l.leak().describe(),
                num(l.floatBeta()),
                num(l.leak().beta())},
                cuba ? l.synapticLeak().describe() : "-", cuba ? num(l.floatAlpha()) : "-",
                cuba ? num(l.synapticLeak().beta()) : "-"));
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String cell = i == 0 || i == 1 || i == 10 || i == 13 ? pad(r[i], width[i]) : padLeft(r[i], width[i]);
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    public static ObjectNode json(QuantizedNetwork q) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("schema", "spikeforge.quantization/1");
        doc.put("model", q.name());
        doc.set("numerics", numerics(q));
        ArrayNode layers = doc.putArray("layers");
        for (QuantLayer l : q.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", l.layer());
            o.put("node", l.node());
            o.put("kind", kinds(l));
            o.put("neurons", l.size());
            ArrayNode scales = o.putArray("scale");
            for (double s : l.scale()) {
                scales.add(s);
            }
            o.put("weights", l.stats().weights());
            o.put("clipped", l.stats().clipped());
            o.put("clipped_fraction", l.stats().clippedFraction());
            o.put("largest_float_weight", l.stats().largestFloat());
            o.put("max_current", l.maxCurrent());
            if (l.spiking()) {
                o.put("guard_bits", l.guardBits());
                o.put("threshold_float", l.floatTheta());
                ArrayNode th = o.putArray("threshold_int");
                for (long t : l.theta()) {
                    th.add(t);
                }
            }
            o.put("leak", l.leak().describe());
            o.put("beta_float", l.floatBeta());
            o.put("beta_int", l.leak().beta());
            if (l.hasSynapticCurrent()) {
                o.put("synaptic_leak", l.synapticLeak().describe());
                o.put("alpha_float", l.floatAlpha());
                o.put("alpha_int", l.synapticLeak().beta());
            }
        }
        return doc;
    }

    private static boolean hasSynapticCurrents(QuantizedNetwork q) {
        return q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent);
    }

    /** The row, with the synaptic current's columns when the network has any. */
    private static String[] columns(boolean currents, String[] base, String... current) {
        if (!currents) {
            return base;
        }
        String[] all = java.util.Arrays.copyOf(base, base.length + current.length);
        System.arraycopy(current, 0, all, base.length, current.length);
        return all;
    }

    static ObjectNode numerics(QuantizedNetwork q) {
        QuantizedNetwork.Numerics n = q.numerics();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("weight_bits", n.weightBits());
        o.put("granularity", n.granularity().keyword());
        o.put("membrane_bits", n.membraneBits());
        o.put("overflow", n.overflow().keyword());
        o.put("shift_rounding", n.shiftTowardZero() ? "toward_zero" : "floor");
        if (n.decayMinLsb()) {
            o.put("decay_min_lsb", true);
        }
        o.put("readout_bits", q.readoutBits());
        o.put("timesteps", q.timesteps());
        if (hasSynapticCurrents(q)) {
            o.put("current_bits", n.currentBits());
        }
        return o;
    }

    /** {@code conv}, {@code conv+conv} (residual), {@code avgpool}, {@code readout/accumulate}. */
    static String kinds(QuantLayer l) {
        StringBuilder sb = new StringBuilder();
        for (Synapse s : l.synapses()) {
            sb.append(sb.length() == 0 ? "" : "+").append(s.kind());
        }
        if (l.readout() != null) {
            sb.append('/').append(l.readout().keyword());
        }
        return sb.toString();
    }

    private static String range(double[] v) {
        double lo = v[0];
        double hi = v[0];
        for (double x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return lo == hi ? sig(lo) : sig(lo) + ".." + sig(hi);
    }

    private static String range(long[] v) {
        long lo = v[0];
        long hi = v[0];
        for (long x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return lo == hi ? String.valueOf(lo) : lo + ".." + hi;
    }

    private static String sig(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }
}
