package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.diag.Diagnostic;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A spiking network: named nodes in topological order with explicit edges (NIR's model), the
 * neuron definitions they use, the number of time steps, and the optional train and deploy blocks.
 *
 * <p>The constructor enforces that the graph is well formed (unique names, edges between existing
 * nodes in topological order, one input first, shapes equal to what the shape rules give) and
 * throws {@link IllegalArgumentException} otherwise: that is a programming error. Whether the
 * model is <em>valid</em> (values in range, shapes that fit, one readout, ...) is a user matter
 * and is answered by {@link #verify()}, which never throws.
 */
public final class Network {

    private final String name;
    private final Origin origin;
    private final int timesteps;
    private final List<NeuronDefinition> neurons;
    private final List<Node> nodes;
    private final List<Edge> edges;
    private final TrainSpec train;
    private final DeploySpec deploy;
    private final Timing timing;
    private final Map<String, Node> byName = new LinkedHashMap<>();
    private final Map<String, List<String>> inputs = new LinkedHashMap<>();

    /**
     * @param origin the position of {@code model NAME}; its parameter {@code timesteps} is the
     *               position of the time-step count
     */
    public Network(String name, Origin origin, int timesteps, List<NeuronDefinition> neurons, List<Node> nodes,
                   List<Edge> edges, TrainSpec train, DeploySpec deploy) {
        this(name, origin, timesteps, neurons, nodes, edges, train, deploy,
                deploy == null ? Timing.SEQUENTIAL : deploy.timing());
    }

    private Network(String name, Origin origin, int timesteps, List<NeuronDefinition> neurons, List<Node> nodes,
                    List<Edge> edges, TrainSpec train, DeploySpec deploy, Timing timing) {
        this.timing = timing;
        this.name = name;
        this.origin = origin;
        this.timesteps = timesteps;
        this.neurons = List.copyOf(neurons);
        this.nodes = List.copyOf(nodes);
        this.edges = List.copyOf(edges);
        this.train = train;
        this.deploy = deploy;
        index();
    }

    private void index() {
        if (nodes.isEmpty() || !(nodes.get(0) instanceof InputNode)) {
            throw new IllegalArgumentException("a network starts with exactly one input node");
        }
        Map<String, Integer> order = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (byName.put(n.name(), n) != null) {
                throw new IllegalArgumentException("two nodes named '" + n.name() + "'");
            }
            if (n instanceof InputNode && order.size() > 0) {
                throw new IllegalArgumentException("a second input node '" + n.name() + "'");
            }
            order.put(n.name(), order.size());
            inputs.put(n.name(), new ArrayList<>());
        }
        for (Edge e : edges) {
            Integer from = order.get(e.from());
            Integer to = order.get(e.to());
            if (from == null || to == null) {
                throw new IllegalArgumentException("edge " + e + " names a node that does not exist");
            }
            if (from >= to) {
                throw new IllegalArgumentException("edge " + e + " is not in topological order");
            }
            inputs.get(e.to()).add(e.from());
        }
        for (Node n : nodes) {
            Shape expected = ShapeRules.outputOf(n, inputShapes(n), null);
            if (expected.isKnown() && n.shape().isKnown() && !expected.equals(n.shape())) {
                throw new IllegalArgumentException("node '" + n.name() + "' declares shape " + n.shape()
                        + " but its inputs give " + expected);
            }
        }
        inputs.replaceAll((k, v) -> Collections.unmodifiableList(v));
    }

    /** Every problem of this model as diagnostics, errors and warnings; never throws. */
    public List<Diagnostic> verify() {
        return NetworkVerifier.verify(this);
    }

    public String name() {
        return name;
    }

    public Origin origin() {
        return origin;
    }

    public int timesteps() {
        return timesteps;
    }

    public List<NeuronDefinition> neurons() {
        return neurons;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Edge> edges() {
        return edges;
    }

    public Optional<TrainSpec> train() {
        return Optional.ofNullable(train);
    }

    public Optional<DeploySpec> deploy() {
        return Optional.ofNullable(deploy);
    }

    /** The deploy block's timing (docs/semantics.md section 2.7); sequential without a deploy block. */
    public Timing timing() {
        return timing;
    }

    /**
     * This network under {@code t}: what a target that runs another timing than the deploy block's
     * evaluates (the float and integer models it is compared with). Itself when the timing is the
     * same.
     */
    public Network withTiming(Timing t) {
        if (t == timing) {
            return this;
        }
        return new Network(name, origin, timesteps, neurons, nodes, edges, train,
                deploy == null ? null : deploy.withTiming(t), t);
    }

    public InputNode input() {
        return (InputNode) nodes.get(0);
    }

    public Node node(String nodeName) {
        Node n = byName.get(nodeName);
        if (n == null) {
            throw new IllegalArgumentException("no node '" + nodeName + "'");
        }
        return n;
    }

    /** The nodes feeding {@code n}, in edge order (for a residual add: main path, then skip path). */
    public List<Node> inputsOf(Node n) {
        return inputs.get(n.name()).stream().map(byName::get).toList();
    }

    /** The nodes that {@code n} feeds, in node order. */
    public List<Node> consumersOf(Node n) {
        return nodes.stream().filter(c -> inputs.get(c.name()).contains(n.name())).toList();
    }

    public List<Shape> inputShapes(Node n) {
        return inputs.get(n.name()).stream().map(s -> byName.get(s).shape()).toList();
    }

    /** The readout nodes (a valid network has exactly one, last). */
    public List<ReadoutNode> readouts() {
        return nodes.stream().filter(ReadoutNode.class::isInstance).map(ReadoutNode.class::cast).toList();
    }

    /** The user-level layers in order, each with its nodes. */
    public Map<String, List<Node>> layers() {
        Map<String, List<Node>> out = new LinkedHashMap<>();
        for (Node n : nodes) {
            out.computeIfAbsent(n.layer(), k -> new ArrayList<>()).add(n);
        }
        return out;
    }

    /** Names of the neuron definitions that some node uses. */
    public Set<String> usedNeurons() {
        Set<String> used = new HashSet<>();
        for (Node n : nodes) {
            if (n instanceof NeuronNode nn) {
                used.add(nn.neuron().name());
            } else if (n instanceof ReadoutNode r && r.neuron() != null) {
                used.add(r.neuron().name());
            }
        }
        return used;
    }
}
