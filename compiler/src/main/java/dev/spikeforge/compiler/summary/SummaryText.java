package dev.spikeforge.compiler.summary;

import dev.spikeforge.compiler.ir.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The terminal table of {@code spikeforge check}. */
public final class SummaryText {

    private static final String[] HEADER = {"layer", "kind", "neuron", "output", "neurons", "synapses", "parameters"};
    private static final boolean[] RIGHT = {false, false, false, false, true, true, true};

    private SummaryText() {
    }

    public static String render(String fileName, NetworkSummary s) {
        Network net = s.network();
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        for (LayerRow r : s.rows()) {
            boolean input = r.kind().startsWith("input");
            lines.add(new String[] {r.layer(), r.kind(), r.neuron() == null ? "-" : r.neuron(), r.shape().toString(),
                    input ? "-" : count(r.neurons()), input ? "-" : count(r.synapses()), input ? "-" : count(r.parameters())});
        }
        lines.add(new String[] {"total", "", "", "", count(s.totalNeurons()), count(s.totalSynapses()),
                count(s.totalParameters())});
        int[] width = new int[HEADER.length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("model ").append(net.name()).append(" (").append(fileName).append("): T = ")
                .append(net.timesteps()).append(" steps, ").append(s.rows().size() - 1).append(" layers\n");
        for (int li = 0; li < lines.size(); li++) {
            if (li == lines.size() - 1) {
                rule(out, width);
            }
            String[] l = lines.get(li);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[i] - l[i].length());
                line.append(RIGHT[i] ? pad + l[i] : l[i] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
            if (li == 0) {
                rule(out, width);
            }
        }
        return out.toString();
    }

    private static void rule(StringBuilder out, int[] width) {
        int total = 0;
        for (int w : width) {
            total += w;
        }
        out.append("-".repeat(total + 2 * (width.length - 1))).append('\n');
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
