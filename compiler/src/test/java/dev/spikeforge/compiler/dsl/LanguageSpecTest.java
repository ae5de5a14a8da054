package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.testing.TargetFamilies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.IrDump;
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
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inputs written as in docs/language.md are accepted and mean what it says; the whole example of
 * its section 1 is {@code spec/dsl_md_example.snn}.
 */
class LanguageSpecTest {

    private static Compilation compile(String text) {
        return SnnFrontEnd.compile(new SourceFile("t.snn", text), TargetFamilies.INSTALLED);
    }

    private static Network valid(String text) {
        Compilation c = compile(text);
        assertTrue(c.ok(), "expected a valid model, got " + c.diagnostics());
        return c.network();
    }

    private static final String HEAD = "model t\ninput 1x8x8\nneuron lif = LIF(beta = 0.9)\n";

    @Test
    void theWholeExampleOfDslMdIsAcceptedAndItsIrIsGolden() throws IOException {
        Path file = Path.of("src/test/resources/spec/dsl_md_example.snn");
        Compilation c = SnnFrontEnd.compile(new SourceFile("spec/dsl_md_example.snn", Files.readString(file)), TargetFamilies.INSTALLED);
        assertTrue(c.ok(), c.diagnostics().toString());
        // 0.95 is not 1 - 2^-k: the shift leak's beta is announced, nothing else.
        assertEquals(List.of(ErrorCode.W603), c.diagnostics().stream().map(Diagnostic::code).toList());
        Golden.assertMatches(Path.of("src/test/resources/spec/dsl_md_example.ir"), IrDump.of(c.network()));
        Network n = c.network();
        assertEquals("lenet5_fashion", n.name());
        assertEquals(25, n.timesteps());
        TrainSpec t = n.train().orElseThrow();
        assertInstanceOf(TrainSpec.SpikeBp.class, t.method());
        assertEquals(new TrainSpec.Sgd(0.05, 0.9, 0), t.optimizer());
        assertEquals(new TrainSpec.StepSchedule(List.of(5, 8), 0.1), t.schedule());
        DeploySpec d = n.deploy().orElseThrow();
        assertEquals(8, d.weightBits());
        assertEquals(DeploySpec.Granularity.PER_CHANNEL, d.granularity());
        assertEquals(List.of("neurocore", "fpga"), d.targets().stream().map(DeploySpec.TargetRequest::family).toList());
    }

    /**
     * The temporal constructs (docs/language.md sections 3.2, 3.4 and 3.5) on a sequence and on
     * frames: valid without a warning, and their IR is golden.
     */
    @Test
    void theTemporalSpecModelsAreValidAndTheirIrIsGolden() throws IOException {
        for (String name : List.of("temporal_sequence", "temporal_image")) {
            Path file = Path.of("src/test/resources/spec/" + name + ".snn");
            Compilation c = SnnFrontEnd.compile(new SourceFile("spec/" + name + ".snn", Files.readString(file)),
                    TargetFamilies.INSTALLED);
            assertEquals(List.of(), c.diagnostics(), name);
            Golden.assertMatches(Path.of("src/test/resources/spec/" + name + ".ir"), IrDump.of(c.network()));
        }
    }

    @Test
    void cubaTakesAlphaOrTauSynAndItsBetaDefaultsToOne() {
        Network n = valid("model t\ninput 4\nneuron a = CUBA(alpha = 0.9)\nneuron b = CUBA(tau_syn = 5, tau = 20,"
                + " threshold = 2, reset = zero)\nlayers { h = dense(3) -> a\ng = dense(3) -> b\nout = readout(2) }");
        NeuronDefinition a = n.neurons().get(0);
        assertEquals(NeuronModel.CUBA, a.model());
        assertEquals(0.9, a.alpha());
        assertEquals(1.0, a.beta(), "neither beta nor tau: no membrane leak");
        assertEquals(1.0, a.theta());
        assertEquals(Reset.SUBTRACT, a.reset());
        assertTrue(Double.isNaN(a.tauSyn()) && Double.isNaN(a.tau()));
        assertTrue(a.hasSynapticCurrent());
        NeuronDefinition b = n.neurons().get(1);
        assertEquals(Math.exp(-1.0 / 5), b.alpha(), 0);
        assertEquals(5, b.tauSyn());
        assertEquals(Math.exp(-1.0 / 20), b.beta(), 0);
        assertEquals(Reset.ZERO, b.reset());
        assertEquals("cuba", n.node("h.a").kind());
        String dump = IrDump.of(n);
        assertTrue(dump.contains("\nneuron a CUBA(alpha=0.9 beta=1.0 theta=1.0 reset=subtract)\n"), dump);
        assertTrue(dump.contains("\nneuron b CUBA(alpha=0.8187307530779818 tau_syn=5.0 beta=0.951229424500714 tau=20.0"
                + " theta=2.0 reset=zero)\n"), dump);
        assertFalse(NeuronDefinition.lif("l", 0.9, 1, Reset.SUBTRACT).hasSynapticCurrent());
    }

    @Test
    void recurrentIsFalseTrueOrDiagonal() {
        Network n = valid("model t\ninput 4\nneuron a = LIF(beta = 0.5)\nlayers { f = dense(3, recurrent = false) -> a\n"
                + "r = dense(3, recurrent = true) -> a\nd = dense(3, recurrent = diagonal, bias = true) -> a\n"
                + "p = dense(3) -> a\nout = readout(2) }");
        assertEquals(Recurrence.NONE, ((DenseNode) n.node("f")).recurrent());
        assertEquals(Recurrence.FULL, ((DenseNode) n.node("r")).recurrent());
        assertEquals(Recurrence.DIAGONAL, ((DenseNode) n.node("d")).recurrent());
        assertEquals(Recurrence.NONE, ((DenseNode) n.node("p")).recurrent());
        // W (3 x 3) + W_rec (3 x 3); W (3 x 3) + b (3) + w_rec (3)
        assertEquals(18, ((DenseNode) n.node("r")).parameterCount());
        assertEquals(15, ((DenseNode) n.node("d")).parameterCount());
        assertEquals(List.of("r.a"), n.consumersOf(n.node("r")).stream().map(Node::name).toList());
    }

    @Test
    void aTwoDimensionalInputIsChannelsByLengthAndDenseFlattensIt() {
        Network n = valid("model t\ninput 2x64\nneuron a = LIF(beta = 0.5)\nlayers { h = dense(8) -> a\nout = readout(2) }");
        Shape in = n.input().shape();
        assertTrue(in.isSequence());
        assertFalse(in.isSpatial());
        assertEquals(List.of(2, 64), List.of(in.channels(), in.length()));
        assertEquals(List.of("input", "h.flatten", "h", "h.a", "out"), n.nodes().stream().map(Node::name).toList());
        assertEquals(Shape.flat(128), n.node("h.flatten").shape());
        assertEquals(128, ((DenseNode) n.node("h")).inFeatures());
    }

    @Test
    void conv1dParametersDefaultsAndShape() {
        Network n = valid("model t\ninput 3x50\nneuron a = LIF(beta = 0.5)\nlayers {\n"
                + "c = conv1d(4, kernel = 5, stride = 2, padding = 1, bias = true) -> a\nd = conv1d(6, 3) -> a\n"
                + "out = readout(2) }");
        Conv1dNode c = (Conv1dNode) n.node("c");
        assertEquals(List.of(3, 4, 5, 2, 1, true), List.of(c.inChannels(), c.filters(), c.kernel(), c.stride(),
                c.padding(), c.bias()));
        assertEquals(Shape.cl(4, 24), c.shape()); // floor((50 + 2 - 5) / 2) + 1
        Conv1dNode d = (Conv1dNode) n.node("d");
        assertEquals(List.of(4, 3, 1, 0, false), List.of(d.inChannels(), d.kernel(), d.stride(), d.padding(), d.bias()));
        assertEquals(Shape.cl(6, 22), d.shape());
        assertEquals(4 * 3 * 5 + 4, c.parameterCount());
    }

    @Test
    void maxpoolHalvesSequencesAndMapsAndHasNoNeuron() {
        Network seq = valid("model t\ninput 2x9\nneuron a = LIF(beta = 0.5)\nlayers { c = conv1d(4, kernel = 1) -> a\n"
                + "p = maxpool(kernel = 3)\nq = maxpool(3)\nout = readout(2) }");
        assertEquals(Shape.cl(4, 3), seq.node("p").shape());
        assertEquals(Shape.cl(4, 1), seq.node("q").shape());
        assertEquals(3, ((MaxPoolNode) seq.node("p")).kernel());
        assertEquals(List.of("input", "c", "c.a", "p", "q", "out.flatten", "out"),
                seq.nodes().stream().map(Node::name).toList());
        Network map = valid(HEAD + "layers { c = conv(2, kernel = 3) -> lif\np = maxpool(2)\nout = readout(2) }");
        assertEquals(Shape.chw(2, 3, 3), map.node("p").shape());
        // the input's own spikes may be pooled: poisson input is spikes
        valid("model t\ninput 1x8x8 encode poisson\nlayers { p = maxpool(2)\nout = readout(2) }");
    }

    @Test
    void commentsWhitespaceAndNumberFormsAreFree() {
        Network n = valid("/* block\n comment */ model t // trailing\ninput 4 encode poisson timesteps 10\n"
                + "neuron a = LIF(beta = 9.5e-1, threshold = .5)\nlayers { h = dense(3) -> a out = readout(2) }\n"
                + "train { dataset = mnist optimizer = sgd(lr = 1E-2) }");
        assertEquals(10, n.timesteps());
        assertEquals(0.95, n.neurons().get(0).beta(), 1e-12);
        assertEquals(0.5, n.neurons().get(0).theta());
        assertEquals(0.01, n.train().orElseThrow().optimizer().lr(), 1e-15);
    }

    @Test
    void timestepsDefaultsTo25AndTauMeansExpMinusOneOverTau() {
        Network n = valid("model t\ninput 4\nneuron a = LIF(tau = 20, threshold = 2)\nlayers { h = dense(3) -> a\n"
                + "out = readout(2) }");
        assertEquals(25, n.timesteps());
        NeuronDefinition a = n.neurons().get(0);
        assertEquals(Math.exp(-1.0 / 20), a.beta(), 0);
        assertEquals(20, a.tau());
        assertEquals(Reset.SUBTRACT, a.reset());
    }

    @Test
    void ifNeuronsHaveBetaOneAndDefaultThresholdOne() {
        Network n = valid("model t\ninput 4\nneuron i = IF(reset = zero)\nlayers { h = dense(3) -> i\nout = readout(2) }");
        NeuronDefinition i = n.neurons().get(0);
        assertEquals(NeuronModel.IF, i.model());
        assertEquals(1.0, i.beta());
        assertEquals(1.0, i.theta());
        assertEquals(Reset.ZERO, i.reset());
    }

    @Test
    void unnamedLayersAreNamedKindAndCountSkippingNamesInUse() {
        Network n = valid(HEAD + "layers {\n conv(2, kernel = 3) -> lif\n conv1 = conv(2, kernel = 3) -> lif\n"
                + " dense(4) -> lif\n readout(2)\n}");
        List<String> layers = List.copyOf(n.layers().keySet());
        assertEquals(List.of("input", "conv2", "conv1", "dense1", "readout1"), layers);
    }

    @Test
    void everyEncodingIsAccepted() {
        for (String e : List.of("poisson", "bipolar", "latency", "direct")) {
            Network n = valid("model t\ninput 4 encode " + e + "\nlayers { out = readout(2) }");
            assertEquals(e, n.input().encoding().kind().keyword());
        }
        Network ev = valid("model t\ninput 2x34x34 encode events(bins = 20)\ntimesteps 20\nlayers { out = readout(2) }");
        assertEquals(new Encoding(Encoding.Kind.EVENTS, 20), ev.input().encoding());
        assertEquals(Encoding.POISSON, valid("model t\ninput 4\nlayers { out = readout(2) }").input().encoding());
    }

    @Test
    void convParametersAndDefaults() {
        Network n = valid(HEAD + "layers { c = conv(3, kernel = 3, stride = 2, padding = 1, bias = true) -> lif\n"
                + "d = conv(3, kernel = 1) -> lif\nout = readout(2) }");
        Conv2dNode c = (Conv2dNode) n.node("c");
        assertEquals(List.of(3, 3, 2, 1, true), List.of(c.filters(), c.kernel(), c.stride(), c.padding(), c.bias()));
        Conv2dNode d = (Conv2dNode) n.node("d");
        assertEquals(List.of(1, 0, false), List.of(d.stride(), d.padding(), d.bias()));
    }

    @Test
    void readoutModes() {
        ReadoutNode acc = (ReadoutNode) valid(HEAD + "layers { out = readout(3) }").node("out");
        assertEquals(ReadoutMode.ACCUMULATE, acc.mode());
        assertNull(acc.neuron());
        ReadoutNode mem = (ReadoutNode) valid(HEAD + "layers { out = readout(3, mode = membrane, beta = 0.8) }").node("out");
        assertEquals(ReadoutMode.MEMBRANE, mem.mode());
        assertEquals(0.8, mem.beta());
        ReadoutNode cnt = (ReadoutNode) valid(HEAD + "layers { out = readout(3, mode = count) -> lif }").node("out");
        assertEquals(ReadoutMode.COUNT, cnt.mode());
        assertEquals("lif", cnt.neuron().name());
    }

    @Test
    void layersUseTheNeuronTheyName() {
        Network n = valid("model t\ninput 1x8x8\nneuron a = LIF(beta = 0.5)\nneuron p = IF(threshold = 0.75)\n"
                + "layers { c = conv(2, kernel = 3) -> a\nq = avgpool(2) -> p\nout = readout(2) }");
        assertEquals("a", ((NeuronNode) n.node("c.a")).neuron().name());
        assertEquals(0.75, ((NeuronNode) n.node("q.p")).neuron().theta());
        assertEquals(List.of("input", "c", "c.a", "q", "q.p", "out.flatten", "out"),
                n.nodes().stream().map(Node::name).toList());
    }

    @Test
    void trainDefaultsFollowTheMethod() {
        TrainSpec s = valid(HEAD + "layers { out = readout(2) }\ntrain { dataset = fashion_mnist }").train().orElseThrow();
        assertEquals(new TrainSpec.Surrogate(TrainSpec.SurrogateShape.FAST_SIGMOID, 25), s.method());
        assertEquals(TrainSpec.Loss.CROSS_ENTROPY, s.loss());
        assertEquals(10, s.epochs());
        assertEquals(64, s.batch());
        assertInstanceOf(TrainSpec.Adam.class, s.optimizer());
        assertInstanceOf(TrainSpec.ConstantSchedule.class, s.schedule());
        TrainSpec a = valid(HEAD + "layers { out = readout(2) }\ntrain { method = asf dataset = idx(path = \"d/\")"
                + " schedule = cosine qat_epochs = 2 }").train().orElseThrow();
        assertEquals(TrainSpec.Loss.MSE, a.loss());
        assertEquals(new TrainSpec.IdxDataset("d/"), a.dataset());
        assertEquals(2, a.qatEpochs());
        assertEquals(0, a.validation());
        TrainSpec v = valid(HEAD + "layers { out = readout(2) }\ntrain { dataset = mnist validation = 0.15 }").train()
                .orElseThrow();
        assertEquals(0.15, v.validation());
        assertTrue(IrDump.of(valid(HEAD + "layers { out = readout(2) }\ntrain { dataset = mnist validation = 0.15 }"))
                .contains(" qat_epochs=0 validation=0.15"), "the IR dump names the validation share");
        // written back as a train block (NIR export keeps the block so), it reads as the same setting
        String block = SnnText.train(v);
        assertTrue(block.contains("validation = 0.15"), block);
        assertEquals(0.15, valid(HEAD + "layers { out = readout(2) }\n" + block).train().orElseThrow().validation());
        assertFalse(SnnText.train(a).contains("validation"), "no share, no setting");
        TrainSpec arctan = valid(HEAD + "layers { out = readout(2) }\ntrain { dataset = mnist "
                + "method = surrogate(shape = arctan, slope = 2) }").train().orElseThrow();
        assertEquals(new TrainSpec.Surrogate(TrainSpec.SurrogateShape.ARCTAN, 2), arctan.method());
    }

    @Test
    void augmentShiftsAndMirrorsTrainingImages() {
        String layers = "layers { out = readout(2) }\ntrain { dataset = mnist ";
        assertEquals(TrainSpec.Augment.NONE, valid(HEAD + layers + "}").train().orElseThrow().augment());
        assertEquals(new TrainSpec.Augment(2, false), valid(HEAD + layers + "augment = shift(2) }").train().orElseThrow()
                .augment());
        assertEquals(new TrainSpec.Augment(0, true), valid(HEAD + layers + "augment = hflip }").train().orElseThrow()
                .augment());
        Network both = valid(HEAD + layers + "augment = [hflip, shift(pixels = 3)] }");
        TrainSpec t = both.train().orElseThrow();
        assertEquals(new TrainSpec.Augment(3, true), t.augment());
        assertTrue(IrDump.of(both).contains(" qat_epochs=0 augment=[shift(3), hflip]"), IrDump.of(both));
        String block = SnnText.train(t);
        assertTrue(block.matches("(?s).*\\n    augment +\\Q= [shift(3), hflip]\\E\\n.*"), block);
        assertEquals(t.augment(), valid(HEAD + "layers { out = readout(2) }\n" + block).train().orElseThrow().augment());
        assertFalse(SnnText.train(valid(HEAD + layers + "}").train().orElseThrow()).contains("augment"));

        assertEquals(List.of(ErrorCode.E301), codes(HEAD + layers + "augment = shift(0) }"));
        assertEquals(List.of(ErrorCode.E212), codes(HEAD + layers + "augment = [shift(1), shift(2)] }"));
        assertEquals(List.of(ErrorCode.E215), codes(HEAD + layers + "augment = rotate(10) }"));
        assertEquals(List.of(ErrorCode.E300), codes(HEAD + layers + "augment = 2 }"));
        // the 8 x 8 input: a shift of 8 leaves nothing in view
        assertEquals(List.of(ErrorCode.E301), codes(HEAD + layers + "augment = shift(8) }"));
        valid(HEAD + layers + "augment = shift(7) }");
        // a flat input of a named dataset: its 28 x 28 images
        String flat = "model t\ninput 784\nlayers { out = readout(2) }\ntrain { dataset = fashion_mnist augment = ";
        assertEquals(List.of(ErrorCode.E301), codes(flat + "shift(28) }"));
        valid(flat + "[shift(27), hflip] }");
        // a recording's bins are moved as frames of a C x H x W input; flat events have no rows and columns
        assertEquals(List.of(ErrorCode.E302), codes("model t\ninput 16 encode events(bins = 8)\ntimesteps 8\n"
                + "layers { out = readout(2) }\ntrain { dataset = events(\"d\") augment = hflip }"));
        String frames = "model t\ninput 2x34x34 encode events(bins = 8)\ntimesteps 8\nlayers { out = readout(2) }\n"
                + "train { dataset = events(\"d\") augment = ";
        valid(frames + "[shift(33), hflip] }");
        assertEquals(List.of(ErrorCode.E301), codes(frames + "shift(34) }"));
        // rows read an image, a row per step
        valid("model t\ninput 28 encode rows\ntimesteps 28\nlayers { out = readout(2) }\n"
                + "train { dataset = mnist augment = [shift(2), hflip] }");
    }

    private static List<ErrorCode> codes(String text) {
        return compile(text).diagnostics().stream().map(Diagnostic::code).filter(c -> !c.name().startsWith("W")).toList();
    }

    @Test
    void mseTakesTargetsForTheTrueAndTheOtherClasses() {
        String layers = "layers { out = readout(2) }\ntrain { dataset = mnist ";
        assertEquals(TrainSpec.MseTargets.ONE_HOT, valid(HEAD + layers + "loss = mse }").train().orElseThrow().targets());
        assertEquals(TrainSpec.MseTargets.ONE_HOT, valid(HEAD + layers + "}").train().orElseThrow().targets());
        TrainSpec t = valid(HEAD + layers + "loss = mse(correct = 0.8, incorrect = 0.2) }").train().orElseThrow();
        assertEquals(TrainSpec.Loss.MSE, t.loss());
        assertEquals(new TrainSpec.MseTargets(0.8, 0.2), t.targets());
        assertEquals(new TrainSpec.MseTargets(2, 0), valid(HEAD + layers + "loss = mse(correct = 2) }").train()
                .orElseThrow().targets());
    }

    @Test
    void onlyMseCarriesTargets() {
        TrainSpec ce = valid(HEAD + "layers { out = readout(2) }\ntrain { dataset = mnist loss = cross_entropy }").train()
                .orElseThrow();
        assertEquals(TrainSpec.MseTargets.ONE_HOT, ce.targets());
        assertThrows(IllegalArgumentException.class, () -> new TrainSpec(ce.origin(), ce.method(), ce.dataset(),
                ce.epochs(), ce.batch(), ce.optimizer(), ce.schedule(), TrainSpec.Loss.CROSS_ENTROPY,
                new TrainSpec.MseTargets(0.8, 0.2), ce.seed(), ce.qatEpochs()));
    }

    @Test
    void deployDefaultsAndLeakForms() {
        DeploySpec d = valid(HEAD.replace("0.9", "0.875") + "layers { out = readout(2) }\ndeploy { }").deploy().orElseThrow();
        assertEquals(8, d.weightBits());
        assertEquals(DeploySpec.Granularity.PER_LAYER, d.granularity());
        assertEquals(16, d.membraneBits());
        assertInstanceOf(DeploySpec.ShiftLeak.class, d.leak());
        assertEquals(DeploySpec.Overflow.SATURATE, d.overflow());
        DeploySpec m = valid(HEAD + "layers { out = readout(2) }\ndeploy { leak = multiplier(12) overflow = wrap"
                + " membrane = int(24) }").deploy().orElseThrow();
        assertEquals(new DeploySpec.MultiplierLeak(12), m.leak());
        assertEquals(DeploySpec.Overflow.WRAP, m.overflow());
        assertEquals(24, m.membraneBits());
    }

    @Test
    void shiftLeakRoundsBetaAsSemanticsSays() {
        assertEquals(4, DeploySpec.shiftFor(0.95)); // -log2(0.05) = 4.32
        assertEquals(0.9375, DeploySpec.betaOfShift(4));
        assertEquals(3, DeploySpec.shiftFor(0.875));
        assertEquals(1, DeploySpec.shiftFor(0.3));
    }

    @Test
    void statementsMayComeInAnyOrderAfterModel() {
        valid("model t\nlayers { h = dense(3) -> a\nout = readout(2) }\nneuron a = LIF(beta = 0.5)\ninput 4\ntimesteps 3");
    }
}
