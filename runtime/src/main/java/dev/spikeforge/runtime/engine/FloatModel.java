package dev.spikeforge.runtime.engine;

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
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.encode.SplitMix64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float model of docs/semantics.md sections 1 and 2. Multi-step: each weight layer runs once on
 * all T steps folded into its batch (T*B rows, time-major), through ND4J (oneDNN convolution, BLAS
 * gemm into preallocated outputs); only the neuron recurrence loops over time, in
 * {@link NeuronDynamics}. Zero-delay feed-forward holds because every layer's rows are computed
 * before the next layer's recurrence runs; under pipelined timing (docs/semantics.md section 2.7)
 * a spiking layer's output is its spikes delayed by one step, the rows of step t-1 at step t.
 *
 * <p>Runs in float (training, evaluation) or double (gradient checks). Hardware-aware: when the
 * deploy block chooses {@code leak = shift}, a LIF neuron runs with the beta the shift can
 * represent, 1 - 2^-k (docs/semantics.md section 2.4), in training and evaluation alike.
 */
public final class FloatModel {

    private final Network net;
    private final int steps;
    private final DataType dtype;
    private final Map<String, INDArray> weights = new LinkedHashMap<>();
    private final Map<String, INDArray> biases = new LinkedHashMap<>();
    /** The recurrent weights of recurrent dense layers: units x units, or units for a diagonal one. */
    private final Map<String, INDArray> recurrent = new LinkedHashMap<>();
    /**
     * Activation buffers reused from one batch to the next (same batch size, same shape): large
     * off-heap arrays are expensive to allocate and zero, and every one is overwritten whole.
     * A tape's arrays therefore live until the next forward pass of this model.
     */
    private final Map<String, INDArray> buffers = new HashMap<>();
    /**
     * The nodes whose activations are kept channels-last, [rows, height, width, channels]:
     * convolutions (oneDNN is much faster in that layout, see {@link Layers#conv}), and the pools,
     * neurons, dropouts and residual sums that follow them. The network's input stays NCHW, as the
     * encoders write it; a flatten puts its values back in NCHW order, the order of the dense
     * weights; recorded activations are returned in NCHW. Every element-wise rule is the same in
     * either layout, so the layout changes no value.
     */
    private final Set<String> channelsLast = new HashSet<>();
    /** The integer model's neuron arithmetic, or null for the float semantics (see {@link #integerExact(IntegerExact)}). */
    private IntegerExact integerExact;
    /** How many layers the last forward pass ran fused into convolutions or flattenings ({@link #fusedFire}, {@link #fusedFlatten}). */
    private int fusedLayers;
    /** The integer weights, as floats, of the weight nodes that read analog input under {@link #integerExact} ({@link #analogExact}). */
    private final Map<String, INDArray> analogWeights = new HashMap<>();

    /** How many layers the last forward pass ran fused into the convolutions or flattenings before them (the tests read it). */
    public int lastFusedLayers() {
        return fusedLayers;
    }

    /**
     * Replaces the event kernels' density thresholds by {@code d} for every model in this JVM: 1
     * sends every inference layer to the event kernels, a negative value none, NaN restores the
     * measured thresholds ({@code -Dspikeforge.eventDensity} sets it at start-up). For tests that
     * force either inference path.
     */
    public static void eventDensityThreshold(double d) {
        EventKernels.overrideThreshold(d);
    }

    public FloatModel(Network net, Parameters params) {
        this(net, params, DataType.FLOAT);
    }

    public FloatModel(Network net, Parameters params, DataType dtype) {
        this.net = net;
        this.steps = net.timesteps();
        this.dtype = dtype;
        for (Node n : net.nodes()) {
            if (n instanceof Conv2dNode c) {
                weights.put(n.name(), array(params.weight(n.name()), c.filters(), c.inChannels(), c.kernel(), c.kernel()));
            } else if (n instanceof Conv1dNode c) {
                weights.put(n.name(), array(params.weight(n.name()), c.filters(), c.inChannels(), c.kernel()));
            } else if (n instanceof DenseNode || n instanceof ReadoutNode) {
                weights.put(n.name(), array(params.weight(n.name()), Parameters.outputs(n), Parameters.fanIn(n)));
            }
            if (n instanceof DenseNode d && d.isRecurrent()) {
                float[] w = params.recurrent(n.name());
                recurrent.put(n.name(), d.recurrent() == dev.spikeforge.compiler.ir.Recurrence.DIAGONAL
                        ? array(w, d.units()) : array(w, d.units(), d.units()));
            }
            float[] b = params.bias(n.name());
            if (b != null) {
                biases.put(n.name(), array(b, b.length));
            }
            if (n instanceof Conv2dNode || (n instanceof AvgPoolNode || n instanceof MaxPoolNode || n instanceof NeuronNode || n instanceof DropoutNode
                    || n instanceof ResidualAddNode) && net.inputsOf(n).stream().anyMatch(this::channelsLast)) {
                channelsLast.add(n.name());
            }
        }
    }

    /**
     * Whether the layers that read {@code n} see its output one step later: under pipelined timing
     * (docs/semantics.md section 2.7), a population's, that is a spiking layer's or a max pooling's
     * (a population of its own in the integer model).
     */
    boolean delaysOutput(Node n) {
        return net.timing() == Timing.PIPELINED && (n instanceof NeuronNode || n instanceof MaxPoolNode);
    }

    /** Whether a node's activations are kept channels-last ([rows, height, width, channels]). */
    boolean channelsLast(Node n) {
        return channelsLast.contains(n.name());
    }

    /** {@link Layers#toNchw} into this model's buffer {@code key}. */
    INDArray toNchw(String key, INDArray a) {
        return Layers.toNchw(this::buffer, key, a);
    }

    /** {@link Layers#toNhwc} into this model's buffer {@code key}. */
    INDArray toNhwc(String key, INDArray a) {
        return Layers.toNhwc(this::buffer, key, a);
    }

    /** The shape of a node's activation array: rows, then its shape in its layout. */
    long[] actShape(Node n, int rows) {
        long[] shape = rowShape(rows, n.shape());
        if (channelsLast(n)) {
            return new long[] {rows, shape[2], shape[3], shape[1]};
        }
        return shape;
    }

    /**
     * A reusable buffer of this shape for {@code key}; its contents are stale until written. A
     * buffer of another shape under the same key (the last, shorter batch of an epoch; evaluation
     * after training) belongs to an earlier pass and is released at once. Left to the garbage
     * collector, such buffers reach the old generation while in use, and their off-heap memory
     * waits for a full collection: a 10-epoch LeNet5 run grew to 11.5 GiB resident that way.
     */
    INDArray buffer(String key, long... shape) {
        return buffer(key, dtype, shape);
    }

    /** {@link #buffer(String, long...)} of a given data type. */
    INDArray buffer(String key, DataType type, long... shape) {
        INDArray b = buffers.get(key);
        if (b == null || !java.util.Arrays.equals(b.shape(), shape) || b.dataType() != type) {
            if (b != null && b.closeable()) {
                b.close();
            }
            b = Nd4j.createUninitialized(type, shape, 'c');
            buffers.put(key, b);
        }
        return b;
    }

    /** Bytes of every ND4J array this model holds now: weights, biases and the reused buffers (MemoryEstimateTest). */
    long arrayBytes() {
        long b = 0;
        for (Map<String, INDArray> m : java.util.List.of(weights, biases, recurrent, buffers)) {
            for (INDArray a : m.values()) {
                b += a.length() * a.dataType().width();
            }
        }
        return b;
    }

    private INDArray array(float[] values, long... shape) {
        return Nd4j.createFromArray(values).castTo(dtype).reshape('c', shape);
    }

    Network network() {
        return net;
    }

    DataType dtype() {
        return dtype;
    }

    /** The live weight array of a node (the optimiser updates it in place). */
    INDArray weight(String node) {
        return weights.get(node);
    }

    /** The live bias array of a node, or null. */
    INDArray bias(String node) {
        return biases.get(node);
    }

    /** The live recurrent weights of a recurrent dense node, or null. */
    INDArray recurrent(String node) {
        return recurrent.get(node);
    }

    /** The keys of {@link #parameters()}, in its order, without copying any values. */
    java.util.List<String> parameterKeys() {
        java.util.List<String> keys = new java.util.ArrayList<>();
        weights.keySet().forEach(k -> keys.add(k + ".weight"));
        biases.keySet().forEach(k -> keys.add(k + ".bias"));
        recurrent.keySet().forEach(k -> keys.add(k + Parameters.RECURRENT));
        return keys;
    }

    /** The live array of a parameter key ({@code NODE.weight}, {@code NODE.bias} or {@code NODE.recurrent}). */
    INDArray parameter(String key) {
        String node = key.substring(0, key.lastIndexOf('.'));
        return key.endsWith(".weight") ? weights.get(node) : key.endsWith(Parameters.RECURRENT) ? recurrent.get(node)
                : biases.get(node);
    }

    /** The current values as plain float arrays, for checkpoints and the compiler. */
    public Parameters parameters() {
        Map<String, float[]> t = new LinkedHashMap<>();
        for (String key : parameterKeys()) {
            t.put(key, parameter(key).dup('c').castTo(DataType.FLOAT).data().asFloat());
        }
        return new Parameters(t);
    }

    /**
     * Runs the neurons and the readout in the integer model's arithmetic from now on
     * (docs/semantics.md section 4.13), or in float again with null. Only for weights on that
     * model's integer grid (quantisation-aware weights): a current off the grid is an
     * {@link IntegerExact.OffGrid} error. Dropout is off (the integer model has none, and spikes
     * scaled by 1/(1-p) are off the grid), in training too; weight layers, poolings and the backward
     * pass stay as they are.
     */
    public void integerExact(IntegerExact exact) {
        this.integerExact = exact;
        analogWeights.clear();
    }

    /** The integer arithmetic the neurons run in, or null for float. */
    public IntegerExact integerExact() {
        return integerExact;
    }

    /**
     * The integer-exact constants of node {@code n}'s neurons, or null when they run in float: no
     * integer-exact forward, or a gradient check's relaxed firing (which has no integer form).
     */
    private IntegerNeurons.Layer integerLayer(Node n, NeuronDynamics.Params p, SurrogateFunction relaxed) {
        if (integerExact == null) {
            return null;
        }
        if (relaxed != null) {
            throw new IllegalStateException("the integer-exact forward has no relaxed firing (gradient checks run in float)");
        }
        IntegerExact.Population pop = integerExact.population(n.name());
        if (pop == null) {
            throw new IllegalStateException("the integer model has no population for node '" + n.name() + "'");
        }
        int size = Math.toIntExact(n.shape().size());
        int[] channel = new int[size];
        Shape s = n.shape();
        for (int e = 0; e < size; e++) {
            int nchw = e;
            if (channelsLast(n)) { // e = (y * W + x) * C + c in [H, W, C]
                int c = e % s.channels();
                int yx = e / s.channels();
                nchw = c * s.height() * s.width() + yx;
            }
            channel[e] = pop.layer().channelOf(nchw);
        }
        return new IntegerNeurons.Layer(n.name(), integerExact, pop, channel, p == null ? 1 : p.beta());
    }

    /** The neuron constants the engine runs with, hardware-aware beta included. */
    NeuronDynamics.Params dynamics(NeuronDefinition d) {
        return new NeuronDynamics.Params(DeploySpec.effectiveBeta(d, net.deploy()), d.theta(), d.reset() == Reset.SUBTRACT,
                DeploySpec.effectiveAlpha(d, net.deploy()));
    }

    /**
     * Evaluation: dropout off, true spikes.
     *
     * @param input  T * batch * inputSize values, time-major (see InputEncoder)
     * @param record names of nodes whose activations to return
     */
    public ForwardResult forward(float[] input, int batch, Set<String> record) {
        return forward(input.length, copyOf(input), batch, record);
    }

    /**
     * As {@link #forward(float[], int, Set)}, with the input written by {@code encoder} straight
     * into the model's input buffer of {@code length} values (see {@link #inputRows}).
     */
    public ForwardResult forward(int length, Consumer<InputEncoder.Rows> encoder, int batch, Set<String> record) {
        Tape tape = run(length, encoder, batch, Run.EVALUATION, record);
        Map<String, float[]> recorded = new LinkedHashMap<>();
        Map<String, Long> spikes = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            INDArray a = tape.spikesOf(n.name());
            if (a != null && record.contains(n.name())) {
                INDArray logical = channelsLast(n) ? a.permute(0, 3, 1, 2) : a;
                recorded.put(n.name(), logical.dup('c').castTo(DataType.FLOAT).data().asFloat());
            }
            Long counted = tape.counts.get(n.name());
            if (counted != null) {
                spikes.put(n.name(), counted);
            } else if (a != null && n instanceof NeuronNode) {
                long t0 = LayerClock.ON ? System.nanoTime() : 0;
                spikes.put(n.name(), spikeCount(a));
                if (LayerClock.ON) {
                    LayerClock.add("count " + n.name(), System.nanoTime() - t0);
                }
            }
        }
        ReadoutNode r = net.readouts().get(0);
        if (tape.readoutSpikes != null) {
            spikes.put(r.name(), spikeCount(tape.readoutSpikes));
            if (record.contains(r.name())) {
                // a spiking (count) readout: its spikes per step too, next to its current
                recorded.put(r.name() + READOUT_SPIKES, contiguous(tape.readoutSpikes).dup('c').castTo(DataType.FLOAT).data().asFloat());
            }
        }
        float[] out = new float[tape.readout.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) tape.readout[i];
        }
        return new ForwardResult(batch, r.classes(), out, recorded, spikes);
    }

    /** Suffix of the recorded key of a count readout's spikes per step ({@code NODE.spikes}; NODE itself is its current). */
    public static final String READOUT_SPIKES = ".spikes";

    /** The spikes in a spike array, counted exactly ({@link NeuronDynamics#count}). */
    static long spikeCount(INDArray spikes) {
        INDArray a = contiguous(spikes);
        return NeuronDynamics.count(Vec.of(a), Math.toIntExact(a.length()));
    }

    /** How a forward pass runs: dropout, what it keeps, and whether it fires smoothly. */
    record Run(boolean dropout, long dropoutSeed, boolean keepMembranes, boolean keepLeak, SurrogateFunction relaxed) {
        static final Run EVALUATION = new Run(false, 0, false, false, null);
    }

    /** The input is copied into a reused buffer, not into a new off-heap array per batch. */
    Tape run(float[] input, int batch, Run how) {
        return run(input.length, copyOf(input), batch, how);
    }

    /** Runs a pass on the reused input buffer of {@code length} values, filled by {@code encoder}. */
    Tape run(int length, Consumer<InputEncoder.Rows> encoder, int batch, Run how) {
        return run(length, encoder, batch, how, null);
    }

    /**
     * As {@link #run(int, Consumer, int, Run)}; {@code kept}, when not null, names the nodes whose
     * activations the caller reads from the tape, and lets an inference pass fuse the others
     * ({@link #fusedFire}).
     */
    private Tape run(int length, Consumer<InputEncoder.Rows> encoder, int batch, Run how, Set<String> kept) {
        INDArray x = buffer("input", length);
        long t0 = LayerClock.ON ? System.nanoTime() : 0;
        encoder.accept(inputRows(x));
        if (LayerClock.ON) {
            LayerClock.add("encode", System.nanoTime() - t0);
        }
        return run(x, batch, how, kept);
    }

    /** An encoder that writes the ready-made {@code input} (T * batch * inputSize values). */
    static Consumer<InputEncoder.Rows> copyOf(float[] input) {
        return rows -> rows.put(0, input, input.length);
    }

    /**
     * Rows written into {@code x}'s buffer, rounded to its data type ({@link Vec#writeFloats}; the
     * encoder writes disjoint rows from several threads). The spikes of a batch then go into ND4J's
     * memory once, from each row's small array, instead of into a Java array and again into ND4J's
     * (for the MLP's batches of 10 MB that copy took 2.3 ms of 44).
     */
    static InputEncoder.Rows inputRows(INDArray x) {
        return Vec.of(x)::writeFloats;
    }

    Tape run(INDArray input, int batch, Run how) {
        return run(input, batch, how, null);
    }

    private Tape run(INDArray input, int batch, Run how, Set<String> kept) {
        Tape tape = new Tape(batch, steps);
        int rows = tape.rows();
        Set<String> done = new HashSet<>();
        fusedLayers = 0;
        for (Node n : net.nodes()) {
            long t0 = LayerClock.ON ? System.nanoTime() : 0;
            if (done.contains(n.name())) {
                continue;
            }
            java.util.List<Node> fused = kept == null ? java.util.List.of()
                    : n instanceof Conv2dNode c ? fusedFire(c, tape, how, kept)
                    : n instanceof FlattenNode f ? fusedFlatten(f, tape, how, kept) : java.util.List.of();
            if (!fused.isEmpty()) {
                fused.forEach(f -> done.add(f.name()));
                fusedLayers += fused.size();
                if (LayerClock.ON) {
                    LayerClock.add((n instanceof FlattenNode ? "flatten+dense " : "conv+neuron ") + n.name(),
                            System.nanoTime() - t0);
                }
                continue;
            }
            if (n instanceof InputNode in) {
                tape.acts.put(n.name(), contiguous(input).reshape('c', rowShape(rows, in.shape())));
            } else if (n instanceof ReadoutNode r) {
                readout(r, first(tape, n), tape, how);
            } else if (delaysOutput(n)) {
                INDArray spikes = layer(n, tape, how);
                tape.spikes.put(n.name(), spikes);
                INDArray delayed = buffer("delayed:" + n.name(), spikes.shape());
                tape.acts.put(n.name(), Layers.shiftSteps(spikes, steps, 1, delayed));
            } else {
                tape.acts.put(n.name(), layer(n, tape, how));
            }
            if (LayerClock.ON) {
                LayerClock.add(n.kind() + " " + n.name(), System.nanoTime() - t0);
            }
        }
        if (tape.readout == null) {
            throw new IllegalStateException("network '" + net.name() + "' has no readout; verify() it first");
        }
        return tape;
    }

    /**
     * In inference, a convolution whose only reader is a neuron layer runs with that layer in one
     * pass: when its input is sparse enough, event-driven ({@link EventKernels#convFire}: the
     * currents are never stored); otherwise on ND4J's convolution, the neurons then reading its
     * currents in one pass ({@link EventKernels#fire}). The spikes are counted as they are written. When that
     * layer's only reader is an average pooling read only by another neuron layer, the pass runs
     * those too, and the first layer's spikes are not stored either. Only for what the caller does
     * not keep ({@code kept}: the convolution's currents, the pooled currents and, when pooling,
     * the first layer's spikes); no neuron layer may delay its output (pipelined timing) or carry
     * a synaptic current. With the integer-exact forward ({@link #integerExact(IntegerExact)}) the
     * neurons step in the integer model's arithmetic ({@link IntegerNeurons#fireRow}), each
     * current snapped to its integer as the unfused pass does; the order in which the event kernel
     * sums a current moves it by float rounding only, far inside the snap's margin. Returns the
     * nodes it ran besides the convolution (none: it did not run); their spikes and counts are
     * then on the tape.
     */
    private java.util.List<Node> fusedFire(Conv2dNode c, Tape tape, Run how, Set<String> kept) {
        if (!inference(how) || kept.contains(c.name()) || !(onlyReader(c) instanceof NeuronNode first)
                || delaysOutput(first) || readsAnalogExactly(c)) {
            return java.util.List.of();
        }
        NeuronDynamics.Params p = dynamics(first.neuron());
        Node source = net.inputsOf(c).get(0);
        INDArray in = first(tape, c);
        int rows = tape.rows();
        if (p.synaptic()) {
            return java.util.List.of();
        }
        boolean events = EventKernels.density(in, rows) <= EventKernels.threshold(c.inChannels() == 1);
        EventKernels.Chain chain;
        java.util.List<Node> ran;
        if (!kept.contains(first.name()) && onlyReader(first) instanceof AvgPoolNode pool && !kept.contains(pool.name())
                && onlyReader(pool) instanceof NeuronNode second && !delaysOutput(second)
                && !dynamics(second.neuron()).synaptic()) {
            NeuronDynamics.Params p2 = dynamics(second.neuron());
            chain = new EventKernels.Chain(p, null, pool.kernel(), poolTable(pool.kernel()), p2,
                    buffer("spikes:" + second.name(), actShape(pool, rows)), integerLayer(first, p, null),
                    integerLayer(second, p2, null));
            ran = java.util.List.of(first, pool, second);
        } else {
            chain = new EventKernels.Chain(p, buffer("spikes:" + first.name(), actShape(c, rows)), 0, null, null, null,
                    integerLayer(first, p, null), null);
            ran = java.util.List.of(first);
        }
        long[] counts;
        if (events) {
            INDArray x = Layers.channelsLast("nhwc.in:" + c.name(), in, channelsLast(source), this::buffer);
            counts = EventKernels.convFire(c, x, weights.get(c.name()), biases.get(c.name()), chain, steps);
        } else {
            // a dense input: ND4J's convolution, then the neurons (and pooling) on its currents in one pass
            INDArray current = Layers.conv(c, in, channelsLast(source), weights.get(c.name()), biases.get(c.name()),
                    buffer("act:" + c.name(), actShape(c, rows)), this::buffer);
            tape.acts.put(c.name(), current);
            counts = EventKernels.fire(current, chain, steps);
        }
        tape.counts.put(first.name(), counts[0]);
        if (chain.spikes() != null) {
            tape.acts.put(first.name(), chain.spikes());
        } else {
            Node second = ran.get(2);
            tape.acts.put(second.name(), chain.pooled());
            tape.counts.put(second.name(), counts[1]);
        }
        return ran;
    }

    /**
     * In inference, a flattening of a channels-last stack whose only reader is a product taking the
     * event kernel is not done: the product reads the stack in the flattened order
     * ({@link EventKernels#dense} with {@link EventKernels#flattenOrder}), the same terms in the same
     * order, so the same bits, without copying the stack to channel-major first. Only when the
     * caller does not keep the flattening. Returns the nodes it ran (none: it did not run).
     */
    private java.util.List<Node> fusedFlatten(FlattenNode f, Tape tape, Run how, Set<String> kept) {
        Node source = net.inputsOf(f).get(0);
        int rows = tape.rows();
        if (!inference(how) || kept.contains(f.name()) || !channelsLast(source)
                || !(onlyReader(f) instanceof DenseNode d) || readsAnalogExactly(d)) {
            return java.util.List.of();
        }
        INDArray in = contiguous(first(tape, f));
        if (!eventDriven(how, in, rows, false)) {
            return java.util.List.of();
        }
        Shape s = source.shape();
        int[] order = EventKernels.flattenOrder(s.channels(), s.height(), s.width());
        tape.acts.put(d.name(), EventKernels.dense(in, order, weights.get(d.name()), biases.get(d.name()), rows,
                buffer("act:" + d.name(), rows, d.units())));
        return java.util.List.of(d);
    }

    /** The one node that reads {@code n}, or null when none or several do. */
    private Node onlyReader(Node n) {
        java.util.List<Node> readers = net.consumersOf(n);
        return readers.size() == 1 ? readers.get(0) : null;
    }

    /**
     * What an average pooling of window K gives a window holding n spikes (0s and 1s), n = 0..K^2:
     * ND4J's own values, from one call on K^2 + 1 windows, so the fused pass pools bit for bit as
     * {@link Layers#avgpool} does (every window's sum is exact, so only n matters).
     */
    static float[] poolTable(int k) {
        int windows = k * k + 1;
        float[] ones = new float[windows * k * k];
        for (int n = 0; n < windows; n++) {
            for (int i = 0; i < n; i++) {
                ones[n * k * k + i] = 1;
            }
        }
        INDArray in = Nd4j.createFromArray(ones).reshape('c', windows, k, k, 1);
        INDArray out = Nd4j.create(DataType.FLOAT, windows, 1, 1, 1);
        Layers.avgpool(k, in, true, out);
        return out.data().asFloat();
    }

    private INDArray layer(Node n, Tape tape, Run how) {
        INDArray in = first(tape, n);
        int rows = tape.rows();
        Node source = net.inputsOf(n).get(0);
        if (readsAnalogExactly(n)) {
            return analogExact(n, in, rows, source);
        }
        if (n instanceof Conv2dNode c) {
            INDArray out = buffer("act:" + c.name(), actShape(c, rows));
            if (eventDriven(how, in, rows, c.inChannels() == 1)) {
                INDArray x = Layers.channelsLast("nhwc.in:" + c.name(), in, channelsLast(source), this::buffer);
                return EventKernels.conv(c, x, weights.get(c.name()), biases.get(c.name()), out);
            }
            return Layers.conv(c, in, channelsLast(source), weights.get(c.name()), biases.get(c.name()), out,
                    this::buffer);
        } else if (n instanceof AvgPoolNode p) {
            return Layers.avgpool(p.kernel(), in, channelsLast(p), buffer("act:" + p.name(), actShape(p, rows)));
        } else if (n instanceof Conv1dNode c) {
            return Layers.conv1d(c, in, weights.get(c.name()), biases.get(c.name()),
                    buffer("act:" + c.name(), actShape(c, rows)));
        } else if (n instanceof MaxPoolNode p) {
            return Layers.maxpool(p.kernel(), in, channelsLast(p), buffer("act:" + p.name(), actShape(p, rows)));
        } else if (n instanceof DenseNode d) {
            return dense(d.name(), in, rows, d.units(), how);
        } else if (n instanceof FlattenNode f) {
            INDArray x = channelsLast(source) ? toNchw("act:" + f.name(), contiguous(in)) : contiguous(in);
            return x.reshape('c', rows, f.shape().size());
        } else if (n instanceof NeuronNode nn && source instanceof DenseNode d && d.isRecurrent()) {
            return fireRecurrent(n, dynamics(nn.neuron()), d, in, tape, how);
        } else if (n instanceof NeuronNode nn) {
            return fire(n, dynamics(nn.neuron()), in, tape, how);
        } else if (n instanceof DropoutNode d) {
            // integer-exact: the integer model has no dropout, and spikes scaled by 1/(1-p) are off its grid
            return how.dropout() && integerExact == null ? dropout(d, in, tape, how.dropoutSeed()) : in;
        } else if (n instanceof ResidualAddNode) {
            Node skipNode = net.inputsOf(n).get(1);
            INDArray main = sameLayout(n, source, in, "main");
            INDArray skip = sameLayout(n, skipNode, tape.acts.get(skipNode.name()), "skip");
            return buffer("act:" + n.name(), main.shape()).assign(main).addi(skip);
        }
        throw new IllegalStateException("no float rule for node kind " + n.kind());
    }

    /** A residual sum's input in the sum's layout: itself, or copied channels-last. */
    private INDArray sameLayout(Node sum, Node input, INDArray a, String purpose) {
        INDArray x = contiguous(a);
        return channelsLast(sum) && !channelsLast(input) ? toNhwc("nhwc." + purpose + ":" + sum.name(), x) : x;
    }

    private INDArray fire(Node n, NeuronDynamics.Params p, INDArray in, Tape tape, Run how) {
        String name = n.name();
        INDArray current = contiguous(in);
        int width = (int) (current.length() / steps);
        INDArray spikes = buffer("spikes:" + name, current.shape());
        INDArray membranes = how.keepMembranes() ? buffer("membranes:" + name, current.shape()) : null;
        double[] leak = how.keepLeak() ? new double[width] : null;
        IntegerNeurons.Layer exact = integerLayer(n, p, how.relaxed());
        if (exact != null) {
            IntegerNeurons.forward(exact, Vec.of(current), Vec.of(spikes), membranes == null ? null : Vec.of(membranes),
                    leak, steps, width);
        } else {
            NeuronDynamics.forward(p, Vec.of(current), Vec.of(spikes), membranes == null ? null : Vec.of(membranes), leak,
                    how.relaxed(), steps, width);
        }
        if (membranes != null) {
            tape.membranes.put(name, membranes);
        }
        if (leak != null) {
            tape.leak.put(name, leak);
        }
        return spikes;
    }

    /**
     * The neurons of a recurrent dense layer, one step at a time: I[t] = W x[t] + b (the dense
     * layer's rows, computed for all T steps at once) + W_rec s[t-1], s[-1] = 0
     * (docs/semantics.md section 2.6). The recurrent term is added into the dense layer's rows, so
     * its activation holds the whole current I[t]. Full: one (B x units) x (units x units)^T product
     * per step; diagonal: w_rec[o] s[t-1][o].
     */
    private INDArray fireRecurrent(Node n, NeuronDynamics.Params p, DenseNode d, INDArray in, Tape tape, Run how) {
        String name = n.name();
        INDArray current = contiguous(in);
        int units = d.units();
        int width = tape.batch * units;
        INDArray spikes = buffer("spikes:" + name, current.shape());
        INDArray membranes = how.keepMembranes() ? buffer("membranes:" + name, current.shape()) : null;
        double[] leak = how.keepLeak() ? new double[width] : null;
        INDArray w = recurrent.get(d.name());
        boolean diagonal = d.recurrent() == dev.spikeforge.compiler.ir.Recurrence.DIAGONAL;
        double[] wd = diagonal ? new double[units] : null;
        if (diagonal) {
            Vec.of(w).read(0, wd, 0, units);
        }
        INDArray prev = diagonal ? null : buffer("rec.prev:" + name, tape.batch, units);
        INDArray product = diagonal ? null : buffer("rec.product:" + name, tape.batch, units);
        double[] s = new double[width];
        double[] extra = new double[width];
        Vec cur = Vec.of(current);
        Vec sv = Vec.of(spikes);
        Vec mv = membranes == null ? null : Vec.of(membranes);
        IntegerNeurons.Layer exact = integerLayer(n, p, how.relaxed());
        NeuronDynamics.Stepper stepper = exact == null ? new NeuronDynamics.Stepper(p, width) : null;
        IntegerNeurons.Stepper integerStepper = exact == null ? null : new IntegerNeurons.Stepper(exact, width);
        for (int t = 0; t < steps; t++) {
            if (t > 0) {
                sv.read((t - 1) * width, s, 0, width);
                if (diagonal) {
                    for (int k = 0; k < width; k++) {
                        extra[k] = wd[k % units] * s[k];
                    }
                } else {
                    Vec.of(prev).write(0, s, 0, width);
                    Nd4j.gemm(prev, w, product, false, true, 1.0, 0.0);
                    Vec.of(product).read(0, extra, 0, width);
                }
            }
            if (integerStepper != null) {
                integerStepper.forward(t, cur, t > 0 ? extra : null, sv, mv, leak);
            } else {
                stepper.forward(t, cur, t > 0 ? extra : null, sv, mv, leak, how.relaxed());
            }
        }
        if (membranes != null) {
            tape.membranes.put(name, membranes);
        }
        if (leak != null) {
            tape.leak.put(name, leak);
        }
        return spikes;
    }

    /** One mask per sample per iteration, the same for all T steps, scaled by 1/(1-p). */
    private INDArray dropout(DropoutNode d, INDArray in, Tape tape, long seed) {
        int features = (int) d.shape().size();
        SplitMix64 rng = SplitMix64.forPurpose(seed, PURPOSE_DROPOUT, net.nodes().indexOf(d));
        double keep = 1 / (1 - d.p());
        double[] m = new double[tape.batch * features];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < d.p() ? 0 : keep;
        }
        // drawn in NCHW order whatever the layout, so the same seed drops the same neurons
        INDArray mask = buffer("mask:" + d.name(), tape.batch, features);
        Vec.of(mask).write(0, m, 0, m.length);
        if (channelsLast(d)) {
            Shape s = d.shape();
            mask = toNhwc("mask.nhwc:" + d.name(), mask.reshape('c', tape.batch, s.channels(), s.height(), s.width()));
        }
        tape.masks.put(d.name(), mask);
        INDArray out = buffer("act:" + d.name(), in.shape()).assign(in);
        Layers.scaleRowsByMask(Vec.of(out), Vec.of(mask), steps, tape.batch * features);
        return out;
    }

    /** Purpose constant of the SplitMix64 stream that draws dropout masks. */
    static final long PURPOSE_DROPOUT = 0xD809;

    private void readout(ReadoutNode r, INDArray in, Tape tape, Run how) {
        int rows = tape.rows();
        INDArray current = dense(r.name(), in, rows, r.classes(), how);
        tape.readoutCurrent = current;
        int width = tape.batch * r.classes();
        double[] out = new double[width];
        if (r.mode() != ReadoutMode.COUNT && integerExact != null) {
            IntegerNeurons.readout(integerLayer(r, null, how.relaxed()), Vec.of(current), out, steps, width);
        } else if (r.mode() == ReadoutMode.ACCUMULATE) {
            NeuronDynamics.sumOverTime(Vec.of(current), out, steps, width);
            for (int i = 0; i < width; i++) {
                out[i] /= steps;
            }
        } else if (r.mode() == ReadoutMode.MEMBRANE) {
            NeuronDynamics.membraneReadout(Vec.of(current), r.beta(), out, steps, width);
        } else {
            INDArray spikes = fire(r, dynamics(r.neuron()), current, tape, how);
            tape.readoutSpikes = spikes;
            tape.readoutMembranes = tape.membranes.get(r.name());
            NeuronDynamics.sumOverTime(Vec.of(spikes), out, steps, width);
        }
        tape.readout = out;
    }

    /**
     * Under the integer-exact forward, a convolution or product reading analog input
     * (docs/semantics.md section 4.13): its currents computed from the input's bytes (round(x *
     * 255), the integer model's input) and the integer weights, summed in float32 by the event
     * kernels in their order (exact: integers, every sum below 2^24, {@link IntegerExact#analog}),
     * then times each output's unit, rounded to float, plus the float bias. The float weights w_q
     * u 255 on x = byte / 255 would give the same current up to float rounding, but that rounding
     * grows with the bytes and can pass the snap's margin; the backward pass still reads x and
     * those weights (straight through).
     */
    private INDArray analogExact(Node n, INDArray in, int rows, Node source) {
        IntegerExact.Analog a = integerExact.analog(n.name());
        INDArray w = analogWeights.computeIfAbsent(n.name(), k -> {
            float[] f = new float[a.weights().length];
            for (int i = 0; i < f.length; i++) {
                f[i] = a.weights()[i];
            }
            return Nd4j.createFromArray(f).reshape('c', weights.get(k).shape());
        });
        INDArray x = contiguous(in);
        INDArray bytes = mapRows(x, buffer("bytes:" + n.name(), DataType.FLOAT, x.shape()), rows, row -> {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) Math.rint(row[i] * 255.0);
            }
        });
        INDArray sums = buffer("sums:" + n.name(), DataType.FLOAT, actShape(n, rows));
        if (n instanceof Conv2dNode c) {
            INDArray xb = Layers.channelsLast("nhwc.bytes:" + c.name(), bytes, channelsLast(source),
                    (key, shape) -> buffer(key, DataType.FLOAT, shape));
            EventKernels.conv(c, xb, w, null, sums, false);
        } else {
            EventKernels.dense(bytes, w, null, rows, sums);
        }
        int outputs = Parameters.outputs(n);
        double[] unit = new double[outputs];
        for (int f = 0; f < outputs; f++) {
            unit[f] = a.unit(f);
        }
        INDArray b = biases.get(n.name());
        float[] bias = b == null ? null : b.castTo(DataType.FLOAT).data().asFloat();
        // each output's integer sum (channels last: the output is the fastest index) times its unit, plus the bias
        return mapRows(sums, buffer("act:" + n.name(), actShape(n, rows)), rows, row -> {
            for (int p = 0; p < row.length; p += outputs) {
                for (int f = 0; f < outputs; f++) {
                    float current = (float) (row[p + f] * unit[f]);
                    row[p + f] = bias == null ? current : current + bias[f];
                }
            }
        });
    }

    /** Whether {@code n} is a weight node reading analog input under the integer-exact forward ({@link #analogExact}). */
    private boolean readsAnalogExactly(Node n) {
        return integerExact != null && integerExact.analog(n.name()) != null;
    }

    /** {@code to} = {@code op} applied to each row of {@code from} (same length), rows in parallel; returns {@code to}. */
    private static INDArray mapRows(INDArray from, INDArray to, int rows, Consumer<float[]> op) {
        int width = Math.toIntExact(from.length() / rows);
        Vec src = Vec.of(from);
        Vec dst = Vec.of(to);
        Chunks.forEach(rows, EventKernels.ROWS_PER_TASK, (r0, r1) -> {
            float[] row = new float[width];
            for (int r = r0; r < r1; r++) {
                src.readFloats(r * width, row, width);
                op.accept(row);
                dst.writeFloats(r * width, row, width);
            }
        });
        return to;
    }

    /** A product layer's rows: the event kernel in inference when its input is sparse, else ND4J's gemm. */
    private INDArray dense(String name, INDArray in, int rows, int units, Run how) {
        INDArray out = buffer("act:" + name, rows, units);
        if (eventDriven(how, in, rows, false)) {
            return EventKernels.dense(in, weights.get(name), biases.get(name), rows, out);
        }
        return Layers.dense(in, weights.get(name), biases.get(name), rows, out);
    }

    /**
     * Whether a weight layer runs on {@link EventKernels}: in a pass that keeps nothing for a
     * backward pass (evaluation: no dropout, membranes, leak or relaxed firing), in float32, when
     * at most {@link EventKernels#threshold} of the batch's input values are non-zero (measured on
     * a fixed sample of its rows, {@link EventKernels#density}).
     */
    private boolean eventDriven(Run how, INDArray in, int rows, boolean oneChannelConvolution) {
        return inference(how) && EventKernels.density(in, rows) <= EventKernels.threshold(oneChannelConvolution);
    }

    /** Whether a pass may take the event kernels at all: inference in float32, with them enabled. */
    private boolean inference(Run how) {
        return EventKernels.enabled() && EventKernels.covers(dtype) && !how.dropout() && !how.keepMembranes()
                && !how.keepLeak() && how.relaxed() == null;
    }

    private INDArray first(Tape tape, Node n) {
        return tape.acts.get(net.inputsOf(n).get(0).name());
    }

    /** A c-ordered array whose buffer starts at its first element, so buffer index = element index. */
    static INDArray contiguous(INDArray a) {
        if (a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()) {
            return a;
        }
        return a.dup('c');
    }

    static long[] rowShape(int rows, Shape s) {
        long[] shape = new long[s.rank() + 1];
        shape[0] = rows;
        for (int i = 0; i < s.rank(); i++) {
            shape[i + 1] = s.dim(i);
        }
        return shape;
    }
}
