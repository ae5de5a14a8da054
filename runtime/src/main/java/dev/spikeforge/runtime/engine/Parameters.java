package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.runtime.encode.SplitMix64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainable tensors of a network as plain float arrays, keyed {@code NODE.weight} and
 * {@code NODE.bias} (the names checkpoints use). Layouts: conv {@code [filters, in_channels, k, k]}
 * (OIYX, as PyTorch and NIR), dense and readout {@code [out, in]}.
 */
public final class Parameters {

    /** Purpose constant of the SplitMix64 stream that draws initial weights. */
    public static final long PURPOSE_INIT = 0x1A17;

    private final Map<String, float[]> tensors;

    public Parameters(Map<String, float[]> tensors) {
        this.tensors = new LinkedHashMap<>(tensors);
    }

    /**
     * Initial weights N(0, sqrt(k / n_in)) with n_in the fan-in of one output (C*k*k for a conv,
     * in-features for dense), k = 1 for networks with residual blocks and 2 otherwise (seed 003,
     * after He et al.); biases 0. Node i (in graph order) draws from stream (seed, PURPOSE_INIT, i).
     */
    public static Parameters initialise(Network net, long seed) {
        boolean residual = net.nodes().stream().anyMatch(ResidualAddNode.class::isInstance);
        double gain = residual ? 1 : 2;
        Map<String, float[]> t = new LinkedHashMap<>();
        int index = 0;
        for (Node n : net.nodes()) {
            long fanIn = fanIn(n);
            if (fanIn > 0) {
                SplitMix64 rng = SplitMix64.forPurpose(seed, PURPOSE_INIT, index);
                float[] w = new float[Math.toIntExact(weightCount(n))];
                double std = Math.sqrt(gain / fanIn);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (rng.nextGaussian() * std);
                }
                t.put(n.name() + ".weight", w);
                if (hasBias(n)) {
                    t.put(n.name() + ".bias", new float[outputs(n)]);
                }
            }
            index++;
        }
        return new Parameters(t);
    }

    /** The name and length of every parameter of a network, in graph order, without drawing any. */
    public static Map<String, Integer> sizes(Network net) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            if (fanIn(n) > 0) {
                sizes.put(n.name() + ".weight", Math.toIntExact(weightCount(n)));
                if (hasBias(n)) {
                    sizes.put(n.name() + ".bias", outputs(n));
                }
            }
        }
        return sizes;
    }

    static long fanIn(Node n) {
        if (n instanceof Conv2dNode c) {
            return (long) c.inChannels() * c.kernel() * c.kernel();
        } else if (n instanceof DenseNode d) {
            return d.inFeatures();
        } else if (n instanceof ReadoutNode r) {
            return r.inFeatures();
        }
        return 0;
    }

    static long weightCount(Node n) {
        return fanIn(n) * outputs(n);
    }

    static int outputs(Node n) {
        if (n instanceof Conv2dNode c) {
            return c.filters();
        } else if (n instanceof DenseNode d) {
            return d.units();
        } else if (n instanceof ReadoutNode r) {
            return r.classes();
        }
        return 0;
    }

    static boolean hasBias(Node n) {
        return n instanceof Conv2dNode c && c.bias() || n instanceof DenseNode d && d.bias()
                || n instanceof ReadoutNode r && r.bias();
    }

    public float[] weight(String node) {
        return require(node + ".weight");
    }

    /** The bias of a node, or null when it has none. */
    public float[] bias(String node) {
        return tensors.get(node + ".bias");
    }

    public Map<String, float[]> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    private float[] require(String key) {
        float[] t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + key + "'");
        }
        return t;
    }
}
