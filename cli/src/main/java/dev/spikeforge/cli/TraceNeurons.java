package dev.spikeforge.cli;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import java.util.ArrayList;
import java.util.List;

/** {@code --trace-neurons LAYER:INDEX,...}: a layer's name, node or index and a flat neuron index. */
final class TraceNeurons {

    private TraceNeurons() {
    }

    /** The neurons as {layer, neuron}; empty for null; an IllegalArgumentException says what is wrong. */
    static List<int[]> parse(String spec, QuantizedNetwork q) {
        List<int[]> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + part + "' is not LAYER:INDEX");
            }
            int layer = -1;
            for (int l = 0; l < q.layers().size(); l++) {
                if (q.layers().get(l).layer().equals(kv[0]) || q.layers().get(l).node().equals(kv[0])
                        || kv[0].equals(String.valueOf(l))) {
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
}
