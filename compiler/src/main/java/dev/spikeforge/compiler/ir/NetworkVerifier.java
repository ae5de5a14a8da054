package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.quant.Leaks;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules a valid model obeys, one method each, named by what they require. Every rule runs,
 * so that all problems of a model are reported at once. Ranges are those of docs/language.md
 * (section 3.9) and docs/semantics.md.
 */
final class NetworkVerifier {

    static final int MIN_WEIGHT_BITS = 2;
    static final int MAX_WEIGHT_BITS = 16;
    static final int MIN_MEMBRANE_BITS = 4;
    static final int MAX_MEMBRANE_BITS = 32;
    static final int MAX_FRACTION_BITS = 24;

    private final Network net;
    private final Diagnostics out = new Diagnostics();

    private NetworkVerifier(Network net) {
        this.net = net;
    }

    static List<Diagnostic> verify(Network net) {
        NetworkVerifier v = new NetworkVerifier(net);
        v.timestepsArePositive();
        v.eventBinsAreTheTimeSteps();
        v.rowsAreTheImageRows();
        v.inputIsWhatTheDatasetMakes();
        v.poolingUsesIntegrateAndFire();
        v.neuronParametersAreInRange();
        v.everyNeuronDefinitionIsUsed();
        v.layerParametersAreInRange();
        v.weightsFitTheEngines();
        v.recurrentLayersHaveNeurons();
        v.maxpoolTakesSpikes();
        v.shapesFitEveryLayer();
        v.exactlyOneReadoutEndsTheNetwork();
        v.net.train().ifPresent(t -> {
            v.trainSettingsAreInRange(t);
            v.augmentMovesImages(t);
            v.methodCanTrainTheReadout(t);
            v.methodCanTrainTime(t);
            v.lossSuitsTheMethod(t);
            v.mseTargetsCanBeReached(t);
        });
        v.net.deploy().ifPresent(d -> {
            v.deployFormatsAreInRange(d);
            v.shiftLeakKeepsDeclaredBeta(d);
            v.leakFormRepresentsEveryBeta(d);
            v.maxpoolWindowsFitAWrappingMembrane(d);
        });
        return Diagnostics.sorted(v.out.list());
    }

    private void timestepsArePositive() {
        if (net.timesteps() < 1) {
            out.add(ErrorCode.E301, net.origin().of("timesteps"),
                    "timesteps must be at least 1, got " + net.timesteps());
        }
    }

    /**
     * docs/language.md section 3.2: an event stream is binned into the T steps of the run (no
     * engine reads events yet, docs/semantics.md section 6).
     */
    private void eventBinsAreTheTimeSteps() {
        Encoding e = net.input().encoding();
        if (e.kind() == Encoding.Kind.EVENTS && net.timesteps() >= 1 && e.bins() != net.timesteps()) {
            out.add(ErrorCode.E302, net.input().pos(), "encode events(bins = " + e.bins() + ") but timesteps "
                    + net.timesteps() + ": the event stream is binned into one bin per time step",
                    "make them equal, for example timesteps " + e.bins());
        }
    }

    /**
     * An audio dataset's front end decides the input (docs/language.md section 4.2): the
     * filterbank makes {@code channels} event bits per step, read with {@code encode events(bins =
     * T)} where T is the clip's steps; mfcc makes a 1 x n_mfcc x frames image of bytes, read by any
     * encoding of images. Event files need {@code encode events}, and {@code encode events} needs
     * event files or the filterbank.
     */
    private void inputIsWhatTheDatasetMakes() {
        InputNode in = net.input();
        TrainSpec t = net.train().orElse(null);
        if (t == null || !in.shape().isKnown()) {
            return;
        }
        Encoding e = in.encoding();
        if (t.dataset() instanceof TrainSpec.AudioDataset a) {
            Shape shape = a.inputShape();
            String front = a.frontend().keyword();
            if (a.frontend() instanceof Frontend.Filterbank f) {
                int steps = a.eventSteps();
                if (in.shape().size() != f.channels() || e.kind() != Encoding.Kind.EVENTS || net.timesteps() != steps) {
                    out.add(ErrorCode.E302, in.pos(), "the filterbank makes " + f.channels() + " event bits per step, "
                            + steps + " steps of " + Frontend.Values.num(f.stepMs()) + " ms in " + Frontend.Values.num(a.seconds())
                            + " s, but the model has input " + in.shape() + " encode " + e + " and timesteps "
                            + net.timesteps(), "use input " + f.channels() + " encode events(bins = " + steps
                            + ") and timesteps " + steps);
                }
            } else if (in.shape().size() != shape.size() || e.kind() == Encoding.Kind.EVENTS
                    || e.kind() == Encoding.Kind.ROWS) {
                out.add(ErrorCode.E302, in.pos(), front + " makes a " + shape + " image of each " + Frontend.Values.num(a.seconds())
                        + " s clip (coefficients x frames), but the model has input " + in.shape() + " encode " + e,
                        "use input " + shape + " encode direct (or poisson, latency)");
            }
            return;
        }
        if (t.dataset() instanceof TrainSpec.EventDataset && e.kind() != Encoding.Kind.EVENTS) {
            out.add(ErrorCode.E302, in.pos(), "dataset events reads recorded events, but the input is encode " + e,
                    "use encode events(bins = " + Math.max(1, net.timesteps()) + ")");
        } else if (!(t.dataset() instanceof TrainSpec.EventDataset) && e.kind() == Encoding.Kind.EVENTS) {
            out.add(ErrorCode.E302, in.pos(), "encode " + e + " reads recorded events, but dataset " + t.dataset().keyword()
                    + " holds images", "use dataset = events(\"DIR\") for event files, or"
                    + " dataset = audio(\"DIR\", frontend = filterbank()) for sound");
        }
    }

    /**
     * {@code augment} moves and mirrors the pixels of each training image before it is encoded
     * (docs/language.md, {@code augment}): a sample must be one image (which {@code encode rows}
     * also reads, a row per step) or an event recording whose bins are C x H x W frames (every bin
     * moved alike), and a shift must leave some of it in view.
     */
    private void augmentMovesImages(TrainSpec t) {
        TrainSpec.Augment a = t.augment();
        if (a.none()) {
            return;
        }
        InputNode in = net.input();
        Encoding e = in.encoding();
        Shape shape = in.shape();
        if (e.kind() == Encoding.Kind.EVENTS && !(shape.isKnown() && shape.rank() == 3)) {
            // a recording's bins are frames only when the input is a sensor's C x H x W
            out.add(ErrorCode.E302, t.origin().of("augment"), "augment = " + a + " moves the pixels of each bin's"
                    + " frame, but encode " + e + " reads input " + shape + ", which has no rows and columns to move",
                    "remove augment, or declare the event sensor's C x H x W as the input (for example input 2x34x34)");
            return;
        }
        String image = null;
        int side = Integer.MAX_VALUE;
        if (shape.isKnown() && shape.rank() == 3) {
            image = "a " + shape + (e.kind() == Encoding.Kind.EVENTS ? " frame" : " image");
            side = Math.min(shape.height(), shape.width());
        } else if (t.dataset() instanceof TrainSpec.NamedDataset d) {
            image = "a " + d.keyword() + " image (" + NAMED_DATASET_SIDE + " x " + NAMED_DATASET_SIDE + ")";
            side = NAMED_DATASET_SIDE;
        }
        if (a.shift() >= side) {
            out.add(ErrorCode.E301, t.origin().of("augment.pixels"), "augment shift(" + a.shift() + ") moves "
                    + image + " out of view: the shift must be below its height and width (" + side + ")",
                    "for example shift(2)");
        }
    }

    /** The images of the datasets spikeforge knows by name (fashion_mnist, mnist): 28 rows of 28 pixels. */
    private static final int NAMED_DATASET_SIDE = 28;

    /**
     * encode rows feeds row t of an image at step t: the input is one row (a flat size, the image
     * width) and timesteps is the image height. The height and width are checked here for the
     * datasets known by name; for a dataset from files, when it is loaded.
     */
    private void rowsAreTheImageRows() {
        InputNode in = net.input();
        if (in.encoding().kind() != Encoding.Kind.ROWS || !in.shape().isKnown()) {
            return;
        }
        if (in.shape().rank() != 1) {
            out.add(ErrorCode.E302, in.pos(), "encode rows feeds one image row per step, but input " + in.shape()
                    + " is not a row", "declare the row width and one step per row, for example input 28 encode rows"
                    + " with timesteps 28 for 28x28 images");
            return;
        }
        TrainSpec t = net.train().orElse(null);
        int levels = in.encoding().levels();
        long width = (long) NAMED_DATASET_SIDE * Math.max(1, levels);
        if (t != null && t.dataset() instanceof TrainSpec.NamedDataset d && net.timesteps() >= 1
                && (net.timesteps() != NAMED_DATASET_SIDE || in.shape().size() != width)) {
            if (levels > 0) {
                out.add(ErrorCode.E302, in.pos(), "encode " + in.encoding() + " reads " + d.keyword() + "'s 28x28 images"
                        + " as 28 steps of 28 pixels, " + levels + " spike inputs each (28 x " + levels + " = " + width
                        + "), but the model has input " + in.shape() + " and timesteps " + net.timesteps(),
                        "use input " + width + " encode " + in.encoding() + " and timesteps 28");
            } else {
                out.add(ErrorCode.E302, in.pos(), "encode rows reads " + d.keyword() + "'s 28x28 images as 28 steps of"
                        + " 28 pixels, but the model has input " + in.shape() + " and timesteps " + net.timesteps(),
                        "use input 28 encode rows and timesteps 28");
            }
        }
    }

    /** docs/semantics.md section 2.2: spiking average pooling feeds an IF neuron (beta = 1). */
    private void poolingUsesIntegrateAndFire() {
        for (Node node : net.nodes()) {
            if (!(node instanceof NeuronNode n) || n.neuron().model() == NeuronModel.IF) {
                continue;
            }
            List<Node> ins = net.inputsOf(n);
            if (!ins.isEmpty() && ins.get(0) instanceof AvgPoolNode pool) {
                out.add(ErrorCode.E221, n.pos(), "avgpool '" + pool.userLayer() + "' uses neuron '" + n.neuron().name()
                        + (n.neuron().model() == NeuronModel.CUBA
                        ? "', a CUBA; spiking average pooling integrates its window directly, without leak or synaptic current"
                        : "', a LIF; spiking average pooling integrates without leak"),
                        "declare an IF neuron for pooling: neuron pool = IF(threshold = 0.75)");
            }
        }
    }

    private void neuronParametersAreInRange() {
        for (NeuronDefinition n : net.neurons()) {
            if (!Double.isNaN(n.tau()) && !(n.tau() > 0)) {
                out.add(ErrorCode.E301, n.origin().of("tau"), "tau of neuron '" + n.name()
                        + "' must be a positive number of steps, got " + fmt(n.tau()));
            } else if (n.model() == NeuronModel.LIF && !(n.beta() > 0 && n.beta() < 1)) {
                out.add(ErrorCode.E301, n.origin().of("beta"), "beta of neuron '" + n.name()
                        + "' must be between 0 and 1 (exclusive), got " + fmt(n.beta()),
                        "beta = exp(-1/tau): tau = 20 steps is beta = 0.951; for no leak declare IF(...)");
            } else if (n.model() == NeuronModel.CUBA && !(n.beta() > 0 && n.beta() <= 1)) {
                out.add(ErrorCode.E301, n.origin().of(n.origin().has("tau") ? "tau" : "beta"), "beta of neuron '"
                        + n.name() + "' must be in (0, 1], got " + fmt(n.beta()),
                        "beta = exp(-1/tau): tau = 20 steps is beta = 0.951; beta = 1 (the default) is a membrane without leak");
            } else if (n.model() == NeuronModel.IF && n.beta() != 1.0) {
                out.add(ErrorCode.E301, n.origin().of("beta"), "an IF neuron has beta = 1, '" + n.name()
                        + "' has " + fmt(n.beta()));
            }
            if (!Double.isNaN(n.tauSyn()) && !(n.tauSyn() > 0)) {
                out.add(ErrorCode.E301, n.origin().of("tau_syn"), "tau_syn of neuron '" + n.name()
                        + "' must be a positive number of steps, got " + fmt(n.tauSyn()),
                        "alpha = exp(-1/tau_syn): tau_syn = 5 steps is alpha = 0.819; for no synaptic current declare LIF(...)");
            } else if (n.model() == NeuronModel.CUBA && !(n.alpha() >= 0 && n.alpha() < 1)) {
                out.add(ErrorCode.E301, n.origin().of("alpha"), "alpha of neuron '" + n.name()
                        + "' must be at least 0 and below 1, got " + fmt(n.alpha()),
                        "alpha = exp(-1/tau_syn): tau_syn = 5 steps is alpha = 0.819; alpha = 0 is a LIF");
            }
            if (!(n.theta() > 0) || Double.isInfinite(n.theta())) {
                out.add(ErrorCode.E301, n.origin().of("threshold"), "threshold of neuron '" + n.name()
                        + "' must be greater than 0, got " + fmt(n.theta()));
            }
        }
    }

    private void everyNeuronDefinitionIsUsed() {
        Set<String> used = net.usedNeurons();
        for (NeuronDefinition n : net.neurons()) {
            if (!used.contains(n.name())) {
                out.add(ErrorCode.W602, n.origin().pos(), "neuron '" + n.name() + "' is defined but no layer uses it");
            }
        }
    }

    private void layerParametersAreInRange() {
        for (Node node : net.nodes()) {
            if (node instanceof Conv2dNode c) {
                atLeast(c, "filters", c.filters(), 1);
                atLeast(c, "kernel", c.kernel(), 1);
                atLeast(c, "stride", c.stride(), 1);
                atLeast(c, "padding", c.padding(), 0);
            } else if (node instanceof Conv1dNode c) {
                atLeast(c, "filters", c.filters(), 1);
                atLeast(c, "kernel", c.kernel(), 1);
                atLeast(c, "stride", c.stride(), 1);
                atLeast(c, "padding", c.padding(), 0);
            } else if (node instanceof DenseNode d) {
                atLeast(d, "units", d.units(), 1);
            } else if (node instanceof MaxPoolNode p) {
                atLeast(p, "kernel", p.kernel(), 1);
            } else if (node instanceof AvgPoolNode p) {
                atLeast(p, "kernel", p.kernel(), 1);
            } else if (node instanceof DropoutNode d && !(d.p() >= 0 && d.p() < 1)) {
                out.add(ErrorCode.E301, d.origin().of("p"), "dropout of '" + d.userLayer()
                        + "' must be at least 0 and below 1, got " + fmt(d.p()),
                        "dropout 1.0 would silence the layer; typical values are 0.1 to 0.5");
            } else if (node instanceof ReadoutNode r) {
                atLeast(r, "classes", r.classes(), 1);
                if (r.mode() == ReadoutMode.MEMBRANE && !(r.beta() > 0 && r.beta() <= 1)) {
                    out.add(ErrorCode.E301, r.origin().of("beta"), "beta of readout '" + r.userLayer()
                            + "' must be in (0, 1], got " + fmt(r.beta()));
                }
            }
        }
    }

    /** E222: a recurrent dense layer feeds its own neurons' spikes back, so it needs a neuron node after it. */
    private void recurrentLayersHaveNeurons() {
        for (Node node : net.nodes()) {
            if (node instanceof DenseNode d && d.isRecurrent()
                    && net.consumersOf(d).stream().noneMatch(c -> c instanceof NeuronNode)) {
                out.add(ErrorCode.E222, d.origin().of("recurrent"), "dense '" + d.userLayer() + "' is recurrent = "
                        + d.recurrent().keyword() + " but has no neuron whose spikes could come back",
                        "a recurrent layer needs a neuron of its own, as in dense(" + d.units() + ", recurrent = "
                                + d.recurrent().keyword() + ") -> lif; move it out of the end of the residual block, or"
                                + " make it recurrent = false");
            }
        }
    }

    /** E223: maxpool is the OR of spikes, so its input holds 0s and 1s only. */
    private void maxpoolTakesSpikes() {
        for (Node node : net.nodes()) {
            if (!(node instanceof MaxPoolNode p)) {
                continue;
            }
            Node in = net.inputsOf(p).isEmpty() ? null : net.inputsOf(p).get(0);
            if (in instanceof InputNode input && (input.encoding().analog()
                    || input.encoding().kind() == Encoding.Kind.BIPOLAR)) {
                out.add(ErrorCode.E223, p.pos(), "maxpool '" + p.userLayer() + "' takes the " + input.encoding().kind()
                        .name().toLowerCase(java.util.Locale.ROOT) + " input, whose values are not spikes of 0 and 1",
                        "put a spiking layer before it, or encode the input as poisson, latency or events");
            } else if (in != null && !(in instanceof InputNode || in instanceof NeuronNode || in instanceof MaxPoolNode
                    || in instanceof DropoutNode || in instanceof FlattenNode)
                    && (in.shape().isSpatial() || in.shape().isSequence())) {
                // a flat input (a readout's or a flatten's) is E401 of the maxpool's shape rule already
                out.add(ErrorCode.E223, p.pos(), "maxpool '" + p.userLayer() + "' takes the current of " + in.kind() + " '"
                        + in.userLayer() + "', not spikes", "give '" + in.userLayer() + "' a neuron: ... -> lif maxpool("
                        + p.kernel() + ")");
            }
        }
    }

    /** E506: under overflow = wrap, a maxpool's full window must not wrap its count below 1. */
    private void maxpoolWindowsFitAWrappingMembrane(DeploySpec d) {
        if (d.overflow() != DeploySpec.Overflow.WRAP || d.membraneBits() < MIN_MEMBRANE_BITS
                || d.membraneBits() > MAX_MEMBRANE_BITS) {
            return; // a width out of range is deployFormatsAreInRange's
        }
        for (Node node : net.nodes()) {
            String[] why = node instanceof MaxPoolNode p ? p.wrapsIn(d.membraneBits()) : null;
            if (why != null) {
                out.add(ErrorCode.E506, node.pos(), why[0], why[1]);
            }
        }
    }

    /** A layer's weights are one array of the engines: at most {@link Shape#MAX_ELEMENTS} of them. */
    private void weightsFitTheEngines() {
        for (Node node : net.nodes()) {
            long weights = node instanceof Conv2dNode c ? c.weightCount()
                    : node instanceof Conv1dNode c ? c.weightCount()
                    : node instanceof DenseNode d ? Math.max(Shape.times(d.units(), d.inFeatures()), d.recurrent().weights(d.units()))
                    : node instanceof ReadoutNode r ? Shape.times(r.classes(), r.inFeatures()) : 0;
            if (node instanceof DenseNode d && d.recurrent().weights(d.units()) > Shape.MAX_ELEMENTS
                    && d.recurrent().weights(d.units()) >= Shape.times(d.units(), d.inFeatures())) {
                // the recurrent weights (units x units) are their own array
                out.add(ErrorCode.E404, node.pos(), "dense '" + d.userLayer() + "' has " + d.units() + " x " + d.units()
                        + " = " + ShapeRules.count(weights) + " recurrent weights; the engines index at most "
                        + ShapeRules.count(Shape.MAX_ELEMENTS) + " per array",
                        "use fewer units, or recurrent = diagonal (one recurrent weight per unit)");
            } else if (weights > Shape.MAX_ELEMENTS) {
                out.add(ErrorCode.E404, node.pos(), node.kind() + " '" + node.userLayer() + "' has "
                        + ShapeRules.count(weights) + " weights; the engines index at most "
                        + ShapeRules.count(Shape.MAX_ELEMENTS) + " per array", node instanceof Conv2dNode
                        || node instanceof Conv1dNode ? "use fewer filters, fewer input channels or a smaller kernel"
                        : "use fewer units, or a smaller input to it (a pooling layer before it)");
            }
        }
    }

    private void atLeast(Node node, String param, int value, int min) {
        if (value < min) {
            out.add(ErrorCode.E301, node.origin().of(param), param + " of '" + node.userLayer() + "' must be at least "
                    + min + ", got " + value);
        }
    }

    private void shapesFitEveryLayer() {
        for (Node node : net.nodes()) {
            if (node instanceof ResidualAddNode add) {
                ShapeRules.add(net.inputShapes(add), blockInput(add), add, out);
            } else {
                ShapeRules.outputOf(node, net.inputShapes(node), out);
            }
        }
    }

    /** The shape entering a residual block: where its skip path starts. */
    private Shape blockInput(ResidualAddNode add) {
        List<Node> ins = net.inputsOf(add);
        if (ins.size() != 2) {
            return Shape.UNKNOWN;
        }
        Node skip = ins.get(1);
        if (skip instanceof Conv2dNode && skip.layer().equals(add.userLayer())) {
            List<Shape> skipIn = net.inputShapes(skip);
            return skipIn.isEmpty() ? Shape.UNKNOWN : skipIn.get(0);
        }
        return skip.shape();
    }

    private void exactlyOneReadoutEndsTheNetwork() {
        List<ReadoutNode> readouts = net.readouts();
        if (readouts.isEmpty()) {
            out.add(ErrorCode.E203, net.origin().of("layers"), "model '" + net.name() + "' has no readout layer",
                    "end the layers block with a readout, for example: out = readout(10, mode = accumulate)");
            return;
        }
        for (ReadoutNode extra : readouts.subList(1, readouts.size())) {
            out.add(ErrorCode.E204, extra.pos(), "a second readout '" + extra.userLayer() + "'; the first is '"
                    + readouts.get(0).userLayer() + "' at line " + readouts.get(0).pos().line(),
                    "a model has exactly one readout, its last layer");
        }
        int first = net.nodes().indexOf(readouts.get(0));
        String lastLayer = readouts.get(0).userLayer();
        for (Node n : net.nodes().subList(first + 1, net.nodes().size())) {
            if (!n.layer().equals(lastLayer) && !(n instanceof ReadoutNode)) {
                out.add(ErrorCode.E205, n.pos(), "layer '" + n.userLayer() + "' comes after the readout '"
                        + readouts.get(0).userLayer() + "'", "the readout must be the last layer; move it to the end");
                lastLayer = n.layer();
            }
        }
    }

    private void trainSettingsAreInRange(TrainSpec t) {
        Origin o = t.origin();
        if (t.epochs() < 1) {
            out.add(ErrorCode.E301, o.of("epochs"), "epochs must be at least 1, got " + t.epochs());
        }
        if (t.batch() < 1) {
            out.add(ErrorCode.E301, o.of("batch"), "batch must be at least 1, got " + t.batch());
        }
        if (t.qatEpochs() < 0) {
            out.add(ErrorCode.E301, o.of("qat_epochs"), "qat_epochs must be at least 0, got " + t.qatEpochs());
        }
        if (!(t.validation() >= 0 && t.validation() < 1)) {
            out.add(ErrorCode.E301, o.of("validation"), "validation (the share of the training samples held out) must"
                    + " be at least 0 and below 1, got " + fmt(t.validation()), "for example validation = 0.1");
        }
        if (t.method() instanceof TrainSpec.Surrogate s && !(s.slope() > 0)) {
            out.add(ErrorCode.E301, o.of("method.slope"), "surrogate slope must be greater than 0, got " + fmt(s.slope()));
        }
        if (!(t.optimizer().lr() > 0)) {
            out.add(ErrorCode.E301, o.of("optimizer.lr"), "learning rate must be greater than 0, got "
                    + fmt(t.optimizer().lr()));
        }
        if (t.optimizer() instanceof TrainSpec.Sgd sgd) {
            inUnitInterval(o.of("optimizer.momentum"), "momentum", sgd.momentum());
            nonNegative(o.of("optimizer.weight_decay"), "weight_decay", sgd.weightDecay());
        } else if (t.optimizer() instanceof TrainSpec.Adam adam) {
            inUnitInterval(o.of("optimizer.beta1"), "beta1", adam.beta1());
            inUnitInterval(o.of("optimizer.beta2"), "beta2", adam.beta2());
            if (!(adam.eps() > 0)) {
                out.add(ErrorCode.E301, o.of("optimizer.eps"), "eps must be greater than 0, got " + fmt(adam.eps()));
            }
            nonNegative(o.of("optimizer.weight_decay"), "weight_decay", adam.weightDecay());
        }
        if (t.schedule() instanceof TrainSpec.StepSchedule step) {
            if (!(step.gamma() > 0)) {
                out.add(ErrorCode.E301, o.of("schedule.gamma"), "gamma must be greater than 0, got " + fmt(step.gamma()));
            }
            int previous = 0;
            for (int m : step.milestones()) {
                if (m <= previous) {
                    out.add(ErrorCode.E301, o.of("schedule.milestones"), "milestones must be increasing epoch numbers"
                            + " from 1, got " + step.milestones());
                    break;
                }
                previous = m;
            }
        }
    }

    private void inUnitInterval(SourcePos pos, String what, double v) {
        if (!(v >= 0 && v < 1)) {
            out.add(ErrorCode.E301, pos, what + " must be at least 0 and below 1, got " + fmt(v));
        }
    }

    private void nonNegative(SourcePos pos, String what, double v) {
        if (!(v >= 0)) {
            out.add(ErrorCode.E301, pos, what + " must be at least 0, got " + fmt(v));
        }
    }

    private void methodCanTrainTheReadout(TrainSpec t) {
        boolean needsSilentReadout = t.method() instanceof TrainSpec.SpikeBp || t.method() instanceof TrainSpec.Asf;
        for (ReadoutNode r : net.readouts()) {
            if (needsSilentReadout && r.mode().spiking()) {
                out.add(ErrorCode.E500, t.origin().of("method"), "method " + t.method().keyword()
                        + " trains a non-spiking readout, but '" + r.userLayer() + "' uses mode = count",
                        "use readout(" + r.classes() + ", mode = accumulate), or method = surrogate");
            }
        }
    }

    /** E505: spike_bp and asf replace the time loop by sums over time, which a state carried in time breaks. */
    private void methodCanTrainTime(TrainSpec t) {
        if (!(t.method() instanceof TrainSpec.SpikeBp || t.method() instanceof TrainSpec.Asf)) {
            return;
        }
        for (Node node : net.nodes()) {
            String what = node instanceof DenseNode d && d.isRecurrent() ? "dense '" + d.userLayer() + "' is recurrent"
                    : node instanceof NeuronNode n && n.neuron().hasSynapticCurrent() ? "layer '" + n.userLayer()
                    + "' has CUBA neuron '" + n.neuron().name() + "' with a synaptic current" : null;
            if (what != null) {
                what += ": its state carries over from step to step";
            } else if (net.timing() == Timing.PIPELINED) {
                what = "the deploy block's timing = pipelined hands each layer's spikes to the next layer a step"
                        + " later, which a sum over time cannot tell apart";
            }
            if (what != null) {
                out.add(ErrorCode.E505, t.origin().of("method"), "method " + t.method().keyword() + " trains on spike"
                        + " counts summed over time, but " + what,
                        "use method = surrogate (backpropagation through time)");
                return;
            }
        }
    }

    private void lossSuitsTheMethod(TrainSpec t) {
        boolean mseMethod = t.method() instanceof TrainSpec.SpikeBp || t.method() instanceof TrainSpec.Asf;
        if (mseMethod && t.loss() != TrainSpec.Loss.MSE) {
            out.add(ErrorCode.W604, t.origin().of("loss"), "method " + t.method().keyword()
                    + " is defined with the mse loss on the readout; " + t.loss().keyword() + " is used as asked");
        }
    }

    /** The true class's target must be above the others', and a firing rate lies in [0, 1]. */
    private void mseTargetsCanBeReached(TrainSpec t) {
        TrainSpec.MseTargets m = t.targets();
        if (m.oneHot()) {
            return;
        }
        Origin o = t.origin();
        if (!(m.correct() > m.incorrect())) {
            out.add(ErrorCode.E301, o.of("loss.correct"), "the mse target of the true class (correct = "
                    + fmt(m.correct()) + ") must be above the other classes' (incorrect = " + fmt(m.incorrect()) + ")",
                    "for example loss = mse(correct = 0.8, incorrect = 0.2)");
            return;
        }
        for (ReadoutNode r : net.readouts()) {
            if (r.mode() == ReadoutMode.COUNT && (m.incorrect() < 0 || m.correct() > 1)) {
                boolean high = m.correct() > 1;
                out.add(ErrorCode.E301, o.of(high ? "loss.correct" : "loss.incorrect"), "'" + r.userLayer()
                        + "' counts spikes, so the mse loss compares its firing rate (spike count / T, from 0 to 1)"
                        + " with the targets, and " + (high ? "correct = " + fmt(m.correct()) + " is above 1"
                        : "incorrect = " + fmt(m.incorrect()) + " is below 0"),
                        "give rates from 0 to 1, for example loss = mse(correct = 0.8, incorrect = 0.2)");
            }
        }
    }

    private void deployFormatsAreInRange(DeploySpec d) {
        Origin o = d.origin();
        if (d.weightBits() < MIN_WEIGHT_BITS || d.weightBits() > MAX_WEIGHT_BITS) {
            out.add(ErrorCode.E301, o.of("weights.bits"), "weight bits must be " + MIN_WEIGHT_BITS + " to "
                    + MAX_WEIGHT_BITS + ", got " + d.weightBits());
        }
        if (d.membraneBits() < MIN_MEMBRANE_BITS || d.membraneBits() > MAX_MEMBRANE_BITS) {
            out.add(ErrorCode.E301, o.of("membrane.bits"), "membrane bits must be " + MIN_MEMBRANE_BITS + " to "
                    + MAX_MEMBRANE_BITS + ", got " + d.membraneBits());
        }
        // without current_bits the current is as wide as the membrane, whose range is reported above
        if (o.has("current_bits") && (d.currentBits() < MIN_MEMBRANE_BITS || d.currentBits() > MAX_MEMBRANE_BITS)) {
            out.add(ErrorCode.E301, o.of("current_bits"),
                    "current bits (the synaptic current of CUBA neurons) must be " + MIN_MEMBRANE_BITS + " to "
                    + MAX_MEMBRANE_BITS + ", got " + d.currentBits());
        }
        if (d.leak() instanceof DeploySpec.MultiplierLeak m
                && (m.fractionBits() < 1 || m.fractionBits() > MAX_FRACTION_BITS)) {
            out.add(ErrorCode.E301, o.of("leak.fraction"), "multiplier fraction bits must be 1 to "
                    + MAX_FRACTION_BITS + ", got " + m.fractionBits());
        }
    }

    private void shiftLeakKeepsDeclaredBeta(DeploySpec d) {
        if (!(d.leak() instanceof DeploySpec.ShiftLeak)) {
            return;
        }
        Set<String> used = net.usedNeurons();
        for (NeuronDefinition n : net.neurons()) {
            if (n.model() == NeuronModel.CUBA && used.contains(n.name()) && n.alpha() > 0 && n.alpha() < 1) {
                int k = DeploySpec.shiftFor(n.alpha());
                double represented = DeploySpec.betaOfShift(k);
                if (represented != n.alpha()) {
                    out.add(ErrorCode.W603, n.origin().of(n.origin().has("tau_syn") ? "tau_syn" : "alpha"),
                            "leak = shift represents alpha " + fmt(n.alpha()) + " of neuron '" + n.name()
                                    + "' as 1 - 2^-" + k + " = " + fmt(represented) + "; training uses " + fmt(represented));
                }
            }
            if (n.model() == NeuronModel.IF || !used.contains(n.name()) || !(n.beta() > 0 && n.beta() < 1)) {
                continue;
            }
            int k = DeploySpec.shiftFor(n.beta());
            double represented = DeploySpec.betaOfShift(k);
            if (represented != n.beta()) {
                out.add(ErrorCode.W603, n.origin().of(n.origin().has("tau") ? "tau" : "beta"), "leak = shift represents beta " + fmt(n.beta())
                        + " of neuron '" + n.name() + "' as 1 - 2^-" + k + " = " + fmt(represented)
                        + "; training uses " + fmt(represented));
            }
        }
    }

    /** E501: every used LIF neuron (and a leaky membrane readout) has a beta the leak form can store. */
    private void leakFormRepresentsEveryBeta(DeploySpec d) {
        if (d.leak() instanceof DeploySpec.ShiftLeak) {
            return;
        }
        Set<String> used = net.usedNeurons();
        for (NeuronDefinition n : net.neurons()) {
            if (used.contains(n.name()) && n.beta() > 0 && n.beta() < 1) {
                leakRepresents(d, n.beta(), "neuron '" + n.name() + "'", n.origin().of(n.origin().has("tau") ? "tau" : "beta"));
            }
            if (used.contains(n.name()) && n.alpha() > 0 && n.alpha() < 1) {
                alphaLeakRepresents(d, n);
            }
        }
        for (ReadoutNode r : net.readouts()) {
            if (r.mode() == ReadoutMode.MEMBRANE && r.beta() > 0 && r.beta() < 1) {
                leakRepresents(d, r.beta(), "readout '" + r.userLayer() + "'", r.origin().of("beta"));
            }
        }
    }

    private void leakRepresents(DeploySpec d, double beta, String what, SourcePos pos) {
        if (d.leak() instanceof DeploySpec.MultiplierLeak m
                && (m.fractionBits() < 1 || m.fractionBits() > MAX_FRACTION_BITS)) {
            return; // out of range: reported by deployFormatsAreInRange, and no multiplier can be built
        }
        if (Leaks.represent(beta, d.leak()) == null) {
            String[] why = Leaks.whyNot(beta, d.leak());
            out.add(ErrorCode.E501, pos, what + ": " + why[0], why[1]);
        }
    }

    /** The synaptic current decays by the deploy block's leak form too (docs/semantics.md section 4.5). */
    private void alphaLeakRepresents(DeploySpec d, NeuronDefinition n) {
        if (d.leak() instanceof DeploySpec.MultiplierLeak m
                && (m.fractionBits() < 1 || m.fractionBits() > MAX_FRACTION_BITS)) {
            return;
        }
        if (Leaks.represent(n.alpha(), d.leak()) == null) {
            String[] why = Leaks.whyNot(n.alpha(), d.leak());
            boolean none = d.leak() instanceof DeploySpec.NoLeak;
            out.add(ErrorCode.E501, n.origin().of(n.origin().has("tau_syn") ? "tau_syn" : "alpha"), "neuron '" + n.name()
                    + "': the synaptic current's alpha" + why[0].substring("beta".length()),
                    none ? "use leak = shift or leak = multiplier(12); a neuron without synaptic current is a LIF" : why[1]);
        }
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return (long) v + ".0";
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
