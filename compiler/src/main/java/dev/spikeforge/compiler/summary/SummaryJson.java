package dev.spikeforge.compiler.summary;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON form of a model summary (the same figures as {@link SummaryText}). */
public final class SummaryJson {

    private SummaryJson() {
    }

    public static ObjectNode of(NetworkSummary s) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("model", s.network().name());
        o.put("timesteps", s.network().timesteps());
        o.put("input_shape", s.network().input().shape().toString());
        o.put("encoding", s.network().input().encoding().toString());
        ArrayNode layers = o.putArray("layers");
        for (LayerRow r : s.rows()) {
            ObjectNode l = layers.addObject();
            l.put("layer", r.layer());
            l.put("kind", r.kind());
            if (r.neuron() == null) {
                l.putNull("neuron");
            } else {
                l.put("neuron", r.neuron());
            }
            ArrayNode shape = l.putArray("output_shape");
            for (int d : r.shape().toArray()) {
                shape.add(d);
            }
            l.put("neurons", r.neurons());
            l.put("synapses", r.synapses());
            l.put("parameters", r.parameters());
        }
        ObjectNode totals = o.putObject("totals");
        totals.put("neurons", s.totalNeurons());
        totals.put("synapses", s.totalSynapses());
        totals.put("parameters", s.totalParameters());
        return o;
    }
}
