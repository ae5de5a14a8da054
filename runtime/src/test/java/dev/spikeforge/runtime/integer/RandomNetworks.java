package dev.spikeforge.runtime.integer;

import static dev.spikeforge.runtime.integer.IntegerPropertySupport.decay;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.fmt;
import static dev.spikeforge.runtime.integer.IntegerPropertySupport.threshold;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.engine.Parameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Random small networks for property tests of the integer model and of the targets that must equal
 * it: .snn text (conv with random kernel, stride and padding; avgpool; dense; residual blocks unless
 * {@code chain}; LIF and IF neurons; both resets; biases; the three readouts; the poisson, bipolar and
 * direct encodings; random deploy formats with narrow membranes, every leak form and both overflow
 * modes), random float weights scaled so that thresholds land near the membrane's range, and one
 * random input sample.
 */
public final class RandomNetworks {

    public enum InputKind { POISSON, BIPOLAR, DIRECT }

    private RandomNetworks() {
    }

    /**
     * One case from a seed.
     *
     * @param chain only plain chains of conv, pool and dense layers (no residual blocks)
     */
    public static Case generate(long seed, int steps, InputKind encoding, boolean chain) {
        return Case.generate(seed, steps, encoding, chain, Limits.DEFAULT);
    }

    /** One case from a seed, with conv kernels, paddings, channel counts and spatial sides up to {@code limits}. */
    public static Case generate(long seed, int steps, InputKind encoding, boolean chain, Limits limits) {
        return Case.generate(seed, steps, encoding, chain, limits);
    }

    /**
     * The largest conv kernel and padding, channel count (input channels and conv filters) and
     * spatial side (height and width of a spatial input) the generator writes. {@link #DEFAULT} is
     * what the integer model's own tests have always used (the same seeds give the same cases);
     * {@link #WIDE} is for the FPGA tests (issue 28): kernels to 5, padding to 2, 8 channels.
     */
    public record Limits(int kernel, int padding, int channels, int side) {
        public static final Limits DEFAULT = new Limits(3, 1, 3, 6);
        public static final Limits WIDE = new Limits(5, 2, 8, 8);
    }


    /** A random small network with its deploy block, float weights and one input sample. */
    public static final class Case {
        public final long seed;
        public final String source;
        public final String leak;
        public final Network net;
        public final Map<String, float[]> weights;
        public final int[] input;
        /** Right shifts round toward zero (a target naming {@code toward_zero}) instead of toward minus infinity. */
        public final boolean towardZero;

        private Case(long seed, String source, String leak, Network net, Map<String, float[]> weights, int[] input,
                     boolean towardZero) {
            this.seed = seed;
            this.source = source;
            this.leak = leak;
            this.net = net;
            this.weights = weights;
            this.input = input;
            this.towardZero = towardZero;
        }

        static Case generate(long seed, int steps, InputKind encoding, boolean chain, Limits limits) {
            Random rnd = new Random(seed);
            Gen g = new Gen(rnd, encoding, chain, limits);
            String source = g.source(steps);
            Compilation c = SnnFrontEnd.compile(new SourceFile("case.snn", source));
            assertTrue(c.ok(), () -> "the generator wrote an invalid model: " + c.errors() + "\n" + source);
            Network net = c.network();
            Map<String, float[]> weights = g.weights(net);
            int n = Math.toIntExact(net.input().shape().size());
            int[] input = IntegerPropertySupport.input(rnd, steps * n, encoding == InputKind.BIPOLAR,
                    encoding == InputKind.DIRECT);
            return new Case(seed, source, g.leak, net, weights, input, rnd.nextInt(4) == 0);
        }

        public String describe(QuantizedNetwork q) {
            StringBuilder b = new StringBuilder("case seed ").append(seed).append(towardZero ? " (shifts toward zero)" : "")
                    .append(":\n").append(source).append('\n');
            for (QuantLayer l : q.layers()) {
                b.append(String.format(Locale.ROOT, "  layer %s: %s theta=%s bias=%s leak=%s%n", l.node(), l.shape(),
                        Arrays.toString(l.theta()), Arrays.toString(l.bias()), l.leak().describe()));
                for (Synapse s : l.synapses()) {
                    int[] w = s instanceof Synapse.Dense d ? d.weights() : s instanceof Synapse.Conv cv ? cv.weights()
                            : s instanceof Synapse.Identity id ? id.weights() : new int[0];
                    IntegerPropertySupport.describeSynapse(b, s, w);
                }
            }
            IntegerPropertySupport.describeInput(b, q, input);
            return b.toString();
        }
    }

    /** Writes one random model; remembers, per weight node, what its float scale should be. */
    static final class Gen {
        final Random rnd;
        final InputKind encoding;
        final boolean onlyIf;
        final String leak;
        final int weightBits;
        final int membraneBits;
        final StringBuilder neurons = new StringBuilder();
        final StringBuilder layers = new StringBuilder();
        /** weight node -> threshold of the neuron its current charges (1 for non-spiking readouts). */
        final Map<String, Double> thetaOf = new HashMap<>();
        /** weight nodes reading the network input. */
        final List<String> readsInput = new ArrayList<>();
        int neuronCount;
        int layerCount;
        boolean atInput = true;
        // the current shape: c x h x w when spatial, else flat n
        boolean spatial;
        int c;
        int h;
        int w;
        int n;
        double lastTheta;

        final boolean chain;
        final Limits limits;

        Gen(Random rnd, InputKind encoding, boolean chain, Limits limits) {
            this.rnd = rnd;
            this.chain = chain;
            this.limits = limits;
            this.encoding = encoding;
            int kind = rnd.nextInt(4);
            this.onlyIf = kind == 0;
            this.leak = onlyIf ? "none" : kind == 1 ? "multiplier(" + (4 + rnd.nextInt(13)) + ")" : "shift";
            this.weightBits = 2 + rnd.nextInt(15);
            this.membraneBits = 4 + rnd.nextInt(17);
        }

        String source(int steps) {
            StringBuilder b = new StringBuilder("model prop\n");
            spatial = rnd.nextInt(4) != 0;
            // A pooled residual block is rare by chance (about 4% of cases), too rare for its coverage check
            // to hold reliably in 200 tries, so one spatial case in six opens with one.
            boolean poolBlockFirst = spatial && rnd.nextInt(6) == 0;
            if (spatial) {
                c = 1 + rnd.nextInt(limits.channels());
                h = poolBlockFirst ? 2 + 2 * rnd.nextInt(3) : 2 + rnd.nextInt(limits.side() - 1);
                w = poolBlockFirst ? 2 + 2 * rnd.nextInt(3) : rnd.nextBoolean() ? h : 2 + rnd.nextInt(limits.side() - 1);
                b.append("input ").append(c).append('x').append(h).append('x').append(w);
            } else {
                n = 1 + rnd.nextInt(10);
                b.append("input ").append(n);
            }
            b.append(" encode ").append(encoding.name().toLowerCase(Locale.ROOT)).append('\n');
            b.append("timesteps ").append(steps).append('\n');
            int hidden = rnd.nextInt(4);
            if (poolBlockFirst) {
                if (chain) {
                    pool();
                } else {
                    poolResidual();
                }
            }
            if (spatial && !poolBlockFirst && limits != Limits.DEFAULT && rnd.nextBoolean()) {
                // the wide limits are for conv engines: half the spatial cases open with a conv, so that
                // every kernel size and padding occurs often enough for the FPGA tests' coverage minimums
                conv();
            }
            for (int i = 0; i < hidden; i++) {
                layer();
            }
            readout();
            b.append(neurons).append("layers {\n").append(layers).append("}\n");
            b.append("deploy {\n");
            b.append("    weights = int(").append(weightBits).append(rnd.nextBoolean() ? ", per_channel" : ", per_layer")
                    .append(")\n");
            b.append("    membrane = int(").append(membraneBits).append(")\n");
            b.append("    leak = ").append(leak).append('\n');
            b.append("    overflow = ").append(rnd.nextBoolean() ? "saturate" : "wrap").append('\n');
            b.append("}\n");
            return b.toString();
        }

        private void layer() {
            if (!spatial) {
                if (rnd.nextInt(3) == 0 && !chain) {
                    flatResidual();
                } else {
                    dense();
                }
                return;
            }
            switch (rnd.nextInt(9)) {
                case 0, 1 -> conv();
                case 2, 7, 8 -> {
                    if (h >= 2 && w >= 2) {
                        pool();
                    } else {
                        conv();
                    }
                }
                case 3 -> {
                    if (chain) {
                        conv();
                    } else {
                        identityResidual();
                    }
                }
                case 4 -> {
                    if (chain) {
                        conv();
                    } else {
                        convSkipResidual();
                    }
                }
                case 5 -> dense();
                case 6 -> {
                    if (h >= 2 && w >= 2 && h % 2 == 0 && w % 2 == 0) {
                        if (chain) {
                            pool();
                        } else {
                            poolResidual();
                        }
                    } else if (chain) {
                        conv();
                    } else {
                        identityResidual();
                    }
                }
                default -> {
                    if (rnd.nextBoolean() && !chain) {
                        identityResidual();
                    } else {
                        conv();
                    }
                }
            }
        }

        /** A new neuron definition; IF only when the deploy block has no leak (or {@code forceIf}). */
        private String neuron(boolean forceIf) {
            String name = "n" + (++neuronCount);
            double theta = threshold(rnd);
            lastTheta = theta;
            String reset = rnd.nextBoolean() ? "subtract" : "zero";
            if (forceIf || onlyIf || rnd.nextInt(3) == 0) {
                neurons.append(String.format(Locale.ROOT, "neuron %s = IF(threshold = %s, reset = %s)%n", name,
                        fmt(theta), reset));
            } else {
                double beta = decay(rnd);
                neurons.append(String.format(Locale.ROOT, "neuron %s = LIF(beta = %s, threshold = %s, reset = %s)%n",
                        name, fmt(beta), fmt(theta), reset));
            }
            return name;
        }

        private String name() {
            return "l" + (++layerCount);
        }

        private String bias() {
            return rnd.nextBoolean() ? ", bias = true" : "";
        }

        private void weightNode(String node) {
            thetaOf.put(node, lastTheta);
            if (atInput) {
                readsInput.add(node);
            }
        }

        private String dropout() {
            return rnd.nextInt(6) == 0 ? " dropout 0.25" : "";
        }

        private void conv() {
            int p = rnd.nextInt(limits.padding() + 1);
            int k = 1 + rnd.nextInt(Math.min(limits.kernel(), Math.min(h, w) + 2 * p));
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(limits.channels());
            String l = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = conv(%d, kernel = %d, stride = %d, padding = %d%s) -> %s%s%n",
                    l, f, k, s, p, bias(), nn, dropout()));
            weightNode(l);
            c = f;
            h = (h + 2 * p - k) / s + 1;
            w = (w + 2 * p - k) / s + 1;
            atInput = false;
        }

        private void pool() {
            int k = h >= 3 && w >= 3 && rnd.nextInt(4) == 0 ? 3 : 2;
            String l = name();
            String nn = neuron(true);
            layers.append(String.format(Locale.ROOT, "    %s = avgpool(%d) -> %s%n", l, k, nn));
            h /= k;
            w /= k;
            atInput = false;
        }

        private void dense() {
            if (spatial && rnd.nextInt(3) == 0) {
                layers.append("    ").append(name()).append(" = flatten\n");
            }
            int units = 1 + rnd.nextInt(Math.max(6, limits.channels()));
            String l = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = dense(%d%s) -> %s%s%n", l, units, bias(), nn, dropout()));
            weightNode(l);
            spatial = false;
            n = units;
            atInput = false;
        }

        /** residual { [conv -> n] conv(C, same padding) } skip identity -> n */
        private void identityResidual() {
            String block = name();
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                int k = rnd.nextBoolean() ? 3 : 1;
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s) -> %s ", l,
                        1 + rnd.nextInt(3), k, (k - 1) / 2, bias(), nn));
                weightNode(l);
                atInput = false;
            }
            int k = rnd.nextBoolean() ? 3 : 1;
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s)", last, c, k, (k - 1) / 2,
                    bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip identity -> %s%n", block, body, nn));
            thetaOf.put(last, lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            atInput = false;
        }

        /** residual { avgpool(2) } skip conv(C, kernel = 1, stride = 2) -> n: the pool takes the block's scale */
        private void poolResidual() {
            String block = name();
            boolean blockAtInput = atInput;
            String last = name();
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s = avgpool(2) } skip conv(%d, kernel = 1, stride = 2%s) -> %s%n",
                    block, last, c, bias(), nn));
            thetaOf.put(block + ".skip", lastTheta);
            if (blockAtInput) {
                readsInput.add(block + ".skip");
            }
            h /= 2;
            w /= 2;
            atInput = false;
        }

        /** residual { [conv -> n] conv(F, stride s, same padding) } skip conv(F, kernel = 1, stride = s) -> n */
        private void convSkipResidual() {
            String block = name();
            boolean blockAtInput = atInput;
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                int k = rnd.nextBoolean() ? 3 : 1;
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, padding = %d%s) -> %s ", l,
                        1 + rnd.nextInt(3), k, (k - 1) / 2, bias(), nn));
                weightNode(l);
                atInput = false;
            }
            int k = rnd.nextBoolean() ? 3 : 1;
            int s = 1 + rnd.nextInt(2);
            int f = 1 + rnd.nextInt(3);
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = conv(%d, kernel = %d, stride = %d, padding = %d%s)", last, f, k,
                    s, (k - 1) / 2, bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip conv(%d, kernel = 1, stride = %d%s) -> %s%n",
                    block, body, f, s, bias(), nn));
            thetaOf.put(last, lastTheta);
            thetaOf.put(block + ".skip", lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            if (blockAtInput) {
                readsInput.add(block + ".skip");
            }
            c = f;
            h = (h - 1) / s + 1;
            w = (w - 1) / s + 1;
            atInput = false;
        }

        /** residual { [dense -> n] dense(N) } skip identity -> n */
        private void flatResidual() {
            String block = name();
            StringBuilder body = new StringBuilder();
            if (rnd.nextBoolean()) {
                String l = name();
                String nn = neuron(false);
                body.append(String.format(Locale.ROOT, "%s = dense(%d%s) -> %s ", l, 1 + rnd.nextInt(5), bias(), nn));
                weightNode(l);
                atInput = false;
            }
            String last = name();
            body.append(String.format(Locale.ROOT, "%s = dense(%d%s)", last, n, bias()));
            String nn = neuron(false);
            layers.append(String.format(Locale.ROOT, "    %s = residual { %s } skip identity -> %s%n", block, body, nn));
            thetaOf.put(last, lastTheta);
            if (atInput) {
                readsInput.add(last);
            }
            atInput = false;
        }

        private void readout() {
            int classes = 1 + rnd.nextInt(4);
            String l = "out";
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = accumulate%s)%n", l, classes,
                            bias()));
                    lastTheta = 1;
                }
                case 1 -> {
                    double beta = onlyIf || rnd.nextInt(5) == 0 ? 1 : decay(rnd);
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = membrane, beta = %s%s)%n", l,
                            classes, fmt(beta), bias()));
                    lastTheta = 1;
                }
                default -> {
                    String nn = neuron(false);
                    layers.append(String.format(Locale.ROOT, "    %s = readout(%d, mode = count%s) -> %s%n", l, classes,
                            bias(), nn));
                }
            }
            weightNode(l);
        }

        /**
         * Float weights per tensor: a random distribution (gaussian, uniform, sparse, with outliers,
         * with all-zero rows, with a negative offset), scaled so that the neuron's quantised threshold
         * lands between about 0.3 and the membrane's limit (larger ones are refused with E502).
         */
        Map<String, float[]> weights(Network net) {
            Map<String, float[]> out = new LinkedHashMap<>();
            long qmax = (1L << (weightBits - 1)) - 1;
            long memMax = (1L << (membraneBits - 1)) - 1;
            for (Map.Entry<String, Integer> e : Parameters.sizes(net).entrySet()) {
                String key = e.getKey();
                String node = key.substring(0, key.lastIndexOf('.'));
                int rows = rows(net.node(node));
                int len = e.getValue();
                double theta = thetaOf.getOrDefault(node, 1.0);
                double maxAbs = IntegerPropertySupport.maxAbs(rnd, theta, qmax, memMax);
                if (encoding == InputKind.DIRECT && readsInput.contains(node)) {
                    maxAbs *= 255;
                }
                if (key.endsWith(".bias")) {
                    out.put(key, IntegerPropertySupport.bias(rnd, len, maxAbs));
                    continue;
                }
                float[] t = IntegerPropertySupport.weights(rnd, len, rows, maxAbs);
                out.put(key, t);
            }
            return out;
        }

        private static int rows(Node node) {
            if (node instanceof Conv2dNode cv) {
                return cv.filters();
            } else if (node instanceof DenseNode d) {
                return d.units();
            } else if (node instanceof ReadoutNode r) {
                return r.classes();
            }
            throw new IllegalArgumentException("no weights on " + node);
        }
    }
}
