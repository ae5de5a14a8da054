package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.List;

/**
 * One population of the integer model: spiking neurons, or the readout. Its current at a step is
 * the exact integer {@code I = sum over synapses + bias[channel]}; then (docs/semantics.md
 * section 4.6) {@code h = clamp(leak(v) + I)}, {@code s = h >= theta[channel]}, and the reset.
 *
 * <p>Scale channels: {@code scale} and {@code theta} have {@link #channels()} entries, 1 for a
 * per-layer format (and for pooling and non-spiking readouts), else one per output channel (conv)
 * or unit (dense); neuron {@code n} (flat index, channel-major) uses entry {@link #channelOf(int)}.
 * Features: {@code bias} has one entry per output channel or unit whatever the granularity;
 * neuron {@code n} uses entry {@link #featureOf(int)}.
 *
 * @param layer       the user-level layer name ({@code c1}, {@code r1}, {@code out})
 * @param node        the IR node whose neurons these are ({@code c1.lif}, {@code out})
 * @param readout     null for a spiking layer, else the readout's mode
 * @param bias        integer bias per feature, or null when the layer has none
 * @param theta       integer threshold per channel, or null for a non-spiking readout
 * @param reset       null for a non-spiking readout
 * @param scale       the float value of one integer unit of current, per channel
 * @param floatTheta  the threshold of the float model (NaN for a non-spiking readout)
 * @param floatBeta   the beta of the float model (1 for IF and accumulate); {@code leak.beta()} is what the integers do
 * @param maxCurrent  the largest |I| any neuron of the layer can receive in one step (the sum of its
 *                    synapses and bias; recurrent synapses count every source spike, at most units)
 * @param guardBits   G of docs/semantics.md section 4.8: partial sums fit in membraneBits + G bits;
 *                    with a synaptic current, in currentBits + G bits (section 4.9), as a step's
 *                    synaptic work accumulates into the current
 * @param stats       what quantisation did to the float weights, for the report
 * @param synapticLeak the integer decay of the synaptic current (CUBA, docs/semantics.md section
 *                    4.9), or null when the layer has no synaptic current: then the step's current
 *                    goes straight into the membrane
 * @param floatAlpha  the alpha of the float model (0 without synaptic current)
 */
public record QuantLayer(String layer, String node, SourcePos pos, ReadoutMode readout, Shape shape, int channels,
                         List<Synapse> synapses, long[] bias, long[] theta, Reset reset, QuantLeak leak,
                         double[] scale, double floatTheta, double floatBeta, long maxCurrent, int guardBits, Stats stats,
                         QuantLeak synapticLeak, double floatAlpha) {

    /** A layer without synaptic current. */
    public QuantLayer(String layer, String node, SourcePos pos, ReadoutMode readout, Shape shape, int channels,
                      List<Synapse> synapses, long[] bias, long[] theta, Reset reset, QuantLeak leak,
                      double[] scale, double floatTheta, double floatBeta, long maxCurrent, int guardBits, Stats stats) {
        this(layer, node, pos, readout, shape, channels, synapses, bias, theta, reset, leak, scale, floatTheta, floatBeta,
                maxCurrent, guardBits, stats, null, 0.0);
    }

    public QuantLayer {
        synapses = List.copyOf(synapses);
        if (shape.size() % channels != 0) {
            throw new IllegalArgumentException(node + ": " + channels + " channels do not divide " + shape);
        }
    }

    /** Whether the layer keeps a synaptic current between steps (CUBA). */
    public boolean hasSynapticCurrent() {
        return synapticLeak != null;
    }

    /** Whether one of its synapses reads the layer's own spikes of the previous step. */
    public boolean isRecurrent() {
        return synapses.stream().anyMatch(s -> s instanceof Synapse.Recurrent);
    }

    /** Number of neurons (or readout classes). */
    public int size() {
        return Math.toIntExact(shape.size());
    }

    public boolean spiking() {
        return readout == null || readout.spiking();
    }

    /** The scale channel of neuron {@code n}. */
    public int channelOf(int n) {
        return n / (size() / channels);
    }

    /** Output channels (a feature map or a CxL sequence) or units (flat): the entries of {@code bias}. */
    public int features() {
        return shape.isSpatial() || shape.isSequence() ? shape.channels() : size();
    }

    /**
     * The largest |value| the membrane can be charged with in one step: {@link #maxCurrent()}, or for
     * a layer with a synaptic current the bound on |c| (docs/semantics.md section 4.9): c never leaves
     * the current's format, and since every integer decay keeps |decay(c)| <= alpha_q |c| + 1,
     * |c| <= (maxCurrent + 1) / (1 - alpha_q) as long as it does not saturate.
     */
    public long maxMembraneInput(QuantizedNetwork.Numerics numerics) {
        if (synapticLeak == null) {
            return maxCurrent;
        }
        long format = 1L << (numerics.currentBits() - 1);
        // floor((maxCurrent + 1) / (1 - alpha_q)) exactly: 1 - alpha_q = 2^-k (shift) or (2^F - m) / 2^F
        java.math.BigInteger top = java.math.BigInteger.valueOf(maxCurrent).add(java.math.BigInteger.ONE);
        java.math.BigInteger steady;
        if (synapticLeak instanceof QuantLeak.Shift sh) {
            steady = top.shiftLeft(sh.k());
        } else if (synapticLeak instanceof QuantLeak.Multiplier mul && mul.m() < (1L << mul.fractionBits())) {
            steady = top.shiftLeft(mul.fractionBits())
                    .divide(java.math.BigInteger.valueOf((1L << mul.fractionBits()) - mul.m()));
        } else {
            return format; // no decay: only the format bounds it
        }
        return steady.compareTo(java.math.BigInteger.valueOf(format)) >= 0 ? format : steady.longValueExact();
    }

    /** The output channel or unit of neuron {@code n}. */
    public int featureOf(int n) {
        return n / (size() / features());
    }

    /**
     * @param weights       quantised weights (identity skips count one per channel, pooling none)
     * @param clipped       weights whose rounded value exceeded the B-bit range and were clamped
     * @param largestFloat  the largest |w| of the float weights
     */
    public record Stats(long weights, long clipped, double largestFloat) {
        public double clippedFraction() {
            return weights == 0 ? 0 : clipped / (double) weights;
        }
    }
}
