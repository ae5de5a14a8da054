package dev.spikeforge.compiler.quant;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trained float network + integer formats -> {@link QuantizedNetwork} (docs/semantics.md
 * section 4). A pure function: the same network, weights and options give the same result.
 *
 * <p>Scales: every path into one population shares one scale per channel (both paths of a
 * residual block). A channel's scale is {@code sigma = max|w| / (2^(B-1) - 1)} over every weight
 * feeding that channel (an identity skip counts as weight 1), so no weight is clipped.
 * Average pooling is exact: {@code w_q = 1}, {@code sigma = 1/K^2}, {@code theta_q = round(theta * K^2)};
 * a pooling that ends the main path of a residual block instead takes the block's scale like any
 * path (its weight 1/K^2 quantised per channel).
 * Non-spiking readouts always use one scale for the layer, so that comparing classes stays meaningful.
 * {@code direct} input enters as its raw bytes 0..255, so weights reading it are divided by 255 first.
 *
 * <p>Temporal layers (docs/semantics.md sections 4.9 to 4.11): the recurrent weights of a dense layer
 * ({@code NODE.recurrent}) are one more path into its neurons, so a channel's scale is the largest
 * |w| over its feed-forward row and its recurrent row together (over both whole arrays per layer)
 * and the step's current stays one exact integer sum. A conv1d is a path like a conv (per-channel
 * scales per filter). A maxpool is a population of its own: weight 1 per input spike of its window,
 * threshold 1, reset to zero, no leak, so it fires exactly when one of its inputs did. A CUBA
 * neuron's alpha becomes the layer's synaptic leak in the deploy block's leak form; its current
 * saturates (or wraps) at {@code current_bits}.
 */
public final class Quantizer {

    /** A quantised network, or null with the errors that prevented it; warnings either way. */
    public record Result(QuantizedNetwork network, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean ok() {
            return network != null;
        }
    }

    private final Network net;
    /** The float tensors, or null for {@link #quantizeShapes}: every weight and bias is then 1. */
    private final Map<String, float[]> weights;
    private final QuantOptions opt;
    private final List<Diagnostic> out = new ArrayList<>();
    private final Map<String, Integer> population = new HashMap<>();
    private final List<QuantLayer> layers = new ArrayList<>();
    private final int qmax;

    private Quantizer(Network net, Map<String, float[]> weights, QuantOptions opt) {
        this.net = net;
        this.weights = weights;
        this.opt = opt;
        this.qmax = opt.numerics().weightLimit();
    }

    /**
     * @param net     a network that passed {@link Network#verify()} without errors
     * @param weights float tensors keyed {@code NODE.weight} / {@code NODE.bias} (checkpoint names and layouts)
     */
    public static Result quantize(Network net, Map<String, float[]> weights, QuantOptions opt) {
        return run(net, java.util.Objects.requireNonNull(weights, "weights"), opt);
    }

    /**
     * The network quantised as if every weight and bias were 1.0, without any weights: what
     * {@code check} judges design rules on before training. Every number that depends on sizes
     * (shapes, fan-in, scales, the worst-case current and its guard bits, biases and thresholds of
     * weights all 1.0) is what {@link #quantize} gives for such weights, while memory grows with
     * the neurons, never with the parameters: the synapses carry no weight arrays
     * ({@code weights()} is null), so only rules that do not read weight values may be run on it.
     *
     * @param net a network that passed {@link Network#verify()} without errors
     */
    public static Result quantizeShapes(Network net, QuantOptions opt) {
        return run(net, null, opt);
    }

    private static Result run(Network net, Map<String, float[]> weights, QuantOptions opt) {
        if (opt.weightBits() < 2 || opt.weightBits() > 16 || opt.membraneBits() < 4 || opt.membraneBits() > 32
                || opt.currentBits() < 4 || opt.currentBits() > 32) {
            throw new IllegalArgumentException("formats out of range: " + opt);
        }
        Quantizer q = new Quantizer(net, weights, opt);
        q.run();
        boolean failed = q.out.stream().anyMatch(Diagnostic::isError);
        QuantizedNetwork qn = failed ? null : new QuantizedNetwork(net.name(), net.timesteps(), net.input().encoding(),
                net.input().shape(), q.inputLimit(), q.layers, opt.numerics(), q.readoutBits(), opt.timing());
        return new Result(qn, q.out);
    }

    private boolean direct() {
        return net.input().encoding().analog();
    }

    /** The largest |value| the input delivers: 1 for spikes, 255 for direct bytes. */
    private int inputLimit() {
        return direct() ? 255 : 1;
    }

    private void run() {
        for (Node n : net.nodes()) {
            if (n instanceof NeuronNode nn) {
                population.put(nn.name(), layers.size());
                QuantLayer l = spiking(nn);
                if (l != null) {
                    layers.add(l);
                }
            } else if (n instanceof ReadoutNode r) {
                QuantLayer l = readout(r);
                if (l != null) {
                    layers.add(l);
                }
            } else if (n instanceof MaxPoolNode p) {
                population.put(p.name(), layers.size());
                layers.add(maxpool(p));
            }
        }
    }

    // ---- the float paths into one population ----------------------------------------------

    /**
     * One synaptic path before quantisation: weights with rows per output feature. A path of a
     * shape-only run has {@code w} null and {@code uniformRow} > 0: rows of that many weights 1.0.
     */
    private record Path(Node node, int source, Shape in, int divisor, float[] w, int rows, float[] bias, long uniformRow,
                        Recurrence recurrence) {
        Path(Node node, int source, Shape in, int divisor, float[] w, int rows, float[] bias, long uniformRow) {
            this(node, source, in, divisor, w, rows, bias, uniformRow, Recurrence.NONE);
        }

        long rowLength() {
            return w != null ? w.length / rows : uniformRow;
        }

        /** A conv, dense or readout path (pooling and identity skips have no weights of their own). */
        boolean weighted() {
            return w != null || uniformRow > 0;
        }

        /** Inputs of one neuron that a weightless path adds: K^2 for pooling, 1 for an identity. */
        int taps() {
            return node instanceof AvgPoolNode p ? p.kernel() * p.kernel() : 1;
        }

        /** The float weight of each input of a weightless path: 1/K^2 (pooling) or 1, per input unit. */
        double unitWeight() {
            return 1.0 / taps() / divisor;
        }
    }

    /** The population (or -1 for the input) whose spikes reach {@code n}, through flatten and dropout. */
    private int sourceOf(Node n) {
        Node s = n;
        while (s instanceof FlattenNode || s instanceof DropoutNode) {
            s = net.inputsOf(s).get(0);
        }
        if (s instanceof InputNode) {
            return -1;
        }
        Integer index = population.get(s.name());
        if (index == null) {
            throw new IllegalStateException("no spiking source for " + n.name() + " (found " + s.name() + ")");
        }
        return index;
    }

    private Path path(Node current, int features) {
        if (current instanceof Conv2dNode || current instanceof Conv1dNode || current instanceof DenseNode
                || current instanceof ReadoutNode || current instanceof AvgPoolNode) {
            Node feeding = net.inputsOf(current).get(0);
            int source = sourceOf(feeding);
            int divisor = source == -1 && direct() ? 255 : 1;
            if (current instanceof AvgPoolNode) {
                return new Path(current, source, feeding.shape(), divisor, null, features, null, 0);
            }
            int rows = current instanceof Conv2dNode c ? c.filters() : current instanceof Conv1dNode c ? c.filters()
                    : current instanceof DenseNode d ? d.units() : ((ReadoutNode) current).classes();
            if (weights == null) {
                long row = current instanceof Conv2dNode c ? (long) c.inChannels() * c.kernel() * c.kernel()
                        : current instanceof Conv1dNode c ? (long) c.inChannels() * c.kernel()
                        : current instanceof DenseNode d ? d.inFeatures() : ((ReadoutNode) current).inFeatures();
                boolean hasBias = current instanceof Conv2dNode c ? c.bias() : current instanceof Conv1dNode c ? c.bias()
                        : current instanceof DenseNode d ? d.bias() : ((ReadoutNode) current).bias();
                float[] ones = hasBias ? new float[rows] : null;
                if (ones != null) {
                    java.util.Arrays.fill(ones, 1f);
                }
                return new Path(current, source, feeding.shape(), divisor, null, rows, ones, row);
            }
            return new Path(current, source, feeding.shape(), divisor, weights(current), rows,
                    weights.get(current.name() + ".bias"), 0);
        }
        // a spiking source (or the input) feeding a residual add directly: the identity skip, weight 1.0
        // per input unit, so 1/255 per byte when it reads direct input (like every weight reading it)
        int source = sourceOf(current);
        return new Path(null, source, current.shape(), source == -1 && direct() ? 255 : 1, null, features, null, 0);
    }

    private float[] weights(Node n) {
        float[] w = weights.get(n.name() + ".weight");
        if (w == null) {
            throw new IllegalArgumentException("no weights for '" + n.name() + "'");
        }
        return w;
    }

    private List<Path> pathsInto(Node current, int features) {
        List<Path> paths = new ArrayList<>();
        if (current instanceof ResidualAddNode add) {
            for (Node in : net.inputsOf(add)) {
                paths.add(path(in, features));
            }
        } else {
            paths.add(path(current, features));
        }
        return paths;
    }

    /**
     * The recurrent weights of {@code d} as a path from the population being built (its own index,
     * which reads its spikes of the previous step): rows of {@code units} weights ([o][i], full) or
     * of one weight (diagonal), checkpoint array {@code NODE.recurrent}.
     */
    private Path recurrentPath(DenseNode d, Shape layerShape) {
        int self = layers.size();
        int units = d.units();
        long expected = d.recurrent().weights(units);
        if (weights == null) {
            return new Path(d, self, layerShape, 1, null, units, null, expected / units, d.recurrent());
        }
        float[] w = weights.get(d.name() + ".recurrent");
        if (w == null) {
            throw new IllegalArgumentException("no recurrent weights for '" + d.name() + "' (array '" + d.name()
                    + ".recurrent')");
        }
        if (w.length != expected) {
            throw new IllegalArgumentException("'" + d.name() + ".recurrent' has " + w.length + " values, but dense("
                    + units + ", recurrent = " + d.recurrent().keyword() + ") has " + expected + " recurrent weights");
        }
        return new Path(d, self, layerShape, 1, w, units, null, 0, d.recurrent());
    }

    // ---- populations -----------------------------------------------------------------------

    private QuantLayer spiking(NeuronNode nn) {
        Node current = net.inputsOf(nn).get(0);
        NeuronDefinition def = nn.neuron();
        int features = nn.shape().isSpatial() || nn.shape().isSequence() ? nn.shape().channels()
                : Math.toIntExact(nn.shape().size());
        List<Path> paths = pathsInto(current, features);
        if (current instanceof DenseNode d && d.isRecurrent()) {
            paths.add(recurrentPath(d, nn.shape()));
        }
        QuantLeak leak = leak(nn.userLayer(), def.beta(), def.origin().of(def.origin().has("tau") ? "tau" : "beta"));
        QuantLeak synaptic = synapticLeak(nn.userLayer(), def);
        if (current instanceof AvgPoolNode p) {
            int k2 = p.kernel() * p.kernel();
            int divisor = paths.get(0).divisor();
            double[] scale = {1.0 / (k2 * (double) divisor)};
            long[] theta = {Math.max(1, Rounding.halfAway(def.theta() * k2 * divisor))};
            Synapse syn = new Synapse.Pool(paths.get(0).source(), paths.get(0).in(), p.kernel(), new int[] {1});
            long maxCurrent = (long) k2 * limitOf(paths.get(0));
            return finish(nn, null, List.of(syn), null, theta, def, def.beta(), leak, synaptic, scale, maxCurrent,
                    new QuantLayer.Stats(0, 0, 0));
        }
        int channels = opt.granularity() == DeploySpec.Granularity.PER_CHANNEL ? features : 1;
        return quantised(nn, null, paths, features, channels, def, def.beta(), leak, synaptic);
    }

    /**
     * A maxpool: a population of its own with weight 1 per input spike of its window, threshold 1,
     * reset to zero and no leak, so its membrane is always 0 after a step and it fires exactly when a
     * spike of its window did (docs/semantics.md section 4.11). One unit of current is one spike.
     */
    private QuantLayer maxpool(MaxPoolNode p) {
        Node feeding = net.inputsOf(p).get(0);
        int source = sourceOf(feeding);
        long maxCurrent = (long) p.window() * (source == -1 ? inputLimit() : 1);
        Synapse syn = new Synapse.MaxPool(source, feeding.shape(), p.kernel());
        String[] wraps = opt.overflow() == DeploySpec.Overflow.WRAP ? p.wrapsIn(opt.membraneBits()) : null;
        if (wraps != null) { // a target's formats can be narrower than the deploy block's, which check saw
            out.add(Diagnostic.of(ErrorCode.E506, p.pos(), wraps[0]).withHelp(wraps[1]));
        }
        return new QuantLayer(p.userLayer(), p.name(), p.pos(), null, p.shape(), 1, List.of(syn), null, new long[] {1},
                Reset.ZERO, new QuantLeak.None(), new double[] {1.0}, 1.0, 1.0, maxCurrent,
                guardBits(maxCurrent, opt.membraneBits()), new QuantLayer.Stats(0, 0, 0));
    }

    private QuantLayer readout(ReadoutNode r) {
        List<Path> paths = pathsInto(r, r.classes());
        NeuronDefinition def = r.mode() == ReadoutMode.COUNT ? r.neuron() : null;
        double beta = def != null ? def.beta() : r.mode() == ReadoutMode.MEMBRANE ? r.beta() : 1;
        SourcePos betaPos = def != null ? def.origin().of("beta") : r.origin().of("beta");
        QuantLeak leak = leak(r.userLayer(), beta, betaPos);
        int channels = r.mode() == ReadoutMode.COUNT && opt.granularity() == DeploySpec.Granularity.PER_CHANNEL
                ? r.classes() : 1;
        return quantised(r, r.mode(), paths, r.classes(), channels, def, beta, leak,
                def == null ? null : synapticLeak(r.userLayer(), def));
    }

    /** The integer decay of a CUBA neuron's synaptic current (its alpha in the leak form), or null without one. */
    private QuantLeak synapticLeak(String layer, NeuronDefinition def) {
        if (!def.hasSynapticCurrent()) {
            return null;
        }
        QuantLeak leak = Leaks.represent(def.alpha(), opt.leak());
        if (leak == null) {
            String[] why = Leaks.whyNot(def.alpha(), opt.leak());
            out.add(Diagnostic.of(ErrorCode.E501, def.origin().of(def.origin().has("tau_syn") ? "tau_syn" : "alpha"),
                    "layer '" + layer + "', the synaptic current's alpha: " + why[0].replaceFirst("^beta", "alpha"))
                    .withHelp(why[1].replace("or make the neuron IF", "or use a LIF neuron (no synaptic current)")));
        }
        return leak;
    }

    private QuantLeak leak(String layer, double beta, SourcePos pos) {
        QuantLeak leak = Leaks.represent(beta, opt.leak());
        if (leak == null) {
            String[] why = Leaks.whyNot(beta, opt.leak());
            out.add(Diagnostic.of(ErrorCode.E501, pos, "layer '" + layer + "': " + why[0]).withHelp(why[1]));
        }
        return leak;
    }

    private QuantLayer quantised(Node node, ReadoutMode mode, List<Path> paths, int features, int channels,
                                 NeuronDefinition def, double beta, QuantLeak leak, QuantLeak synaptic) {
        String layer = node.userLayer();
        double[] maxAbs = new double[channels];
        double largest = 0;
        long count = 0;
        for (Path p : paths) {
            for (int f = 0; p.bias() != null && f < p.bias().length; f++) {
                if (!Float.isFinite(p.bias()[f])) {
                    nonFinite(p.node(), "bias", f, p.bias()[f]);
                    return null;
                }
            }
            if (!p.weighted()) {
                for (int c = 0; c < channels; c++) {
                    maxAbs[c] = Math.max(maxAbs[c], p.unitWeight());
                }
                count += channels;
                continue;
            }
            if (p.w() == null) { // shape-only: every weight is 1.0
                for (int row = 0; row < p.rows(); row++) {
                    int ch = channels == 1 ? 0 : row;
                    maxAbs[ch] = Math.max(maxAbs[ch], 1.0 / p.divisor());
                }
                largest = Math.max(largest, 1.0);
                count += p.rows() * p.rowLength();
                continue;
            }
            int len = (int) p.rowLength();
            for (int row = 0; row < p.rows(); row++) {
                int ch = channels == 1 ? 0 : row;
                for (int i = row * len; i < (row + 1) * len; i++) {
                    double a = Math.abs((double) p.w()[i]);
                    if (!Double.isFinite(a)) {
                        nonFinite(p.node(), p.recurrence() != Recurrence.NONE ? "recurrent weight" : "weight", i, p.w()[i]);
                        return null;
                    }
                    largest = Math.max(largest, a);
                    maxAbs[ch] = Math.max(maxAbs[ch], a / p.divisor());
                }
            }
            count += p.w().length;
        }
        double layerMax = 0;
        for (double m : maxAbs) {
            layerMax = Math.max(layerMax, m);
        }
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) {
            double m = maxAbs[c] > 0 ? maxAbs[c] : layerMax;
            scale[c] = m > 0 ? m / qmax : (def != null ? def.theta() : 1.0) / qmax;
        }
        long clipped = 0;
        List<Synapse> synapses = new ArrayList<>();
        long[] rowAbs = new long[features];
        for (Path p : paths) {
            if (!p.weighted()) {
                int[] w = new int[channels];
                for (int c = 0; c < channels; c++) {
                    long q = Rounding.halfAway(p.unitWeight() / scale[c]);
                    clipped += Math.abs(q) > qmax ? 1 : 0;
                    w[c] = (int) Math.max(-qmax, Math.min(qmax, q));
                }
                for (int f = 0; f < features; f++) {
                    rowAbs[f] += Math.abs(w[channels == 1 ? 0 : f]) * (long) p.taps() * limitOf(p);
                }
                synapses.add(p.node() instanceof AvgPoolNode pool
                        ? new Synapse.Pool(p.source(), p.in(), pool.kernel(), w)
                        : new Synapse.Identity(p.source(), p.in(), w));
                continue;
            }
            if (p.w() == null) { // shape-only: every row is rowLength weights of 1.0
                for (int row = 0; row < p.rows(); row++) {
                    long q = Rounding.halfAway(1.0 / p.divisor() / scale[channels == 1 ? 0 : row]);
                    if (Math.abs(q) > qmax) {
                        clipped += p.rowLength();
                        q = Math.max(-qmax, Math.min(qmax, q));
                    }
                    rowAbs[row] += Math.abs(q) * p.rowLength() * limitOf(p);
                }
                synapses.add(synapse(p, null));
                continue;
            }
            int len = (int) p.rowLength();
            int[] w = new int[p.w().length];
            for (int row = 0; row < p.rows(); row++) {
                double s = scale[channels == 1 ? 0 : row];
                long abs = 0;
                for (int i = row * len; i < (row + 1) * len; i++) {
                    long q = Rounding.halfAway(p.w()[i] / (double) p.divisor() / s);
                    if (Math.abs(q) > qmax) {
                        clipped++;
                        q = Math.max(-qmax, Math.min(qmax, q));
                    }
                    w[i] = (int) q;
                    abs += Math.abs(q);
                }
                rowAbs[row] += abs * limitOf(p);
            }
            synapses.add(synapse(p, w));
        }
        long[] bias = bias(paths, features, channels, scale);
        long maxCurrent = 0;
        for (int f = 0; f < features; f++) {
            maxCurrent = Math.max(maxCurrent, rowAbs[f] + (bias == null ? 0 : Math.abs(bias[f])));
        }
        long[] theta = null;
        if (def != null) {
            theta = new long[channels];
            for (int c = 0; c < channels; c++) {
                theta[c] = Math.max(1, Rounding.halfAway(def.theta() / scale[c]));
            }
        }
        return finish(node, mode, synapses, bias, theta, def, beta, leak, synaptic, scale, maxCurrent,
                new QuantLayer.Stats(count, clipped, largest));
    }

    /** The integer bias per feature: the float biases of all paths summed, then rounded at the channel's scale. */
    private static long[] bias(List<Path> paths, int features, int channels, double[] scale) {
        double[] sum = null;
        for (Path p : paths) {
            if (p.bias() == null) {
                continue;
            }
            sum = sum == null ? new double[features] : sum;
            for (int f = 0; f < features; f++) {
                sum[f] += p.bias()[f];
            }
        }
        if (sum == null) {
            return null;
        }
        long[] b = new long[features];
        for (int f = 0; f < features; f++) {
            b[f] = Rounding.halfAway(sum[f] / scale[channels == 1 ? 0 : f]);
        }
        return b;
    }

    private int limitOf(Path p) {
        return p.source() == -1 ? inputLimit() : 1;
    }

    private static Synapse synapse(Path p, int[] w) {
        if (p.recurrence() != Recurrence.NONE) {
            DenseNode d = (DenseNode) p.node();
            return new Synapse.Recurrent(d.name(), p.source(), p.in(), d.units(), p.recurrence() == Recurrence.DIAGONAL, w);
        } else if (p.node() instanceof Conv1dNode c) {
            return new Synapse.Conv1d(c.name(), p.source(), p.in(), c.filters(), c.kernel(), c.stride(), c.padding(), w);
        } else if (p.node() instanceof Conv2dNode c) {
            return new Synapse.Conv(c.name(), p.source(), p.in(), c.filters(), c.kernel(), c.stride(), c.padding(), w);
        } else if (p.node() instanceof DenseNode d) {
            return new Synapse.Dense(d.name(), p.source(), p.in(), d.inFeatures(), d.units(), w);
        }
        ReadoutNode r = (ReadoutNode) p.node();
        return new Synapse.Dense(r.name(), p.source(), p.in(), r.inFeatures(), r.classes(), w);
    }

    private void nonFinite(Node node, String what, int index, float value) {
        out.add(Diagnostic.of(ErrorCode.E504, node.pos(), "layer '" + node.userLayer() + "': " + what + " " + index
                        + " of '" + node.name() + "' is " + value)
                .withHelp("the checkpoint comes from a diverged run; train again with a smaller learning rate"));
    }

    /**
     * Formats that must hold: theta within the membrane, M + G within 64 bits. A layer with a
     * synaptic current (CUBA) accumulates the step's partial sums into its current, so its G is
     * over the current's width: currentBits + G within 64 bits (docs/semantics.md section 4.9).
     */
    private QuantLayer finish(Node node, ReadoutMode mode, List<Synapse> synapses, long[] bias, long[] theta,
                              NeuronDefinition def, double beta, QuantLeak leak, QuantLeak synaptic, double[] scale,
                              long maxCurrent, QuantLayer.Stats stats) {
        String layer = node.userLayer();
        int m = opt.membraneBits();
        long memMax = opt.numerics().membraneMax();
        if (theta != null) {
            int worst = 0;
            for (int c = 1; c < theta.length; c++) {
                worst = theta[c] > theta[worst] ? c : worst;
            }
            if (theta[worst] > memMax) {
                int need = 65 - Long.numberOfLeadingZeros(theta[worst]);
                out.add(Diagnostic.of(ErrorCode.E502, def.origin().of("threshold"), String.format(Locale.ROOT,
                                "layer '%s': threshold %s is %d integer units at the scale of its weights "
                                        + "(one unit = %.4g%s), over the %d-bit membrane's limit %d",
                                layer, def.theta(), theta[worst], scale[worst],
                                theta.length > 1 ? ", channel " + worst : "", m, memMax))
                        .withHelp(need <= 32 ? "use membrane = int(" + need + ") or wider, or fewer weight bits"
                                : "no membrane of up to 32 bits holds it: use fewer weight bits (at most int("
                                + Math.max(2, opt.weightBits() - (need - 32)) + ")), or larger weights against the threshold"));
            }
        }
        int register = synaptic != null ? opt.currentBits() : m;
        int guard = guardBits(maxCurrent, register);
        boolean accumulator = mode != null && !mode.spiking();
        if (!accumulator && register + guard > 64) {
            out.add(Diagnostic.of(ErrorCode.E503, node.pos(), "layer '" + layer + "': a step's current can reach "
                    + maxCurrent + ", which needs " + guard + " guard bits over the " + register
                    + (synaptic != null ? "-bit synaptic current" : "-bit membrane") + "; more than 64 bits in all")
                    .withHelp("use fewer weight bits"));
        }
        if (accumulator && readoutBitsFor(maxCurrent) > 64) {
            out.add(Diagnostic.of(ErrorCode.E503, node.pos(), "readout '" + layer + "': " + net.timesteps()
                    + " steps of a current up to " + maxCurrent + " need more than 64 bits")
                    .withHelp("use fewer weight bits or fewer timesteps"));
        }
        return new QuantLayer(layer, node.name(), node.pos(), mode, node.shape(), scale.length, synapses, bias, theta,
                def == null ? null : def.reset(), leak, scale, def == null ? Double.NaN : def.theta(), beta, maxCurrent,
                accumulator ? 0 : guard, stats, synaptic, synaptic == null ? 0.0 : def.alpha());
    }

    /**
     * The smallest G >= 0 such that membrane (M bits) plus a step's current cannot leave M + G bits:
     * {@code maxCurrent <= 2^(M-1) * (2^G - 1)}.
     */
    public static int guardBits(long maxCurrent, int membraneBits) {
        long half = 1L << (membraneBits - 1);
        int g = 0;
        while (g < 63 - membraneBits && maxCurrent > half * ((1L << g) - 1)) {
            g++;
        }
        return maxCurrent > half * ((1L << g) - 1) ? 64 : g;
    }

    /** Signed bits that hold T steps of a current up to {@code maxCurrent} (count readouts: T). */
    private int readoutBitsFor(long maxCurrent) {
        long t = net.timesteps();
        if (maxCurrent > Long.MAX_VALUE / t) {
            return 65;
        }
        return 65 - Long.numberOfLeadingZeros(t * maxCurrent);
    }

    private int readoutBits() {
        QuantLayer r = layers.get(layers.size() - 1);
        if (r.spiking()) {
            return 65 - Long.numberOfLeadingZeros(net.timesteps());
        }
        int bits = readoutBitsFor(r.maxCurrent());
        long leaky = leakyBound(r.leak(), r.maxCurrent());
        return leaky > 0 ? Math.min(bits, 65 - Long.numberOfLeadingZeros(leaky)) : bits;
    }

    /**
     * The largest |v| a leaky membrane readout can reach, whatever T, with inputs up to C per step
     * (docs/semantics.md section 4.8): the integer leaks take at least v (1 - beta) from a positive
     * v and, rounding down, at most 1 more from a negative one, so |v| stays at most
     * ceil((C + 1) / (1 - beta)). With 1 - beta = d / 2^F (shift(k): d = 1, F = k; multiplier(m, F):
     * d = 2^F - m) that is ceil((C + 1) 2^F / d). 0 when there is no such bound (no leak, or
     * m = 2^F) or it would overflow.
     */
    static long leakyBound(QuantLeak leak, long maxCurrent) {
        int f;
        long d;
        if (leak instanceof QuantLeak.Shift s) {
            f = s.k();
            d = 1;
        } else if (leak instanceof QuantLeak.Multiplier m && m.m() < (1L << m.fractionBits())) {
            f = m.fractionBits();
            d = (1L << f) - m.m();
        } else {
            return 0;
        }
        if (maxCurrent >= (Long.MAX_VALUE >> f) - d) {
            return 0;
        }
        return (((maxCurrent + 1) << f) + d - 1) / d;
    }
}
