package dev.spikeforge.runtime.train;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.engine.IntegerExact;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The forward weights of quantisation-aware training: each weight replaced by its integer value
 * times the layer's effective unit, so that the float model computes exactly what the integer
 * model computes, scaled. For a spiking layer the unit of channel c is {@code theta / theta_q[c]}:
 * then {@code h >= theta} in float is {@code h_q >= theta_q} in integers, the rounding of the
 * threshold included. For a non-spiking readout it is the scale sigma. Biases likewise.
 * Gradients pass straight through to the float weights the optimiser keeps.
 *
 * <p>Recurrent weights ({@code NODE.recurrent}) take the unit of their output neuron, conv1d
 * weights that of their filter. Weights reading analog input ({@code direct}, analog {@code rows})
 * are also multiplied by 255: the integer model reads its bytes, the float model byte / 255.
 *
 * <p>Not represented here: a conv1d's bias (it stays float), an identity skip (the float model adds the spikes with
 * weight 1, the integer model with round(1/sigma)). The neuron arithmetic (the integer leak's rounding, the clamp or
 * wrap of the current and the membrane, the readout's exact sum) is the integer-exact forward's,
 * {@link IntegerExact}, which runs on these weights ({@link #quantise}).
 */
public final class FakeQuantizer {

    private final Network net;
    private final QuantOptions options;

    public FakeQuantizer(Network net, QuantOptions options) {
        this.net = net;
        this.options = options;
    }

    public QuantOptions options() {
        return options;
    }

    /**
     * @param master the float weights, keyed {@code NODE.weight} / {@code NODE.bias}
     * @throws QuantisationFailed when the formats cannot represent the weights (E502-E504)
     */
    public Map<String, double[]> apply(Map<String, double[]> master) {
        return quantise(master).weights();
    }

    /** The forward weights of {@link #apply} and the integer model they are the weights of. */
    public record Quantised(Map<String, double[]> weights, QuantizedNetwork network) {
    }

    /**
     * {@link #apply}, with the integer model it quantised the master weights to: the model whose
     * neuron arithmetic the integer-exact forward runs.
     *
     * @throws QuantisationFailed when the formats cannot represent the weights (E502-E504)
     */
    public Quantised quantise(Map<String, double[]> master) {
        Map<String, float[]> floats = new LinkedHashMap<>();
        master.forEach((k, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            floats.put(k, f);
        });
        Quantizer.Result r = Quantizer.quantize(net, floats, options);
        if (!r.ok()) {
            throw new QuantisationFailed(r.diagnostics().stream().filter(Diagnostic::isError)
                    .map(Diagnostic::message).collect(Collectors.joining("; ")));
        }
        Map<String, double[]> out = new LinkedHashMap<>(master);
        for (QuantLayer l : r.network().layers()) {
            double[] unit = new double[l.channels()];
            for (int c = 0; c < unit.length; c++) {
                unit[c] = IntegerExact.unit(l, c);
            }
            String biasKey = null;
            for (Synapse s : l.synapses()) {
                if (s instanceof Synapse.Recurrent rec) {
                    // [out][in] (or [out] when diagonal): output unit o = i / units (or i)
                    int[] w = rec.weights();
                    double[] fw = new double[w.length];
                    for (int i = 0; i < w.length; i++) {
                        int o = rec.diagonal() ? i : i / rec.units();
                        fw[i] = w[i] * unit[unit.length == 1 ? 0 : o];
                    }
                    out.put(rec.node() + dev.spikeforge.runtime.engine.Parameters.RECURRENT, fw);
                    continue;
                }
                if (s instanceof Synapse.Conv1d c) {
                    // [filters][channels][kernel]: filter f = i / (channels * kernel)
                    int[] w = c.weights();
                    int perFilter = w.length / c.filters();
                    double[] fw = new double[w.length];
                    double input = inputScale(c);
                    for (int i = 0; i < w.length; i++) {
                        fw[i] = w[i] * unit[unit.length == 1 ? 0 : i / perFilter] * input;
                    }
                    // its bias stays the float master's: how the integer layer lays out a conv1d's
                    // per-position bias is the quantiser's, not known here
                    out.put(c.node() + ".weight", fw);
                    continue;
                }
                int[] w;
                String node;
                if (s instanceof Synapse.Conv c) {
                    w = c.weights();
                    node = c.node();
                } else if (s instanceof Synapse.Dense d) {
                    w = d.weights();
                    node = d.node();
                } else {
                    continue;
                }
                int len = w.length / l.features();
                double[] fw = new double[w.length];
                double input = inputScale(s);
                for (int i = 0; i < w.length; i++) {
                    fw[i] = w[i] * unit[unit.length == 1 ? 0 : i / len] * input;
                }
                out.put(node + ".weight", fw);
                if (biasKey == null && master.containsKey(node + ".bias")) {
                    biasKey = node + ".bias";
                } else if (master.containsKey(node + ".bias")) {
                    out.put(node + ".bias", new double[l.features()]);
                }
            }
            if (biasKey != null) {
                double[] b = new double[l.features()];
                for (int f = 0; f < b.length; f++) {
                    b[f] = l.bias()[f] * unit[unit.length == 1 ? 0 : f];
                }
                out.put(biasKey, b);
            }
        }
        return new Quantised(out, r.network());
    }

    /**
     * 255 for a synapse reading analog input ({@code direct}, analog {@code rows}), else 1: the
     * integer model reads the input's bytes 0..255 and its weights are w / 255 on the grid, while
     * the float model reads byte / 255, so the float weight is w_q u_c 255.
     */
    private double inputScale(Synapse s) {
        return s.source() == -1 && net.input().encoding().analog() ? 255 : 1;
    }

    /** The deploy formats cannot represent the weights being trained. */
    public static final class QuantisationFailed extends RuntimeException {
        public QuantisationFailed(String message) {
            super(message);
        }
    }
}
