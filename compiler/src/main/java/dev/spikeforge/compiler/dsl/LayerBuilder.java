package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.dsl.Args.Param;
import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.Edge;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.ShapeRules;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code layers} block to graph nodes and edges. Each user layer becomes its weight node, an
 * implicit flatten where a dense layer or readout follows a feature map, its neuron node and its
 * dropout node, all tagged with the layer's name. A residual block becomes its inner layers, an
 * optional skip convolution ({@code NAME.skip}), an add node ({@code NAME.add}) and its neurons.
 */
final class LayerBuilder {

    static final List<String> KINDS = List.of("conv", "conv1d", "avgpool", "maxpool", "dense", "flatten", "readout",
            "residual");
    private static final List<String> KINDS_AND_DROPOUT = List.of("conv", "conv1d", "avgpool", "maxpool", "dense",
            "flatten", "readout", "residual", "dropout");
    private static final List<String> READOUT_MODES = List.of("accumulate", "membrane", "count");

    private static final List<Param> CONV = List.of(Param.positional("filters"), new Param("kernel", true, true),
            Param.optional("stride"), Param.optional("padding"), Param.optional("bias"));
    private static final List<Param> AVGPOOL = List.of(Param.positional("kernel"));
    private static final List<Param> DENSE = List.of(Param.positional("units"), Param.optional("bias"),
            Param.optional("recurrent"));
    private static final List<String> RECURRENCE = List.of("false", "true", "diagonal");
    private static final List<Param> READOUT = List.of(Param.positional("classes"), Param.optional("mode"),
            Param.optional("beta"), Param.optional("bias"));

    private final Map<String, NeuronDefinition> neurons;
    private final Set<String> brokenNeurons;
    private final Diagnostics out;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    private final Map<String, SourcePos> explicitNames = new LinkedHashMap<>();
    private final Map<String, SourcePos> usedNames = new HashMap<>();
    private final Map<String, Integer> autoCounters = new HashMap<>();

    /** The node whose output feeds the next layer, and its shape. */
    private String current;
    private Shape currentShape;

    LayerBuilder(Map<String, NeuronDefinition> neurons, Set<String> brokenNeurons, Diagnostics out) {
        this.neurons = neurons;
        this.brokenNeurons = brokenNeurons;
        this.out = out;
    }

    List<Node> nodes() {
        return nodes;
    }

    List<Edge> edges() {
        return edges;
    }

    void build(InputNode input, List<SnnParser.LayerContext> layers) {
        nodes.add(input);
        usedNames.put(input.name(), input.pos());
        current = input.name();
        currentShape = input.shape();
        collectExplicitNames(layers);
        for (SnnParser.LayerContext layer : layers) {
            layer(layer, false);
        }
    }

    private void collectExplicitNames(List<SnnParser.LayerContext> layers) {
        for (SnnParser.LayerContext l : layers) {
            if (l instanceof SnnParser.PlainLayerContext p && p.name != null) {
                explicitNames.putIfAbsent(p.name.getText(), Positions.of(p.name));
            } else if (l instanceof SnnParser.ResidualLayerContext r) {
                if (r.name != null) {
                    explicitNames.putIfAbsent(r.name.getText(), Positions.of(r.name));
                }
                collectExplicitNames(r.layer());
            }
        }
    }

    private void layer(SnnParser.LayerContext ctx, boolean lastInResidual) {
        if (ctx.exception != null) {
            return;
        }
        if (ctx instanceof SnnParser.PlainLayerContext p) {
            plain(p, lastInResidual);
        } else if (ctx instanceof SnnParser.ResidualLayerContext r) {
            residual(r, lastInResidual);
        }
    }

    // ---- plain layers -----------------------------------------------------------------------

    private void plain(SnnParser.PlainLayerContext ctx, boolean lastInResidual) {
        SnnParser.LayerCallContext call = ctx.call;
        if (call == null || call.kind == null) {
            return;
        }
        String kind = call.kind.getText();
        SourcePos at = Positions.of(call);
        List<dev.spikeforge.compiler.ir.Value.Arg> args = TreeValues.args(call.argList());
        if (!KINDS.contains(kind) || kind.equals("residual")) {
            // 'dropout' is no layer, but a misspelled 'dropout P' after a neuron lands here.
            out.add(ErrorCode.E208, Positions.of(call.kind), "unknown layer kind '" + kind + "'"
                    + Suggestions.didYouMean(kind, KINDS_AND_DROPOUT), "layer kinds are " + String.join(", ", KINDS));
            return;
        }
        String layer = layerName(ctx.name == null ? null : ctx.name.getText(), ctx.name == null ? at : Positions.of(ctx.name), kind);
        switch (kind) {
            case "conv" -> weightLayer(ctx, layer, conv(layer, at, args), lastInResidual);
            case "conv1d" -> weightLayer(ctx, layer, conv1d(layer, at, args), lastInResidual);
            case "avgpool" -> weightLayer(ctx, layer, avgpool(layer, at, args), lastInResidual);
            case "maxpool" -> maxpool(ctx, layer, at, args);
            case "dense" -> weightLayer(ctx, layer, dense(layer, at, args), lastInResidual);
            case "flatten" -> flatten(ctx, layer, at, args);
            case "readout" -> readout(ctx, layer, at, args);
            default -> throw new IllegalStateException("layer kind " + kind);
        }
    }

    /** conv, avgpool and dense: the weight node, then the neuron (unless last in a residual block). */
    private void weightLayer(SnnParser.PlainLayerContext ctx, String layer, Node weights, boolean lastInResidual) {
        append(weights, current);
        if (lastInResidual) {
            if (ctx.neuronRef() != null) {
                out.add(ErrorCode.E217, Positions.of(ctx.neuronRef()), "'" + layer + "' is the last layer of its residual block"
                        + " and has no neuron of its own: its current is summed with the skip path",
                        "remove '" + arrow(ctx.neuronRef()) + "'; the block's neuron follows 'skip ...'");
            }
            dropoutNotAllowed(ctx.dropout(), layer, "it is the last layer of a residual block");
            return;
        }
        NeuronDefinition neuron = neuronOf(ctx.neuronRef(), layer, weights.kind(), Positions.of(ctx.call));
        if (neuron != null) {
            neuronNode(layer, neuron, Positions.of(ctx.neuronRef()));
            dropout(ctx.dropout(), layer);
        } else if (ctx.neuronRef() == null) {
            dropoutNotAllowed(ctx.dropout(), layer, "it has no neuron");
        }
    }

    /** The arguments conv and conv1d share, bound and checked once. */
    private record ConvArgs(Args args, int filters, int kernel, int stride, int padding, boolean bias) {
    }

    private ConvArgs convArgs(String kind, SourcePos at, List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args a = Args.bind(kind, at, argList, CONV, out);
        return new ConvArgs(a, a.integer("filters", 1), a.integer("kernel", 1), a.integer("stride", 1),
                a.integer("padding", 0), a.bool("bias", false));
    }

    private Node conv(String layer, SourcePos at, List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        ConvArgs c = convArgs("conv", at, argList);
        Shape shape = ShapeRules.conv(currentShape, c.filters(), c.kernel(), c.stride(), c.padding(), null, null);
        int inChannels = currentShape.isSpatial() ? currentShape.channels() : 0;
        return new Conv2dNode(layer, layer, origin(at, c.args()), shape, inChannels, c.filters(), c.kernel(), c.stride(),
                c.padding(), c.bias());
    }

    private Node conv1d(String layer, SourcePos at, List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        ConvArgs c = convArgs("conv1d", at, argList);
        Shape shape = ShapeRules.conv1d(currentShape, c.filters(), c.kernel(), c.stride(), c.padding(), null, null);
        int inChannels = currentShape.isSequence() ? currentShape.channels() : 0;
        return new Conv1dNode(layer, layer, origin(at, c.args()), shape, inChannels, c.filters(), c.kernel(), c.stride(),
                c.padding(), c.bias());
    }

    /** maxpool(K): spikes in, spikes out, no neuron of its own. */
    private void maxpool(SnnParser.PlainLayerContext ctx, String layer, SourcePos at,
                         List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args a = Args.bind("maxpool", at, argList, AVGPOOL, out);
        int kernel = a.integer("kernel", 1);
        append(new MaxPoolNode(layer, layer, origin(at, a), ShapeRules.maxpool(currentShape, kernel, null, null), kernel),
                current);
        if (ctx.neuronRef() != null) {
            out.add(ErrorCode.E217, Positions.of(ctx.neuronRef()), "maxpool '" + layer + "' passes spikes on (the OR of each"
                    + " window); it has no neurons", "remove '" + arrow(ctx.neuronRef()) + "'");
        }
        dropoutNotAllowed(ctx.dropout(), layer, "maxpool has no neurons");
    }

    private Node avgpool(String layer, SourcePos at, List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args a = Args.bind("avgpool", at, argList, AVGPOOL, out);
        int kernel = a.integer("kernel", 1);
        return new AvgPoolNode(layer, layer, origin(at, a), ShapeRules.avgpool(currentShape, kernel, null, null), kernel);
    }

    private Node dense(String layer, SourcePos at, List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args a = Args.bind("dense", at, argList, DENSE, out);
        int units = a.integer("units", 1);
        boolean bias = a.bool("bias", false);
        Recurrence recurrent = switch (a.option("recurrent", RECURRENCE, "false")) {
            case "true" -> Recurrence.FULL;
            case "diagonal" -> Recurrence.DIAGONAL;
            default -> Recurrence.NONE;
        };
        flattenIfSpatial(layer, at);
        Shape shape = currentShape.isKnown() && units >= 1 ? Shape.flat(units) : Shape.UNKNOWN;
        return new DenseNode(layer, layer, origin(at, a), shape, (int) currentShape.size(), units, bias, recurrent);
    }

    private void flatten(SnnParser.PlainLayerContext ctx, String layer, SourcePos at,
                         List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args.bind("flatten", at, argList, List.of(), out);
        append(new FlattenNode(layer, layer, Origin.at(at), ShapeRules.flatten(currentShape)), current);
        if (ctx.neuronRef() != null) {
            out.add(ErrorCode.E217, Positions.of(ctx.neuronRef()), "flatten '" + layer + "' only reshapes; it has no neurons",
                    "remove '" + arrow(ctx.neuronRef()) + "'");
        }
        dropoutNotAllowed(ctx.dropout(), layer, "flatten has no neurons");
    }

    private void readout(SnnParser.PlainLayerContext ctx, String layer, SourcePos at,
                         List<dev.spikeforge.compiler.ir.Value.Arg> argList) {
        Args a = Args.bind("readout", at, argList, READOUT, out);
        int classes = a.integer("classes", 1);
        ReadoutMode mode = ReadoutMode.valueOf(a.option("mode", READOUT_MODES, "accumulate").toUpperCase(Locale.ROOT));
        double beta = 1.0;
        if (mode == ReadoutMode.MEMBRANE) {
            if (!a.has("beta")) {
                out.add(ErrorCode.E211, at, "readout mode = membrane needs 'beta' (its membrane leak)",
                        "for example readout(" + classes + ", mode = membrane, beta = 0.9)");
            }
            beta = a.number("beta", 1.0);
        } else if (a.has("beta")) {
            out.add(ErrorCode.E210, a.get("beta").pos(), "readout mode = " + mode.keyword()
                    + " has no parameter 'beta'; only mode = membrane has a leak");
        }
        boolean bias = a.bool("bias", false);
        flattenIfSpatial(layer, at);
        NeuronDefinition neuron = null;
        if (mode == ReadoutMode.COUNT) {
            neuron = neuronOf(ctx.neuronRef(), layer, "readout mode = count", at);
        } else if (ctx.neuronRef() != null) {
            out.add(ErrorCode.E217, Positions.of(ctx.neuronRef()), "readout '" + layer + "' with mode = " + mode.keyword()
                    + " does not spike, so it takes no neuron", "remove '" + arrow(ctx.neuronRef())
                    + "', or use mode = count for a spiking readout");
        }
        Shape shape = currentShape.isKnown() && classes >= 1 ? Shape.flat(classes) : Shape.UNKNOWN;
        append(new ReadoutNode(layer, layer, origin(at, a), shape, (int) currentShape.size(), classes, mode, beta,
                neuron, bias), current);
        dropoutNotAllowed(ctx.dropout(), layer, "the readout is the output");
    }

    private void flattenIfSpatial(String layer, SourcePos at) {
        if (currentShape.isKnown() && currentShape.rank() > 1) {
            append(new FlattenNode(layer + ".flatten", layer, Origin.at(at), ShapeRules.flatten(currentShape)), current);
        }
    }

    // ---- residual blocks --------------------------------------------------------------------

    private void residual(SnnParser.ResidualLayerContext ctx, boolean lastInResidual) {
        SourcePos at = Positions.of(ctx.RESIDUAL().getSymbol());
        String block = layerName(ctx.name == null ? null : ctx.name.getText(), ctx.name == null ? at : Positions.of(ctx.name),
                "residual");
        if (ctx.layer().isEmpty()) {
            out.add(ErrorCode.E219, at, "residual block '" + block + "' has no layers",
                    "put the main path inside the braces, for example residual { conv(64, kernel = 3, padding = 1) -> lif"
                            + " conv(64, kernel = 3, padding = 1) } skip identity -> lif");
            return;
        }
        String blockInput = current;
        Shape blockInputShape = currentShape;
        List<SnnParser.LayerContext> inner = ctx.layer();
        for (int i = 0; i < inner.size(); i++) {
            layer(inner.get(i), i == inner.size() - 1);
        }
        String mainEnd = current;
        Shape mainShape = currentShape;
        String skipEnd = blockInput;
        Shape skipShape = blockInputShape;
        if (ctx.skip instanceof SnnParser.ConvSkipContext convSkip && convSkip.layerCall().kind != null) {
            SnnParser.LayerCallContext call = convSkip.layerCall();
            if (!call.kind.getText().equals("conv")) {
                out.add(ErrorCode.E208, Positions.of(call.kind), "a skip path is 'identity' or 'conv(...)', not '"
                        + call.kind.getText() + "'" + Suggestions.didYouMean(call.kind.getText(), List.of("conv", "identity")));
            } else {
                current = blockInput;
                currentShape = blockInputShape;
                Node skip = conv(block, Positions.of(call), TreeValues.args(call.argList()));
                Conv2dNode c = (Conv2dNode) skip;
                skip = new Conv2dNode(block + ".skip", block, c.origin(), c.shape(), c.inChannels(), c.filters(),
                        c.kernel(), c.stride(), c.padding(), c.bias());
                append(skip, blockInput);
                skipEnd = skip.name();
                skipShape = skip.shape();
            }
        }
        SourcePos skipPos = ctx.SKIP_KW() != null ? Positions.of(ctx.SKIP_KW().getSymbol()) : at;
        Shape sum = ShapeRules.add(List.of(mainShape, skipShape), blockInputShape, null, null);
        Node add = new ResidualAddNode(block + ".add", block, Origin.at(skipPos), sum);
        nodes.add(add);
        usedNames.put(add.name(), skipPos);
        edges.add(new Edge(mainEnd, add.name()));
        edges.add(new Edge(skipEnd, add.name()));
        current = add.name();
        currentShape = sum;
        if (lastInResidual) {
            out.add(ErrorCode.E217, at, "residual block '" + block + "' is the last layer of an enclosing residual block,"
                    + " which must end in a layer without neurons", "move it before the last layer of the enclosing block");
            return;
        }
        NeuronDefinition neuron = neuronOf(ctx.neuronRef(), block, "residual block", skipPos);
        if (neuron != null) {
            neuronNode(block, neuron, Positions.of(ctx.neuronRef()));
            dropout(ctx.dropout(), block);
        } else if (ctx.neuronRef() == null) {
            dropoutNotAllowed(ctx.dropout(), block, "it has no neuron");
        }
    }

    // ---- neurons, dropout, names --------------------------------------------------------------

    /** The neuron of {@code -> NAME}, or null (reported) when it is missing or unknown. */
    private NeuronDefinition neuronOf(SnnParser.NeuronRefContext ref, String layer, String what, SourcePos at) {
        if (ref == null || ref.neuron == null) {
            if (ref == null) {
                String example = neurons.isEmpty() ? "-> lif (after defining: neuron lif = LIF(beta = 0.95))"
                        : "-> " + neurons.keySet().iterator().next();
                out.add(ErrorCode.E216, at, "'" + layer + "' (" + what + ") needs a neuron", "add " + example);
            }
            return null;
        }
        String name = ref.neuron.getText();
        NeuronDefinition n = neurons.get(name);
        if (n == null && !brokenNeurons.contains(name)) {
            String hint = neurons.isEmpty() ? "define it first: neuron " + name + " = LIF(beta = 0.95, threshold = 1.0)"
                    : "defined neurons: " + String.join(", ", neurons.keySet());
            out.add(ErrorCode.E207, Positions.of(ref.neuron), "no neuron named '" + name + "'"
                    + Suggestions.didYouMean(name, neurons.keySet()), hint);
        }
        return n;
    }

    /**
     * {@code -> NAME} as written. ANTLR's recovery leaves a child it could not match null (here the
     * name after a final {@code ->}): that was reported as a syntax error, so only the text is needed.
     */
    private static String arrow(SnnParser.NeuronRefContext ref) {
        return ref.neuron == null ? "->" : "-> " + ref.neuron.getText();
    }

    private void neuronNode(String layer, NeuronDefinition neuron, SourcePos at) {
        append(new NeuronNode(layer + "." + neuron.name(), layer, Origin.at(at), currentShape, neuron), current);
    }

    private void dropout(SnnParser.DropoutContext ctx, String layer) {
        if (ctx == null) {
            return;
        }
        dev.spikeforge.compiler.ir.Value.Num p = TreeValues.number(ctx.rate);
        if (p == null) {
            return;
        }
        SourcePos at = Positions.of(ctx.DROPOUT().getSymbol());
        append(new DropoutNode(layer + ".dropout", layer, new Origin(at, Map.of("p", p.pos())), currentShape, p.value()),
                current);
    }

    private void dropoutNotAllowed(SnnParser.DropoutContext ctx, String layer, String why) {
        if (ctx != null) {
            out.add(ErrorCode.E218, Positions.of(ctx.DROPOUT().getSymbol()), "dropout on '" + layer
                    + "' is not possible: " + why, "put dropout after a layer's neuron: dense(200) -> lif dropout 0.2");
        }
    }

    /**
     * The layer's name: as written, or {@code <kind><n>} counting layers of that kind from 1 and
     * skipping names the file uses. A name used twice is reported and the later layer renamed
     * internally, so that the graph stays well formed and later checks still run.
     */
    private String layerName(String written, SourcePos at, String kind) {
        if (written == null) {
            String name;
            do {
                int n = autoCounters.merge(kind, 1, Integer::sum);
                name = kind + n;
            } while (explicitNames.containsKey(name) || usedNames.containsKey(name));
            usedNames.put(name, at);
            return name;
        }
        SourcePos first = usedNames.get(written);
        if (first != null) {
            out.add(ErrorCode.E206, at, "a second layer named '" + written + "'; the first is at line " + first.line(),
                    "give each layer its own name");
            String renamed = written;
            for (int i = 2; usedNames.containsKey(renamed); i++) {
                renamed = written + "#" + i;
            }
            usedNames.put(renamed, at);
            return renamed;
        }
        usedNames.put(written, at);
        return written;
    }

    private void append(Node node, String from) {
        nodes.add(node);
        usedNames.putIfAbsent(node.name(), node.pos());
        edges.add(new Edge(from, node.name()));
        current = node.name();
        currentShape = node.shape();
    }

    private static Origin origin(SourcePos at, Args a) {
        return new Origin(at, a.positions(""));
    }
}
