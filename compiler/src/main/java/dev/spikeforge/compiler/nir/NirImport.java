package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.dsl.SnnText;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.DType;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A NIR graph -> the text of a .snn model and its float weights (docs/nir.md states the mapping).
 *
 * <p>The graph must be a chain from its Input to its Output once nested graphs are inlined:
 * weight or pooling nodes each followed by a neuron node (LIF, IF, or CubaLIF without synaptic
 * filter), Flatten where a dense layer follows, and an Affine or Linear last, optionally followed
 * by a LIF/IF (count readout), LI (membrane readout) or I (accumulate readout). Anything else is
 * one {@link NirFormatException} naming the node, its type and why.
 *
 * <p>Neurons: beta = 1 - dt/tau; the input gain g = r dt / tau (LIF) or r (IF) is divided out of
 * the threshold (spikeforge's neurons take their current with gain 1), as is a SumPool2d's K^2.
 * Numbers computed from the file are written as the shortest decimal that gives back the file's
 * values: exactly for float64 files (spikeforge's own), to float32 precision for float32 files.
 */
public final class NirImport {

    /**
     * What the file does not say. Null fields take the file's spikeforge metadata, else the default.
     *
     * @param dt        seconds per step (default {@link NirExport#DEFAULT_DT})
     * @param timesteps steps per sample (default 25)
     * @param encoding  the .snn input encoding (default poisson)
     * @param modelName the model's name (default from the metadata, else "imported")
     */
    public record Options(Double dt, Integer timesteps, String encoding, String modelName) {
        public static final Options DEFAULTS = new Options(null, null, null, null);
    }

    /**
     * @param source   the .snn text
     * @param weights  float tensors keyed as the model's checkpoint keys them ({@code c1.weight})
     * @param warnings what the user should know (approximations, defaults taken)
     */
    public record Result(String source, Map<String, float[]> weights, List<String> warnings) {
        public Result {
            weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
            warnings = List.copyOf(warnings);
        }
    }

    private static final int DEFAULT_TIMESTEPS = 25;

    private final Path file;
    private final NirFile nir;
    private final Map<String, NirValue> meta;
    private final boolean ours;
    private final double dt;
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, float[]> weights = new LinkedHashMap<>();
    private final Map<String, String> neuronDefs = new LinkedHashMap<>(); // definition text -> name
    private final Set<String> layerNames = new HashSet<>();
    private final List<String> layerLines = new ArrayList<>();
    /** A pooling of spikes that feeds a weight node directly, waiting to be folded into it. */
    private Fold fold;
    /**
     * The recurrent connections, by the name of the neuron node whose spikes they carry back to its
     * own input: the Linear, Affine or Scale node of the loop, or the neuron node itself for a bare
     * self-edge (weight 1).
     */
    private final Map<String, Item> loops = new LinkedHashMap<>();
    /** Node-level metadata key of a recurrent weight node: "full" or "diagonal" (spikeforge's own files). */
    static final String META_RECURRENCE = "spikeforge_recurrence";

    /**
     * @param full    the pooling's input, C x H x W
     * @param factor  1 for SumPool2d, 1/K^2 for AvgPool2d
     */
    private record Fold(Item pool, int k, double factor, int[] full) {
    }

    private NirImport(Path file, NirFile nir, Options o) throws NirFormatException {
        this.file = file;
        this.nir = nir;
        this.meta = nir.graph().metadata();
        this.ours = meta.get(NirExport.META_COMPARE) instanceof NirText t && t.value().equals(">=");
        Double fileDt = number(NirExport.META_DT);
        this.dt = o.dt() != null ? o.dt() : fileDt != null ? fileDt : NirExport.DEFAULT_DT;
        if (!(dt > 0) || !Double.isFinite(dt)) {
            throw new NirFormatException(file, "the time step dt = " + dt + " s is not a positive number",
                    "pass --dt SECONDS, for example --dt 1e-4 (snnTorch's step)");
        }
        if (!ours) {
            warnings.add("NIR's neurons fire when v > v_threshold, spikeforge's when v >= threshold; a membrane exactly "
                    + "at threshold fires here and not in NIR's definition (docs/nir.md)");
        }
        if (o.dt() == null && fileDt == null) {
            warnings.add("the file does not record its time step; dt = " + SnnText.number(dt)
                    + " s (snnTorch's) is assumed; pass --dt if it was exported with another");
        }
    }

    public static Result convert(Path file, NirFile nir, Options o) throws NirFormatException {
        NirImport i = new NirImport(file, nir, o);
        String text = i.run(o);
        return new Result(text, i.weights, i.warnings);
    }

    // ---------------------------------------------------------------- the chain

    /** One node of the inlined graph. */
    private record Item(String name, NirNode node, Block block) {
        Item(String name, NirNode node) {
            this(name, node, null);
        }

        String type() {
            return node.type();
        }

        String describe() {
            return "node '" + name + "' (" + node.type() + ")";
        }
    }

    /**
     * A residual block: the paths from a fork to the neuron node where they join. {@code main} is
     * the path of layers; {@code skip} the single Conv2d of the other path, or null for an identity.
     */
    private record Block(List<Item> main, Item skip) {
    }

    private String run(Options o) throws NirFormatException {
        Map<String, NirNode> nodes = new LinkedHashMap<>();
        List<NirEdge> edges = new ArrayList<>();
        inline(nir.graph(), "", nodes, edges);
        loops(nodes, edges);
        List<Item> chain = chain(nodes, edges);

        // NIR 1.0 writes "shape"; files before 1.0 wrote the dict input_type = {"input": shape}
        Item input = chain.get(0);
        NirArray inShape = input.node().params().containsKey("shape") || !input.node().params().containsKey("input_type")
                ? array(input, "shape", true) : array(input, "input_type", true);
        int[] shape = shapeOf(input, inShape, chain.size() > 1 && chain.get(1).type().equals("Conv1d"));
        sequence(chain.subList(1, chain.size()), shape, true);

        String name = modelName(o);
        StringBuilder b = new StringBuilder();
        b.append("// Imported from ").append(file.getFileName()).append(" (NIR ").append(nir.version());
        if (meta.get(NirExport.META_SOURCE) instanceof NirText s) {
            b.append(", written by ").append(s.value().replace('\n', ' '));
        }
        b.append(") by spikeforge nir import.\n");
        b.append("// dt = ").append(SnnText.number(dt)).append(" s: beta = 1 - dt/tau, threshold = v_threshold / (r dt/tau)"
                + " for LIF and v_threshold / r for IF (docs/nir.md).\n");
        b.append("model ").append(name).append("\n\n");
        b.append("input ").append(shapeText(shape)).append(" encode ").append(encoding(o)).append('\n');
        b.append("timesteps ").append(timesteps(o)).append("\n\n");
        neuronDefs.forEach((def, n) -> b.append("neuron ").append(n).append(" = ").append(def).append('\n'));
        b.append("\nlayers {\n");
        b.append(aligned(layerLines, "    "));
        b.append("}\n");
        if (meta.get(NirExport.META_TRAIN) instanceof NirText t) {
            b.append('\n').append(t.value().strip()).append('\n');
        }
        if (meta.get(NirExport.META_DEPLOY) instanceof NirText d) {
            b.append('\n').append(d.value().strip()).append('\n');
        }
        return b.toString();
    }

    /**
     * The layers of a sequence of nodes, appended to {@link #layerLines}; returns the output shape.
     * At the top level the last weight node is the readout; in a residual block's main path the
     * last node is a Conv2d without neurons (the block's neurons come after the join).
     */
    private int[] sequence(List<Item> items, int[] current, boolean top) throws NirFormatException {
        int i = 0;
        while (i < items.size()) {
            Item it = items.get(i);
            Item next = i + 1 < items.size() ? items.get(i + 1) : null;
            if (it.block() != null) {
                current = residual(it, current);
                i += 1;
                continue;
            }
            switch (it.type()) {
                case "Conv2d" -> {
                    if (!top && next == null) {
                        current = conv(it, null, current);
                        i += 1;
                    } else {
                        current = conv(it, next, current);
                        i += 2;
                    }
                }
                case "Conv1d" -> {
                    current = conv1d(it, next, current);
                    i += 2;
                }
                case "AvgPool2d", "SumPool2d" -> {
                    current = pool(it, next, current);
                    i += fold != null ? 1 : 2;
                }
                case "Flatten" -> {
                    current = flatten(it, current, next);
                    i += 1;
                }
                case "Affine", "Linear" -> {
                    if (top && i == lastWeightIndex(items)) {
                        readout(it, items.subList(i + 1, items.size() - 1), current, items.get(items.size() - 1));
                        i = items.size();
                    } else {
                        current = dense(it, next, current);
                        i += 2;
                    }
                }
                case "Output" -> throw unsupported(it, "the graph reaches its Output without a readout",
                        "spikeforge models end in an Affine or Linear node (the readout), optionally with a neuron");
                case "IF", "LIF", "CubaLIF", "LI", "CubaLI", "I" -> throw unsupported(it,
                        "a neuron node must follow a weight or pooling node (Conv2d, Conv1d, Affine, Linear, AvgPool2d, "
                                + "SumPool2d)",
                        "spikeforge layers are a synaptic operation followed by neurons");
                default -> throw unsupportedType(it);
            }
        }
        if (!top && !items.get(items.size() - 1).type().equals("Conv2d")) {
            throw unsupported(items.get(items.size() - 1), "ends the main path of a residual block",
                    "spikeforge's residual blocks end their main path in a Conv2d whose current joins the skip path's");
        }
        return current;
    }

    /** A residual block: its main path's layers, its skip path, and the neurons they charge together. */
    private int[] residual(Item join, int[] in) throws NirFormatException {
        Block b = join.block();
        List<String> outer = new ArrayList<>(layerLines);
        layerLines.clear();
        int[] out = sequence(b.main(), in, false);
        List<String> inner = new ArrayList<>(layerLines);
        layerLines.clear();
        layerLines.addAll(outer);
        String base = join.name().contains(".") ? join.name().substring(0, join.name().lastIndexOf('.')) : join.name();
        String block = layerName(new Item(base, join.node()));
        String skip = "identity";
        if (b.skip() != null) {
            Conv c = convCall(b.skip(), in, block + ".skip");
            skip = c.call();
            if (!java.util.Arrays.equals(c.out(), out)) {
                throw unsupported(b.skip(), "gives " + shapeText(c.out()) + " but the main path to " + join.describe()
                        + " gives " + shapeText(out), "both paths of a residual block end in the same shape");
            }
        } else if (!java.util.Arrays.equals(in, out)) {
            throw unsupported(join, "sums its block's input " + shapeText(in) + " and a main path ending in "
                    + shapeText(out), "an identity skip needs both in the same shape");
        }
        layerLines.add(block + " = residual {\n" + aligned(inner, "    ") + "} skip " + skip + " -> "
                + neuron(join, size(out), 1) + dropout(join));
        return out;
    }

    /** Lines "name = ..." with the '=' aligned, each indented; a line with breaks keeps its own layout. */
    private static String aligned(List<String> lines, String indent) {
        int width = lines.stream().mapToInt(l -> l.indexOf('=')).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            int eq = l.indexOf('=');
            String first = l.substring(0, eq) + " ".repeat(width - eq) + l.substring(eq);
            b.append(indent).append(first.replace("\n", "\n" + indent)).append('\n');
        }
        return b.toString();
    }

    /** Copies a graph's nodes into one flat graph, nested graphs named PARENT.CHILD and wired through. */
    private void inline(NirGraph g, String prefix, Map<String, NirNode> out, List<NirEdge> edges)
            throws NirFormatException {
        Map<String, String> entry = new LinkedHashMap<>(); // nested graph name -> its Input's flat name
        Map<String, String> exit = new LinkedHashMap<>();
        for (Map.Entry<String, NirElement> e : g.nodes().entrySet()) {
            String name = prefix + e.getKey();
            if (e.getValue() instanceof NirGraph sub) {
                List<String> ins = ofType(sub, "Input");
                List<String> outs = ofType(sub, "Output");
                if (ins.size() != 1 || outs.size() != 1) {
                    throw new NirFormatException(file, "nested graph '" + name + "' has " + ins.size() + " Input and "
                            + outs.size() + " Output nodes",
                            "spikeforge inlines a nested graph with exactly one Input and one Output");
                }
                inline(sub, name + ".", out, edges);
                entry.put(e.getKey(), name + "." + ins.get(0));
                exit.put(e.getKey(), name + "." + outs.get(0));
            } else {
                out.put(name, (NirNode) e.getValue());
            }
        }
        for (NirEdge e : g.edges()) {
            if (!g.nodes().containsKey(e.from()) || !g.nodes().containsKey(e.to())) {
                String missing = g.nodes().containsKey(e.from()) ? e.to() : e.from();
                throw new NirFormatException(file, "edge " + prefix + e.from() + " -> " + prefix + e.to()
                        + " names node '" + prefix + missing + "', which the graph does not have",
                        "every edge must join two nodes of the same graph");
            }
            String from = exit.getOrDefault(e.from(), prefix + e.from());
            String to = entry.getOrDefault(e.to(), prefix + e.to());
            edges.add(new NirEdge(from, to));
        }
        if (!prefix.isEmpty()) {
            return;
        }
        // the nested graphs' Input and Output nodes pass their input straight on: drop them
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String n : List.copyOf(out.keySet())) {
                boolean nested = n.contains(".") && (out.get(n).type().equals("Input") || out.get(n).type().equals("Output"))
                        && !g.nodes().containsKey(n);
                if (!nested) {
                    continue;
                }
                List<String> preds = edges.stream().filter(x -> x.to().equals(n)).map(NirEdge::from).toList();
                List<String> succs = edges.stream().filter(x -> x.from().equals(n)).map(NirEdge::to).toList();
                edges.removeIf(x -> x.to().equals(n) || x.from().equals(n));
                for (String p : preds) {
                    for (String s : succs) {
                        edges.add(new NirEdge(p, s));
                    }
                }
                out.remove(n);
                changed = true;
            }
        }
    }

    /**
     * Takes the recurrent connections out of the graph into {@link #loops}: a Linear, Affine or
     * Scale node whose only input and only output is one neuron node (snnTorch's RLeaky and
     * RSynaptic, nested or flattened), or an edge from a neuron node to itself. What remains must be
     * a chain; any other cycle is refused by {@link #chain}.
     */
    private void loops(Map<String, NirNode> nodes, List<NirEdge> edges) throws NirFormatException {
        for (NirEdge e : List.copyOf(edges)) {
            if (e.from().equals(e.to())) {
                Item n = new Item(e.from(), nodes.get(e.from()));
                if (!NEURONS.contains(n.type())) {
                    throw unsupported(n, "feeds its own input (edge " + e.from() + " -> " + e.to() + ")",
                            "spikeforge imports recurrence as a neuron node's spikes fed back to its own input");
                }
                addLoop(n, n);
                edges.remove(e);
            }
        }
        for (String r : List.copyOf(nodes.keySet())) {
            String type = nodes.get(r).type();
            if (!type.equals("Linear") && !type.equals("Affine") && !type.equals("Scale")) {
                continue;
            }
            List<String> preds = edges.stream().filter(x -> x.to().equals(r)).map(NirEdge::from).toList();
            List<String> succs = edges.stream().filter(x -> x.from().equals(r)).map(NirEdge::to).toList();
            if (preds.size() != 1 || succs.size() != 1 || !preds.get(0).equals(succs.get(0))
                    || !NEURONS.contains(nodes.get(preds.get(0)).type())) {
                continue;
            }
            addLoop(new Item(preds.get(0), nodes.get(preds.get(0))), new Item(r, nodes.get(r)));
            edges.removeIf(x -> x.to().equals(r) || x.from().equals(r));
            nodes.remove(r);
        }
    }

    private static final List<String> NEURONS = List.of("IF", "LIF", "CubaLIF");

    private void addLoop(Item neuron, Item weights) throws NirFormatException {
        Item earlier = loops.put(neuron.name(), weights);
        if (earlier != null) {
            throw unsupported(neuron, "has two recurrent connections ('" + earlier.name() + "' and '" + weights.name() + "')",
                    "spikeforge's recurrent dense layer has one recurrent weight matrix; sum them into one Linear node");
        }
    }

    /** Refuses recurrence where spikeforge has none: only a dense layer's neurons may feed themselves back. */
    private void noLoop(Item neuron, String where) throws NirFormatException {
        Item loop = neuron == null ? null : loops.get(neuron.name());
        if (loop != null) {
            throw unsupported(neuron, "feeds its spikes back to itself through '" + loop.name() + "', after " + where,
                    "spikeforge's recurrent layers are dense layers (Affine or Linear, then neurons) before the readout");
        }
    }

    private static List<String> ofType(NirGraph g, String type) {
        return g.nodes().entrySet().stream().filter(e -> e.getValue().type().equals(type)).map(Map.Entry::getKey).toList();
    }

    /** The nodes from Input to Output in order; refuses branches, joins, cycles and stray nodes. */
    private List<Item> chain(Map<String, NirNode> nodes, List<NirEdge> edges) throws NirFormatException {
        List<String> inputs = nodes.entrySet().stream().filter(e -> e.getValue().type().equals("Input"))
                .map(Map.Entry::getKey).toList();
        List<String> outputs = nodes.entrySet().stream().filter(e -> e.getValue().type().equals("Output"))
                .map(Map.Entry::getKey).toList();
        if (inputs.size() != 1) {
            throw new NirFormatException(file, "the graph has " + inputs.size() + " Input nodes" + names(inputs),
                    "spikeforge models have exactly one input");
        }
        if (outputs.size() != 1) {
            throw new NirFormatException(file, "the graph has " + outputs.size() + " Output nodes" + names(outputs),
                    "spikeforge models have exactly one output, the readout");
        }
        Map<String, List<String>> succ = new LinkedHashMap<>();
        Map<String, List<String>> pred = new LinkedHashMap<>();
        for (NirEdge e : edges) {
            succ.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e.to());
            pred.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e.from());
        }
        List<Item> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String at = inputs.get(0);
        Item item = new Item(at, nodes.get(at));
        while (true) {
            chain.add(item);
            seen.add(at);
            List<String> ps = pred.getOrDefault(at, List.of());
            if (item.block() == null && chain.size() > 1 && ps.size() > 1) {
                throw unsupported(item, "sums the output of " + ps.size() + " nodes (" + String.join(", ", ps) + ")",
                        "spikeforge imports a join only as the end of a residual block that forks from one node");
            }
            if (at.equals(outputs.get(0))) {
                break;
            }
            List<String> ss = succ.getOrDefault(at, List.of());
            if (ss.isEmpty()) {
                throw unsupported(item, "has no outgoing edge, so the Input does not reach the Output",
                        "connect the graph from its Input to its Output");
            }
            if (ss.size() > 2) {
                throw unsupported(item, "feeds " + ss.size() + " nodes (" + String.join(", ", ss) + ")",
                        "spikeforge imports chains and residual blocks (a fork into two paths that join at one neuron node)");
            }
            if (ss.size() == 2) {
                item = block(item, ss, nodes, succ, pred, seen);
                at = item.name();
                continue;
            }
            String next = ss.get(0);
            if (seen.contains(next)) {
                throw new NirFormatException(file, "edge " + at + " -> " + next + " closes a loop that is not a recurrent "
                        + "layer", "spikeforge imports recurrence as one Linear, Affine or Scale node from a neuron node back "
                        + "to the same neuron node (snnTorch's RLeaky and RSynaptic), after a dense layer");
            }
            at = next;
            item = new Item(at, nodes.get(at));
        }
        for (String n : nodes.keySet()) {
            if (!seen.contains(n)) {
                throw unsupported(new Item(n, nodes.get(n)), "is not on the path from the Input to the Output",
                        "remove it, or connect it; spikeforge imports chains");
            }
        }
        if (!succ.getOrDefault(outputs.get(0), List.of()).isEmpty()) {
            throw new NirFormatException(file, "the Output node '" + outputs.get(0) + "' has an outgoing edge",
                    "Output ends the graph");
        }
        return chain;
    }

    /**
     * The residual block that forks at {@code fork} into {@code branches}: both paths must run
     * without further forks or joins to the same neuron node; one is an identity (a direct edge)
     * or a single Conv2d (the skip), the other the main path.
     */
    private Item block(Item fork, List<String> branches, Map<String, NirNode> nodes, Map<String, List<String>> succ,
                       Map<String, List<String>> pred, Set<String> seen) throws NirFormatException {
        List<List<Item>> paths = new ArrayList<>();
        String join = null;
        for (String start : branches) {
            List<Item> path = new ArrayList<>();
            String at = start;
            while (pred.getOrDefault(at, List.of()).size() == 1) {
                Item it = new Item(at, nodes.get(at));
                if (seen.contains(at) || path.size() > nodes.size()) {
                    throw new NirFormatException(file, "the path from " + fork.describe() + " through '" + start
                            + "' closes a loop", "spikeforge networks are feed-forward");
                }
                List<String> ss = succ.getOrDefault(at, List.of());
                if (ss.size() != 1) {
                    throw unsupported(it, "forks again inside the branch that starts at " + fork.describe(),
                            "spikeforge imports residual blocks without nested branches");
                }
                path.add(it);
                at = ss.get(0);
            }
            if (join != null && !join.equals(at)) {
                throw unsupported(fork, "feeds two paths that do not meet at one node ('" + join + "' and '" + at + "')",
                        "spikeforge imports residual blocks: two paths from one node that join at one neuron node");
            }
            join = at;
            paths.add(path);
        }
        Item joinItem = new Item(join, nodes.get(join));
        if (pred.get(join).size() != 2 || !List.of("IF", "LIF", "CubaLIF").contains(joinItem.type())) {
            throw unsupported(joinItem, "joins the paths from " + fork.describe() + " but is not a neuron node with two"
                    + " inputs", "a residual block's paths join at the block's spiking neurons");
        }
        int skip = skipIndex(paths);
        if (skip < 0) {
            throw unsupported(joinItem, "joins two paths from " + fork.describe() + " of which neither is an identity"
                    + " or a single Conv2d", "spikeforge's residual skip is an identity or one convolution");
        }
        List<Item> main = paths.get(1 - skip);
        if (main.isEmpty()) {
            throw unsupported(joinItem, "joins two identities from " + fork.describe(),
                    "a residual block has a main path of layers");
        }
        main.forEach(it -> seen.add(it.name()));
        Item skipConv = paths.get(skip).isEmpty() ? null : paths.get(skip).get(0);
        if (skipConv != null) {
            seen.add(skipConv.name());
        }
        return new Item(join, joinItem.node(), new Block(main, skipConv));
    }

    /** Which of two paths is the skip: an identity, else the one Conv2d named *.skip, with a 1x1 kernel, or the second. */
    private static int skipIndex(List<List<Item>> paths) {
        boolean[] can = new boolean[2];
        for (int p = 0; p < 2; p++) {
            List<Item> path = paths.get(p);
            if (path.isEmpty()) {
                return p;
            }
            can[p] = path.size() == 1 && path.get(0).type().equals("Conv2d");
        }
        if (can[0] != can[1]) {
            return can[0] ? 0 : 1;
        }
        if (!can[0]) {
            return -1;
        }
        for (int p = 0; p < 2; p++) {
            if (paths.get(p).get(0).name().endsWith(".skip")) {
                return p;
            }
        }
        for (int p = 0; p < 2; p++) {
            NirValue w = paths.get(p).get(0).node().params().get("weight");
            if (w instanceof NirArray a && a.rank() == 4 && a.shape()[2] == 1 && paths.get(1 - p).size() == 1) {
                return p;
            }
        }
        return 1;
    }

    private static String names(List<String> xs) {
        return xs.isEmpty() ? "" : " (" + String.join(", ", xs) + ")";
    }

    private static int lastWeightIndex(List<Item> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            String t = chain.get(i).type();
            if (t.equals("Affine") || t.equals("Linear") || t.equals("Conv2d") || t.equals("Conv1d")
                    || t.equals("AvgPool2d") || t.equals("SumPool2d")) {
                return i;
            }
        }
        return -1;
    }

    /** Checks that a synaptic node is followed by a neuron node (after its own parameters were checked). */
    private void requireNeuron(Item it, Item n) throws NirFormatException {
        if (!NEURONS.contains(n.type())) {
            throw unsupported(it, "is followed by " + n.describe() + ", not by spiking neurons (IF, LIF or CubaLIF)",
                    "spikeforge layers are a synaptic operation followed by neurons; an average pooling of currents "
                            + "or two weight nodes in a row have no equivalent");
        }
    }

    // ---------------------------------------------------------------- layers

    /** A convolution's call text (without neuron), its output shape; its weights are stored under {@code key}. */
    private record Conv(String call, int[] out) {
    }

    /** A Conv2d and the neuron node after it (null: the last layer of a residual main path, which has none). */
    private int[] conv(Item it, Item neuron, int[] in) throws NirFormatException {
        if (neuron != null) {
            requireNeuron(it, neuron);
            noLoop(neuron, "a Conv2d");
        }
        String layer = layerName(it);
        Conv c = convCall(it, in, layer);
        layerLines.add(layer + " = " + c.call() + (neuron == null ? "" : " -> " + neuron(neuron, size(c.out()), 1)
                + dropout(neuron)));
        return c.out();
    }

    private Conv convCall(Item it, int[] in, String key) throws NirFormatException {
        if (in.length != 3) {
            throw unsupported(it, "receives a flat input of " + in[0] + " values", "a Conv2d needs a C x H x W input");
        }
        NirArray w = array(it, "weight", true);
        int[] ws = w.shape();
        if (ws.length != 4) {
            throw bad(it, "weight", "is " + w.describe() + ", not (out_channels, in_channels, kH, kW)");
        }
        if (ws[1] != in[0]) {
            throw bad(it, "weight", "has " + ws[1] + " input channels but the node receives " + in[0]);
        }
        if (ws[2] != ws[3]) {
            throw unsupported(it, "has a " + ws[2] + "x" + ws[3] + " kernel", "spikeforge convolutions are square");
        }
        int k = ws[2];
        int stride = pair(it, "stride", 1);
        int padding = padding(it, k, stride, false);
        undilatedUngrouped(it, false);
        NirArray inputShape = array(it, "input_shape", false);
        if (inputShape != null && (inputShape.size() != 2 || inputShape.get(0) != in[1] || inputShape.get(1) != in[2])) {
            throw bad(it, "input_shape", "is " + inputShape + " but the node receives " + in[1] + "x" + in[2]);
        }
        if (k > in[1] + 2 * padding || k > in[2] + 2 * padding) {
            throw bad(it, "weight", "has a " + k + "x" + k + " kernel, larger than its padded " + in[1] + "x" + in[2] + " input");
        }
        int[] out = {ws[0], (in[1] + 2 * padding - k) / stride + 1, (in[2] + 2 * padding - k) / stride + 1};
        float[] wf = floats(it, "weight", w);
        if (fold != null) {
            Fold f = fold;
            fold = null;
            if (f.full()[1] % f.k() != 0 || f.full()[2] % f.k() != 0) {
                throw unsupported(f.pool(), "pools a " + f.full()[1] + "x" + f.full()[2] + " input with kernel " + f.k()
                        + " and feeds " + it.describe(), "folding the pooling into the convolution needs a size that "
                        + "the kernel divides; put spiking neurons after the pooling");
            }
            wf = foldConv(wf, ws, f, it);
            k *= f.k();
            stride *= f.k();
            padding *= f.k();
        }
        weights.put(key + ".weight", wf);
        float[] bias = bias(it, ws[0], key);
        return new Conv(convText("conv", ws[0], k, stride, padding, bias != null), out);
    }

    private int[] pool(Item it, Item neuron, int[] in) throws NirFormatException {
        if (in.length != 3) {
            throw unsupported(it, "receives a flat input of " + in[0] + " values", "pooling needs a C x H x W input");
        }
        int k = pair(it, "kernel_size", -1);
        if (k < 1) {
            throw bad(it, "kernel_size", "is missing");
        }
        int stride = pair(it, "stride", k);
        if (stride != k) {
            throw unsupported(it, "has stride " + stride + " with kernel " + k,
                    "spikeforge pools with stride = kernel (non-overlapping windows)");
        }
        NirArray pad = array(it, "padding", false);
        if (pad != null && java.util.Arrays.stream(pad.data()).anyMatch(x -> x != 0)) {
            throw unsupported(it, "pads its input", "spikeforge pools without padding");
        }
        int[] out = {in[0], in[1] / k, in[2] / k};
        if (out[1] < 1 || out[2] < 1) {
            throw bad(it, "kernel_size", "is " + k + ", larger than its " + in[1] + "x" + in[2] + " input");
        }
        if (List.of("Conv2d", "Flatten", "Affine", "Linear").contains(neuron.type())) {
            // pooling spikes straight into weights (Sinabs and snnTorch CNNs): a linear map, folded into the weights
            fold = new Fold(it, k, it.type().equals("SumPool2d") ? 1 : 1.0 / (k * k), in);
            warnings.add(it.describe() + " feeds " + neuron.describe() + " without neurons in between; it is folded "
                    + "into the weights of the next Conv2d, Affine or Linear node (the same sums, added in another order)");
            return out;
        }
        requireNeuron(it, neuron);
        noLoop(neuron, "a pooling");
        // SumPool2d = K^2 x AvgPool2d: the factor goes into the next neuron's threshold
        double inputGain = it.type().equals("SumPool2d") ? (double) k * k : 1;
        String layer = layerName(it);
        layerLines.add(layer + " = avgpool(" + k + ") -> " + neuron(neuron, size(out), inputGain) + dropout(neuron));
        return out;
    }

    private int[] flatten(Item it, int[] in, Item next) throws NirFormatException {
        if (!next.type().equals("Affine") && !next.type().equals("Linear")) {
            throw unsupported(it, "is followed by " + next.describe(),
                    "spikeforge flattens only into a dense layer (Affine or Linear)");
        }
        NirArray start = array(it, "start_dim", false);
        NirArray end = array(it, "end_dim", false);
        long s = start == null ? 0 : (long) start.get(0);
        long e = end == null ? -1 : (long) end.get(0);
        if (s != 0 || (e != -1 && e != in.length - 1)) {
            throw unsupported(it, "flattens dimensions " + s + " to " + e + " of a " + in.length + "-dimensional input",
                    "spikeforge flattens a whole sample (start_dim = 0, end_dim = -1; batch is not a dimension in NIR 1.0)");
        }
        NirArray type = array(it, "input_type", false);
        if (type != null && !java.util.Arrays.equals(toInts(type), in)) {
            throw bad(it, "input_type", "is " + type + " but the node receives " + shapeText(in));
        }
        return new int[] {size(in)};
    }

    private int[] dense(Item it, Item neuron, int[] in) throws NirFormatException {
        int units = affineShape(it, in);
        requireNeuron(it, neuron);
        String layer = layerName(it);
        weights.put(layer + ".weight", foldDense(floats(it, "weight", array(it, "weight", true)), units));
        Item loop = loops.get(neuron.name());
        float[] bias;
        String recurrent = "";
        if (loop == null) {
            bias = bias(it, units, layer);
        } else {
            Recurrent r = recurrent(loop, neuron, units);
            weights.put(layer + ".recurrent", r.weights());
            recurrent = ", recurrent = " + (r.diagonal() ? "diagonal" : "true");
            bias = r.bias() == null ? bias(it, units, layer) : mergedBias(it, r, units, layer);
        }
        layerLines.add(layer + " = dense(" + units + (bias != null ? ", bias = true" : "") + recurrent + ") -> "
                + neuron(neuron, units, 1) + dropout(neuron));
        return new int[] {units};
    }

    /** A recurrent connection's weights (units x units, or units for diagonal) and its bias (null: none or zeros). */
    private record Recurrent(float[] weights, boolean diagonal, float[] bias, Item node) {
    }

    /**
     * The recurrent weights of {@code loop} around {@code neuron}: a Linear or Affine (units x units),
     * diagonal when its metadata says so or, without spikeforge's metadata, when every weight off the
     * diagonal is 0 (snnTorch writes its one-to-one RLeaky so); a Scale (one weight per neuron); or a
     * bare self-edge (weight 1).
     */
    private Recurrent recurrent(Item loop, Item neuron, int units) throws NirFormatException {
        if (loop == neuron || loop.name().equals(neuron.name())) {
            float[] ones = new float[units];
            java.util.Arrays.fill(ones, 1f);
            return new Recurrent(ones, true, null, loop);
        }
        if (loop.type().equals("Scale")) {
            NirArray sc = array(loop, "scale", true);
            if (sc.size() != 1 && sc.size() != units) {
                throw bad(loop, "scale", "has " + sc.size() + " values but the loop around " + neuron.describe() + " has "
                        + units + " neurons");
            }
            float[] f = floats(loop, "scale", sc);
            float[] w = new float[units];
            for (int i = 0; i < units; i++) {
                w[i] = f[f.length == 1 ? 0 : i];
            }
            return new Recurrent(w, true, null, loop);
        }
        NirArray w = array(loop, "weight", true);
        int[] ws = w.shape();
        if (ws.length != 2 || ws[0] != units || ws[1] != units) {
            throw bad(loop, "weight", "is " + w.describe() + " but the loop around " + neuron.describe() + " needs ("
                    + units + ", " + units + ")");
        }
        float[] f = floats(loop, "weight", w);
        String said = loop.node().metadata().get(META_RECURRENCE) instanceof NirText t ? t.value() : null;
        boolean offDiagonalZero = true;
        for (int o = 0; o < units && offDiagonalZero; o++) {
            for (int i = 0; i < units; i++) {
                if (o != i && f[o * units + i] != 0) {
                    offDiagonalZero = false;
                    break;
                }
            }
        }
        boolean diagonal = "diagonal".equals(said) ? offDiagonalZero : !"full".equals(said) && offDiagonalZero && units > 1;
        if ("diagonal".equals(said) && !offDiagonalZero) {
            warnings.add(loop.describe() + " says it is diagonal but has weights off the diagonal; it is imported as "
                    + "recurrent = true");
        }
        float[] rw = f;
        if (diagonal) {
            rw = new float[units];
            for (int o = 0; o < units; o++) {
                rw[o] = f[o * units + o];
            }
        }
        float[] bias = null;
        NirArray b = array(loop, "bias", false);
        if (b != null) {
            if (b.size() != units) {
                throw bad(loop, "bias", "has " + b.size() + " values but the node has " + units + " outputs");
            }
            float[] bf = floats(loop, "bias", b);
            for (float x : bf) {
                if (x != 0) {
                    bias = bf;
                    break;
                }
            }
        }
        return new Recurrent(rw, diagonal, bias, loop);
    }

    /**
     * The recurrent Affine's bias is a constant current every step, as the dense layer's is: the
     * two are added into one bias (rounded to float32 once, so the sum of currents may differ in
     * its last bit).
     */
    private float[] mergedBias(Item dense, Recurrent r, int units, String layer) throws NirFormatException {
        NirArray b = array(dense, "bias", false);
        if (b != null && b.size() != units) {
            throw bad(dense, "bias", "has " + b.size() + " values but the node has " + units + " outputs");
        }
        float[] own = b == null ? new float[units] : floats(dense, "bias", b);
        float[] sum = new float[units];
        for (int i = 0; i < units; i++) {
            sum[i] = own[i] + r.bias()[i];
        }
        weights.put(layer + ".bias", sum);
        warnings.add(r.node().describe() + " has a bias; it is added to the bias of " + dense.describe()
                + " (both are constant currents into the same neurons)");
        return sum;
    }

    /** A Conv1d over a C x L input and the neuron node after it. */
    private int[] conv1d(Item it, Item neuron, int[] in) throws NirFormatException {
        if (in.length != 2) {
            throw unsupported(it, "receives a " + shapeText(in) + " input", "a Conv1d needs a C x L input (channels x length)");
        }
        if (fold != null) {
            throw unsupported(fold.pool(), "feeds " + it.describe() + " directly", "put spiking neurons after the pooling");
        }
        if (neuron == null) {
            throw unsupported(it, "ends the main path of a residual block", "spikeforge's residual blocks are 2-D: their"
                    + " main path ends in a Conv2d");
        }
        requireNeuron(it, neuron);
        noLoop(neuron, "a Conv1d");
        NirArray w = array(it, "weight", true);
        int[] ws = w.shape();
        if (ws.length != 3) {
            throw bad(it, "weight", "is " + w.describe() + ", not (out_channels, in_channels, kernel)");
        }
        if (ws[1] != in[0]) {
            throw bad(it, "weight", "has " + ws[1] + " input channels but the node receives " + in[0]);
        }
        int k = ws[2];
        int stride = single(it, "stride", 1);
        int padding = padding(it, k, stride, true);
        undilatedUngrouped(it, true);
        NirArray inputShape = array(it, "input_shape", false);
        if (inputShape != null && (inputShape.size() != 1 || inputShape.get(0) != in[1])) {
            throw bad(it, "input_shape", "is " + inputShape + " but the node receives length " + in[1]);
        }
        if (k > in[1] + 2 * padding) {
            throw bad(it, "weight", "has a kernel of " + k + ", longer than its padded input of " + in[1]);
        }
        int[] out = {ws[0], (in[1] + 2 * padding - k) / stride + 1};
        String layer = layerName(it);
        weights.put(layer + ".weight", floats(it, "weight", w));
        float[] bias = bias(it, ws[0], layer);
        layerLines.add(layer + " = " + convText("conv1d", ws[0], k, stride, padding, bias != null) + " -> "
                + neuron(neuron, size(out), 1) + dropout(neuron));
        return out;
    }

    /** A one-axis parameter: a scalar or a one-element array of a whole number. */
    private int single(Item it, String param, int dflt) throws NirFormatException {
        NirArray a = array(it, param, false);
        if (a == null) {
            return dflt;
        }
        if (a.size() != 1) {
            throw bad(it, param, "is " + a + "; a Conv1d takes one " + param);
        }
        return wholeNumber(it, param, a.get(0));
    }

    /**
     * Conv over a K x K pooling of its input = conv over the input with kernel K*k, stride K*s,
     * padding K*p, each weight spread over its K x K window and multiplied by the pooling's factor.
     */
    private float[] foldConv(float[] w, int[] ws, Fold f, Item into) throws NirFormatException {
        int out = ws[0];
        int in = ws[1];
        int k = ws[2];
        int kk = k * f.k();
        float[] w2 = new float[folded(f, into, (long) out * in * kk * kk)];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int y = 0; y < kk; y++) {
                    for (int x = 0; x < kk; x++) {
                        float v = w[((o * in + c) * k + y / f.k()) * k + x / f.k()];
                        w2[((o * in + c) * kk + y) * kk + x] = (float) (v * f.factor());
                    }
                }
            }
        }
        return w2;
    }

    /** The most weights folding a pooling into a layer may make: 64 Mi float32 (256 MiB). */
    static final long MAX_FOLDED_WEIGHTS = 1L << 26;

    /** {@code n} as an array length, when folding {@code f} into {@code into} (null: the next dense node) makes at most the limit. */
    private int folded(Fold f, Item into, long n) throws NirFormatException {
        if (n > MAX_FOLDED_WEIGHTS) {
            throw unsupported(f.pool(), "would be folded into " + (into == null ? "the next dense node" : into.describe())
                    + " as " + n + " weights, over the limit of " + MAX_FOLDED_WEIGHTS,
                    "put spiking neurons after the pooling so that it is not folded, or pool a smaller input");
        }
        return (int) n;
    }

    /** Dense over a pooled C x Hp x Wp input -> dense over the C x H x W input (rows and columns the pooling dropped get 0). */
    private float[] foldDense(float[] w, int outs) throws NirFormatException {
        if (fold == null) {
            return w;
        }
        Fold f = fold;
        fold = null;
        int c = f.full()[0];
        int h = f.full()[1];
        int wd = f.full()[2];
        int hp = h / f.k();
        int wp = wd / f.k();
        int pooled = c * hp * wp;
        float[] w2 = new float[folded(f, null, (long) outs * c * h * wd)];
        int full = c * h * wd;
        for (int o = 0; o < outs; o++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < hp * f.k(); y++) {
                    for (int x = 0; x < wp * f.k(); x++) {
                        float v = w[o * pooled + (ch * hp + y / f.k()) * wp + x / f.k()];
                        w2[o * full + (ch * h + y) * wd + x] = (float) (v * f.factor());
                    }
                }
            }
        }
        return w2;
    }

    private int affineShape(Item it, int[] in) throws NirFormatException {
        NirArray w = array(it, "weight", true);
        int[] ws = w.shape();
        if (ws.length != 2) {
            throw bad(it, "weight", "is " + w.describe() + ", not (out_features, in_features)");
        }
        if (ws[1] != size(in)) {
            throw bad(it, "weight", "takes " + ws[1] + " inputs but the node receives " + size(in) + " ("
                    + shapeText(in) + ")");
        }
        return ws[0];
    }

    /** The last weight node, the neuron after it (if any) and the decoding. */
    private void readout(Item it, List<Item> after, int[] in, Item output) throws NirFormatException {
        int classes = affineShape(it, in);
        String shapeParam = output.node().params().containsKey("shape") ? "shape" : "output_type";
        NirArray outShape = array(output, shapeParam, false);
        if (outShape != null && size(toInts(outShape)) != classes) {
            throw bad(output, shapeParam, "is " + outShape + " but the readout '" + it.name() + "' has " + classes
                    + " outputs");
        }
        String layer = layerName(it);
        float[] w = foldDense(floats(it, "weight", array(it, "weight", true)), classes);
        weights.put(layer + ".weight", w);
        float[] bias = bias(it, classes, layer);
        if (after.size() > 1) {
            throw unsupported(after.get(1), "comes after the readout's " + after.get(0).describe(),
                    "spikeforge models end in a weight node, optionally one neuron node, then Output");
        }
        if (!after.isEmpty()) {
            noLoop(after.get(0), "the readout's weights");
        }
        String wanted = meta.get(NirExport.META_READOUT) instanceof NirText t ? t.value() : null;
        String call;
        if (after.isEmpty()) {
            call = "readout(" + classes + ", mode = accumulate" + (bias != null ? ", bias = true" : "") + ")";
            if (!ours) {
                warnings.add("the readout '" + it.name + "' feeds the Output directly; it is imported as an accumulating "
                        + "readout (the sum of its current over the time steps)");
            }
        } else {
            Item n = after.get(0);
            String b = bias != null ? ", bias = true" : "";
            switch (n.type()) {
                case "LIF", "IF", "CubaLIF" -> call = "readout(" + classes + ", mode = count" + b + ") -> "
                        + neuron(n, classes, 1);
                case "CubaLI" -> {
                    // a membrane readout has no synaptic current: only tau_syn = dt (alpha = 0) is exact
                    double tauSyn = uniform(n, "tau_syn", array(n, "tau_syn", true), classes);
                    double alpha = 1 - dt / tauSyn;
                    if (!(Math.abs(alpha) <= 1e-6)) {
                        throw unsupported(n, "filters the readout's current (alpha = 1 - dt/tau_syn = " + alpha + ")",
                                "spikeforge's membrane readout has no synaptic current; only a CubaLI with tau_syn = dt "
                                        + "imports (as LI)");
                    }
                    NirArray wIn = array(n, "w_in", false);
                    double[] lg = leaky(renamed(n, "tau_mem", "tau"), classes, false);
                    scale(w, bias, lg[1] * (wIn == null ? 1 : uniform(n, "w_in", wIn, classes)) * dt / tauSyn, n);
                    call = "readout(" + classes + ", mode = membrane, beta = " + SnnText.number(lg[0]) + b + ")";
                }
                case "LI" -> {
                    double[] lg = leaky(n, classes, false);
                    scale(w, bias, lg[1], n);
                    call = "readout(" + classes + ", mode = membrane, beta = " + SnnText.number(lg[0]) + b + ")";
                }
                case "I" -> {
                    NirArray r = array(n, "r", true);
                    scale(w, bias, uniform(n, "r", r, classes), n);
                    String mode = "membrane".equals(wanted) ? "membrane, beta = 1.0" : "accumulate";
                    call = "readout(" + classes + ", mode = " + mode + b + ")";
                }
                default -> throw unsupportedType(n);
            }
        }
        layerLines.add(layer + " = " + call);
    }

    /** Folds an integrator's gain into the readout's weights (the decoding has no threshold to take it). */
    private void scale(float[] w, float[] bias, double gain, Item n) {
        if (gain == 1) {
            return;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (w[i] * gain);
        }
        if (bias != null) {
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) (bias[i] * gain);
            }
        }
        warnings.add(n.describe() + " has input gain " + gain + "; it is multiplied into the readout's weights "
                + "(rounded to float32)");
    }

    // ---------------------------------------------------------------- neurons

    /**
     * The name of the neuron definition for a LIF, IF or CubaLIF node feeding {@code n} neurons;
     * {@code inputGain} multiplies its current (a SumPool2d's K^2).
     */
    private String neuron(Item it, int n, double inputGain) throws NirFormatException {
        double beta;
        double gain;
        double alpha = 0;
        double tol = tolerance(it);
        NirArray vThr = array(it, "v_threshold", true);
        double threshold = uniform(it, "v_threshold", vThr, n);
        String model;
        switch (it.type()) {
            case "IF" -> {
                model = "IF";
                beta = 1;
                gain = uniform(it, "r", array(it, "r", true), n);
            }
            case "LIF" -> {
                double[] lg = leaky(it, n, true);
                model = "LIF";
                beta = lg[0];
                gain = lg[1];
            }
            case "CubaLIF" -> {
                // tau_syn di/dt = -i + w_in I by forward Euler: i[t] = (1 - dt/tau_syn) i[t-1] + (w_in dt/tau_syn) I[t]
                double[] ag = synaptic(it, n);
                NirArray wIn = array(it, "w_in", false);
                double[] lg = leaky(renamed(it, "tau_mem", "tau"), n, true);
                alpha = ag[0];
                model = alpha == 0 ? "LIF" : "CUBA";
                beta = lg[0];
                gain = lg[1] * (wIn == null ? 1 : uniform(it, "w_in", wIn, n)) * ag[1];
                if (Math.abs(gain - 1) <= Math.max(tol, 1e-12)) {
                    gain = 1;
                }
            }
            default -> throw unsupportedType(it);
        }
        NirArray vReset = array(it, "v_reset", false);
        if (vReset != null && uniform(it, "v_reset", vReset, n) != 0) {
            throw unsupported(it, "resets to v_reset = " + uniform(it, "v_reset", vReset, n),
                    "spikeforge resets to 0 or by subtraction; a model with another reset potential cannot be imported");
        }
        String reset = it.node.metadata().get(NirExport.META_RESET) instanceof NirText t
                && t.value().equals("subtract") ? "subtract" : "zero";
        double g = gain * inputGain;
        if (!(g > 0)) {
            throw unsupported(it, "has input gain " + g + " (r = " + gain + ")", "spikeforge neurons need a positive gain");
        }
        if (Math.abs(g - 1) <= tol) {
            g = 1;
        } else if (!ours || inputGain != 1) {
            warnings.add(it.describe() + ": input gain " + SnnText.number(g) + " is divided out of the threshold ("
                    + SnnText.number(threshold) + " -> " + SnnText.number(threshold / g) + ")");
        }
        double theta = threshold / g;
        if (!(theta > 0)) {
            throw bad(it, "v_threshold", "is " + threshold + "; spikeforge thresholds are positive");
        }
        double thetaText = tol == 0 ? theta : SnnText.shortest(theta, c -> Math.abs(c - theta) <= Math.ulp((float) theta));
        String def = switch (model) {
            case "IF" -> "IF(threshold = " + SnnText.number(thetaText) + ", reset = " + reset + ")";
            case "CUBA" -> "CUBA(alpha = " + SnnText.number(alpha) + ", beta = " + SnnText.number(beta) + ", threshold = "
                    + SnnText.number(thetaText) + ", reset = " + reset + ")";
            default -> "LIF(beta = " + SnnText.number(beta) + ", threshold = " + SnnText.number(thetaText) + ", reset = "
                    + reset + ")";
        };
        String existing = neuronDefs.get(def);
        if (existing != null) {
            return existing;
        }
        String suffix = it.name.substring(it.name.lastIndexOf('.') + 1);
        String base = SnnText.isIdentifier(suffix) ? suffix : model.toLowerCase(Locale.ROOT);
        String name = SnnText.identifier(base, "n", new HashSet<>(neuronDefs.values()));
        neuronDefs.put(def, name);
        return name;
    }

    /** " dropout P" when spikeforge's metadata records a training dropout after the neuron node. */
    private static String dropout(Item neuron) {
        NirValue p = neuron.node.metadata().get(NirExport.META_DROPOUT);
        return p instanceof NirArray a && a.size() == 1 && a.get(0) > 0 && a.get(0) < 1
                ? " dropout " + SnnText.number(a.get(0)) : "";
    }

    /** {beta, input gain} of a LIF or LI node: beta = 1 - dt/tau, gain = r dt / tau; v_leak must be 0. */
    private double[] leaky(Item it, int n, boolean spiking) throws NirFormatException {
        NirArray tauA = array(it, "tau", true);
        double tau = uniform(it, "tau", tauA, n);
        double r = uniform(it, "r", array(it, "r", true), n);
        NirArray leak = array(it, "v_leak", false);
        if (leak != null && uniform(it, "v_leak", leak, n) != 0) {
            throw unsupported(it, "has a resting potential v_leak = " + uniform(it, "v_leak", leak, n),
                    "spikeforge neurons leak towards 0; fold v_leak into the bias of the layer before, then export again");
        }
        if (!(tau >= dt)) {
            throw bad(it, "tau", "is " + tau + " s, shorter than the step dt = " + SnnText.number(dt)
                    + " s, so beta = 1 - dt/tau would be negative; import with a smaller --dt");
        }
        double tol = tolerance(it);
        double raw = 1 - dt / tau;
        // the shortest beta whose tau, computed as export computes it, is the file's tau
        // float32 files: the shortest decimal within float32's resolution of beta and of 1 - beta, the two
        // numbers snnTorch computed in float32 (two steps, for the rounding of tau and dt on top)
        double step = 2 * Math.max(Math.ulp((float) raw), Math.ulp((float) (1 - raw)));
        double beta = SnnText.shortest(raw, c -> tol == 0
                ? NirExport.tauOf(c, dt) == tau
                : Math.abs(c - raw) <= step);
        if (beta >= 1) {
            beta = raw;
        }
        double gain = r * dt / tau;
        if (Math.abs(gain - 1) <= Math.max(tol, 1e-12)) {
            gain = 1;
        }
        return new double[] {beta, gain};
    }

    /**
     * {alpha, synaptic gain} of a CubaLIF: alpha = 1 - dt/tau_syn, printed as the shortest decimal
     * that gives back the file's tau_syn (as beta is); gain = dt/tau_syn (w_in is applied by the caller).
     * tau_syn = dt is alpha = 0: no synaptic memory, a LIF.
     */
    private double[] synaptic(Item it, int n) throws NirFormatException {
        double tauSyn = uniform(it, "tau_syn", array(it, "tau_syn", true), n);
        if (!(tauSyn >= dt) || Double.isInfinite(tauSyn)) {
            throw bad(it, "tau_syn", "is " + tauSyn + " s, shorter than the step dt = " + SnnText.number(dt)
                    + " s (or infinite), so alpha = 1 - dt/tau_syn would be outside [0, 1); import with a smaller --dt");
        }
        double tol = tolerance(it);
        double raw = 1 - dt / tauSyn;
        if (Math.abs(raw) <= tol) { // tau_syn = dt: exactly for float64 files, to float32's precision else
            return new double[] {0, 1};
        }
        double step = 2 * Math.max(Math.ulp((float) raw), Math.ulp((float) (1 - raw)));
        double alpha = SnnText.shortest(raw, c -> tol == 0
                ? NirExport.tauOf(c, dt) == tauSyn
                : Math.abs(c - raw) <= step);
        if (alpha >= 1 || alpha < 0) {
            alpha = raw;
        }
        double gain = dt / tauSyn;
        return new double[] {alpha, gain};
    }

    private static Item renamed(Item it, String from, String to) {
        Map<String, NirValue> ps = new LinkedHashMap<>(it.node.params());
        ps.put(to, ps.get(from));
        return new Item(it.name, new NirNode(it.type(), ps, it.node.metadata()));
    }

    /** 0 when every parameter of the node is float64 (exact), else float32's precision. */
    private static double tolerance(Item it) {
        boolean f32 = it.node.params().values().stream()
                .anyMatch(v -> v instanceof NirArray a && a.dtype() == DType.FLOAT32);
        return f32 ? 2.4e-7 : 0;
    }

    /** The one value of a per-neuron parameter; refuses neurons that differ. */
    private double uniform(Item it, String param, NirArray a, int n) throws NirFormatException {
        if (a.size() != 1 && a.size() != n) {
            throw bad(it, param, "has " + a.size() + " values " + a.shapeText() + " but the node has " + n + " neurons");
        }
        double v = a.get(0);
        for (int i = 1; i < a.size(); i++) {
            if (a.get(i) != v) {
                throw unsupported(it, "has different " + param + " values (" + v + " at 0, " + a.get(i) + " at " + i + ")",
                        "spikeforge gives all neurons of a layer the same parameters");
            }
        }
        return v;
    }

    // ---------------------------------------------------------------- values

    private NirArray array(Item it, String param, boolean required) throws NirFormatException {
        NirValue v = it.node.params().get(param);
        if (v == null) {
            if (required) {
                throw bad(it, param, "is missing");
            }
            return null;
        }
        if (!(v instanceof NirArray a)) {
            throw bad(it, param, "is " + v.describe() + ", not a number or an array of numbers");
        }
        return a;
    }

    /** A stride or kernel pair that must be square: (s, s), or a single s. */
    private int pair(Item it, String param, int dflt) throws NirFormatException {
        NirArray a = array(it, param, false);
        if (a == null) {
            return dflt;
        }
        if (a.size() > 2 || a.size() == 0 || (a.size() == 2 && a.get(0) != a.get(1))) {
            throw unsupported(it, "has " + param + " " + a, "spikeforge uses the same " + param + " on both axes");
        }
        return wholeNumber(it, param, a.get(0));
    }

    /** A whole number that a one-axis or square parameter holds. */
    private int wholeNumber(Item it, String param, double v) throws NirFormatException {
        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw bad(it, param, "is " + v + ", not a whole number");
        }
        return (int) v;
    }

    /** A Conv1d's parameter ({@link #single}) or a Conv2d's ({@link #pair}). */
    private int axes(Item it, String param, int dflt, boolean oneAxis) throws NirFormatException {
        return oneAxis ? single(it, param, dflt) : pair(it, param, dflt);
    }

    /** Padding "valid", "same" (odd kernel, stride 1), or a number for each axis ({@link #axes}). */
    private int padding(Item it, int k, int stride, boolean oneAxis) throws NirFormatException {
        NirValue v = it.node.params().get("padding");
        if (v instanceof NirText t) {
            if (t.value().equals("valid")) {
                return 0;
            }
            if (t.value().equals("same") && stride == 1 && k % 2 == 1) {
                return (k - 1) / 2;
            }
            throw unsupported(it, "has padding \"" + t.value() + "\" with kernel " + k + " and stride " + stride,
                    "spikeforge pads symmetrically; \"same\" imports for odd kernels at stride 1");
        }
        return axes(it, "padding", 0, oneAxis);
    }

    /** Refuses dilation and groups, which spikeforge convolutions do not have. */
    private void undilatedUngrouped(Item it, boolean oneAxis) throws NirFormatException {
        if (axes(it, "dilation", 1, oneAxis) != 1) {
            throw unsupported(it, "is dilated", "spikeforge convolutions have dilation 1");
        }
        NirArray groups = array(it, "groups", false);
        if (groups != null && groups.get(0) != 1) {
            throw unsupported(it, "has groups = " + (long) groups.get(0), "spikeforge convolutions have groups = 1");
        }
    }

    /** The DSL call of a convolution: {@code op(out, kernel = k[, stride = s][, padding = p][, bias = true])}. */
    private static String convText(String op, int out, int k, int stride, int padding, boolean bias) {
        StringBuilder call = new StringBuilder(op + "(" + out + ", kernel = " + k);
        if (stride != 1) {
            call.append(", stride = ").append(stride);
        }
        if (padding != 0) {
            call.append(", padding = ").append(padding);
        }
        if (bias) {
            call.append(", bias = true");
        }
        return call.append(')').toString();
    }

    /** The bias as float32, or null when there is none or it is all zeros (the same current). */
    private float[] bias(Item it, int out, String layer) throws NirFormatException {
        NirArray b = array(it, "bias", false);
        if (b == null) {
            return null;
        }
        if (b.size() != out) {
            throw bad(it, "bias", "has " + b.size() + " values but the node has " + out + " outputs");
        }
        float[] f = floats(it, "bias", b);
        for (float x : f) {
            if (x != 0) {
                weights.put(layer + ".bias", f);
                return f;
            }
        }
        return null;
    }

    private float[] floats(Item it, String param, NirArray a) {
        float[] f = a.floats();
        if (a.dtype() != DType.FLOAT32) {
            for (int i = 0; i < f.length; i++) {
                if (f[i] != a.get(i)) {
                    warnings.add(it.describe() + ": " + param + " is " + a.dtype().numpy()
                            + "; spikeforge keeps weights as float32, so they are rounded");
                    break;
                }
            }
        }
        return f;
    }

    /** The input shape; a 2-D one is C x L before a Conv1d, else H x W of one channel (older snnTorch images). */
    private int[] shapeOf(Item input, NirArray s, boolean sequence) throws NirFormatException {
        double product = 1;
        for (double x : s.data()) {
            product *= x;
        }
        if (product > Integer.MAX_VALUE) {
            throw bad(input, "shape", "is " + s + ", more than 2^31 - 1 input values");
        }
        int[] d = toInts(s);
        for (int x : d) {
            if (x < 1) {
                throw bad(input, "shape", "is " + s + "; every size must be at least 1");
            }
        }
        if (d.length == 2 && sequence) {
            return d;
        }
        if (d.length == 2) {
            warnings.add("the input shape " + shapeText(d) + " has no channel axis; it is imported as 1x" + d[0] + "x" + d[1]);
            return new int[] {1, d[0], d[1]};
        }
        if (d.length != 1 && d.length != 3) {
            throw bad(input, "shape", "is " + s + "; spikeforge inputs are N, C x L or C x H x W (NIR shapes have no batch axis)");
        }
        return d;
    }

    private static int[] toInts(NirArray a) {
        double[] d = a.data();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (int) d[i];
        }
        return out;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static String shapeText(int[] shape) {
        return java.util.Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    private String layerName(Item it) {
        String name = SnnText.identifier(it.name, "n", layerNames);
        layerNames.add(name);
        return name;
    }

    private Double number(String key) {
        return meta.get(key) instanceof NirArray a && a.size() == 1 ? a.get(0) : null;
    }

    private String modelName(Options o) {
        String n = o.modelName() != null ? o.modelName()
                : meta.get(NirExport.META_MODEL) instanceof NirText t ? t.value() : "imported";
        return SnnText.identifier(n, "m", Set.of());
    }

    private String encoding(Options o) {
        if (o.encoding() != null) {
            return o.encoding();
        }
        return meta.get(NirExport.META_ENCODING) instanceof NirText t ? t.value() : "poisson";
    }

    private int timesteps(Options o) {
        if (o.timesteps() != null) {
            return o.timesteps();
        }
        Double t = number(NirExport.META_TIMESTEPS);
        if (t == null) {
            warnings.add("the file does not say how many time steps a sample runs; 25 are assumed (--timesteps N)");
            return DEFAULT_TIMESTEPS;
        }
        return t.intValue();
    }

    // ---------------------------------------------------------------- errors

    private NirFormatException unsupported(Item it, String what, String help) {
        return new NirFormatException(file, it.describe() + " " + what, help);
    }

    private NirFormatException unsupportedType(Item it) {
        return new NirFormatException(file, it.describe() + ": spikeforge cannot express NIR's " + it.type()
                + " nodes", "supported: Input, Output, Affine, Linear, Conv2d, Conv1d, AvgPool2d, SumPool2d, Flatten, IF, "
                + "LIF, CubaLIF, LI, CubaLI with tau_syn = dt, I, Linear/Affine/Scale loops around a dense layer's neurons"
                + " (recurrence), and nested graphs (docs/nir.md)");
    }

    private NirFormatException bad(Item it, String param, String what) {
        return new NirFormatException(file, it.describe() + ": " + param + " " + what,
                "check the exporter of this file; docs/nir.md lists what each node needs");
    }
}
