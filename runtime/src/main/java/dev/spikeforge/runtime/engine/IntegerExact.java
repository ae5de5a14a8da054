package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAccumulator;

/**
 * The integer model's neuron arithmetic inside the float model (docs/semantics.md section 4.13):
 * the float model's weights are its integers times one unit of current ({@code FakeQuantizer}),
 * so each step's float current is an integer number of units up to float rounding. The
 * integer-exact forward recovers that integer, {@code i = round(I / unit)}, and runs the step as
 * the integer model does, with the integer model's own code ({@link
 * dev.spikeforge.runtime.integer.IntegerSimulator#charge} and its neighbours): leak with its
 * rounding, saturation or wrap of the current and the membrane, threshold and reset in integers,
 * the readout summed exactly. The spikes are then the integer model's; the membrane h the backward
 * pass reads is {@code h_q * unit}.
 *
 * <p>One unit of current, per scale channel: {@code theta / theta_q} for a population fed by
 * weights (the unit {@code FakeQuantizer} puts the weights on, so that {@code theta_q} units are
 * the float threshold), the scale {@code 1 / K^2} for a spiking average pooling (its float current
 * is its input spikes / K^2), the scale for a non-spiking readout.
 *
 * <p>Analog input ({@code direct}, analog {@code rows}): the integer model reads the bytes 0..255,
 * the float model byte / 255, with the weights w_q u_c 255 ({@code FakeQuantizer}). The float sum
 * of such terms can be off its integer by more than the snap allows (a layer's current reaches
 * 255 times its weights' magnitudes), so the float model computes a convolution or product reading
 * analog input from the bytes and the integer weights ({@link #analog}): exact integers in float32
 * while the sums stay below 2^24, times the unit.
 *
 * <p>What it refuses (the float model's current is not on the integer grid there): analog input
 * read by anything but a convolution or a product into a hidden layer, or with sums of 2^24 units
 * or more; identity skips and poolings inside a residual block; a conv1d with a bias. A current
 * farther than {@link #MARGIN} of a unit from every integer is an {@link OffGrid} error, never
 * rounded silently.
 *
 * <p>Thread-safe: the populations are read-only; the largest residual is an accumulator.
 */
public final class IntegerExact {

    /**
     * The largest |I / unit - round(I / unit)| the forward accepts. The float current's error is
     * float rounding, far below this (docs/semantics.md section 4.13 bounds it and
     * docs/benchmarks.md has the largest residual measured); half a unit would be ambiguous.
     */
    public static final double MARGIN = 0.25;

    /** One population of the integer model with the float value of one unit of its current, per scale channel. */
    record Population(QuantLayer layer, QuantizedNetwork.Numerics numerics, double[] unit) {
    }

    private final QuantizedNetwork network;
    private final Map<String, Population> byNode = new LinkedHashMap<>();
    private final Map<String, Analog> analog = new LinkedHashMap<>();
    private final DoubleAccumulator largestResidual = new DoubleAccumulator(Math::max, 0);

    private IntegerExact(QuantizedNetwork network) {
        this.network = network;
        for (QuantLayer l : network.layers()) {
            double[] unit = new double[l.channels()];
            for (int c = 0; c < unit.length; c++) {
                unit[c] = unit(l, c);
            }
            byNode.put(l.node(), new Population(l, network.numerics(), unit));
            if (network.encoding().analog()) {
                for (Synapse s : l.synapses()) {
                    if (s.source() == -1 && s instanceof Synapse.Conv c) {
                        analog.put(c.node(), new Analog(c.weights(), unit));
                    } else if (s.source() == -1 && s instanceof Synapse.Dense d) {
                        analog.put(d.node(), new Analog(d.weights(), unit));
                    }
                }
            }
        }
    }

    /**
     * The integer-exact forward of {@code q}, the float model's weights quantised.
     *
     * @throws Unsupported when some part of the network has no integer-exact float form
     */
    public static IntegerExact of(QuantizedNetwork q) {
        for (QuantLayer l : q.layers()) {
            boolean weighted = l.synapses().stream().anyMatch(s -> !(s instanceof Synapse.Pool || s instanceof Synapse.MaxPool));
            for (Synapse s : l.synapses()) {
                if (q.encoding().analog() && s.source() == -1) {
                    analogProblem(q, l, s);
                }
                if (s instanceof Synapse.Identity || (s instanceof Synapse.Pool && weighted)) {
                    throw new Unsupported("layer '" + l.layer() + "' is a residual block's sum: its " + s.kind()
                            + " path adds spikes with the float weight " + (s instanceof Synapse.Pool ? "1/K^2" : "1")
                            + ", which is not on its integer grid");
                }
                if (s instanceof Synapse.Conv1d && l.bias() != null) {
                    throw new Unsupported("layer '" + l.layer() + "' is a conv1d with a bias, which quantisation-aware"
                            + " weights leave in float");
                }
            }
        }
        return new IntegerExact(q);
    }

    /**
     * Why a synapse reading analog input has no integer-exact form, as an {@link Unsupported}:
     * only a convolution or a product of a hidden layer has one (the float model computes its
     * integer current from the input's bytes, {@link #analog}), and only while every sum stays an
     * exact float32 integer (below 2^24).
     */
    private static void analogProblem(QuantizedNetwork q, QuantLayer l, Synapse s) {
        String what = "layer '" + l.layer() + "' reads the input encoded as " + q.encoding()
                + " (pixel / 255 in the float model, bytes in the integer model)";
        if (!(s instanceof Synapse.Conv || s instanceof Synapse.Dense) || l == q.readout()) {
            throw new Unsupported(what + " through a " + s.kind() + (l == q.readout() ? " into the readout" : "")
                    + "; only a convolution or a product into a hidden layer has an integer-exact form there");
        }
        int[] w = s instanceof Synapse.Conv c ? c.weights() : ((Synapse.Dense) s).weights();
        int per = w.length / l.features();
        for (int f = 0; f < l.features(); f++) {
            long sum = 0;
            for (int i = f * per; i < (f + 1) * per; i++) {
                sum += Math.abs((long) w[i]) * 255;
            }
            if (sum >= EXACT_FLOAT) {
                throw new Unsupported(what + ": its output " + f + " sums up to " + sum + " units, beyond the"
                        + " integers float32 holds exactly (2^24); fewer weight bits would fit");
            }
        }
    }

    /** 2^24: float32 holds every integer below it exactly. */
    static final long EXACT_FLOAT = 1L << 24;

    /**
     * A weight node reading analog input: its integer weights, in the float model's layout (the
     * master weights'), and one unit per scale channel of the layer it feeds.
     */
    record Analog(int[] weights, double[] unit) {
        /** The unit of output f. */
        double unit(int f) {
            return unit[unit.length == 1 ? 0 : f];
        }
    }

    /** The weight node {@code node} when it reads analog input, else null. */
    Analog analog(String node) {
        return analog.get(node);
    }

    /** The float value of one integer unit of the current of channel {@code c} of {@code l} (see the class comment). */
    public static double unit(QuantLayer l, int c) {
        boolean pooling = l.synapses().stream().allMatch(s -> s instanceof Synapse.Pool);
        return l.theta() != null && !pooling ? l.floatTheta() / l.theta()[c] : l.scale()[c];
    }

    /** The quantised network this forward runs. */
    public QuantizedNetwork network() {
        return network;
    }

    /** The population of the float node {@code node} (a neuron node or the readout), or null when the integer model has none. */
    Population population(String node) {
        return byNode.get(node);
    }

    /** The largest |I / unit - i| seen so far: how far the float currents were from their integers. */
    public double largestResidual() {
        return largestResidual.get();
    }

    void residual(double r) {
        largestResidual.accumulate(r);
    }

    /**
     * The integer of a float current {@code current} of {@code unit}: round(current / unit).
     *
     * @throws OffGrid when it is more than {@link #MARGIN} from every integer (or not finite)
     */
    static long snap(double current, double unit, String node, double[] largest) {
        double x = current / unit;
        double k = Math.rint(x);
        double r = Math.abs(x - k);
        if (!(r <= MARGIN)) {
            throw new OffGrid(node, current, unit, x);
        }
        if (r > largest[0]) {
            largest[0] = r;
        }
        return (long) k;
    }

    /** The network has a part the integer-exact forward cannot represent; the message says which. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super("integer-exact quantisation-aware training: " + message);
        }
    }

    /** A float current is not an integer number of units: the weights are not the integer model's. */
    public static final class OffGrid extends RuntimeException {
        /** From 2^22 units on, float32 values are spaced half a unit or more apart. */
        public static final double FLOAT32_REACH = 1 << 22;
        private final double units;

        OffGrid(String node, double current, double unit, double units) {
            super(String.format(java.util.Locale.ROOT, "integer-exact forward: a current of '%s' is %.6g = %.4f units of"
                    + " %.6g, more than %.2f of a unit from an integer; %s", node, current, units, unit, MARGIN,
                    Math.abs(units) >= FLOAT32_REACH
                            ? "beyond 2^22 units float32 cannot hold a current to a quarter of a unit, so the float"
                            + " model cannot run this layer integer-exact (use fewer weight bits, or set qat_epochs = 0)"
                            : "its weights are not the integer model's times the unit (a checkpoint edited after"
                            + " quantisation-aware training?)"));
            this.units = units;
        }

        /** The current in units: where it is beyond {@link #FLOAT32_REACH}, float32 is the cause. */
        public double units() {
            return units;
        }
    }
}
