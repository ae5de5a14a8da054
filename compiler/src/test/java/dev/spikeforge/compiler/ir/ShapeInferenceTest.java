package dev.spikeforge.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape inference, one test per layer kind, through the language (as users reach it). */
class ShapeInferenceTest {

    private static Network net(String input, String layers) {
        String text = "model t\ninput " + input + "\nneuron lif = LIF(beta = 0.9)\nneuron pool = IF(threshold = 0.75)\n"
                + "layers {\n" + layers + "\n}\n";
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", text));
        assertTrue(c.network() != null, "no network: " + c.diagnostics());
        return c.network();
    }

    private static List<ErrorCode> codes(String input, String layers) {
        String text = "model t\ninput " + input + "\nneuron lif = LIF(beta = 0.9)\nneuron pool = IF(threshold = 0.75)\n"
                + "layers {\n" + layers + "\n}\n";
        return SnnFrontEnd.compile(new SourceFile("t.snn", text)).diagnostics().stream().map(Diagnostic::code)
                .filter(c -> c != ErrorCode.W602) // the shared header defines a neuron some cases do not use
                .toList();
    }

    @Test
    void convFollowsTheFloorFormulaWithStrideAndPadding() {
        Network n = net("1x28x28", "c = conv(20, kernel = 5) -> lif\nd = conv(8, kernel = 3, stride = 2, padding = 1) -> lif\n"
                + "out = readout(10)");
        assertEquals(Shape.chw(20, 24, 24), n.node("c").shape());
        assertEquals(Shape.chw(8, 12, 12), n.node("d").shape()); // floor((24 + 2 - 3) / 2) + 1 = 12
        assertEquals(20, ((Conv2dNode) n.node("d")).inChannels());
        assertEquals(Shape.chw(8, 12, 12), n.node("d.lif").shape());
    }

    @Test
    void convKernelLargerThanPaddedInputIsAnError() {
        assertEquals(List.of(ErrorCode.E400), codes("1x4x4", "c = conv(2, kernel = 5) -> lif\nout = readout(2)"));
        assertEquals(List.of(), codes("1x4x4", "c = conv(2, kernel = 5, padding = 1) -> lif\nout = readout(2)"));
    }

    @Test
    void convAndPoolNeedAFeatureMap() {
        assertEquals(List.of(ErrorCode.E401), codes("784", "c = conv(2, kernel = 3) -> lif\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E401), codes("784", "p = avgpool(2) -> pool\nout = readout(2)"));
    }

    @Test
    void conv1dFollowsTheFloorFormulaOnASequenceOnly() {
        Network n = net("3x50", "c = conv1d(4, kernel = 5, stride = 2, padding = 1) -> lif\nout = readout(2)");
        assertEquals(Shape.cl(4, 24), n.node("c").shape()); // floor((50 + 2 - 5) / 2) + 1
        assertEquals(List.of(ErrorCode.E400), codes("2x4", "c = conv1d(2, kernel = 5) -> lif\nout = readout(2)"));
        assertEquals(List.of(), codes("2x4", "c = conv1d(2, kernel = 5, padding = 1) -> lif\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E401), codes("784", "c = conv1d(2, kernel = 3) -> lif\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E401), codes("1x8x8", "c = conv1d(2, kernel = 3) -> lif\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E401), codes("2x8", "c = conv(2, kernel = 3) -> lif\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.W601), codes("2x65", "c = conv1d(2, kernel = 4, stride = 3) -> lif\nout = readout(2)"));
    }

    @Test
    void maxpoolFloorsSequencesAndMapsAndWarnsAboutDroppedEdges() {
        assertEquals(Shape.cl(2, 3), net("2x7", "p = maxpool(2)\nout = readout(2)").node("p").shape());
        assertEquals(Shape.chw(2, 2, 2), net("2x7x7", "p = maxpool(3)\nout = readout(2)").node("p").shape());
        assertEquals(List.of(ErrorCode.W600), codes("2x7", "p = maxpool(2)\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.W600), codes("2x7x7", "p = maxpool(3)\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E400), codes("2x7", "p = maxpool(8)\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E400), codes("2x7x9", "p = maxpool(8)\nout = readout(2)"));
        assertEquals(List.of(ErrorCode.E401), codes("784", "p = maxpool(2)\nout = readout(2)"));
    }

    /** The builder asks the rules for a shape without a sink (the verifier reports); that must never throw. */
    @Test
    void temporalRulesWithoutASinkReturnUnknownQuietly() {
        assertEquals(Shape.UNKNOWN, ShapeRules.conv1d(Shape.flat(5), 2, 3, 1, 0, null, null));
        assertEquals(Shape.UNKNOWN, ShapeRules.conv1d(Shape.chw(1, 5, 5), 2, 3, 1, 0, null, null));
        assertEquals(Shape.UNKNOWN, ShapeRules.conv1d(Shape.cl(1, 2), 2, 3, 1, 0, null, null));
        assertEquals(Shape.UNKNOWN, ShapeRules.maxpool(Shape.flat(5), 2, null, null));
        assertEquals(Shape.UNKNOWN, ShapeRules.maxpool(Shape.cl(1, 2), 3, null, null));
        assertEquals(Shape.UNKNOWN, ShapeRules.maxpool(Shape.chw(1, 2, 2), 3, null, null));
        assertEquals(Shape.cl(1, 1), ShapeRules.maxpool(Shape.cl(1, 3), 2, null, null));
    }

    @Test
    void avgpoolFloorsAndWarnsAboutDroppedEdges() {
        Network n = net("2x7x7", "p = avgpool(2) -> pool\nout = readout(3)");
        assertEquals(Shape.chw(2, 3, 3), n.node("p").shape());
        assertEquals(List.of(ErrorCode.W600), codes("2x7x7", "p = avgpool(2) -> pool\nout = readout(3)"));
        assertEquals(List.of(ErrorCode.E400), codes("2x3x3", "p = avgpool(4) -> pool\nout = readout(3)"));
    }

    @Test
    void denseAndReadoutFlattenFeatureMapsImplicitly() {
        Network n = net("3x4x5", "f = dense(7) -> lif\nout = readout(2)");
        assertEquals(Shape.flat(60), n.node("f.flatten").shape());
        assertEquals(60, ((DenseNode) n.node("f")).inFeatures());
        assertEquals(Shape.flat(7), n.node("f").shape());
        assertEquals(Shape.flat(2), n.node("out").shape());
        Network direct = net("3x4x5", "out = readout(2)");
        assertEquals(60, ((ReadoutNode) direct.node("out")).inFeatures());
        assertEquals(Shape.flat(60), direct.node("out.flatten").shape());
    }

    @Test
    void explicitFlattenMakesOneFlatNodeAndDenseAddsNoOther() {
        Network n = net("3x4x5", "fl = flatten\nf = dense(7) -> lif\nout = readout(2)");
        assertEquals(Shape.flat(60), n.node("fl").shape());
        assertThrows(IllegalArgumentException.class, () -> n.node("f.flatten"));
    }

    @Test
    void residualSumsPathsOfOneShapeAndRejectsOthers() {
        Network n = net("4x8x8", "r = residual {\n a = conv(8, kernel = 3, padding = 1) -> lif\n"
                + " b = conv(8, kernel = 3, stride = 2, padding = 1)\n} skip conv(8, kernel = 1, stride = 2) -> lif\n"
                + "out = readout(2)");
        assertEquals(Shape.chw(8, 4, 4), n.node("r.add").shape());
        assertEquals(Shape.chw(8, 4, 4), n.node("r.skip").shape());
        assertEquals(List.of("b", "r.skip"), n.inputsOf(n.node("r.add")).stream().map(Node::name).toList());
        List<ErrorCode> bad = codes("4x8x8", "r = residual {\n a = conv(8, kernel = 3, padding = 1) -> lif\n"
                + " b = conv(8, kernel = 3, stride = 2, padding = 1)\n} skip identity -> lif\nout = readout(2)");
        assertEquals(List.of(ErrorCode.E402), bad);
    }

    @Test
    void identitySkipKeepsTheBlockShape() {
        Network n = net("4x8x8", "r = residual {\n a = conv(4, kernel = 3, padding = 1) -> lif\n"
                + " b = conv(4, kernel = 3, padding = 1)\n} skip identity -> lif\nout = readout(2)");
        assertEquals(Shape.chw(4, 8, 8), n.node("r.lif").shape());
        assertEquals(List.of("b", "input"), n.inputsOf(n.node("r.add")).stream().map(Node::name).toList());
    }

    @Test
    void dropoutAndNeuronsKeepTheirInputShape() {
        Network n = net("10", "h = dense(5) -> lif dropout 0.5\nout = readout(2)");
        assertEquals(Shape.flat(5), n.node("h.dropout").shape());
        assertEquals(0.5, ((DropoutNode) n.node("h.dropout")).p());
    }

    @Test
    void oneErrorIsNotRepeatedDownstream() {
        List<ErrorCode> c = codes("1x4x4", "c = conv(2, kernel = 9) -> lif\nd = conv(2, kernel = 3) -> lif\n"
                + "p = avgpool(2) -> pool\nout = readout(2)");
        assertEquals(List.of(ErrorCode.E400), c);
    }

    @Test
    void shapesPrintInTheLanguageNotation() {
        assertEquals("1x28x28", Shape.chw(1, 28, 28).toString());
        assertEquals("784", Shape.flat(784).toString());
        assertEquals("?", Shape.UNKNOWN.toString());
        assertFalse(Shape.UNKNOWN.isKnown());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(0, 1));
    }
}
