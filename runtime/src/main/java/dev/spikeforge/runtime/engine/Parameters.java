package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv1dNode;
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
 * The trainable tensors of a network as plain float arrays, keyed {@code NODE.weight},
 * {@code NODE.bias} and, for a recurrent dense layer, {@code NODE.recurrent} (the names checkpoints
 * use). Layouts: conv {@code [filters, in_channels, k, k]} (OIYX, as PyTorch and NIR), conv1d
 * {@code [filters, in_channels, k]}, dense and readout {@code [out, in]}, recurrent {@code [units, units]}
 * ({@code [out, in]}: I[o] += w[o * units + i] s[t-1][i]) or {@code [units]} for a diagonal one.
 */
public final class Parameters {

    /** Purpose constant of the SplitMix64 stream that draws initial weights. */
    public static final long PURPOSE_INIT = 0x1A17;

    /**
     * Purpose constant of the SplitMix64 stream that draws a recurrent dense layer's W_rec (its own
     * stream, so adding recurrence to a layer changes none of the other weights drawn).
     */
    public static final long PURPOSE_INIT_RECURRENT = 0x1A18;

    /** The key suffix of recurrent weights: {@code NODE.recurrent}. */
    public static final String RECURRENT = ".recurrent";

    /**
     * The recurrent weights start N(0, sqrt(k / units) / 2), k as for the feed-forward weights:
     * half the scale of a feed-forward layer of fan-in units, so the spikes coming back start as a
     * small part of the current and the layer starts close to its feed-forward self. A diagonal
     * layer's self-connections take the same scale as a full matrix's entries.
     */
    static final double RECURRENT_SCALE = 0.5;

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
                if (n instanceof DenseNode d && d.isRecurrent()) {
                    SplitMix64 rr = SplitMix64.forPurpose(seed, PURPOSE_INIT_RECURRENT, index);
                    float[] r = new float[Math.toIntExact(d.recurrent().weights(d.units()))];
                    double rstd = RECURRENT_SCALE * Math.sqrt(gain / d.units());
                    for (int i = 0; i < r.length; i++) {
                        r[i] = (float) (rr.nextGaussian() * rstd);
                    }
                    t.put(n.name() + RECURRENT, r);
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
                if (n instanceof DenseNode d && d.isRecurrent()) {
                    sizes.put(n.name() + RECURRENT, Math.toIntExact(d.recurrent().weights(d.units())));
                }
            }
        }
        return sizes;
    }

    static long fanIn(Node n) {
        if (n instanceof Conv2dNode c) {
            return (long) c.inChannels() * c.kernel() * c.kernel();
        } else if (n instanceof Conv1dNode c) {
            return (long) c.inChannels() * c.kernel();
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
        } else if (n instanceof Conv1dNode c) {
            return c.filters();
        } else if (n instanceof DenseNode d) {
            return d.units();
        } else if (n instanceof ReadoutNode r) {
            return r.classes();
        }
        return 0;
    }

    static boolean hasBias(Node n) {
        return n instanceof Conv2dNode c && c.bias() || n instanceof Conv1dNode c1 && c1.bias()
                || n instanceof DenseNode d && d.bias()
                || n instanceof ReadoutNode r && r.bias();
    }

    public float[] weight(String node) {
        return require(node + ".weight");
    }

    /** The recurrent weights of a recurrent dense node ({@code NODE.recurrent}). */
    public float[] recurrent(String node) {
        return require(node + RECURRENT);
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
