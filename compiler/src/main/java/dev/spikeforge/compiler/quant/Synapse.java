package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.Shape;

/**
 * One integer synaptic path into a {@link QuantLayer}: which layer's spikes it reads
 * ({@code source}, -1 for the network input), their shape, and the integer weights. Every path
 * into one layer uses that layer's scales, so the current is the exact integer sum of all paths
 * plus the bias. Weight arrays are never modified after construction. In a network from
 * {@link Quantizer#quantizeShapes} (design rules before training) the weight arrays are null.
 */
public sealed interface Synapse {

    /** Index of the source layer in {@link QuantizedNetwork#layers()}, or -1 for the input. */
    int source();

    /** The source's output shape (per sample, per step). */
    Shape inShape();

    /** The kind as written in JSON and reports. */
    String kind();

    /**
     * Dense: {@code I[o] += w[o * in + i] * x[i]}, weights {@code [out][in]} row-major.
     * {@code node} names the IR node (and checkpoint array {@code NODE.weight}) the weights came from.
     */
    record Dense(String node, int source, Shape inShape, int inFeatures, int outFeatures, int[] weights) implements Synapse {
        @Override
        public String kind() {
            return "dense";
        }
    }

    /**
     * Convolution, square kernel: {@code I[f, oy, ox] += w[f, c, ky, kx] * x[c, oy*s - p + ky, ox*s - p + kx]}
     * for every tap inside the input; weights {@code [filters][channels][k][k]} row-major.
     * {@code node} names the IR node (and checkpoint array {@code NODE.weight}) the weights came from.
     */
    record Conv(String node, int source, Shape inShape, int filters, int kernel, int stride, int padding, int[] weights)
            implements Synapse {
        @Override
        public String kind() {
            return "conv";
        }
    }

    /**
     * Spiking average pooling, kernel = stride = K: {@code I[c, y, x] += w[channel] * x[c, y*K + i, x*K + j]},
     * one integer per scale channel of the target. A pooling layer of its own is exact, {@code w = {1}};
     * a pooling that ends a residual block's main path has the block's scale.
     */
    record Pool(int source, Shape inShape, int kernel, int[] weights) implements Synapse {
        @Override
        public String kind() {
            return "avgpool";
        }
    }

    /**
     * The identity skip of a residual block: {@code I[n] += w[channel(n)] * x[n]}, one integer per
     * output channel (the quantised 1.0 at that channel's scale).
     */
    record Identity(int source, Shape inShape, int[] weights) implements Synapse {
        @Override
        public String kind() {
            return "identity";
        }
    }

    /**
     * The recurrent weights of a dense layer (docs/semantics.md section 4.10): the layer's own
     * spikes of the previous step, {@code s[t-1]} (0 at t = 0), come back into its current. Full:
     * {@code I[o] += w[o * units + i] * s[t-1][i]}, weights {@code [units][units]} row-major;
     * diagonal: {@code I[o] += w[o] * s[t-1][o]}. {@code source} is the layer's own index and
     * {@code inShape} its shape; {@code node} names the IR dense node (checkpoint array
     * {@code NODE.recurrent}).
     */
    record Recurrent(String node, int source, Shape inShape, int units, boolean diagonal, int[] weights)
            implements Synapse {
        @Override
        public String kind() {
            return diagonal ? "recurrent_diagonal" : "recurrent";
        }
    }

    /**
     * 1-D convolution on a CxL input: {@code I[f, o] += w[f, c, k] * x[c, o*s - p + k]} for every tap
     * inside the input; weights {@code [filters][channels][kernel]} row-major.
     */
    record Conv1d(String node, int source, Shape inShape, int filters, int kernel, int stride, int padding, int[] weights)
            implements Synapse {
        @Override
        public String kind() {
            return "conv1d";
        }
    }

    /**
     * Max pooling of spikes, kernel = stride = K, on CxHxW (K x K windows) or CxL (windows of K):
     * {@code I[c, window] += x} for each input spike of the window, weight 1. Its layer has
     * threshold 1, reset to zero and no leak, so it fires exactly when a spike of the window did:
     * the OR (docs/semantics.md section 4.11).
     */
    record MaxPool(int source, Shape inShape, int kernel) implements Synapse {
        @Override
        public String kind() {
            return "maxpool";
        }
    }
}
