package dev.spikeforge.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A network built through the Java API, not a file: verify() reports, the constructor guards the graph. */
class NetworkApiTest {

    private static final NeuronDefinition LIF = NeuronDefinition.lif("lif", 1.5, 1.0, Reset.SUBTRACT);

    private static List<Node> nodes(NeuronDefinition neuron, double dropout) {
        return List.of(
                new InputNode("input", "input", Origin.NONE, Shape.flat(4), Encoding.POISSON),
                new DenseNode("h", "h", Origin.NONE, Shape.flat(3), 4, 3, false),
                new NeuronNode("h.lif", "h", Origin.NONE, Shape.flat(3), neuron),
                new DropoutNode("h.dropout", "h", Origin.NONE, Shape.flat(3), dropout),
                new ReadoutNode("out", "out", Origin.NONE, Shape.flat(2), 3, 2, ReadoutMode.ACCUMULATE, 1, null, false));
    }

    private static List<Edge> chain() {
        return List.of(new Edge("input", "h"), new Edge("h", "h.lif"), new Edge("h.lif", "h.dropout"),
                new Edge("h.dropout", "out"));
    }

    @Test
    void verifyReportsEveryRuleWithoutThrowing() {
        Network n = new Network("api", Origin.NONE, 0, List.of(LIF), nodes(LIF, 1.0), chain(), null, null);
        List<ErrorCode> codes = n.verify().stream().map(Diagnostic::code).toList();
        assertEquals(List.of(ErrorCode.E301, ErrorCode.E301, ErrorCode.E301), codes); // T, beta, dropout
    }

    @Test
    void aMalformedGraphIsAProgrammingError() {
        NeuronDefinition ok = NeuronDefinition.lif("lif", 0.5, 1.0, Reset.SUBTRACT);
        assertThrows(IllegalArgumentException.class, () -> new Network("x", Origin.NONE, 5, List.of(ok), nodes(ok, 0),
                List.of(new Edge("h", "input")), null, null));
        assertThrows(IllegalArgumentException.class, () -> new Network("x", Origin.NONE, 5, List.of(ok), nodes(ok, 0),
                List.of(new Edge("input", "nowhere")), null, null));
        List<Node> wrongShape = new java.util.ArrayList<>(nodes(ok, 0));
        wrongShape.set(1, new DenseNode("h", "h", Origin.NONE, Shape.flat(9), 4, 3, false));
        assertThrows(IllegalArgumentException.class, () -> new Network("x", Origin.NONE, 5, List.of(ok), wrongShape,
                chain(), null, null));
    }

    @Test
    void aValidApiNetworkVerifiesClean() {
        NeuronDefinition ok = NeuronDefinition.lif("lif", 0.5, 1.0, Reset.SUBTRACT);
        Network n = new Network("x", Origin.NONE, 5, List.of(ok), nodes(ok, 0.1), chain(), null, null);
        assertEquals(List.of(), n.verify());
        assertEquals(List.of("h.dropout"), n.inputsOf(n.node("out")).stream().map(Node::name).toList());
    }
}
