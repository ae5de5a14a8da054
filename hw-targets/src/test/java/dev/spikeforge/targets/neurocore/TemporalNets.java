package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Temporal integer networks built directly (no quantiser): CUBA layers (synaptic current with a
 * decay), recurrent dense layers (full or diagonal), conv1d on CxL input and max pooling, each used
 * only where the chip offers it, in formats the chip holds. Weights, thresholds and biases are drawn
 * from a seed; maxCurrent, guardBits and readoutBits are computed from them as the quantiser defines
 * them (docs/semantics.md section 4.8), with maxCurrent an upper bound.
 */
final class TemporalNets {

    private TemporalNets() {
    }

    /** What one random network used, for coverage reports. */
    record Made(QuantizedNetwork q, boolean sequence, int cubaLayers, int fullRecurrent, int diagonalRecurrent,
                boolean maxPool, boolean maxPool2d) {
    }

    /** Builds one network layer by layer. */
    static final class Builder {
        final List<QuantLayer> layers = new ArrayList<>();
        final Shape input;
        final int membraneBits;

        Builder(Shape input, int membraneBits) {
            this.input = input;
            this.membraneBits = membraneBits;
        }

        Shape shapeOf(int source) {
            return source < 0 ? input : layers.get(source).shape();
        }

        int add(String name, ReadoutMode readout, Shape shape, int channels, List<Synapse> synapses, long[] bias,
                long[] theta, Reset reset, QuantLeak leak, QuantLeak synapticLeak) {
            long max = 0;
            for (Synapse s : synapses) {
                max += rowBound(s);
            }
            if (bias != null) {
                max += Arrays.stream(bias).map(Math::abs).max().orElse(0);
            }
            int guard = DesignRules.widthHolding(membraneBits, max) - membraneBits;
            double[] scale = new double[channels];
            Arrays.fill(scale, 1.0);
            layers.add(new QuantLayer(name, name + (readout == null ? ".lif" : ""), SourcePos.NONE, readout, shape,
                    channels, synapses, bias, theta, reset, leak, scale, theta == null ? Double.NaN : 1.0, leak.beta(),
                    max, guard, new QuantLayer.Stats(0, 0, 0), synapticLeak,
                    synapticLeak == null ? 0.0 : synapticLeak.beta()));
            return layers.size() - 1;
        }

        QuantizedNetwork build(String name, int timesteps, QuantizedNetwork.Numerics num) {
            QuantLayer r = layers.get(layers.size() - 1);
            long reach = r.spiking() ? timesteps : (long) timesteps * r.maxCurrent();
            int bits = 2;
            while (bits < 64 && (1L << (bits - 1)) - 1 < reach) {
                bits++;
            }
            return new QuantizedNetwork(name, timesteps, Encoding.POISSON, input, 1, layers, num, bits);
        }
    }

    /** The largest sum of |w| into one neuron through s, for spike inputs. */
    static long rowBound(Synapse s) {
        if (s instanceof Synapse.MaxPool m) {
            return m.inShape().isSpatial() ? (long) m.kernel() * m.kernel() : m.kernel();
        }
        int[] w;
        int row;
        if (s instanceof Synapse.Dense d) {
            w = d.weights();
            row = d.inFeatures();
        } else if (s instanceof Synapse.Recurrent r) {
            w = r.weights();
            row = r.diagonal() ? 1 : r.units();
        } else if (s instanceof Synapse.Conv1d c) {
            w = c.weights();
            row = c.inShape().channels() * c.kernel();
        } else if (s instanceof Synapse.Conv c) {
            w = c.weights();
            row = c.inShape().channels() * c.kernel() * c.kernel();
        } else {
            throw new IllegalArgumentException(s.kind());
        }
        long best = 0;
        for (int o = 0; o < w.length / row; o++) {
            long sum = 0;
            for (int i = 0; i < row; i++) {
                sum += Math.abs(w[o * row + i]);
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    static int[] weights(SplittableRandom rnd, int count, int limit) {
        int[] w = new int[count];
        for (int i = 0; i < count; i++) {
            w[i] = rnd.nextInt(2 * limit + 1) - limit;
        }
        return w;
    }

    /** A leak of one of {@code forms} ("shift", "multiplier", "none"). */
    static QuantLeak leak(SplittableRandom rnd, java.util.Set<String> forms) {
        List<String> f = NeurocoreField.LeakForms.ordered(forms);
        return switch (f.get(rnd.nextInt(f.size()))) {
            case "shift" -> new QuantLeak.Shift(1 + rnd.nextInt(4));
            case "multiplier" -> new QuantLeak.Multiplier(1 + rnd.nextInt(4096), 12);
            default -> new QuantLeak.None();
        };
    }

    static long[] thresholds(SplittableRandom rnd, int channels, int limit, int thresholdBits) {
        long[] t = new long[channels];
        long cap = (1L << thresholdBits) - 1;
        for (int c = 0; c < channels; c++) {
            t[c] = Math.min(cap, limit / 2 + 1 + rnd.nextInt(3 * limit));
        }
        return t;
    }

    /**
     * A random temporal network for {@code spec}: flat or CxL input; a conv1d layer (and a max
     * pooling) when the chip has them; one or two dense layers, each CUBA and recurrent (full or
     * diagonal) at random where the chip allows; a readout of a mode the chip's leaks allow.
     */
    static Made random(long seed, NeurocoreSpec spec) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int wb = Math.min(8, spec.maxWeightBits());
        int limit = (1 << (wb - 1)) - 1;
        // a membrane that leaves the chip room for guard bits; a current no wider than the membrane
        int m = Math.max(8, Math.min(16, spec.membraneBits() - 4) - rnd.nextInt(4));
        int cb = spec.hasSynapticCurrent() ? Math.min(m - 1, Math.min(spec.synapticCurrentBits() - 5, 8 + rnd.nextInt(6))) : m;
        boolean perChannel = rnd.nextBoolean();
        QuantizedNetwork.Numerics num = new QuantizedNetwork.Numerics(wb, perChannel ? DeploySpec.Granularity.PER_CHANNEL
                : DeploySpec.Granularity.PER_LAYER, m, DeploySpec.Overflow.SATURATE, spec.shiftTowardZero(), cb, spec.decayMinLsb());
        int kind = rnd.nextInt(4); // 0: flat, 1: 2-D map (conv, maxpool), 2-3: sequence (conv1d, maxpool)
        boolean sequence = spec.conv1d() && kind >= 2;
        boolean map = kind == 1;
        Shape in = sequence ? Shape.cl(2 + rnd.nextInt(2), 10 + rnd.nextInt(7))
                : map ? Shape.chw(2, 5 + rnd.nextInt(3), 4 + rnd.nextInt(2)) : Shape.flat(12 + rnd.nextInt(13));
        Builder b = new Builder(in, m);
        int cuba = 0;
        int full = 0;
        int diagonal = 0;
        boolean pooled = false;
        boolean pooled2d = false;
        int source = -1;
        int biasLimit = spec.biasBits() <= 1 ? 0 : (int) Math.min(limit / 4, (1L << (spec.biasBits() - 1)) - 1);
        if (sequence) {
            int filters = 2 + rnd.nextInt(3);
            int k = 2 + rnd.nextInt(2);
            int stride = 1 + rnd.nextInt(2);
            int pad = rnd.nextInt(2);
            int outL = (in.length() + 2 * pad - k) / stride + 1;
            Shape shape = Shape.cl(filters, outL);
            int ch = perChannel ? filters : 1;
            QuantLeak syn = spec.hasSynapticCurrent() && rnd.nextBoolean() ? leak(rnd, spec.synapticLeakForms()) : null;
            cuba += syn == null ? 0 : 1;
            long[] bias = biasLimit > 0 && rnd.nextBoolean() ? biases(rnd, filters, biasLimit) : null;
            source = b.add("c1", null, shape, ch, List.of(new Synapse.Conv1d("c1", -1, in, filters, k, stride, pad,
                            weights(rnd, filters * in.channels() * k, limit))), bias,
                    thresholds(rnd, ch, limit, spec.thresholdBits()), reset(rnd, spec),
                    leak(rnd, spec.leakForms()), syn);
            if (spec.maxPool() && spec.leakForms().contains("none") && outL >= 2 && rnd.nextBoolean()) {
                Shape pooledShape = Shape.cl(filters, outL / 2);
                source = b.add("p1", null, pooledShape, 1, List.of(new Synapse.MaxPool(source, shape, 2)), null,
                        new long[] {1}, Reset.ZERO, new QuantLeak.None(), null);
                pooled = true;
            }
        }
        if (map) {
            int filters = 2 + rnd.nextInt(2);
            int k = 2 + rnd.nextInt(2);
            int pad = rnd.nextInt(2);
            int oh = in.height() + 2 * pad - k + 1;
            int ow = in.width() + 2 * pad - k + 1;
            Shape shape = Shape.chw(filters, oh, ow);
            int ch = perChannel ? filters : 1;
            QuantLeak syn = spec.hasSynapticCurrent() && rnd.nextBoolean() ? leak(rnd, spec.synapticLeakForms()) : null;
            cuba += syn == null ? 0 : 1;
            long[] bias = biasLimit > 0 && rnd.nextBoolean() ? biases(rnd, filters, biasLimit) : null;
            source = b.add("c2", null, shape, ch, List.of(new Synapse.Conv("c2", -1, in, filters, k, 1, pad,
                            weights(rnd, filters * in.channels() * k * k, limit))), bias,
                    thresholds(rnd, ch, limit, spec.thresholdBits()), reset(rnd, spec),
                    leak(rnd, spec.leakForms()), syn);
            if (spec.maxPool() && spec.leakForms().contains("none") && rnd.nextInt(3) > 0) {
                source = b.add("p2", null, Shape.chw(filters, oh / 2, ow / 2), 1,
                        List.of(new Synapse.MaxPool(source, shape, 2)), null, new long[] {1}, Reset.ZERO,
                        new QuantLeak.None(), null);
                pooled2d = true;
            }
        }
        int denseLayers = 1 + rnd.nextInt(2);
        for (int d = 0; d < denseLayers; d++) {
            String name = "h" + (d + 1);
            Shape from = b.shapeOf(source);
            int inFeatures = (int) from.size();
            int units = 8 + rnd.nextInt(17);
            List<Synapse> syns = new ArrayList<>();
            syns.add(new Synapse.Dense(name, source, from, inFeatures, units, weights(rnd, units * inFeatures, limit)));
            int self = b.layers.size();
            if (spec.recurrentSynapses() && rnd.nextInt(4) > 0) {
                boolean diag = rnd.nextInt(3) == 0;
                syns.add(new Synapse.Recurrent(name, self, Shape.flat(units), units, diag,
                        weights(rnd, diag ? units : units * units, limit)));
                if (diag) {
                    diagonal++;
                } else {
                    full++;
                }
            }
            QuantLeak syn = spec.hasSynapticCurrent() && rnd.nextInt(3) > 0 ? leak(rnd, spec.synapticLeakForms()) : null;
            cuba += syn == null ? 0 : 1;
            int ch = perChannel ? units : 1;
            long[] bias = biasLimit > 0 && rnd.nextBoolean() ? biases(rnd, units, biasLimit) : null;
            source = b.add(name, null, Shape.flat(units), ch, syns, bias, thresholds(rnd, ch, limit, spec.thresholdBits()),
                    reset(rnd, spec), leak(rnd, spec.leakForms()), syn);
        }
        Shape from = b.shapeOf(source);
        int classes = 3 + rnd.nextInt(3);
        List<ReadoutMode> modes = new ArrayList<>(List.of(ReadoutMode.MEMBRANE, ReadoutMode.COUNT));
        if (spec.leakForms().contains("none")) {
            modes.add(ReadoutMode.ACCUMULATE);
        }
        ReadoutMode mode = modes.get(rnd.nextInt(modes.size()));
        List<Synapse> out = List.of(new Synapse.Dense("out", source, from, (int) from.size(), classes,
                weights(rnd, classes * (int) from.size(), limit)));
        QuantLeak outLeak = mode == ReadoutMode.ACCUMULATE ? new QuantLeak.None() : leak(rnd, spec.leakForms());
        QuantLeak outSyn = spec.hasSynapticCurrent() && rnd.nextInt(4) == 0 ? leak(rnd, spec.synapticLeakForms()) : null;
        cuba += outSyn == null ? 0 : 1;
        if (mode == ReadoutMode.COUNT) {
            int ch = perChannel ? classes : 1;
            b.add("out", mode, Shape.flat(classes), ch, out, null, thresholds(rnd, ch, limit, spec.thresholdBits()),
                    spec.resetModes().contains("subtract") ? Reset.SUBTRACT : Reset.ZERO, outLeak, outSyn);
        } else {
            b.add("out", mode, Shape.flat(classes), 1, out, null, null, null, outLeak, outSyn);
        }
        int steps = 6 + rnd.nextInt(5);
        // the chip's own timing (docs/semantics.md section 2.7): pipelined on loihi_like, truenorth_like, spinnaker2_like
        return new Made(b.build("temporal_" + seed, steps, num).withTiming(spec.timing()), sequence, cuba, full, diagonal,
                pooled, pooled2d);
    }

    /** A random reset the chip's neurons can do (one draw either way, so the sequence of draws stays the same). */
    static Reset reset(SplittableRandom rnd, NeurocoreSpec spec) {
        Reset r = rnd.nextBoolean() ? Reset.SUBTRACT : Reset.ZERO;
        return spec.resetModes().contains(r.keyword()) ? r
                : spec.resetModes().contains("zero") ? Reset.ZERO : Reset.SUBTRACT;
    }

    static long[] biases(SplittableRandom rnd, int count, int limit) {
        long[] b = new long[count];
        for (int i = 0; i < count; i++) {
            b[i] = rnd.nextInt(2 * limit + 1) - limit / 2; // leaning positive: more spikes
            b[i] = Math.max(-limit, Math.min(limit, b[i]));
        }
        return b;
    }

    /**
     * A fixed temporal network: input 2x12 -> conv1d(3, kernel 3, padding 1), CUBA with a multiplier
     * decay -> maxpool(2) -> dense 10, CUBA with a shift decay, fully recurrent -> dense 6, diagonally
     * recurrent -> accumulating readout of 4. Membrane 16 bits, synaptic current {@code currentBits}.
     * With {@code multipliersOnly}, h1's leak and decay are multipliers too (loihi_like has no shift), and
     * c1 and h1 reset to zero as Loihi's compartments do (else they subtract the threshold).
     */
    static QuantizedNetwork fixed(int currentBits, boolean towardZero, boolean multipliersOnly) {
        SplittableRandom rnd = new SplittableRandom(23);
        int limit = 127;
        Shape in = Shape.cl(2, 12);
        Builder b = new Builder(in, 16);
        Shape c1 = Shape.cl(3, 12);
        b.add("c1", null, c1, 3, List.of(new Synapse.Conv1d("c1", -1, in, 3, 3, 1, 1, weights(rnd, 3 * 2 * 3, limit))),
                null, new long[] {90, 120, 150}, multipliersOnly ? Reset.ZERO : Reset.SUBTRACT,
                new QuantLeak.Multiplier(3584, 12),
                new QuantLeak.Multiplier(2048, 12));
        Shape p1 = Shape.cl(3, 6);
        b.add("p1", null, p1, 1, List.of(new Synapse.MaxPool(0, c1, 2)), null, new long[] {1}, Reset.ZERO,
                new QuantLeak.None(), null);
        b.add("h1", null, Shape.flat(10), 1, List.of(new Synapse.Dense("h1", 1, p1, 18, 10, weights(rnd, 180, limit)),
                        new Synapse.Recurrent("h1", 2, Shape.flat(10), 10, false, weights(rnd, 100, limit))),
                new long[] {5, 0, 3, 0, 7, 0, 0, 2, 0, 1}, new long[] {140}, multipliersOnly ? Reset.ZERO : Reset.SUBTRACT,
                multipliersOnly ? new QuantLeak.Multiplier(3584, 12) : new QuantLeak.Shift(3),
                multipliersOnly ? new QuantLeak.Multiplier(3072, 12) : new QuantLeak.Shift(2));
        b.add("h2", null, Shape.flat(6), 1, List.of(new Synapse.Dense("h2", 2, Shape.flat(10), 10, 6, weights(rnd, 60, limit)),
                        new Synapse.Recurrent("h2", 3, Shape.flat(6), 6, true, weights(rnd, 6, limit))),
                null, new long[] {100}, Reset.ZERO, new QuantLeak.None(), null);
        b.add("out", ReadoutMode.ACCUMULATE, Shape.flat(4), 1, List.of(new Synapse.Dense("out", 3, Shape.flat(6), 6, 4,
                weights(rnd, 24, limit))), null, null, null, new QuantLeak.None(), null);
        return b.build("temporal", 8, new QuantizedNetwork.Numerics(8, DeploySpec.Granularity.PER_CHANNEL, 16,
                DeploySpec.Overflow.SATURATE, towardZero, currentBits));
    }

    /** Random spikes 0/1, step-major. */
    static int[] input(SplittableRandom rnd, QuantizedNetwork q, double rate) {
        int[] x = new int[q.timesteps() * q.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() < rate ? 1 : 0;
        }
        return x;
    }
}
