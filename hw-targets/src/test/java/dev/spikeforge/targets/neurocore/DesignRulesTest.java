package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each neurocore design rule, on a model that breaks it and on one that keeps it. */
class DesignRulesTest {

    static final String CONV = """
            model conv_net
            input 2x12x12
            timesteps 4
            neuron lif = LIF(beta = 0.875, threshold = 1.0)
            neuron pool = IF(threshold = 0.75)
            layers {
                c = conv(8, kernel = 3, padding = 1) -> lif
                p = avgpool(2) -> pool
                f = dense(20, bias = true) -> lif
                out = readout(4)
            }
            DEPLOY
            """;

    static QuantizedNetwork quantise(String model, String deploy, float weight, float bias) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", model.replace("DEPLOY", deploy)));
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            long count = n instanceof Conv2dNode cv ? cv.weightCount() : n instanceof DenseNode d
                    ? (long) d.units() * d.inFeatures() : n instanceof ReadoutNode r ? (long) r.classes() * r.inFeatures() : 0;
            if (count > 0) {
                float[] a = new float[(int) count];
                for (int i = 0; i < a.length; i++) {
                    a[i] = weight * (1 + (i % 7)) / 7; // varied, largest = weight
                }
                w.put(n.name() + ".weight", a);
                int outs = n instanceof Conv2dNode cv ? cv.filters() : n instanceof DenseNode d ? d.units() : 0;
                if (n instanceof DenseNode d && d.bias() || n instanceof Conv2dNode cv2 && cv2.bias()) {
                    float[] b = new float[outs];
                    Arrays.fill(b, bias);
                    w.put(n.name() + ".bias", b);
                }
            }
        }
        Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(net.deploy().orElse(null)));
        assertTrue(r.ok(), r.diagnostics().toString());
        return r.network();
    }

    static QuantizedNetwork conv() {
        return quantise(CONV, "deploy { weights = int(8, per_channel) }", 0.5f, 0.01f);
    }

    private static DesignRules.Result rule(QuantizedNetwork q, NeurocoreSpec spec, String sentence) {
        List<DesignRules.Result> all = DesignRules.check(q, spec, true);
        return all.stream().filter(r -> r.rule().equals(sentence)).findFirst().orElseThrow();
    }

    private static void breaks(QuantizedNetwork q, NeurocoreSpec bad, String sentence, String... inMessage) {
        DesignRules.Result ok = rule(q, TestSpecs.roomy(), sentence);
        assertTrue(ok.passed(), sentence + " fails on the roomy chip: " + ok.violations());
        DesignRules.Result r = rule(q, bad, sentence);
        assertFalse(r.passed(), sentence + " holds on " + bad);
        String text = r.violations().toString();
        for (String s : inMessage) {
            assertTrue(text.contains(s), "'" + s + "' missing from " + text);
        }
        assertTrue(r.violations().stream().allMatch(v -> v.fix() != null && !v.fix().isBlank()), text);
    }

    @Test
    void everyRuleHasATestHere() throws Exception {
        long tests = Arrays.stream(DesignRulesTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).count();
        assertEquals(DesignRules.RULES.size(), tests - 2, "one test per rule, plus this one and the placeholder test");
    }

    @Test
    void weightsFitTheCoresWeightWidth() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "maxWeightBits", 4), "Weights fit the core's weight width",
                "8 bits", "at most 4", "4 over");
    }

    @Test
    void membraneFormatFitsTheRegister() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "membraneBits", 12),
                "The membrane format fits the core's membrane register", "16 bits", "has 12", "4 over");
    }

    @Test
    void chipImplementsEveryLeak() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "leakForms", Set.of("none")), "The chip implements every layer's leak",
                "shift(3)");
    }

    @Test
    void membraneOverflowsAsTheChips() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "overflow", DeploySpec.Overflow.WRAP),
                "The membrane overflows as the chip's does", "saturate", "wrap");
    }

    @Test
    void inputFitsTheChipsInputChannels() {
        String sentence = "The input fits the chip's input channels";
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "inputChannels", 16), sentence, "288 values (2x12x12)",
                "takes 16 input channels", "272 over", "at most 16 values");
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "inputChannels", 288), sentence).passed(), "288 fit 288");
    }

    @Test
    void readoutFitsTheChipsOutputChannels() {
        String sentence = "The readout fits the chip's output channels";
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "outputChannels", 3), sentence, "out", "reads out 4 classes",
                "3 output neurons", "1 over", "at most 3 classes");
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "outputChannels", 4), sentence).passed(), "4 fit 4");
    }

    @Test
    void gradedInputNeedsAChipThatTakesIt() {
        QuantizedNetwork q = quantise(CONV.replace("input 2x12x12", "input 2x12x12 encode direct"),
                "deploy { membrane = int(24) }", 0.5f, 0f);
        breaks(q, TestSpecs.with(TestSpecs.roomy(), "gradedInput", false),
                "Input values are spikes unless the chip takes graded input", "direct");
        spikeRowsNeedNoGradedInput();
    }

    /** Analog rows need graded input too; rows(levels = L) is spikes of 0 and 1, which a spikes-only chip takes. */
    private static void spikeRowsNeedNoGradedInput() {
        String rows = """
                model rows_net
                input ENC
                timesteps 4
                neuron lif = LIF(beta = 0.875, threshold = 1.0)
                layers {
                    h = dense(6, bias = true) -> lif
                    out = readout(3)
                }
                DEPLOY
                """;
        NeurocoreSpec spikesOnly = TestSpecs.with(TestSpecs.roomy(), "gradedInput", false);
        String sentence = "Input values are spikes unless the chip takes graded input";
        breaks(quantise(rows.replace("ENC", "5 encode rows"), "deploy { membrane = int(24) }", 0.5f, 0f), spikesOnly,
                sentence, "rows");
        QuantizedNetwork spikes = quantise(rows.replace("ENC", "20 encode rows(levels = 4)"),
                "deploy { membrane = int(24) }", 0.5f, 0f);
        assertEquals(1, spikes.inputLimit());
        assertTrue(rule(spikes, spikesOnly, sentence).passed());
    }

    static QuantizedNetwork temporal() {
        return TemporalNets.fixed(14, false, false);
    }

    @Test
    void synapticCurrentNeedsAChipThatKeepsOne() {
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "synapticCurrentBits", 0, "synapticLeakForms", Set.of()),
                "Layers with a synaptic current run on a chip that keeps one", "c1", "h1", "multiplier(2048, 12)",
                "synaptic_current_bits = 0", "use LIF neurons");
    }

    @Test
    void synapticCurrentFitsTheRegister() {
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "synapticCurrentBits", 12),
                "The synaptic current fits the chip's current register", "14 bits", "has 12", "2 over");
    }

    @Test
    void chipImplementsEverySynapticDecay() {
        DesignRules.Result r = rule(temporal(), TestSpecs.with(TestSpecs.roomy(), "synapticLeakForms", Set.of("shift")),
                "The chip implements every layer's synaptic decay");
        assertEquals(1, r.violations().size(), r.violations().toString()); // c1 decays by a multiplier, h1 by a shift
        assertEquals("c1", r.violations().get(0).layer());
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "synapticLeakForms", Set.of("shift")),
                "The chip implements every layer's synaptic decay", "multiplier(2048, 12)", "decays by shift",
                "as a shift");
    }

    @Test
    void recurrenceNeedsAChipThatFeedsSpikesBack() {
        DesignRules.Result r = rule(temporal(), TestSpecs.with(TestSpecs.roomy(), "recurrentSynapses", false),
                "Recurrent layers run on a chip that feeds a layer's spikes back to it");
        assertEquals(List.of("h1", "h2"), r.violations().stream().map(DesignRules.Violation::layer).toList());
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "recurrentSynapses", false),
                "Recurrent layers run on a chip that feeds a layer's spikes back to it", "recurrent_synapses = false",
                "recurrent = none");
    }

    @Test
    void conv1dNeedsAChipThatMapsIt() {
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "conv1d", false), "1-D convolutions run on a chip that maps them",
                "c1", "conv1d = false");
    }

    @Test
    void maxPoolNeedsNeuronsThatResetToZero() {
        breaks(temporal(), TestSpecs.with(TestSpecs.roomy(), "maxPool", false),
                "Max pooling runs on a chip whose neurons can reset to zero", "p1", "max_pool = false", "avgpool");
    }

    @Test
    void fanInFitsTheCore() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "fanInPerNeuron", 100), "Every neuron's fan-in fits the core",
                "layer", "288 synapses", "allows 100", "188 over");
    }

    @Test
    void everyLayerCanBeCut() {
        // f reads 288 inputs: a core with 200 axons cannot receive them all
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "axonsPerCore", 200), "Every layer can be cut into cores",
                "288 inputs", "200 axons");
        // synapse memory with and without shared kernels: c's kernel is 2 x 3 x 3 = 18 weights of 8 bits, 144 bits a
        // filter when shared; stored per synapse, one row of one filter (12 neurons) takes 12 x 144 = 1728 bits
        String sentence = "Every layer can be cut into cores";
        NeurocoreSpec shared = TestSpecs.with(TestSpecs.roomy(), "synapseMemoryBitsPerCore", 4000L);
        NeurocoreSpec expanded = TestSpecs.with(shared, "convWeightSharing", false);
        assertTrue(rule(conv(), shared, sentence).passed(), rule(conv(), shared, sentence).violations().toString());
        breaks(conv(), TestSpecs.with(expanded, "synapseMemoryBitsPerCore", 1500L), sentence, "c", "12 neurons",
                "1728 bits", "over the core's 1500 bits", "conv_weight_sharing = false");
        Partitioner.LayerCut withSharing = DesignRules.cuts(conv(), shared).get(0);
        Partitioner.LayerCut without = DesignRules.cuts(conv(), expanded).get(0);
        assertEquals(1, withSharing.slices().size(), "8 kernels of 144 bits fit one core");
        assertEquals(8 * 144, withSharing.slices().get(0).memoryBits());
        assertEquals(48, without.slices().size(), "two rows of 12 neurons (3456 bits) per core of 4000 bits: 48 cores");
        assertEquals(2 * 1728, without.slices().get(0).memoryBits());
    }

    @Test
    void everyLayerResetsAsTheChipsNeuronsCan() {
        String sentence = "Every layer resets its neurons as the chip's neurons can";
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "resetModes", Set.of("zero")), sentence,
                "layers c, p, f reset by subtracting the threshold (reset = subtract); the chip's neurons only reset to"
                        + " zero (3 layers over)", "declare their neurons with reset = zero");
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "resetModes", Set.of("subtract")), sentence).passed());
        QuantizedNetwork zero = quantise(CONV.replace("LIF(beta = 0.875, threshold = 1.0)",
                "LIF(beta = 0.875, threshold = 1.0, reset = zero)"), "deploy { weights = int(8, per_channel) }", 0.5f, 0f);
        DesignRules.Result r = rule(zero, TestSpecs.with(TestSpecs.roomy(), "resetModes", Set.of("subtract")), sentence);
        assertEquals("[Violation[layer=model, problem=layers c, f reset to zero (reset = zero); the chip's neurons only"
                + " subtract the threshold (2 layers over), fix=declare their neurons with reset = subtract, or use a chip"
                + " that resets to zero such as loihi_like]]", r.violations().toString());
    }

    @Test
    void everyNeuronsWeightsFitTheCoresAxonTypes() {
        String sentence = "Every neuron's weights fit the core's axon types";
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "axonTypes", 4), sentence,
                "weights = int(8) give a synapse one of 254 non-zero values (layers c, f, out)", "at most 4 distinct",
                "250 over", "use weights = int(2)");
        QuantizedNetwork ternary = quantise(CONV, "deploy { weights = int(2, per_channel) }", 0.5f, 0.01f);
        assertTrue(rule(ternary, TestSpecs.with(TestSpecs.roomy(), "axonTypes", 4), sentence).passed(), "int(2): -1, 0, +1");
        assertFalse(rule(ternary, TestSpecs.with(TestSpecs.roomy(), "axonTypes", 1), sentence).passed(), "two values, one type");
    }

    @Test
    void theNetworksNeuronsFitTheChip() {
        String sentence = "The network's neurons fit the chip";
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "neuronsPerChip", 1000), sentence,
                "needs 1464 neurons (c 1152, p 288, f 20, out 4), the chip has 1000 (464 over)");
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "neuronsPerChip", 1464), sentence).passed());
        // a chip with output neurons of its own keeps the readout out of the count
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "neuronsPerChip", 1000, "outputChannels", 4), sentence,
                "needs 1460 neurons (c 1152, p 288, f 20)", "in all hidden layers (the readout has its own)");
        // and then the core count says nothing more
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "neuronsPerChip", 1000, "cores", 1),
                "The network fits the chip's cores").passed());
    }

    @Test
    void everyLayerFitsOneCoreOnAChipThatCannotSplitLayers() {
        String sentence = "Every layer fits one core on a chip that cannot split layers";
        NeurocoreSpec small = TestSpecs.with(TestSpecs.roomy(), "neuronsPerCore", 512, "splitLayers", false);
        breaks(conv(), small, sentence, "c", "needs 3 cores (1152 neurons", "onto one core (split_layers = false)",
                "at most 512 neurons", "2 cores over");
        assertEquals(1, rule(conv(), small, sentence).violations().size(), "p (288) and f fit one core");
        assertTrue(rule(conv(), TestSpecs.with(TestSpecs.roomy(), "splitLayers", false), sentence).passed());
        assertTrue(rule(conv(), small, "The network fits the chip's cores").passed(), "reported once, by this rule");
    }

    /**
     * Cores of 12 neurons: c is one output row per core (96 cores), p two rows of one channel (24
     * cores), f 20 units over 2 cores, so every neuron of p is read by both cores of f.
     */
    static NeurocoreSpec twelvePerCore(Object... more) {
        NeurocoreSpec s = TestSpecs.with(TestSpecs.roomy(), "neuronsPerCore", 12, "cores", 256, "meshWidth", 16,
                "meshHeight", 16);
        return more.length == 0 ? s : TestSpecs.with(s, more);
    }

    @Test
    void everyNeuronsSpikesReachNoMoreCoresThanTheChipAllows() {
        String sentence = "Every neuron's spikes reach no more cores than the chip allows";
        breaks(conv(), twelvePerCore("fanOutPerNeuron", 1), sentence, "p",
                "a neuron of its core 0 sends its spikes to 2 cores (12 of the core's neurons to more than 1); a neuron of"
                        + " the chip reaches 1 core (1 over); 24 of its cores are over", "splitter neuron");
        DesignRules.Result r = rule(conv(), twelvePerCore("fanOutPerNeuron", 1), sentence);
        assertEquals(List.of("p"), r.violations().stream().map(DesignRules.Violation::layer).toList(), "c feeds one p core");
        assertTrue(rule(conv(), twelvePerCore("fanOutPerNeuron", 2), sentence).passed());
    }

    @Test
    void everyCoresOutputAxonsFitTheCore() {
        String sentence = "Every core's output axons fit the core";
        breaks(conv(), twelvePerCore("outputAxonsPerCore", 20), sentence, "p",
                "its core 0 sends on 24 output axons (one per neuron and destination core); a core has 20 (4 over)");
        assertTrue(rule(conv(), twelvePerCore("outputAxonsPerCore", 24), sentence).passed());
    }

    @Test
    void everyCoreSendsToNoMoreCoresThanItsDestinationTableHolds() {
        String sentence = "Every core sends to no more cores than its destination table holds";
        breaks(conv(), twelvePerCore("destinationsPerCore", 1), sentence, "p",
                "its core 0 sends to 2 cores; a core's destination table holds 1 (1 over)", "at most 1 later cores");
        assertTrue(rule(conv(), twelvePerCore("destinationsPerCore", 2), sentence).passed());
    }

    @Test
    void theRoutesFitTheChipsRoutingTable() {
        String sentence = "The routes fit the chip's routing table";
        // senders: c 96 cores, p 24, f 2 (the readout sends to the host, not to a core), and the input port
        breaks(conv(), twelvePerCore("routingTableEntries", 100), sentence,
                "the routes need 123 routing table entries (one per sending core, the input port included); the chip's"
                        + " table has 100 (23 over)");
        assertTrue(rule(conv(), twelvePerCore("routingTableEntries", 123), sentence).passed());
    }

    @Test
    void networkFitsTheCores() {
        // 64 neurons a core: c (1152 neurons) alone needs 18
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "neuronsPerCore", 64, "cores", 10),
                "The network fits the chip's cores", "the chip has 10");
    }

    @Test
    void partialSumsFitTheRegister() {
        // per-step current of f: 288 inputs x up to 127 each -> needs guard bits over a 16-bit membrane
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "membraneBits", 16), "Partial sums of a step fit the membrane register",
                "guard bits");
        // a CUBA layer accumulates into its current register (14 bits here) and adds the current to the membrane once
        QuantizedNetwork q = temporal();
        long c = q.layer("h1").maxCurrent();
        int needed = DesignRules.widthHolding(14, c);
        assertTrue(needed > 14 && needed < 32, "h1 needs " + needed + " bits for a current up to " + c);
        breaks(q, TestSpecs.with(TestSpecs.roomy(), "synapticCurrentBits", needed - 1),
                "Partial sums of a step fit the membrane register", "current register needs " + needed + " bits",
                "1 over");
        breaks(q, TestSpecs.with(TestSpecs.roomy(), "membraneBits", 16),
                "Partial sums of a step fit the membrane register", "14-bit synaptic current to a 16-bit membrane",
                "needs 17 bits");
    }

    @Test
    void thresholdsFitTheRegister() {
        breaks(conv(), TestSpecs.with(TestSpecs.roomy(), "thresholdBits", 6), "Thresholds fit the threshold register",
                "6-bit register", "limit 63");
    }

    @Test
    void biasesFitTheRegister() {
        QuantizedNetwork q = quantise(CONV, "deploy { weights = int(8, per_channel) }", 0.5f, 0.3f);
        breaks(q, TestSpecs.with(TestSpecs.roomy(), "biasBits", 0), "Biases fit the bias register", "no bias",
                "bias = false");
    }

    @Test
    void readoutAccumulatesInTheRegister() {
        QuantizedNetwork q = conv();
        assertTrue(q.readoutBits() > 12, "readout bits " + q.readoutBits());
        breaks(q, TestSpecs.with(TestSpecs.roomy(), "membraneBits", q.readoutBits() - 1),
                "The readout accumulates T steps in the membrane register", "need " + q.readoutBits() + " bits");
    }

    @Test
    void rulesThatNeedWeightsAreSkippedBeforeTraining() {
        List<DesignRules.Result> r = DesignRules.check(conv(), TestSpecs.with(TestSpecs.roomy(), "thresholdBits", 1), false);
        DesignRules.Result t = r.stream().filter(x -> x.rule().startsWith("Thresholds")).findFirst().orElseThrow();
        assertFalse(t.checked());
        assertTrue(t.passed());
    }
}
