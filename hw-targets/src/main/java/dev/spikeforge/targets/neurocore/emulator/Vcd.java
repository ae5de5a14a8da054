package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value change dump (IEEE 1364-2005 section 18) of chosen neurons of one emulated sample, for
 * GTKWave and other waveform viewers: per neuron its membrane as a two's complement wire of
 * membrane_bits (64 bits for a non-spiking readout's accumulator; display it as signed decimal)
 * and its spike as one bit, plus the step number.
 *
 * <p>Step t = 1..T occupies the interval [start(t), start(t + 1)): with {@link TimeAxis#STEPS}
 * start(t) = t - 1 (one time unit per step), with {@link TimeAxis#CYCLES} start(t) = the cycles
 * of the steps before t, so each step is as wide as the timing model says. The declared
 * {@code $timescale} is nominal (VCD only has powers of ten); the header comment says what a unit
 * is. No {@code $date}, so the same run gives the same bytes.
 */
public final class Vcd {

    /** What one time unit of the dump stands for. */
    public enum TimeAxis { STEPS, CYCLES }

    /** Neuron {@code neuron} (flat index) of layer {@code layer}. */
    public record Probe(int layer, int neuron) {

        /**
         * Parses {@code LAYER:INDEX,...}: LAYER is a layer's name, its node or its index; INDEX its
         * flat neuron index.
         *
         * @throws IllegalArgumentException with a message naming the bad item and what exists
         */
        public static List<Probe> parse(String spec, Mapping m) {
            List<Probe> out = new ArrayList<>();
            for (String item : spec.split(",")) {
                String s = item.trim();
                int colon = s.lastIndexOf(':');
                if (colon <= 0 || colon == s.length() - 1) {
                    throw new IllegalArgumentException("'" + s + "' is not LAYER:INDEX (for example "
                            + m.layers().get(0).name() + ":0)");
                }
                Mapping.Layer layer = layer(s.substring(0, colon), m);
                int n;
                try {
                    n = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "': the neuron index is not a number");
                }
                if (n < 0 || n >= layer.size()) {
                    throw new IllegalArgumentException("'" + s + "': layer " + layer.name() + " has neurons 0 to "
                            + (layer.size() - 1));
                }
                out.add(new Probe(layer.index(), n));
            }
            return out;
        }

        private static Mapping.Layer layer(String key, Mapping m) {
            for (Mapping.Layer l : m.layers()) {
                if (l.name().equals(key) || l.node().equals(key)) {
                    return l;
                }
            }
            try {
                int i = Integer.parseInt(key);
                if (i >= 0 && i < m.layers().size()) {
                    return m.layers().get(i);
                }
            } catch (NumberFormatException e) {
                // not an index: reported below
            }
            throw new IllegalArgumentException("no layer '" + key + "'; the layers are "
                    + String.join(", ", m.layers().stream().map(Mapping.Layer::name).toList()) + " (or 0 to "
                    + (m.layers().size() - 1) + ")");
        }
    }

    private Vcd() {
    }

    /** Writes the dump atomically. */
    public static void write(Path file, Mapping m, EmulatedSample sample, List<Probe> probes, TimeAxis axis,
                             String comment) throws IOException {
        AtomicFiles.writeString(file, render(m, sample, probes, axis, comment));
    }

    /**
     * @param sample  a sample run with recording
     * @param comment one line for the header (which sample, which input), or null
     */
    public static String render(Mapping m, EmulatedSample sample, List<Probe> probes, TimeAxis axis, String comment) {
        if (sample.membranes() == null) {
            throw new IllegalArgumentException("the sample was run without recording; run it with record = true");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("$version spikeforge emulate (neurocore) $end\n");
        sb.append("$comment model ").append(m.model()).append(", target ").append(m.target().name()).append(", T = ")
                .append(m.timesteps()).append("; 1 time unit = ")
                .append(axis == TimeAxis.STEPS ? "1 step" : "1 clock cycle at " + m.target().clockMhz() + " MHz")
                .append("; step t spans [start(t), start(t+1)); membranes are signed (two's complement)")
                .append(comment == null ? "" : "; " + comment).append(" $end\n");
        sb.append("$timescale 1 ns $end\n");
        sb.append("$scope module neurocore $end\n");
        String stepId = id(0);
        sb.append("$var integer 32 ").append(stepId).append(" step $end\n");
        Map<Integer, List<Integer>> byLayer = new LinkedHashMap<>();
        for (int i = 0; i < probes.size(); i++) {
            byLayer.computeIfAbsent(probes.get(i).layer(), k -> new ArrayList<>()).add(i);
        }
        int[] width = new int[probes.size()];
        for (Map.Entry<Integer, List<Integer>> e : byLayer.entrySet()) {
            Mapping.Layer l = m.layers().get(e.getKey());
            sb.append("$scope module ").append(identifier(l.name())).append(" $end\n");
            for (int i : e.getValue()) {
                Probe p = probes.get(i);
                width[i] = l.role().fires() ? m.numerics().membraneBits() : 64;
                sb.append("$var wire ").append(width[i]).append(' ').append(id(1 + 2 * i)).append(" n")
                        .append(p.neuron()).append("_membrane [").append(width[i] - 1).append(":0] $end\n");
                sb.append("$var wire 1 ").append(id(2 + 2 * i)).append(" n").append(p.neuron())
                        .append("_spike $end\n");
            }
            sb.append("$upscope $end\n");
        }
        sb.append("$upscope $end\n$enddefinitions $end\n");
        String[] lastMembrane = new String[probes.size()];
        char[] lastSpike = new char[probes.size()];
        long start = 0;
        for (int t = 0; t < m.timesteps(); t++) {
            sb.append('#').append(start).append('\n');
            if (t == 0) {
                sb.append("$dumpvars\n");
            }
            sb.append(binary(t + 1, 32)).append(' ').append(stepId).append('\n');
            for (int i = 0; i < probes.size(); i++) {
                Probe p = probes.get(i);
                String v = binary(sample.membranes()[p.layer()][t][p.neuron()], width[i]);
                if (!v.equals(lastMembrane[i])) {
                    sb.append(v).append(' ').append(id(1 + 2 * i)).append('\n');
                    lastMembrane[i] = v;
                }
                char s = sample.spikes()[p.layer()][t][p.neuron()] != 0 ? '1' : '0';
                if (s != lastSpike[i]) {
                    sb.append(s).append(id(2 + 2 * i)).append('\n');
                    lastSpike[i] = s;
                }
            }
            if (t == 0) {
                sb.append("$end\n");
            }
            start += axis == TimeAxis.STEPS ? 1 : Math.max(1, sample.stepCycles()[t]);
        }
        sb.append('#').append(start).append('\n');
        return sb.toString();
    }

    /** {@code b} and the low {@code width} bits, two's complement, most significant first. */
    static String binary(long v, int width) {
        StringBuilder sb = new StringBuilder(width + 1).append('b');
        for (int bit = width - 1; bit >= 0; bit--) {
            sb.append((v >>> bit & 1) == 0 ? '0' : '1');
        }
        return sb.toString();
    }

    /** The VCD short identifier of variable k: base 94 over the printable characters ! to ~. */
    static String id(int k) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.append((char) ('!' + k % 94));
            k /= 94;
        } while (k > 0);
        return sb.toString();
    }

    /** A scope name without white space (VCD identifiers end at white space). */
    private static String identifier(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.]", "_");
        return s.isEmpty() ? "_" : s;
    }
}
