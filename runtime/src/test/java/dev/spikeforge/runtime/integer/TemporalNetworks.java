package dev.spikeforge.runtime.integer;

import static dev.spikeforge.runtime.integer.IntegerPropertySupport.decay;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.fmt;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.threshold;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Random small temporal networks for property tests of the integer model: .snn text mixing CUBA
 * neurons (alpha > 0, beta below or at 1), LIF and IF neurons, recurrent dense layers (full and
 * diagonal), conv1d on CxL inputs, maxpool on CxL and CxHxW, conv and avgpool, the three
 * readouts, the poisson, bipolar and direct encodings, and deploy blocks with narrow membranes and
 * currents ({@code current_bits}), every leak form and both overflow modes; random float weights
 * (checkpoint names, {@code NODE.recurrent} included) scaled so that thresholds land near the
 * membrane's range; one random input sample.
 */
final class TemporalNetworks {

    enum InputKind { POISSON, BIPOLAR, DIRECT }

    private TemporalNetworks() {
    }

    static final class Case {
        final long seed;
        final String source;
        final Network net;
        final Map<String, float[]> weights;
        final int[] input;
        final boolean towardZero;

        private Case(long seed, String source, Network net, Map<String, float[]> weights, int[] input, boolean towardZero) {
            this.seed = seed;
            this.source = source;
            this.net = net;
            this.weights = weights;
            this.input = input;
            this.towardZero = towardZero;
        }

        String describe(QuantizedNetwork q) {
            StringBuilder b = new StringBuilder("case seed ").append(seed).append(towardZero ? " (shifts toward zero)" : "")
                    .append(":\n").append(source).append('\n');
            for (QuantLayer l : q.layers()) {
                b.append(String.format(Locale.ROOT, "  layer %s: %s theta=%s bias=%s leak=%s current=%s%n", l.node(),
                        l.shape(), Arrays.toString(l.theta()), Arrays.toString(l.bias()), l.leak().describe(),
                        l.synapticLeak() == null ? "-" : l.synapticLeak().describe()));
                for (Synapse s : l.synapses()) {
                    int[] w = s instanceof Synapse.Dense d ? d.weights() : s instanceof Synapse.Conv cv ? cv.weights()
                            : s instanceof Synapse.Conv1d c1 ? c1.weights() : s instanceof Synapse.Recurrent r ? r.weights()
                            : new int[0];
                    IntegerPropertySupport.describeSynapse(b, s, w);
                }
            }
            IntegerPropertySupport.describeInput(b, q, input);
            return b.toString();
        }
    }

    static Case generate(long seed, int steps, InputKind encoding) {
        Random rnd = new Random(seed);
        Gen g = new Gen(rnd, encoding);
        String source = g.source(steps);
        Compilation c = SnnFrontEnd.compile(new SourceFile("case.snn", source));
        assertTrue(c.ok(), () -> "the generator wrote an invalid model: " + c.errors() + "\n" + source);
        Network net = c.network();
        Map<String, float[]> weights = g.weights(net);
        int n = Math.toIntExact(net.input().shape().size());
        int[] input = IntegerPropertySupport.input(rnd, steps * n, encoding == InputKind.BIPOLAR,
                encoding == InputKind.DIRECT);
        return new Case(seed, source, net, weights, input, rnd.nextInt(4) == 0);
    }

    private static final class Gen {
        final Random rnd;
        final InputKind encoding;
        final boolean leakNone;
        final String leak;
        final int weightBits;
        final int membraneBits;
        /** 0 when the deploy block leaves current_bits out. */
        final int currentBits;
        final StringBuilder neurons = new StringBuilder();
        final StringBuilder layers = new StringBuilder();
        int neuronCount;
        int layerCount;
        /** The most spikes a maxpool window holds (0 without a maxpool). */
        int largestWindow;
        boolean atInput = true;
        // current shape: rank 1 (n), 2 (c x l) or 3 (c x h x w)
        int rank;
        int c;
        int h;
        int w;
        int n;

        Gen(Random rnd, InputKind encoding) {
            this.rnd = rnd;
            this.encoding = encoding;
            int kind = rnd.nextInt(8);
            this.leakNone = kind == 0;
            this.leak = leakNone ? "none" : kind <= 3 ? "multiplier(" + (4 + rnd.nextInt(13)) + ")" : "shift";
            this.weightBits = 2 + rnd.nextInt(11);
            this.membraneBits = 4 + rnd.nextInt(17);
            this.currentBits = rnd.nextInt(3) == 0 ? 0 : 4 + rnd.nextInt(17);
        }

        String source(int steps) {
            StringBuilder b = new StringBuilder("model temporal\n");
            rank = 1 + rnd.nextInt(3);
            switch (rank) {
                case 1 -> {
                    n = 1 + rnd.nextInt(8);
                    b.append("input ").append(n);
                }
                case 2 -> {
                    c = 1 + rnd.nextInt(3);
                    w = 2 + rnd.nextInt(9);
                    b.append("input ").append(c).append('x').append(w);
                }
                default -> {
                    c = 1 + rnd.nextInt(2);
                    h = 2 + rnd.nextInt(5);
                    w = rnd.nextBoolean() ? h : 2 + rnd.nextInt(5);
                    b.append("input ").append(c).append('x').append(h).append('x').append(w);
                }
            }
            b.append(" encode ").append(encoding.name().toLowerCase(Locale.ROOT)).append('\n');
            b.append("timesteps ").append(steps).append('\n');
            int hidden = 1 + rnd.nextInt(4);
            for (int i = 0; i < hidden; i++) {
                layer();
            }
            readout();
            b.append(neurons).append("layers {\n").append(layers).append("}\n");
            b.append("deploy {\n");
            b.append("    weights = int(").append(weightBits).append(rnd.nextBoolean() ? ", per_channel" : ", per_layer")
                    .append(")\n");
            b.append("    membrane = int(").append(membraneBits).append(")\n");
            if (currentBits > 0) {
                b.append("    current_bits = ").append(currentBits).append('\n');
            }
            b.append("    leak = ").append(leak).append('\n');
            boolean wrap = rnd.nextBoolean();
            // a 3x3 maxpool's 9 spikes wrap a 4-bit membrane below its threshold: the front end refuses that (E506)
            b.append("    overflow = ").append(wrap && largestWindow <= (1L << (membraneBits - 1)) - 1 ? "wrap"
                    : "saturate").append('\n');
            b.append("}\n");
            return b.toString();
        }

        /** A maxpool needs spikes of 0 and 1: not the direct or bipolar input itself. */
        private boolean maxpoolAllowed() {
            return !atInput || encoding == InputKind.POISSON;
        }

        private void layer() {
            if (rank == 1) {
                dense();
            } else if (rank == 2) {
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> conv1d();
                    case 2, 3, 4 -> {
                        if (maxpoolAllowed() && w >= 2) {
                            maxpool();
                        } else {
                            conv1d();
                        }
                    }
                    default -> dense();
                }
            } else {
                switch (rnd.nextInt(7)) {
                    case 0, 1 -> conv();
                    case 2, 3, 6 -> {
                        if (maxpoolAllowed() && h >= 2 && w >= 2) {
                            maxpool();
                        } else {
                            conv();
                        }
                    }
                    case 4 -> {
                        if (h >= 2 && w >= 2) {
                            avgpool();
                        } else {
                            conv();
                        }
                    }
                    default -> dense();
                }
            }
        }

        /** A new neuron: CUBA (with a synaptic current unless the block has no leak), LIF or IF. */
        private String neuron(boolean forceIf) {
            String name = "n" + (++neuronCount);
            double theta = threshold(rnd);
            String reset = rnd.nextBoolean() ? "subtract" : "zero";
            int kind = forceIf || leakNone ? 0 : rnd.nextInt(5);
            if (kind == 0) {
                neurons.append(String.format(Locale.ROOT, "neuron %s = IF(threshold = %s, reset = %s)%n", name,
                        fmt(theta), reset));
            } else if (kind == 1) {
                neurons.append(String.format(Locale.ROOT, "neuron %s = LIF(beta = %s, threshold = %s, reset = %s)%n",
                        name, fmt(decay(rnd)), fmt(theta), reset));
            } else {
                double alpha = decay(rnd);
                double beta = rnd.nextInt(4) == 0 ? 1 : decay(rnd);
                neurons.append(String.format(Locale.ROOT,
                        "neuron %s = CUBA(alpha = %s, beta = %s, threshold = %s, reset = %s)%n", name, fmt(alpha),
                        fmt(beta), fmt(theta), reset));
            }
            return name;
        }

        private String name() {
            return "l" + (++layerCount);
        }

        private String bias() {
            return rnd.nextBoolean() ? ", bias = true" : "";
        }

        private void conv1d() {
            int p = rnd.nextInt(2);
            int k = 1 + rnd.nextInt(Math.min(3, w + 2 * p));
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(3);
            layers.append(String.format(Locale.ROOT, "    %s = conv1d(%d, kernel = %d, stride = %d, padding = %d%s) -> %s%n",
                    name(), f, k, s, p, bias(), neuron(false)));
            c = f;
            w = (w + 2 * p - k) / s + 1;
            atInput = false;
        }

        private void conv() {
            int p = rnd.nextInt(2);
            int k = 1 + rnd.nextInt(Math.min(3, Math.min(h, w) + 2 * p));
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(3);
            layers.append(String.format(Locale.ROOT, "    %s = conv(%d, kernel = %d, stride = %d, padding = %d%s) -> %s%n",
                    name(), f, k, s, p, bias(), neuron(false)));
            c = f;
            h = (h + 2 * p - k) / s + 1;
            w = (w + 2 * p - k) / s + 1;
            atInput = false;
        }

        private void maxpool() {
            int limit = rank == 2 ? w : Math.min(h, w);
            int k = Math.min(limit, rnd.nextInt(3) == 0 ? 3 : 2);
            layers.append(String.format(Locale.ROOT, "    %s = maxpool(%d)%n", name(), k));
            largestWindow = Math.max(largestWindow, rank == 3 ? k * k : k);
            w /= k;
            h = rank == 3 ? h / k : h;
            atInput = false;
        }

        private void avgpool() {
            layers.append(String.format(Locale.ROOT, "    %s = avgpool(2) -> %s%n", name(), neuron(true)));
            h /= 2;
            w /= 2;
            atInput = false;
        }

        private void dense() {
            int units = 1 + rnd.nextInt(6);
            String rec = switch (rnd.nextInt(5)) {
                case 0 -> "";
                case 1 -> ", recurrent = false";
                case 2 -> ", recurrent = diagonal";
                default -> ", recurrent = true";
            };
            layers.append(String.format(Locale.ROOT, "    %s = dense(%d%s%s) -> %s%n", name(), units, bias(), rec,
                    neuron(false)));
            rank = 1;
            n = units;
            atInput = false;
        }

        private void readout() {
            int classes = 1 + rnd.nextInt(4);
            switch (rnd.nextInt(3)) {
                case 0 -> layers.append(String.format(Locale.ROOT, "    out = readout(%d, mode = accumulate%s)%n", classes,
                        bias()));
                case 1 -> {
                    double beta = leakNone || rnd.nextInt(5) == 0 ? 1 : decay(rnd);
                    layers.append(String.format(Locale.ROOT, "    out = readout(%d, mode = membrane, beta = %s%s)%n",
                            classes, fmt(beta), bias()));
                }
                default -> layers.append(String.format(Locale.ROOT, "    out = readout(%d, mode = count%s) -> %s%n",
                        classes, bias(), neuron(false)));
            }
        }

        /**
         * Float weights per tensor, checkpoint names: a random distribution (gaussian, uniform, sparse,
         * with outliers, with a negative offset), scaled so that the neuron's quantised threshold lands
         * between about 0.3 and the membrane's limit; recurrent weights from 0.2 to 2 times the
         * feed-forward scale, so either array may set the layer's scale.
         */
        Map<String, float[]> weights(Network net) {
            Map<String, float[]> out = new LinkedHashMap<>();
            long qmax = (1L << (weightBits - 1)) - 1;
            long memMax = (1L << (membraneBits - 1)) - 1;
            for (Node node : net.nodes()) {
                long count;
                int rows;
                boolean bias;
                if (node instanceof Conv2dNode cv) {
                    count = cv.weightCount();
                    rows = cv.filters();
                    bias = cv.bias();
                } else if (node instanceof Conv1dNode cv) {
                    count = cv.weightCount();
                    rows = cv.filters();
                    bias = cv.bias();
                } else if (node instanceof DenseNode d) {
                    count = (long) d.units() * d.inFeatures();
                    rows = d.units();
                    bias = d.bias();
                } else if (node instanceof ReadoutNode r) {
                    count = (long) r.classes() * r.inFeatures();
                    rows = r.classes();
                    bias = r.bias();
                } else {
                    continue;
                }
                double theta = thetaCharged(net, node);
                double maxAbs = IntegerPropertySupport.maxAbs(rnd, theta, qmax, memMax);
                double inputScale = encoding == InputKind.DIRECT && readsInput(net, node) ? 255 : 1;
                out.put(node.name() + ".weight",
                        IntegerPropertySupport.weights(rnd, Math.toIntExact(count), rows, maxAbs * inputScale));
                if (bias) {
                    out.put(node.name() + ".bias", IntegerPropertySupport.bias(rnd, rows, maxAbs));
                }
                if (node instanceof DenseNode d && d.isRecurrent()) {
                    out.put(node.name() + ".recurrent", IntegerPropertySupport.weights(rnd,
                            Math.toIntExact(d.recurrent().weights(d.units())), d.units(),
                            maxAbs * (0.2 + 1.8 * rnd.nextDouble())));
                }
            }
            return out;
        }

        /** The threshold of the neurons a weight node charges (1 for a non-spiking readout). */
        private static double thetaCharged(Network net, Node node) {
            if (node instanceof ReadoutNode r) {
                return r.mode() == ReadoutMode.COUNT ? r.neuron().theta() : 1;
            }
            for (Node consumer : net.consumersOf(node)) {
                if (consumer instanceof NeuronNode nn) {
                    return nn.neuron().theta();
                }
            }
            return 1;
        }

        private static boolean readsInput(Network net, Node node) {
            Node s = net.inputsOf(node).get(0);
            while (s instanceof FlattenNode || s instanceof DropoutNode) {
                s = net.inputsOf(s).get(0);
            }
            return s instanceof InputNode;
        }
    }
}
