package dev.spikeforge.compiler.summary;

import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-layer sizes of a network: output shape, neurons, synapses, parameters, and totals. */
public record NetworkSummary(Network network, List<LayerRow> rows) {

    public static NetworkSummary of(Network net) {
        List<LayerRow> rows = new ArrayList<>();
        for (Map.Entry<String, List<Node>> layer : net.layers().entrySet()) {
            rows.add(row(net, layer.getKey(), layer.getValue()));
        }
        return new NetworkSummary(net, List.copyOf(rows));
    }

    private static LayerRow row(Network net, String layer, List<Node> nodes) {
        String kind = null;
        String neuron = null;
        long neurons = 0;
        long synapses = 0;
        long params = 0;
        boolean residual = nodes.stream().anyMatch(ResidualAddNode.class::isInstance);
        for (Node n : nodes) {
            if (n instanceof InputNode in) {
                kind = "input " + in.encoding();
            } else if (n instanceof Conv2dNode c) {
                synapses += convSynapses(net.inputShapes(c).get(0), c);
                params += c.parameterCount();
                if (kind == null) {
                    kind = "conv " + c.kernel() + "x" + c.kernel() + (c.stride() > 1 ? "/" + c.stride() : "");
                }
            } else if (n instanceof Conv1dNode c) {
                synapses += conv1dSynapses(net.inputShapes(c).get(0), c);
                params += c.parameterCount();
                kind = "conv1d " + c.kernel() + (c.stride() > 1 ? "/" + c.stride() : "");
            } else if (n instanceof AvgPoolNode p) {
                synapses += p.shape().size() * p.kernel() * p.kernel();
                kind = "avgpool " + p.kernel() + "x" + p.kernel();
            } else if (n instanceof MaxPoolNode p) {
                // one synapse per input spike of each output's window, as for avgpool; no weights to train
                boolean sequence = p.shape().isSequence();
                synapses += p.shape().isKnown() ? p.shape().size() * p.kernel() * (sequence ? 1 : p.kernel()) : 0;
                kind = "maxpool " + p.kernel() + (sequence ? "" : "x" + p.kernel());
            } else if (n instanceof DenseNode d) {
                // a recurrent layer's own spikes of step t-1 come back through units x units (diagonal: units) synapses
                synapses += (long) d.units() * d.inFeatures() + d.recurrent().weights(d.units());
                params += d.parameterCount();
                kind = switch (d.recurrent()) {
                    case NONE -> "dense";
                    case FULL -> "dense recurrent";
                    case DIAGONAL -> "dense recurrent diagonal";
                };
            } else if (n instanceof ReadoutNode r) {
                synapses += (long) r.classes() * r.inFeatures();
                params += r.parameterCount();
                neurons += r.classes();
                kind = "readout " + r.mode().keyword();
                neuron = r.neuron() == null ? null : r.neuron().name();
            } else if (n instanceof NeuronNode nn) {
                neurons += nn.shape().size();
                neuron = nn.neuron().name();
            } else if (n instanceof ResidualAddNode) {
                kind = "residual";
            } else if (kind == null) {
                kind = n.kind();
            }
        }
        if (residual) {
            kind = nodes.stream().anyMatch(Conv2dNode.class::isInstance) ? "residual + skip conv" : "residual + identity";
        }
        Shape shape = nodes.get(nodes.size() - 1).shape();
        return new LayerRow(layer, kind, neuron, shape, neurons, synapses, params);
    }

    /**
     * Synapses of a convolution: for each output position, the kernel taps that land inside the
     * (unpadded) input, times input channels and filters. Padding taps are not synapses.
     */
    static long convSynapses(Shape in, Conv2dNode c) {
        if (!in.isSpatial() || !c.shape().isSpatial()) {
            return 0;
        }
        long rows = inBoundsTaps(in.height(), c.shape().height(), c.kernel(), c.stride(), c.padding());
        long cols = inBoundsTaps(in.width(), c.shape().width(), c.kernel(), c.stride(), c.padding());
        return rows * cols * c.inChannels() * c.filters();
    }

    /** Synapses of a 1-D convolution: the in-bounds taps along the length, times input channels and filters. */
    static long conv1dSynapses(Shape in, Conv1dNode c) {
        if (!in.isSequence() || !c.shape().isSequence()) {
            return 0;
        }
        return inBoundsTaps(in.length(), c.shape().length(), c.kernel(), c.stride(), c.padding()) * c.inChannels()
                * c.filters();
    }

    private static long inBoundsTaps(int inSize, int outSize, int kernel, int stride, int padding) {
        long taps = 0;
        for (int o = 0; o < outSize; o++) {
            long start = (long) o * stride - padding;
            long lo = Math.max(0, start);
            long hi = Math.min(inSize, start + kernel);
            taps += Math.max(0, hi - lo);
        }
        return taps;
    }

    public long totalNeurons() {
        return rows.stream().mapToLong(LayerRow::neurons).sum();
    }

    public long totalSynapses() {
        return rows.stream().mapToLong(LayerRow::synapses).sum();
    }

    public long totalParameters() {
        return rows.stream().mapToLong(LayerRow::parameters).sum();
    }
}
