package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The neurocore design rules: one method per constraint of {@link NeurocoreSpec}, each named as
 * the sentence that must hold, each violation naming the layer, the limit, how far over it is and
 * a fix. Rules that need trained weights (thresholds, biases, guard bits) are skipped when the
 * network is the shape-only quantisation ({@code check} before training, {@code Quantizer.quantizeShapes}),
 * whose synapses carry no weights; no rule reads a synapse's weights.
 */
public final class DesignRules {

    /** One rule's verdict. */
    public record Result(String rule, boolean checked, List<Violation> violations) {
        public boolean passed() {
            return violations.isEmpty();
        }
    }

    /** One violation: the layer (or "model"), what is over which limit by how much, and a fix. */
    public record Violation(String layer, String problem, String fix) {
    }

    /** A rule: its sentence and how to evaluate it. */
    record Rule(String sentence, boolean needsWeights, BiConsumer<DesignRules, List<Violation>> check) {
    }

    static final List<Rule> RULES = List.of(
            new Rule("Weights fit the core's weight width", false, DesignRules::weightWidth), // narrower ones are stored at min_weight_bits
            new Rule("The membrane format fits the core's membrane register", false, DesignRules::membraneWidth),
            new Rule("The chip implements every layer's leak", false, DesignRules::leakForm),
            new Rule("The membrane overflows as the chip's does", false, DesignRules::overflow),
            new Rule("Input values are spikes unless the chip takes graded input", false, DesignRules::gradedInput),
            new Rule("Layers with a synaptic current run on a chip that keeps one", false, DesignRules::synapticCurrent),
            new Rule("The synaptic current fits the chip's current register", false, DesignRules::currentWidth),
            new Rule("The chip implements every layer's synaptic decay", false, DesignRules::synapticDecay),
            new Rule("Recurrent layers run on a chip that feeds a layer's spikes back to it", false,
                    DesignRules::recurrence),
            new Rule("1-D convolutions run on a chip that maps them", false, DesignRules::conv1d),
            new Rule("Max pooling runs on a chip whose neurons can reset to zero", false, DesignRules::maxPool),
            new Rule("Every layer resets its neurons as the chip's neurons can", false, DesignRules::resetModes),
            new Rule("The input fits the chip's input channels", false, DesignRules::inputChannels),
            new Rule("The readout fits the chip's output channels", false, DesignRules::outputChannels),
            new Rule("Every neuron's fan-in fits the core", false, DesignRules::fanIn),
            new Rule("Every neuron's weights fit the core's axon types", false, DesignRules::axonTypes),
            new Rule("The network's neurons fit the chip", false, DesignRules::neuronsPerChip),
            new Rule("Every layer can be cut into cores", false, DesignRules::cuttable),
            new Rule("Every layer fits one core on a chip that cannot split layers", false, DesignRules::splitLayers),
            new Rule("The network fits the chip's cores", false, DesignRules::coreCount),
            new Rule("Every neuron's spikes reach no more cores than the chip allows", false, DesignRules::fanOut),
            new Rule("Every core's output axons fit the core", false, DesignRules::outputAxons),
            new Rule("Every core sends to no more cores than its destination table holds", false,
                    DesignRules::destinations),
            new Rule("The routes fit the chip's routing table", false, DesignRules::routingTable),
            new Rule("Partial sums of a step fit the membrane register", true, DesignRules::guardBits),
            new Rule("Thresholds fit the threshold register", true, DesignRules::thresholds),
            new Rule("Biases fit the bias register", true, DesignRules::biases),
            new Rule("The readout accumulates T steps in the membrane register", true, DesignRules::readout));

    private final QuantizedNetwork q;
    private final NeurocoreSpec spec;
    private final List<Partitioner.LayerCut> cuts;
    /** The cores of all layers in mapper order, or null when a layer has no cut. */
    private final List<Partitioner.Slice> slices;
    /** The router's routes of those cores (NeurocoreMapper.demand), or null when a layer has no cut (or one the chip cannot split). */
    private final java.util.TreeMap<Integer, List<int[]>>[] routes;
    private final boolean hasInput;

    private DesignRules(QuantizedNetwork q, NeurocoreSpec spec) {
        this.q = q;
        this.spec = spec;
        this.cuts = new Partitioner(q, spec).cut();
        boolean unsplit = !spec.splitLayers() && cuts.stream().anyMatch(c -> c.slices().size() > 1);
        // routes are counted on a cut the chip can hold: with a layer it cannot cut, or one it cannot
        // split, they would mean nothing (the rules of cuts and splits report it)
        if (cuts.stream().allMatch(Partitioner.LayerCut::feasible) && !unsplit) {
            slices = new ArrayList<>();
            cuts.forEach(c -> slices.addAll(c.slices()));
            @SuppressWarnings("unchecked")
            List<int[]>[] input = new List[slices.size()];
            routes = NeurocoreMapper.demand(q, slices, input);
            hasInput = java.util.Arrays.stream(input).anyMatch(x -> x != null);
        } else {
            slices = null;
            routes = null;
            hasInput = false;
        }
    }

    /**
     * @param weightsKnown false when {@code q} is a shape-only quantisation ({@code Quantizer.quantizeShapes})
     */
    public static List<Result> check(QuantizedNetwork q, NeurocoreSpec spec, boolean weightsKnown) {
        DesignRules r = new DesignRules(q, spec);
        List<Result> out = new ArrayList<>();
        for (Rule rule : RULES) {
            List<Violation> v = new ArrayList<>();
            boolean run = weightsKnown || !rule.needsWeights();
            if (run) {
                rule.check().accept(r, v);
            }
            out.add(new Result(rule.sentence(), run, v));
        }
        return out;
    }

    /** The layer cuts the rules were judged on (the mapper uses the same). */
    public static List<Partitioner.LayerCut> cuts(QuantizedNetwork q, NeurocoreSpec spec) {
        return new Partitioner(q, spec).cut();
    }

    private void weightWidth(List<Violation> out) {
        int b = q.numerics().weightBits();
        if (b > spec.maxWeightBits()) {
            out.add(new Violation("model", "weights of " + b + " bits, the core stores at most " + spec.maxWeightBits()
                    + " (" + (b - spec.maxWeightBits()) + " over)", "use weights = int(" + spec.maxWeightBits() + ", ...)"));
        }
    }

    private void membraneWidth(List<Violation> out) {
        int m = q.numerics().membraneBits();
        if (m > spec.membraneBits()) {
            out.add(new Violation("model", "a membrane of " + m + " bits, the core's register has " + spec.membraneBits()
                    + " (" + (m - spec.membraneBits()) + " over)", "use membrane = int(" + spec.membraneBits() + ")"));
        }
    }

    private void leakForm(List<Violation> out) {
        for (QuantLayer l : q.layers()) {
            String form = leakFormOf(l.leak());
            if (!spec.leakForms().contains(form)) {
                out.add(new Violation(l.layer(), "needs a " + form + " leak (" + l.leak().describe() + "); the chip has "
                        + String.join(", ", spec.leakForms().stream().sorted().toList()),
                        leakFix(form)));
            }
        }
    }

    private String leakFix(String form) {
        if (form.equals("none")) {
            return "the chip cannot switch its leak off: use a LIF neuron with a long time constant, or another chip";
        }
        if (spec.leakForms().contains("multiplier")) {
            return "use leak = multiplier(12) in the deploy block";
        }
        if (spec.leakForms().contains("shift")) {
            return "use leak = shift in the deploy block";
        }
        return "the chip has no leak: use IF neurons, or another chip";
    }

    private void overflow(List<Violation> out) {
        DeploySpec.Overflow o = q.numerics().overflow();
        if (o != spec.overflow()) {
            out.add(new Violation("model", "overflow = " + o.keyword() + ", the chip's membrane does "
                    + spec.overflow().keyword(), "use overflow = " + spec.overflow().keyword()));
        }
    }

    private void gradedInput(List<Violation> out) {
        if (q.encoding().analog() && !spec.gradedInput()) {
            out.add(new Violation("input", q.encoding().kind().keyword() + " encoding sends values up to 255; the chip takes only spikes",
                    "use encode poisson (or another spike encoding)"));
        }
    }

    private static String leakFormOf(QuantLeak leak) {
        return leak instanceof QuantLeak.Shift ? "shift" : leak instanceof QuantLeak.Multiplier ? "multiplier" : "none";
    }

    private void synapticCurrent(List<Violation> out) {
        if (spec.hasSynapticCurrent()) {
            return;
        }
        for (QuantLayer l : q.layers()) {
            if (l.hasSynapticCurrent()) {
                out.add(new Violation(l.layer(), "has a synaptic current (CUBA, " + l.synapticLeak().describe()
                        + "); the chip keeps no synaptic current between steps (synaptic_current_bits = 0)",
                        "use LIF neurons (no synaptic current, alpha = 0), or a chip with synaptic currents such as"
                                + " loihi_like or xylo_like"));
            }
        }
    }

    private void currentWidth(List<Violation> out) {
        if (!spec.hasSynapticCurrent() || q.layers().stream().noneMatch(QuantLayer::hasSynapticCurrent)) {
            return;
        }
        int c = q.numerics().currentBits();
        if (c > spec.synapticCurrentBits()) {
            out.add(new Violation("model", "a synaptic current of " + c + " bits, the chip's current register has "
                    + spec.synapticCurrentBits() + " (" + (c - spec.synapticCurrentBits()) + " over)",
                    "set current_bits = " + spec.synapticCurrentBits() + " (or less) in the deploy block (without it the"
                            + " current is as wide as the membrane), or use a chip with a wider current register"));
        }
    }

    private void synapticDecay(List<Violation> out) {
        if (!spec.hasSynapticCurrent()) {
            return; // the rule above reports every CUBA layer
        }
        for (QuantLayer l : q.layers()) {
            if (!l.hasSynapticCurrent()) {
                continue;
            }
            String form = leakFormOf(l.synapticLeak());
            if (!spec.synapticLeakForms().contains(form)) {
                String has = String.join(", ", NeurocoreField.LeakForms.ordered(spec.synapticLeakForms()));
                out.add(new Violation(l.layer(), "its synaptic current decays by a " + form + " ("
                        + l.synapticLeak().describe() + "); the chip's current decays by " + has,
                        spec.synapticLeakForms().contains("shift")
                                ? "quantise the synaptic decay as a shift, which the chip has (alpha = 1 - 2^-k),"
                                + " or use another chip"
                                : spec.synapticLeakForms().contains("multiplier")
                                ? "quantise the synaptic decay as a multiplier, which the chip has (alpha = m / 2^F),"
                                + " or use another chip"
                                : "use alpha = 1 (a current that never decays), or another chip"));
            }
        }
    }

    private void recurrence(List<Violation> out) {
        if (spec.recurrentSynapses()) {
            return;
        }
        for (QuantLayer l : q.layers()) {
            if (l.isRecurrent()) {
                out.add(new Violation(l.layer(), "is recurrent (reads its own spikes of the previous step); the chip"
                        + " cannot route a layer's spikes back to it (recurrent_synapses = false)",
                        "remove the recurrence (recurrent = none), or use a chip with recurrent synapses such as"
                                + " loihi_like, xylo_like, truenorth_like or spinnaker2_like"));
            }
        }
    }

    private void conv1d(List<Violation> out) {
        if (spec.conv1d()) {
            return;
        }
        for (QuantLayer l : q.layers()) {
            if (l.synapses().stream().anyMatch(s -> s instanceof Synapse.Conv1d)) {
                out.add(new Violation(l.layer(), "is a 1-D convolution; the chip does not map 1-D convolutions"
                        + " (conv1d = false)", "flatten the sequence and use a dense layer, or a chip with conv1d"));
            }
        }
    }

    private void maxPool(List<Violation> out) {
        if (spec.maxPool()) {
            return;
        }
        for (QuantLayer l : q.layers()) {
            if (l.synapses().stream().anyMatch(s -> s instanceof Synapse.MaxPool)) {
                out.add(new Violation(l.layer(), "is a max pooling, which needs threshold-1 neurons that reset to zero;"
                        + " the chip's neurons cannot (max_pool = false)",
                        "use avgpool instead of maxpool, or a chip with max pooling such as loihi_like"));
            }
        }
    }

    private void resetModes(List<Violation> out) {
        java.util.Map<Reset, List<String>> by = new java.util.EnumMap<>(Reset.class);
        for (QuantLayer l : q.layers()) {
            boolean maxPool = l.synapses().stream().anyMatch(x -> x instanceof Synapse.MaxPool);
            if (l.reset() != null && l.spiking() && !maxPool && !spec.resetModes().contains(l.reset().keyword())) {
                by.computeIfAbsent(l.reset(), k -> new ArrayList<>()).add(l.layer());
            }
        }
        List<String> has = NeurocoreField.ResetModes.ordered(spec.resetModes());
        for (var e : by.entrySet()) {
            List<String> layers = e.getValue();
            String how = e.getKey() == Reset.SUBTRACT ? "by subtracting the threshold" : "to zero";
            String chip = has.size() == 1 ? (has.get(0).equals("zero") ? "only reset to zero" : "only subtract the threshold")
                    : "reset by " + String.join(" or ", has);
            String other = e.getKey() == Reset.SUBTRACT ? "spinnaker2_like" : "loihi_like";
            out.add(new Violation("model", (layers.size() == 1 ? "layer " : "layers ") + String.join(", ", layers)
                    + (layers.size() == 1 ? " resets " : " reset ") + how + " (reset = " + e.getKey().keyword()
                    + "); the chip's neurons " + chip + " (" + layers.size() + " layer" + (layers.size() == 1 ? "" : "s")
                    + " over)", "declare " + (layers.size() == 1 ? "its neuron" : "their neurons") + " with reset = "
                    + has.get(0) + ", or use a chip that resets " + how + " such as " + other));
        }
    }

    private void inputChannels(List<Violation> out) {
        long n = q.inputShape().size();
        if (spec.inputChannels() > 0 && n > spec.inputChannels()) {
            out.add(new Violation("input", n + " values (" + q.inputShape() + ") a step; the chip takes "
                    + spec.inputChannels() + " input channels (" + (n - spec.inputChannels()) + " over)",
                    "reduce the input to at most " + spec.inputChannels() + " values (fewer channels or a smaller"
                            + " front end), or use a chip with more inputs such as loihi_like"));
        }
    }

    private void outputChannels(List<Violation> out) {
        QuantLayer last = q.layers().get(q.layers().size() - 1);
        long n = last.shape().size();
        if (spec.outputChannels() > 0 && n > spec.outputChannels()) {
            out.add(new Violation(last.layer(), "reads out " + n + " classes; the chip has " + spec.outputChannels()
                    + " output neurons (" + (n - spec.outputChannels()) + " over)",
                    "use at most " + spec.outputChannels() + " classes, or a chip with more outputs such as loihi_like"));
        }
    }

    private void fanIn(List<Violation> out) {
        if (spec.fanInPerNeuron() <= 0) {
            return;
        }
        for (QuantLayer l : q.layers()) {
            long f = Partitioner.fanIn(l);
            if (f > spec.fanInPerNeuron()) {
                out.add(new Violation(l.layer(), "each neuron has " + f + " synapses, the core allows "
                        + spec.fanInPerNeuron() + " (" + (f - spec.fanInPerNeuron()) + " over)",
                        "use fewer input channels, a smaller kernel or fewer inputs (at most " + spec.fanInPerNeuron()
                                + " synapses per neuron)"));
            }
        }
    }

    private void axonTypes(List<Violation> out) {
        if (spec.axonTypes() <= 0) {
            return;
        }
        long values = 2L * q.numerics().weightLimit(); // +-1 .. +-limit: the non-zero values of the format
        List<String> layers = new ArrayList<>();
        for (QuantLayer l : q.layers()) {
            long weighted = l.synapses().stream().filter(x -> x instanceof Synapse.Dense || x instanceof Synapse.Conv
                    || x instanceof Synapse.Conv1d || x instanceof Synapse.Recurrent).count();
            if (weighted > 0) {
                layers.add(l.layer());
            }
        }
        if (values > spec.axonTypes() && !layers.isEmpty()) {
            out.add(new Violation("model", "weights = int(" + q.numerics().weightBits() + ") give a synapse one of "
                    + values + " non-zero values (layers " + String.join(", ", layers) + "); a neuron of the chip gives"
                    + " its synapses at most " + spec.axonTypes() + " distinct weights, one per axon type ("
                    + (values - spec.axonTypes()) + " over)", "use weights = int(2) (-1, 0 and +1, two axon types, as"
                    + " Esser et al. 2016 trained for TrueNorth), or a chip with a weight per synapse such as loihi_like"));
        }
    }

    /** Neurons the chip's neuron budget holds: every layer's, the readout's only when it has no output neurons of its own. */
    private void neuronsPerChip(List<Violation> out) {
        if (spec.neuronsPerChip() <= 0) {
            return;
        }
        long total = 0;
        StringBuilder per = new StringBuilder();
        for (QuantLayer l : q.layers()) {
            if (l == q.layers().get(q.layers().size() - 1) && spec.outputChannels() > 0) {
                continue; // the chip's own output neurons (the rule of output channels)
            }
            total += l.size();
            per.append(per.length() == 0 ? "" : ", ").append(l.layer()).append(' ').append(l.size());
        }
        if (total > spec.neuronsPerChip()) {
            out.add(new Violation("model", "needs " + total + " neurons (" + per + "), the chip has "
                    + spec.neuronsPerChip() + " (" + (total - spec.neuronsPerChip()) + " over)",
                    "use at most " + spec.neuronsPerChip() + " neurons in all" + (spec.outputChannels() > 0
                            ? " hidden layers (the readout has its own)" : "") + ": fewer or narrower layers, or a chip"
                            + " with more neurons such as loihi_like"));
        }
    }

    private boolean neuronsOverChip() {
        List<Violation> v = new ArrayList<>();
        neuronsPerChip(v);
        return !v.isEmpty();
    }

    private void cuttable(List<Violation> out) {
        for (Partitioner.LayerCut c : cuts) {
            if (!c.feasible()) {
                out.add(new Violation(q.layers().get(c.layer()).layer(), c.problem(), c.fix()));
            }
        }
    }

    private void splitLayers(List<Violation> out) {
        if (spec.splitLayers()) {
            return;
        }
        for (Partitioner.LayerCut c : cuts) {
            if (c.feasible() && c.slices().size() > 1) {
                QuantLayer l = q.layers().get(c.layer());
                long bits = c.slices().stream().mapToLong(Partitioner.Slice::memoryBits).sum();
                out.add(new Violation(l.layer(), "needs " + c.slices().size() + " cores (" + l.size() + " neurons, "
                        + bits + " bits of weights); the chip maps each layer onto one core (split_layers = false) of"
                        + " at most " + spec.neuronsPerCore() + " neurons and " + spec.synapseMemoryBitsPerCore()
                        + " bits (" + (c.slices().size() - 1) + " cores over)", "make the layer fit one core: fewer"
                        + " units or channels, a smaller kernel or input, or fewer weight bits"));
            }
        }
    }

    private void coreCount(List<Violation> out) {
        if (cuts.stream().anyMatch(c -> !c.feasible()) || neuronsOverChip()) {
            return; // reported by the rules above; the count would mean nothing
        }
        if (!spec.splitLayers() && cuts.stream().anyMatch(c -> c.slices().size() > 1)) {
            return; // reported by the rule above
        }
        int[] bin = NeurocoreMapper.bins(q, spec, slices);
        int used = bin.length == 0 ? 0 : bin[bin.length - 1] + 1;
        if (used > spec.cores()) {
            StringBuilder per = new StringBuilder();
            for (Partitioner.LayerCut c : cuts) {
                per.append(per.length() == 0 ? "" : ", ").append(q.layers().get(c.layer()).layer()).append(' ')
                        .append(c.slices().size());
            }
            List<String> joined = new ArrayList<>();
            for (int a = 1; a < bin.length; a++) {
                if (bin[a] == bin[a - 1]) {
                    joined.add(q.layers().get(slices.get(a).layer()).layer());
                }
            }
            String shared = joined.isEmpty() ? "" : "; " + String.join(", ", joined) + (joined.size() == 1
                    ? " shares a core with the layer before it" : " share cores with the layers before them")
                    + " (pack_layers)";
            out.add(new Violation("model", "needs " + used + " cores (" + per + shared + "), the chip has "
                    + spec.cores() + " (" + (used - spec.cores()) + " over)",
                    "use fewer or narrower layers, or a chip with more cores"));
        }
    }

    /** The layer name of core {@code a} (mapper order). */
    private String layerOf(int a) {
        return q.layers().get(slices.get(a).layer()).layer();
    }

    /** The index of core {@code a} among its layer's cores. */
    private int indexInLayer(int a) {
        int i = 0;
        for (int b = 0; b < a; b++) {
            i += slices.get(b).layer() == slices.get(a).layer() ? 1 : 0;
        }
        return i;
    }

    /**
     * For each source core: {neurons whose spikes go to more than {@code limit} cores, the most
     * cores one neuron's spikes go to}, counted on the router's routes.
     */
    private long[] fanOutOf(int a, int limit) {
        java.util.TreeMap<Integer, Integer> delta = new java.util.TreeMap<>();
        for (List<int[]> ranges : routes[a].values()) {
            for (int[] r : ranges) {
                delta.merge(r[0], 1, Integer::sum);
                delta.merge(r[1], -1, Integer::sum);
            }
        }
        long over = 0;
        long most = 0;
        int depth = 0;
        Integer from = null;
        for (var e : delta.entrySet()) {
            if (from != null && depth > limit) {
                over += e.getKey() - from;
            }
            depth += e.getValue();
            most = Math.max(most, depth);
            from = e.getKey();
        }
        return new long[] {over, most};
    }

    /** One violation per layer: the worst of its cores by {@code measure}, over {@code limit}. */
    private void perLayer(List<Violation> out, int limit, java.util.function.IntToLongFunction measure,
            java.util.function.BiFunction<Integer, Long, String> problem, String fix) {
        if (limit <= 0 || routes == null) {
            return;
        }
        java.util.Map<String, int[]> worst = new java.util.LinkedHashMap<>(); // layer -> {core, count over}
        java.util.Map<String, Long> value = new java.util.HashMap<>();
        for (int a = 0; a < slices.size(); a++) {
            if (routes[a] == null) {
                continue;
            }
            long v = measure.applyAsLong(a);
            String layer = layerOf(a);
            if (v > limit) {
                int[] w = worst.computeIfAbsent(layer, k -> new int[] {-1, 0});
                w[1]++;
                if (w[0] < 0 || v > value.get(layer)) {
                    w[0] = a;
                    value.put(layer, v);
                }
            }
        }
        for (var e : worst.entrySet()) {
            out.add(new Violation(e.getKey(), problem.apply(e.getValue()[0], value.get(e.getKey()))
                    + (e.getValue()[1] > 1 ? "; " + e.getValue()[1] + " of its cores are over" : ""), fix));
        }
    }

    private void fanOut(List<Violation> out) {
        int limit = spec.fanOutPerNeuron();
        perLayer(out, limit, a -> fanOutOf(a, limit)[1], (a, most) -> "a neuron of its core " + indexInLayer(a)
                        + " sends its spikes to " + most + " cores (" + fanOutOf(a, limit)[0] + " of the core's neurons to"
                        + " more than " + limit + "); a neuron of the chip reaches " + limit + " core"
                        + (limit == 1 ? "" : "s") + " (" + (most - limit) + " over)",
                "every extra destination needs a splitter neuron, which spikeforge does not insert: make each layer"
                        + " that reads it fit one core (at most " + spec.neuronsPerCore() + " neurons and "
                        + spec.axonsPerCore() + " inputs), or use a chip whose neurons reach several cores such as"
                        + " loihi_like");
    }

    private void outputAxons(List<Violation> out) {
        perLayer(out, spec.outputAxonsPerCore(),
                a -> routes[a].values().stream().mapToLong(rs -> rs.stream().mapToLong(r -> r[1] - r[0]).sum()).sum(),
                (a, n) -> "its core " + indexInLayer(a) + " sends on " + n + " output axons (one per neuron and"
                        + " destination core); a core has " + spec.outputAxonsPerCore() + " (" + (n - spec.outputAxonsPerCore())
                        + " over)", "put fewer neurons on a core (a custom spec with smaller neurons_per_core), or let"
                        + " fewer cores read each neuron: a smaller kernel or a narrower next layer");
    }

    private void destinations(List<Violation> out) {
        perLayer(out, spec.destinationsPerCore(), a -> routes[a].size(),
                (a, n) -> "its core " + indexInLayer(a) + " sends to " + n + " cores; a core's destination table holds "
                        + spec.destinationsPerCore() + " (" + (n - spec.destinationsPerCore()) + " over)",
                "let at most " + spec.destinationsPerCore() + " later cores read a layer (fewer branches or skips"
                        + " from it)");
    }

    private void routingTable(List<Violation> out) {
        if (spec.routingTableEntries() <= 0 || routes == null) {
            return;
        }
        long senders = java.util.Arrays.stream(routes).filter(r -> r != null && !r.isEmpty()).count()
                + (hasInput ? 1 : 0);
        if (senders > spec.routingTableEntries()) {
            out.add(new Violation("model", "the routes need " + senders + " routing table entries (one per sending"
                    + " core, the input port included); the chip's table has " + spec.routingTableEntries() + " ("
                    + (senders - spec.routingTableEntries()) + " over)", "use fewer cores: fewer or narrower layers"));
        }
    }

    /** base + G for the smallest G >= 0 with extra <= 2^(base-1) (2^G - 1): the width that holds both. */
    static int widthHolding(int base, long extra) {
        for (int g = 0; base + g < 64; g++) {
            if (extra <= ((1L << (base - 1)) * ((1L << g) - 1))) {
                return base + g;
            }
        }
        return 64;
    }

    private void guardBits(List<Violation> out) {
        for (QuantLayer l : q.layers()) {
            if (!l.spiking()) {
                continue;
            }
            if (l.hasSynapticCurrent() && spec.hasSynapticCurrent()) {
                cubaGuardBits(l, out);
                continue;
            }
            int need = q.numerics().membraneBits() + l.guardBits();
            if (need > spec.membraneBits()) {
                out.add(new Violation(l.layer(), String.format(Locale.ROOT, "a step's current can reach %d, so the "
                                + "membrane needs %d + %d guard bits = %d while the core accumulates; its register has %d (%d over)",
                        l.maxCurrent(), q.numerics().membraneBits(), l.guardBits(), need, spec.membraneBits(),
                        need - spec.membraneBits()), "use membrane = int(" + Math.max(4, spec.membraneBits() - l.guardBits())
                        + ") or fewer weight bits"));
            }
        }
    }

    /**
     * A CUBA layer accumulates the step's spikes into its current register (docs/semantics.md
     * section 4.9: the decayed current plus every partial sum of I, saturated once at the end), and
     * the membrane then adds the saturated current once.
     */
    private void cubaGuardBits(QuantLayer l, List<Violation> out) {
        int c = q.numerics().currentBits();
        int m = q.numerics().membraneBits();
        int current = widthHolding(c, l.maxCurrent());
        if (current > spec.synapticCurrentBits()) {
            out.add(new Violation(l.layer(), String.format(Locale.ROOT, "a step's current can reach %d on top of a"
                            + " %d-bit synaptic current, so the current register needs %d bits while the core"
                            + " accumulates; it has %d (%d over)", l.maxCurrent(), c, current,
                    spec.synapticCurrentBits(), current - spec.synapticCurrentBits()),
                    "use fewer weight bits or a narrower synaptic current"));
        }
        int membrane = widthHolding(m, (1L << (c - 1)));
        if (membrane > spec.membraneBits()) {
            out.add(new Violation(l.layer(), String.format(Locale.ROOT, "the membrane adds a %d-bit synaptic current to"
                            + " a %d-bit membrane, which needs %d bits; the register has %d (%d over)", c, m, membrane,
                    spec.membraneBits(), membrane - spec.membraneBits()),
                    "use membrane = int(" + Math.max(4, spec.membraneBits() - 1) + ") or a narrower synaptic current"));
        }
    }

    private void thresholds(List<Violation> out) {
        long limit = (1L << spec.thresholdBits()) - 1;
        for (QuantLayer l : q.layers()) {
            if (l.theta() == null) {
                continue;
            }
            long worst = 0;
            for (long t : l.theta()) {
                worst = Math.max(worst, spec.thresholdGreaterThan() ? t - 1 : t);
            }
            if (worst > limit) {
                out.add(new Violation(l.layer(), "threshold " + worst + " does not fit the " + spec.thresholdBits()
                        + "-bit register (limit " + limit + ", " + (worst - limit) + " over)",
                        "use fewer weight bits, which shrinks thresholds in integer units"));
            }
        }
    }

    private void biases(List<Violation> out) {
        long limit = spec.biasBits() <= 0 ? 0 : (1L << (spec.biasBits() - 1)) - 1;
        for (QuantLayer l : q.layers()) {
            if (l.bias() == null) {
                continue;
            }
            long worst = 0;
            for (long b : l.bias()) {
                worst = Math.max(worst, Math.abs(b));
            }
            if (worst > limit) {
                out.add(new Violation(l.layer(), spec.biasBits() <= 0 ? "has a bias of up to " + worst + "; the chip has no bias"
                        : "bias " + worst + " does not fit the " + spec.biasBits() + "-bit register (limit " + limit + ", "
                        + (worst - limit) + " over)", spec.biasBits() <= 0 ? "declare the layer with bias = false"
                        : "use fewer weight bits or bias = false"));
            }
        }
    }

    private void readout(List<Violation> out) {
        QuantLayer r = q.readout();
        if (!r.spiking() && q.readoutBits() > spec.membraneBits()) {
            out.add(new Violation(r.layer(), q.timesteps() + " steps of a current up to " + r.maxCurrent() + " need "
                    + q.readoutBits() + " bits; the membrane register has " + spec.membraneBits() + " ("
                    + (q.readoutBits() - spec.membraneBits()) + " over)", "use fewer weight bits or fewer timesteps"));
        }
    }
}
