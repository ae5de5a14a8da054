package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.dsl.SnnText;
import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.Edge;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.NeuronModel;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A spikeforge network with its float weights -> a NIR graph (docs/nir.md states the mapping).
 *
 * <p>Each IR node becomes the NIR node of the same name: input -> Input, conv -> Conv2d, dense ->
 * Affine (Linear without bias), avgpool -> AvgPool2d, flatten -> Flatten, lif / if -> LIF / IF, and
 * the readout -> Affine or Linear, then its decoding neuron (LIF / IF for {@code count}, LI for
 * {@code membrane}, I for {@code accumulate}, named {@code READOUT.neuron}), then Output. Dropout
 * (off at inference) disappears, and so does a residual sum: NIR sums the edges into a node.
 *
 * <p>The discrete neuron h[t] = beta v[t-1] + g I[t] is NIR's continuous one stepped by forward
 * Euler with step dt: tau = dt / (1 - beta), r = g / (1 - beta) = tau / dt for g = 1, v_leak = 0.
 * IF and I take r = g = 1 (NIR's integrators as Sinabs and snnTorch read them). Neuron parameters
 * are float64 arrays with one value per neuron, so that beta comes back exactly.
 */
public final class NirExport {

    /** snnTorch's step; {@code --dt} changes it. */
    public static final double DEFAULT_DT = 1e-4;

    /** Metadata keys (graph level) that spikeforge writes and reads back. */
    public static final String META_DT = "dt";
    public static final String META_DISCRETISATION = "discretization";
    public static final String META_SOURCE = "source";
    public static final String META_MODEL = "spikeforge_model";
    public static final String META_TIMESTEPS = "spikeforge_timesteps";
    public static final String META_ENCODING = "spikeforge_encoding";
    public static final String META_READOUT = "spikeforge_readout";
    public static final String META_COMPARE = "spikeforge_threshold_compare";
    public static final String META_TRAIN = "spikeforge_train";
    public static final String META_DEPLOY = "spikeforge_deploy";
    public static final String META_QUANTISATION = "spikeforge_quantization";
    /** Node-level metadata of a neuron node: "subtract" or "zero". */
    public static final String META_RESET = "reset_mode";
    /** Node-level metadata of a neuron node: the training dropout rate after it (dropout is off at inference). */
    public static final String META_DROPOUT = "spikeforge_dropout";
    /** The value of {@link #META_DISCRETISATION}. */
    public static final String FORWARD_EULER = "forward_euler";

    /** A model that NIR cannot express (a max pooling, a CUBA neuron without membrane leak): one message and a fix. */
    public static final class Unsupported extends RuntimeException {
        private final String fix;

        Unsupported(String message, String fix) {
            super(message);
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }
    }

    /** A NIR file and what the user should know about it. */
    public record Result(NirFile file, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    private final Network net;
    private final Map<String, float[]> weights;
    private final double dt;
    private final Map<String, NirElement> nodes = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> shiftWarned = new LinkedHashSet<>();

    private NirExport(Network net, Map<String, float[]> weights, double dt) {
        this.net = net;
        this.weights = weights;
        this.dt = dt;
    }

    /**
     * @param net       a network that passed {@link Network#verify()} without errors
     * @param weights   float tensors keyed {@code NODE.weight} / {@code NODE.bias}, as checkpoints hold them
     * @param dt        the NIR time step in seconds, > 0
     * @param generator written as the {@code source} metadata, for example "spikeforge 0.1.0"
     */
    public static Result export(Network net, Map<String, float[]> weights, double dt, String generator) {
        if (!(dt > 0) || !Double.isFinite(dt)) {
            throw new IllegalArgumentException("dt must be a positive number of seconds: " + dt);
        }
        NirExport e = new NirExport(net, weights, dt);
        NirGraph g = e.graph(generator);
        if (net.timing() == dev.spikeforge.compiler.ir.Timing.PIPELINED) {
            // docs/semantics.md section 2.7: a NIR graph has no delay on its edges
            e.warnings.add("model '" + net.name() + "' runs pipelined (each layer's spikes reach the next layer one"
                    + " step later), which a NIR graph cannot express; the deploy block written into the file's metadata"
                    + " keeps timing = pipelined for spikeforge, while other tools run the graph without those delays.");
        }
        return new Result(new NirFile(NirFile.WRITTEN_VERSION, g), e.warnings);
    }

    private NirGraph graph(String generator) {
        Map<String, List<String>> into = new LinkedHashMap<>();
        Set<String> elided = new LinkedHashSet<>();
        Set<Reset> subtractWarned = new LinkedHashSet<>();
        ReadoutNode readout = null;
        for (Node n : net.nodes()) {
            if (n instanceof DropoutNode || n instanceof ResidualAddNode) {
                elided.add(n.name());
                continue;
            }
            if (n instanceof InputNode in) {
                nodes.put(in.name(), new NirNode("Input", Map.of("shape", shape(in.shape()))));
            } else if (n instanceof Conv2dNode c) {
                nodes.put(c.name(), conv(c));
            } else if (n instanceof Conv1dNode c) {
                nodes.put(c.name(), conv1d(c));
            } else if (n instanceof MaxPoolNode p) {
                throw new Unsupported("model '" + net.name() + "': maxpool '" + p.userLayer() + "' has no NIR node (NIR "
                        + "1.0 has AvgPool2d and SumPool2d, no max pooling)", "use avgpool(" + p.kernel() + ") -> a spiking "
                        + "neuron instead, or keep the model in spikeforge");
            } else if (n instanceof DenseNode d) {
                nodes.put(d.name(), affine(d.name(), d.bias(), d.units(), d.inFeatures()));
                if (d.isRecurrent()) {
                    nodes.put(d.name() + RECURRENT, recurrent(d));
                }
            } else if (n instanceof AvgPoolNode p) {
                Map<String, NirValue> ps = new LinkedHashMap<>();
                ps.put("kernel_size", NirArray.int64(p.kernel(), p.kernel()));
                ps.put("stride", NirArray.int64(p.kernel(), p.kernel()));
                ps.put("padding", NirArray.int64(0, 0));
                nodes.put(p.name(), new NirNode("AvgPool2d", ps));
            } else if (n instanceof FlattenNode f) {
                Map<String, NirValue> ps = new LinkedHashMap<>();
                ps.put("start_dim", NirArray.int64Scalar(0));
                ps.put("end_dim", NirArray.int64Scalar(-1));
                ps.put("input_type", shape(net.inputShapes(f).get(0)));
                nodes.put(f.name(), new NirNode("Flatten", ps));
            } else if (n instanceof NeuronNode nn) {
                NirNode node = neuron(nn.neuron(), nn.shape().toArray());
                Double p = dropoutAfter(nn);
                if (p != null) {
                    Map<String, NirValue> m = new LinkedHashMap<>(node.metadata());
                    m.put(META_DROPOUT, new NirArray(NirValue.DType.FLOAT64, new int[0], new double[] {p}));
                    node = new NirNode(node.type(), node.params(), m);
                }
                nodes.put(nn.name(), node);
                if (nn.neuron().reset() == Reset.SUBTRACT && subtractWarned.add(Reset.SUBTRACT)) {
                    subtractWarning();
                }
            } else if (n instanceof ReadoutNode r) {
                readout = r;
                nodes.put(r.name(), affine(r.name(), r.bias(), r.classes(), r.inFeatures()));
                nodes.put(r.name() + ".neuron", readoutNeuron(r));
                if (r.neuron() != null && r.neuron().reset() == Reset.SUBTRACT && subtractWarned.add(Reset.SUBTRACT)) {
                    subtractWarning();
                }
            }
        }
        if (readout == null) {
            throw new IllegalArgumentException("model '" + net.name() + "' has no readout");
        }
        String output = unique("output");
        nodes.put(output, new NirNode("Output", Map.of("shape", NirArray.int64(readout.classes()))));

        // edges, with dropout and residual sums elided: an edge into them goes on to their successors
        Map<String, List<String>> succ = new LinkedHashMap<>();
        for (Edge e : net.edges()) {
            succ.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e.to());
        }
        // a recurrent layer: its neurons' spikes go through DENSE.recurrent back into the same neurons
        for (Node n : net.nodes()) {
            if (n instanceof DenseNode d && d.isRecurrent()) {
                String neuron = net.consumersOf(d).stream().filter(c -> c instanceof NeuronNode).findFirst()
                        .orElseThrow().name();
                succ.computeIfAbsent(neuron, k -> new ArrayList<>()).add(d.name() + RECURRENT);
                succ.computeIfAbsent(d.name() + RECURRENT, k -> new ArrayList<>()).add(neuron);
            }
        }
        succ.computeIfAbsent(readout.name(), k -> new ArrayList<>()).add(readout.name() + ".neuron");
        succ.computeIfAbsent(readout.name() + ".neuron", k -> new ArrayList<>()).add(output);
        List<NirEdge> edges = new ArrayList<>();
        for (String from : nodes.keySet()) {
            for (String to : targets(from, succ, elided)) {
                edges.add(new NirEdge(from, to));
            }
        }
        return new NirGraph(nodes, edges, metadata(readout, generator));
    }

    private Double dropoutAfter(NeuronNode n) {
        for (Edge e : net.edges()) {
            if (e.from().equals(n.name()) && net.node(e.to()) instanceof DropoutNode d) {
                return d.p();
            }
        }
        return null;
    }

    private List<String> targets(String from, Map<String, List<String>> succ, Set<String> elided) {
        List<String> out = new ArrayList<>();
        for (String to : succ.getOrDefault(from, List.of())) {
            if (elided.contains(to)) {
                out.addAll(targets(to, succ, elided));
            } else {
                out.add(to);
            }
        }
        return out;
    }

    private void subtractWarning() {
        warnings.add("model '" + net.name() + "' resets by subtraction, which NIR cannot express (it only has "
                + "v = v_reset); the file says v_reset = 0 and records reset_mode = \"subtract\" in each neuron's "
                + "metadata. spikeforge reads it back exactly; other tools ignore that metadata and reset to zero.");
    }

    private Map<String, NirValue> metadata(ReadoutNode readout, String generator) {
        Map<String, NirValue> m = new LinkedHashMap<>();
        m.put(META_SOURCE, new NirText(generator));
        m.put(META_DT, new NirArray(NirValue.DType.FLOAT64, new int[0], new double[] {dt}));
        m.put(META_DISCRETISATION, new NirText(FORWARD_EULER));
        m.put(META_MODEL, new NirText(net.name()));
        m.put(META_TIMESTEPS, NirArray.int64Scalar(net.timesteps()));
        m.put(META_ENCODING, new NirText(net.input().encoding().toString()));
        m.put(META_READOUT, new NirText(readout.mode().keyword()));
        m.put(META_COMPARE, new NirText(">="));
        net.train().ifPresent(t -> m.put(META_TRAIN, new NirText(SnnText.train(t))));
        net.deploy().ifPresent(d -> {
            m.put(META_DEPLOY, new NirText(SnnText.deploy(d)));
            m.put(META_QUANTISATION, new NirText("weights int" + d.weightBits() + " "
                    + d.granularity().keyword() + ", membrane int" + d.membraneBits() + ", leak "
                    + d.leak().describe() + ", overflow " + d.overflow().keyword()));
        });
        return m;
    }

    private NirNode conv(Conv2dNode c) {
        Shape in = net.inputShapes(c).get(0);
        Map<String, NirValue> ps = new LinkedHashMap<>();
        ps.put("input_shape", NirArray.int64(in.height(), in.width()));
        ps.put("weight", NirArray.float32(tensor(c.name() + ".weight"), c.filters(), c.inChannels(), c.kernel(),
                c.kernel()));
        ps.put("stride", NirArray.int64(c.stride(), c.stride()));
        ps.put("padding", NirArray.int64(c.padding(), c.padding()));
        ps.put("dilation", NirArray.int64(1, 1));
        ps.put("groups", NirArray.int64Scalar(1));
        // NIR's Conv2d always has a bias; a conv without one gets zeros
        ps.put("bias", NirArray.float32(c.bias() ? tensor(c.name() + ".bias") : new float[c.filters()], c.filters()));
        return new NirNode("Conv2d", ps);
    }

    /** The suffix of a recurrent layer's weight node: {@code DENSE.recurrent}, as its checkpoint key. */
    static final String RECURRENT = ".recurrent";

    /**
     * The recurrent weights as a Linear node (units x units), as snnTorch writes RLeaky and
     * RSynaptic: a diagonal layer as the diagonal matrix (snnTorch's one-to-one form, which its
     * import recognises). The node's metadata says which, so that a full matrix that happens to be
     * diagonal comes back full.
     */
    private NirNode recurrent(DenseNode d) {
        int u = d.units();
        float[] w = tensor(d.name() + RECURRENT);
        float[] m = w;
        if (d.recurrent() == Recurrence.DIAGONAL) {
            m = new float[u * u];
            for (int i = 0; i < u; i++) {
                m[i * u + i] = w[i];
            }
        }
        Map<String, NirValue> ps = new LinkedHashMap<>();
        ps.put("weight", NirArray.float32(m, u, u));
        return new NirNode("Linear", ps, Map.of(NirImport.META_RECURRENCE,
                new NirText(d.recurrent() == Recurrence.DIAGONAL ? "diagonal" : "full")));
    }

    /** NIR's Conv1d: scalar stride, padding, dilation and groups, and input_shape = L (NIR 1.0.7's Conv1d fields). */
    private NirNode conv1d(Conv1dNode c) {
        Shape in = net.inputShapes(c).get(0);
        Map<String, NirValue> ps = new LinkedHashMap<>();
        ps.put("input_shape", NirArray.int64Scalar(in.length()));
        ps.put("weight", NirArray.float32(tensor(c.name() + ".weight"), c.filters(), c.inChannels(), c.kernel()));
        ps.put("stride", NirArray.int64Scalar(c.stride()));
        ps.put("padding", NirArray.int64Scalar(c.padding()));
        ps.put("dilation", NirArray.int64Scalar(1));
        ps.put("groups", NirArray.int64Scalar(1));
        ps.put("bias", NirArray.float32(c.bias() ? tensor(c.name() + ".bias") : new float[c.filters()], c.filters()));
        return new NirNode("Conv1d", ps);
    }

    private NirNode affine(String name, boolean bias, int out, int in) {
        Map<String, NirValue> ps = new LinkedHashMap<>();
        ps.put("weight", NirArray.float32(tensor(name + ".weight"), out, in));
        if (bias) {
            ps.put("bias", NirArray.float32(tensor(name + ".bias"), out));
            return new NirNode("Affine", ps);
        }
        return new NirNode("Linear", ps);
    }

    private float[] tensor(String key) {
        float[] w = weights.get(key);
        if (w == null) {
            throw new IllegalArgumentException("no tensor '" + key + "' among the weights");
        }
        return w;
    }

    /**
     * LIF (beta < 1) or IF (beta = 1): float64 arrays of the layer's shape, one value per neuron
     * (NIR's type check compares a neuron node's parameter shape with the shape it receives).
     */
    NirNode neuron(NeuronDefinition d, int[] n) {
        Map<String, NirValue> ps = new LinkedHashMap<>();
        String type;
        double beta = DeploySpec.effectiveBeta(d, net.deploy());
        if (beta != d.beta() && shiftWarned.add(d.name())) {
            warnings.add("neuron '" + d.name() + "' has beta = " + SnnText.number(d.beta()) + " but runs with "
                    + SnnText.number(beta) + ", the beta its leak = shift represents; the file holds the tau of "
                    + SnnText.number(beta));
        }
        if (d.model() == NeuronModel.CUBA) {
            if (beta >= 1) {
                throw new Unsupported("model '" + net.name() + "': CUBA neuron '" + d.name() + "' has beta = 1, a membrane "
                        + "without leak, which NIR's CubaLIF (tau_mem dv/dt = v_leak - v + r i) cannot express",
                        "give it a beta below 1, for example 0.999");
            }
            // forward Euler as for LIF: alpha = 1 - dt/tau_syn; w_in = tau_syn/dt gives the current gain 1
            type = "CubaLIF";
            double tauSyn = tauOf(DeploySpec.effectiveAlpha(d, net.deploy()), dt);
            double tauMem = tauOf(beta, dt);
            ps.put("tau_syn", NirArray.filled(n, tauSyn));
            ps.put("tau_mem", NirArray.filled(n, tauMem));
            ps.put("r", NirArray.filled(n, tauMem / dt));
            ps.put("v_leak", NirArray.filled(n, 0));
            ps.put("w_in", NirArray.filled(n, tauSyn / dt));
        } else if (d.model() == NeuronModel.IF || beta == 1) {
            type = "IF";
            ps.put("r", NirArray.filled(n, 1));
        } else {
            type = "LIF";
            putLeak(ps, beta, n);
        }
        ps.put("v_threshold", NirArray.filled(n, d.theta()));
        ps.put("v_reset", NirArray.filled(n, 0));
        return new NirNode(type, ps, Map.of(META_RESET, new NirText(d.reset().keyword())));
    }

    private NirNode readoutNeuron(ReadoutNode r) {
        int[] n = {r.classes()};
        if (r.mode() == ReadoutMode.COUNT) {
            return neuron(r.neuron(), n);
        }
        Map<String, NirValue> ps = new LinkedHashMap<>();
        if (r.mode() == ReadoutMode.MEMBRANE && r.beta() < 1) {
            putLeak(ps, r.beta(), n);
            return new NirNode("LI", ps);
        }
        ps.put("r", NirArray.filled(n, 1));
        return new NirNode("I", ps);
    }

    /** The leaky integrator's tau, r (gain 1) and v_leak, which LIF and LI share. */
    private void putLeak(Map<String, NirValue> ps, double beta, int[] n) {
        double tau = tauOf(beta, dt);
        ps.put("tau", NirArray.filled(n, tau));
        ps.put("r", NirArray.filled(n, tau / dt));
        ps.put("v_leak", NirArray.filled(n, 0));
    }

    /** tau = dt / (1 - beta): the one formula export uses and import inverts. */
    public static double tauOf(double beta, double dt) {
        return dt / (1 - beta);
    }

    private NirArray shape(Shape s) {
        int[] d = s.toArray();
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            l[i] = d[i];
        }
        return NirArray.int64(l);
    }

    private String unique(String name) {
        String n = name;
        for (int i = 2; nodes.containsKey(n); i++) {
            n = name + "_" + i;
        }
        return n;
    }
}
