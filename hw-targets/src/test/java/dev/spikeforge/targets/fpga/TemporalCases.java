package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.RandomNetworks;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Random temporal networks in the integer format, built directly (not through the quantiser):
 * chains of dense layers with a synaptic current (CUBA, every decay form) or without, recurrent
 * through a full matrix, a diagonal or not at all, sometimes behind a 2-D maxpool of a spatial
 * input, ending in any readout. Narrow membranes and currents so that both saturate (or wrap);
 * every layer's maxCurrent is its true worst case, recurrent weights included, as the format says.
 */
final class TemporalCases {

    private TemporalCases() {
    }

    /** A network, its planned design and one input sample. */
    record Case(long seed, QuantizedNetwork q, FpgaDesign d, int[] input) {

        String describe() {
            StringBuilder b = new StringBuilder("temporal case seed ").append(seed).append(String.format(Locale.ROOT,
                    ": %s, membrane %d, current %d, %s%n", q.encoding().kind().keyword(), q.numerics().membraneBits(),
                    q.numerics().currentBits(), q.numerics().overflow()));
            for (QuantLayer l : q.layers()) {
                b.append(String.format(Locale.ROOT, "  layer %s: %s theta=%s bias=%s leak=%s alpha=%s reset=%s readout=%s%n",
                        l.layer(), l.shape(), Arrays.toString(l.theta()), Arrays.toString(l.bias()), l.leak().describe(),
                        l.hasSynapticCurrent() ? l.synapticLeak().describe() : "-", l.reset(), l.readout()));
                for (Synapse s : l.synapses()) {
                    int[] w = s instanceof Synapse.Dense dd ? dd.weights() : s instanceof Synapse.Recurrent r ? r.weights() : new int[0];
                    b.append("    ").append(s.kind()).append(" from ").append(s.source()).append(' ')
                            .append(Arrays.toString(w)).append('\n');
                }
            }
            int n = q.inputSize();
            for (int t = 0; t < q.timesteps(); t++) {
                b.append("  input step ").append(t + 1).append(": ")
                        .append(Arrays.toString(Arrays.copyOfRange(input, t * n, (t + 1) * n))).append('\n');
            }
            return b.toString();
        }
    }

    /** A case, or null when a design rule refuses it (a multiplier too wide for 62 bits). */
    static Case generate(long seed, int steps, RandomNetworks.InputKind kind, int lanes) {
        return generate(seed, steps, kind, lanes, FpgaCases.Rounding.FLOOR);
    }

    /** A case whose leaks (membrane and synaptic) round as {@code rounding} says, or null as above. */
    static Case generate(long seed, int steps, RandomNetworks.InputKind kind, int lanes, FpgaCases.Rounding rounding) {
        QuantizedNetwork q = network(seed, steps, kind, rounding);
        FpgaOptions o = new FpgaOptions(lanes, "generic", "auto", "", rounding == FpgaCases.Rounding.NEAREST ? "nearest" : "floor");
        if (!FpgaRules.check(q, o).isEmpty()) {
            return null;
        }
        return new Case(seed, q, FpgaDesign.plan(q, o), input(q, new Random(seed * 31 + 7)));
    }

    static QuantizedNetwork network(long seed, int steps, RandomNetworks.InputKind kind) {
        return network(seed, steps, kind, FpgaCases.Rounding.FLOOR);
    }

    static QuantizedNetwork network(long seed, int steps, RandomNetworks.InputKind kind, FpgaCases.Rounding rounding) {
        Random r = new Random(seed);
        int weightBits = 2 + r.nextInt(6);
        int membraneBits = 4 + r.nextInt(8);
        int currentBits = 3 + r.nextInt(8);
        DeploySpec.Overflow overflow = r.nextInt(3) == 0 ? DeploySpec.Overflow.WRAP : DeploySpec.Overflow.SATURATE;
        QuantizedNetwork.Numerics num = new QuantizedNetwork.Numerics(weightBits, DeploySpec.Granularity.PER_LAYER,
                membraneBits, overflow, rounding == FpgaCases.Rounding.TOWARD_ZERO, currentBits, false,
                rounding == FpgaCases.Rounding.NEAREST);
        Encoding encoding = switch (kind) {
            case POISSON -> Encoding.POISSON;
            case BIPOLAR -> new Encoding(Encoding.Kind.BIPOLAR, 0);
            case DIRECT -> new Encoding(Encoding.Kind.DIRECT, 0);
        };
        int inputLimit = kind == RandomNetworks.InputKind.DIRECT ? 255 : 1;
        List<QuantLayer> layers = new ArrayList<>();
        Shape in;
        Shape src;
        if (r.nextInt(4) == 0) {
            // a spatial input pooled by a 2-D maxpool: the pool engine with weight 1, threshold 1, reset to zero
            int k = 2;
            in = Shape.chw(1 + r.nextInt(3), k + r.nextInt(4), k + r.nextInt(4));
            src = Shape.chw(in.channels(), in.height() / k, in.width() / k);
            long max = (long) k * k * inputLimit;
            layers.add(new QuantLayer("mp", "mp", null, null, src, 1, List.of(new Synapse.MaxPool(-1, in, k)), null,
                    new long[] {1}, Reset.ZERO, new QuantLeak.None(), new double[] {1}, 1, 1, max,
                    Quantizer.guardBits(max, membraneBits), new QuantLayer.Stats(0, 0, 0)));
        } else {
            in = Shape.flat(1 + r.nextInt(12));
            src = in;
        }
        int hidden = 1 + r.nextInt(2);
        for (int h = 0; h <= hidden; h++) {
            boolean readout = h == hidden;
            ReadoutMode mode = readout ? ReadoutMode.values()[r.nextInt(ReadoutMode.values().length)] : null;
            boolean spiking = mode == null || mode.spiking();
            int units = readout ? 2 + r.nextInt(4) : 1 + r.nextInt(10);
            int index = layers.size();
            int fanIn = Math.toIntExact(src.size());
            int limit = (1 << (weightBits - 1)) - 1;
            int[] w = weights(r, units * fanIn, limit);
            List<Synapse> syn = new ArrayList<>();
            syn.add(new Synapse.Dense("d" + index, index - 1, src, fanIn, units, w));
            Synapse.Recurrent rec = null;
            if (spiking && r.nextInt(3) != 0) {
                boolean diagonal = r.nextBoolean();
                rec = new Synapse.Recurrent("d" + index, index, Shape.flat(units), units, diagonal,
                        weights(r, diagonal ? units : units * units, limit));
                syn.add(rec);
            }
            long[] bias = r.nextBoolean() ? null : new long[units];
            if (bias != null) {
                for (int i = 0; i < units; i++) {
                    bias[i] = r.nextInt(2 * limit + 1) - limit;
                }
            }
            long sourceLimit = index == 0 ? inputLimit : 1;
            long maxCurrent = 0;
            for (int o = 0; o < units; o++) {
                long sum = bias == null ? 0 : Math.abs(bias[o]);
                for (int i = 0; i < fanIn; i++) {
                    sum += Math.abs(w[o * fanIn + i]) * sourceLimit;
                }
                if (rec != null) {
                    for (int i = 0; i < (rec.diagonal() ? 1 : units); i++) {
                        sum += Math.abs(rec.weights()[rec.diagonal() ? o : o * units + i]);
                    }
                }
                maxCurrent = Math.max(maxCurrent, sum);
            }
            long[] theta = null;
            if (spiking) {
                // thresholds near what a few spikes bring, inside the membrane's range
                long top = Math.min((1L << (membraneBits - 1)) - 1, Math.max(1, 2L * limit * Math.max(1, sourceLimit / 4)));
                theta = new long[] {1 + (long) (r.nextDouble() * top)};
            }
            QuantLeak leak = mode == ReadoutMode.ACCUMULATE ? new QuantLeak.None() : leak(r);
            QuantLeak alpha = r.nextInt(5) < 3 ? decay(r) : null;
            Shape shape = Shape.flat(units);
            layers.add(new QuantLayer(readout ? "out" : "h" + index, readout ? "out" : "h" + index, null, mode, shape, 1, syn,
                    bias, theta, spiking ? (r.nextBoolean() ? Reset.ZERO : Reset.SUBTRACT) : null, leak, new double[] {1},
                    spiking ? 1 : Double.NaN, leak.beta(), maxCurrent, spiking ? Quantizer.guardBits(maxCurrent, membraneBits) : 0,
                    new QuantLayer.Stats(w.length, 0, 1), alpha, alpha == null ? 0 : alpha.beta()));
            src = shape;
        }
        QuantLayer ro = layers.get(layers.size() - 1);
        int readoutBits = ro.spiking() ? 65 - Long.numberOfLeadingZeros(steps)
                : 65 - Long.numberOfLeadingZeros(steps * ro.maxCurrent());
        return new QuantizedNetwork("temporal" + Math.floorMod(seed, 1000), steps, encoding, in, inputLimit, layers, num,
                readoutBits);
    }

    /**
     * The golden temporal model: 6 poisson inputs, a CUBA layer of 5 with a full recurrent matrix
     * (alpha shift(2)), a CUBA layer of 4 with diagonal recurrence (alpha multiplier(3, 2)), a CUBA
     * membrane readout of 3; 6-bit weights, 10-bit membranes, 8-bit currents; weights from seed 23.
     */
    static QuantizedNetwork golden() {
        Random r = new Random(23);
        int limit = 31;
        QuantizedNetwork.Numerics num = new QuantizedNetwork.Numerics(6, DeploySpec.Granularity.PER_LAYER, 10,
                DeploySpec.Overflow.SATURATE, false, 8);
        List<QuantLayer> layers = new ArrayList<>();
        int[] w1 = weights(r, 5 * 6, limit);
        int[] r1 = weights(r, 5 * 5, limit);
        int[] w2 = weights(r, 4 * 5, limit);
        int[] r2 = weights(r, 4, limit);
        int[] w3 = weights(r, 3 * 4, limit);
        long[] b1 = {3, -2, 0, 5, -7};
        layers.add(temporal("h1", List.of(new Synapse.Dense("h1", -1, Shape.flat(6), 6, 5, w1),
                new Synapse.Recurrent("h1", 0, Shape.flat(5), 5, false, r1)), 5, b1, new long[] {40}, Reset.SUBTRACT,
                new QuantLeak.Shift(3), new QuantLeak.Shift(2), null, num));
        layers.add(temporal("h2", List.of(new Synapse.Dense("h2", 0, Shape.flat(5), 5, 4, w2),
                new Synapse.Recurrent("h2", 1, Shape.flat(4), 4, true, r2)), 4, null, new long[] {25}, Reset.ZERO,
                new QuantLeak.Multiplier(7, 3), new QuantLeak.Multiplier(3, 2), null, num));
        layers.add(temporal("out", List.of(new Synapse.Dense("out", 1, Shape.flat(4), 4, 3, w3)), 3, null, null, null,
                new QuantLeak.Shift(4), new QuantLeak.Shift(1), ReadoutMode.MEMBRANE, num));
        QuantLayer ro = layers.get(2);
        return new QuantizedNetwork("temporal", 6, Encoding.POISSON, Shape.flat(6), 1, layers, num,
                65 - Long.numberOfLeadingZeros(6 * ro.maxCurrent()));
    }

    static QuantLayer temporal(String name, List<Synapse> syn, int units, long[] bias, long[] theta, Reset reset,
                                       QuantLeak leak, QuantLeak alpha, ReadoutMode mode, QuantizedNetwork.Numerics num) {
        long max = 0;
        for (int o = 0; o < units; o++) {
            long sum = bias == null ? 0 : Math.abs(bias[o]);
            for (Synapse s : syn) {
                if (s instanceof Synapse.Dense d) {
                    for (int i = 0; i < d.inFeatures(); i++) {
                        sum += Math.abs(d.weights()[o * d.inFeatures() + i]);
                    }
                } else if (s instanceof Synapse.Recurrent rc) {
                    for (int i = 0; i < (rc.diagonal() ? 1 : units); i++) {
                        sum += Math.abs(rc.weights()[rc.diagonal() ? o : o * units + i]);
                    }
                }
            }
            max = Math.max(max, sum);
        }
        boolean spiking = theta != null;
        return new QuantLayer(name, name, null, mode, Shape.flat(units), 1, syn, bias, theta, reset, leak, new double[] {1},
                spiking ? 1 : Double.NaN, leak.beta(), max, spiking ? Quantizer.guardBits(max, num.membraneBits()) : 0,
                new QuantLayer.Stats(0, 0, 1), alpha, alpha.beta());
    }

    private static int[] weights(Random r, int n, int limit) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(2 * limit + 1) - limit;
        }
        return w;
    }

    private static QuantLeak leak(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new QuantLeak.None();
            case 1 -> new QuantLeak.Shift(1 + r.nextInt(4));
            default -> {
                int f = 1 + r.nextInt(10);
                yield new QuantLeak.Multiplier(1 + r.nextInt((1 << f) - 1), f);
            }
        };
    }

    /** The synaptic decay: a shift or a multiplier (alpha = 1 would be a current that never decays: none, too). */
    private static QuantLeak decay(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> new QuantLeak.None();
            case 1, 2 -> new QuantLeak.Shift(1 + r.nextInt(3));
            default -> {
                int f = 1 + r.nextInt(10);
                yield new QuantLeak.Multiplier(1 + r.nextInt((1 << f) - 1), f);
            }
        };
    }

    static int[] input(QuantizedNetwork q, Random r) {
        int n = q.inputSize();
        int[] x = new int[q.timesteps() * n];
        double density = 0.2 + 0.7 * r.nextDouble();
        for (int i = 0; i < x.length; i++) {
            if (r.nextDouble() < density) {
                x[i] = switch (q.encoding().kind()) {
                    case BIPOLAR -> r.nextBoolean() ? 1 : -1;
                    case DIRECT -> 1 + r.nextInt(255);
                    default -> 1;
                };
            }
        }
        return x;
    }

    /** The first difference between the FPGA emulator and the integer reference, or null. */
    static String compare(QuantizedNetwork q, int[] input, FpgaEmulator.Sample got) {
        return FpgaCases.compare(q, input, got);
    }

    /** Spikes of recurrent layers in steps before the last: events their next step walks through W_rec. */
    static long recurrentEventsDelivered(QuantizedNetwork q, FpgaEmulator.Sample s) {
        long n = 0;
        for (int l = 0; l < q.layers().size(); l++) {
            if (q.layers().get(l).isRecurrent()) {
                for (int t = 0; t + 1 < q.timesteps(); t++) {
                    n += s.spikeNeurons()[l][t].length;
                }
            }
        }
        return n;
    }

    /**
     * Whether clamping the synaptic current to C bits changed anything: the integer model run with
     * currents 62 bits wide (which never saturate here) differs from the real one.
     */
    static boolean currentClampMatters(QuantizedNetwork q, int[] input) {
        QuantizedNetwork.Numerics n = q.numerics();
        QuantizedNetwork wide = new QuantizedNetwork(q.name(), q.timesteps(), q.encoding(), q.inputShape(), q.inputLimit(),
                q.layers(), new QuantizedNetwork.Numerics(n.weightBits(), n.granularity(), n.membraneBits(), n.overflow(),
                n.shiftTowardZero(), 62), q.readoutBits());
        int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
        SampleResult a = new IntegerSimulator(q).run(input, all);
        SampleResult b = new IntegerSimulator(wide).run(input, all);
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < all.length; l++) {
                if (!Arrays.equals(a.membraneRecord()[l][t], b.membraneRecord()[l][t])) {
                    return true;
                }
            }
        }
        return false;
    }
}
