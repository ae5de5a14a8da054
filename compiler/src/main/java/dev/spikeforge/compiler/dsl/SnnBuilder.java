package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.dsl.Args.Param;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.NeuronModel;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.ShapeRules;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parse tree to {@link Network}. Reports what cannot be put into the IR (unknown names, kinds,
 * parameters and options, wrong types, misplaced or missing statements); whether the IR it built
 * is a valid model is {@link Network#verify()}'s job.
 */
final class SnnBuilder {

    static final int DEFAULT_TIMESTEPS = 25;
    static final double DEFAULT_THRESHOLD = 1.0;
    static final List<String> ENCODINGS = List.of("poisson", "bipolar", "latency", "direct", "events", "rows");

    private static final List<Param> LIF = List.of(Param.optional("beta"), Param.optional("tau"),
            Param.optional("threshold"), Param.optional("reset"));
    private static final List<Param> IF = List.of(Param.optional("threshold"), Param.optional("reset"));
    private static final List<Param> CUBA = List.of(Param.optional("alpha"), Param.optional("tau_syn"),
            Param.optional("beta"), Param.optional("tau"), Param.optional("threshold"), Param.optional("reset"));
    private static final List<Param> EVENTS = List.of(Param.positional("bins"));
    private static final List<Param> ROWS = List.of(Param.positional("levels"));

    private final Diagnostics out;
    private final Map<String, SnnParser.StatementContext> firstOfKind = new LinkedHashMap<>();

    private final boolean afterSyntaxErrors;
    /** Neurons whose definition was reported as wrong: references to them are not reported again. */
    private final Set<String> brokenNeurons = new HashSet<>();

    private final List<String> targetFamilies;

    /**
     * @param afterSyntaxErrors a statement may be missing only because it failed to parse
     * @param targetFamilies    the target families a deploy block may name
     */
    SnnBuilder(Diagnostics out, boolean afterSyntaxErrors, List<String> targetFamilies) {
        this.out = out;
        this.afterSyntaxErrors = afterSyntaxErrors;
        this.targetFamilies = targetFamilies;
    }

    /** The network, or null when the file lacks what a network needs (model, input or layers). */
    Network build(SnnParser.FileContext file) {
        List<SnnParser.NeuronStmtContext> neuronStmts = new ArrayList<>();
        boolean first = true;
        for (SnnParser.StatementContext st : file.statement()) {
            if (st.exception != null) {
                // A neuron whose statement did not parse still exists: its uses are not "unknown".
                if (st instanceof SnnParser.NeuronStmtContext n && n.name != null) {
                    brokenNeurons.add(n.name.getText());
                }
                first = false;
                continue;
            }
            if (st instanceof SnnParser.NeuronStmtContext n) {
                neuronStmts.add(n);
            } else {
                once(st);
            }
            if (st instanceof SnnParser.ModelStmtContext && !first && firstOfKind.get("model") == st) {
                out.add(ErrorCode.E200, Positions.of(st.getStart()), "'model' must be the first statement of the file",
                        "move 'model " + ((SnnParser.ModelStmtContext) st).name.getText() + "' to the top");
            }
            first = false;
        }
        SnnParser.ModelStmtContext model = (SnnParser.ModelStmtContext) firstOfKind.get("model");
        SnnParser.InputStmtContext input = (SnnParser.InputStmtContext) firstOfKind.get("input");
        SnnParser.LayersStmtContext layers = (SnnParser.LayersStmtContext) firstOfKind.get("layers");
        SourcePos top = file.statement().isEmpty() ? SourcePos.of(1, 1, 1) : Positions.of(file.statement(0).getStart());
        if (afterSyntaxErrors && (model == null || input == null || layers == null)) {
            return null;
        }
        if (model == null) {
            out.add(ErrorCode.E202, top, "the file has no 'model NAME' statement", "start the file with: model my_model");
        }
        SourcePos modelPos = model == null ? top : Positions.of(model.name);
        if (input == null) {
            out.add(ErrorCode.E202, modelPos, "the model has no 'input' statement", "add for example: input 1x28x28 encode poisson");
        }
        if (layers == null) {
            out.add(ErrorCode.E202, modelPos, "the model has no 'layers { ... }' block");
        }

        Map<String, NeuronDefinition> neurons = neurons(neuronStmts);
        Map<String, SourcePos> originParams = new LinkedHashMap<>();
        int timesteps = timesteps(originParams);
        InputNode inputNode = input == null ? null : input(input);
        SettingsBuilder settings = new SettingsBuilder(out, targetFamilies);
        TrainSpec train = firstOfKind.containsKey("train")
                ? settings.train((SnnParser.TrainStmtContext) firstOfKind.get("train")) : null;
        DeploySpec deploy = firstOfKind.containsKey("deploy")
                ? settings.deploy((SnnParser.DeployStmtContext) firstOfKind.get("deploy")) : null;
        if (inputNode == null || layers == null) {
            return null;
        }
        LayerBuilder lb = new LayerBuilder(neurons, brokenNeurons, out);
        lb.build(inputNode, layers.layer());
        originParams.put("layers", Positions.of(layers.LAYERS().getSymbol()));
        String name = model == null ? "unnamed" : model.name.getText();
        return new Network(name, new Origin(modelPos, originParams), timesteps, List.copyOf(neurons.values()),
                lb.nodes(), lb.edges(), train, deploy);
    }

    /** Statements that may appear once: remember the first, report the others. */
    private void once(SnnParser.StatementContext st) {
        String kind = st.getStart().getText();
        SnnParser.StatementContext earlier = firstOfKind.putIfAbsent(kind, st);
        if (earlier != null) {
            out.add(ErrorCode.E201, Positions.of(st.getStart()), "a second '" + kind + "' statement; the first is at line "
                    + earlier.getStart().getLine(), "a model has one '" + kind + "'");
        }
    }

    private int timesteps(Map<String, SourcePos> originParams) {
        SnnParser.TimestepsStmtContext ctx = (SnnParser.TimestepsStmtContext) firstOfKind.get("timesteps");
        if (ctx == null) {
            return DEFAULT_TIMESTEPS;
        }
        Value.Num n = TreeValues.number(ctx.steps);
        if (n == null) {
            return DEFAULT_TIMESTEPS;
        }
        originParams.put("timesteps", n.pos());
        Integer t = Values.integer(n, "timesteps", out);
        return t == null ? DEFAULT_TIMESTEPS : t;
    }

    private InputNode input(SnnParser.InputStmtContext ctx) {
        SourcePos at = Positions.of(ctx.getStart());
        Shape shape = inputShape(ctx.dims);
        Encoding encoding = Encoding.POISSON;
        Value enc = TreeValues.of(ctx.encoding);
        if (enc instanceof Value.Call call && call.name().equals("events")) {
            Args a = Args.bind("encode events", call.pos(), call.args(), EVENTS, out);
            int bins = a.integer("bins", 1);
            if (a.has("bins") && bins < 1) {
                out.add(ErrorCode.E301, a.get("bins").pos(), "events bins must be at least 1, got " + bins);
            }
            encoding = new Encoding(Encoding.Kind.EVENTS, Math.max(1, bins));
        } else if (enc instanceof Value.Call call && call.name().equals("rows")) {
            Args a = Args.bind("encode rows", call.pos(), call.args(), ROWS, out);
            int levels = a.integer("levels", 1);
            if (a.has("levels") && (levels < 1 || levels > 255)) {
                out.add(ErrorCode.E301, a.get("levels").pos(), "rows levels must be 1 to 255 spike inputs per pixel, got "
                        + levels, "for example encode rows(levels = 4)");
            }
            encoding = Encoding.rows(Math.max(1, Math.min(255, levels)));
        } else if (enc instanceof Value.Name n && n.name().equals("events")) {
            out.add(ErrorCode.E211, n.pos(), "encode events needs 'bins'", "for example encode events(bins = 20)");
        } else if (enc instanceof Value.Call call) {
            out.add(ErrorCode.E215, call.pos(), "encode cannot be '" + call.name() + "(...)'"
                    + Suggestions.didYouMean(call.name(), ENCODINGS), "choose one of " + String.join(", ", ENCODINGS));
        } else if (enc != null) {
            String kind = Values.option(enc, "encode", ENCODINGS, out);
            if (kind != null) {
                encoding = new Encoding(Encoding.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), 0);
            }
        }
        return new InputNode("input", "input", Origin.at(at), shape, encoding);
    }

    private Shape inputShape(SnnParser.InputShapeContext ctx) {
        if (ctx == null || ctx.exception != null) {
            return Shape.UNKNOWN;
        }
        SourcePos pos = Positions.of(ctx);
        String[] parts = ctx.getText().split("x");
        if (parts.length > 3) {
            out.add(ErrorCode.E403, pos, "input shape " + ctx.getText() + " has " + parts.length
                    + " dimensions; write N (flat), CxL (channels x length) or CxHxW",
                    "batch and time are never part of a shape: one sample at one step is N, CxL or CxHxW");
            return Shape.UNKNOWN;
        }
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            long d;
            try {
                d = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                d = Long.MAX_VALUE;
            }
            if (d < 1 || d > Integer.MAX_VALUE) {
                out.add(ErrorCode.E403, pos, "input shape " + ctx.getText() + ": every size must be from 1 to "
                        + Integer.MAX_VALUE + ", got " + parts[i]);
                return Shape.UNKNOWN;
            }
            dims[i] = (int) d;
        }
        Shape shape = Shape.of(dims);
        if (shape.size() > Shape.MAX_ELEMENTS) {
            out.add(ErrorCode.E404, pos, "input shape " + ctx.getText() + " has " + ShapeRules.count(shape.size())
                    + " values per step; the engines index at most " + ShapeRules.count(Shape.MAX_ELEMENTS) + " per array",
                    "downsample the input, or cut it into smaller samples");
            return Shape.UNKNOWN;
        }
        return shape;
    }

    private Map<String, NeuronDefinition> neurons(List<SnnParser.NeuronStmtContext> stmts) {
        Map<String, NeuronDefinition> defs = new LinkedHashMap<>();
        for (SnnParser.NeuronStmtContext ctx : stmts) {
            if (ctx.name == null || ctx.model == null) {
                continue;
            }
            String name = ctx.name.getText();
            String modelName = ctx.model.getText();
            SourcePos modelPos = Positions.of(ctx.model);
            NeuronModel model;
            if (modelName.equals("LIF")) {
                model = NeuronModel.LIF;
            } else if (modelName.equals("IF")) {
                model = NeuronModel.IF;
            } else if (modelName.equals("CUBA")) {
                model = NeuronModel.CUBA;
            } else {
                out.add(ErrorCode.E209, modelPos, "unknown neuron model '" + modelName + "'"
                        + Suggestions.didYouMean(modelName, List.of("LIF", "IF", "CUBA")), "neuron models are LIF, IF and CUBA");
                brokenNeurons.add(name);
                continue;
            }
            Args a = Args.bind("neuron " + modelName, modelPos, TreeValues.args(ctx.argList()),
                    model == NeuronModel.LIF ? LIF : model == NeuronModel.CUBA ? CUBA : IF, out);
            double beta = 1.0;
            double tau = Double.NaN;
            double alpha = 0.0;
            double tauSyn = Double.NaN;
            if (model == NeuronModel.CUBA) {
                if (a.has("alpha") && a.has("tau_syn")) {
                    out.add(ErrorCode.E302, a.get("tau_syn").pos(), "neuron '" + name + "' gives both alpha and tau_syn",
                            "give one: alpha = exp(-1/tau_syn)");
                }
                if (!a.has("alpha") && !a.has("tau_syn")) {
                    out.add(ErrorCode.E211, modelPos, "neuron CUBA '" + name + "' needs 'alpha' or 'tau_syn' (the decay of"
                            + " its synaptic current)", "for example CUBA(alpha = 0.9, beta = 0.95) or CUBA(tau_syn = 5, tau = 20)");
                }
                if (a.has("tau_syn") && !a.has("alpha")) {
                    tauSyn = a.number("tau_syn", Double.NaN);
                    alpha = Math.exp(-1 / tauSyn);
                } else {
                    alpha = a.number("alpha", 0.5);
                }
                if (a.has("beta") && a.has("tau")) {
                    out.add(ErrorCode.E302, a.get("tau").pos(), "neuron '" + name + "' gives both beta and tau",
                            "give one: beta = exp(-1/tau)");
                }
                if (a.has("tau") && !a.has("beta")) {
                    tau = a.number("tau", Double.NaN);
                    beta = Math.exp(-1 / tau);
                } else {
                    beta = a.number("beta", 1.0);
                }
            }
            if (model == NeuronModel.LIF) {
                if (a.has("beta") && a.has("tau")) {
                    out.add(ErrorCode.E302, a.get("tau").pos(), "neuron '" + name + "' gives both beta and tau",
                            "give one: beta = exp(-1/tau)");
                }
                if (!a.has("beta") && !a.has("tau")) {
                    out.add(ErrorCode.E211, modelPos, "neuron LIF '" + name + "' needs 'beta' or 'tau'",
                            "for example LIF(beta = 0.95) or LIF(tau = 20)");
                }
                if (a.has("tau") && !a.has("beta")) {
                    tau = a.number("tau", Double.NaN);
                    beta = Math.exp(-1 / tau);
                } else {
                    beta = a.number("beta", 0.5);
                }
            }
            double theta = a.number("threshold", DEFAULT_THRESHOLD);
            Reset reset = Reset.valueOf(a.option("reset", List.of("subtract", "zero"), "subtract").toUpperCase(Locale.ROOT));
            Map<String, SourcePos> params = a.positions("");
            NeuronDefinition def = new NeuronDefinition(name, new Origin(Positions.of(ctx.name), params), model, beta,
                    theta, reset, tau, alpha, tauSyn);
            NeuronDefinition earlier = defs.get(name);
            if (earlier != null) {
                out.add(ErrorCode.E206, Positions.of(ctx.name), "a second neuron named '" + name
                        + "'; the first is at line " + earlier.origin().pos().line(), "give each neuron its own name");
                continue;
            }
            defs.put(name, def);
        }
        return defs;
    }
}
