package dev.spikeforge.compiler.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.compiler.testing.TargetFamilies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The summary's counts for the temporal layers (docs/language.md section 4.4): conv1d counts its
 * in-bounds taps like conv, maxpool one synapse per input of each window and no parameters, a
 * recurrent dense layer its recurrent synapses and weights too. The figures below are worked out
 * by hand in the comments; the text and JSON of the two spec models are golden.
 */
class NetworkSummaryTest {

    private static Network valid(String text) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", text), TargetFamilies.INSTALLED);
        assertTrue(c.ok(), c.diagnostics().toString());
        return c.network();
    }

    private static LayerRow row(NetworkSummary s, String layer) {
        return s.rows().stream().filter(r -> r.layer().equals(layer)).findFirst().orElseThrow();
    }

    private static final String HEAD = "model t\ninput 2x10\nneuron a = LIF(beta = 0.5)\n";

    @Test
    void conv1dCountsInBoundsTapsAndItsWeights() {
        NetworkSummary s = NetworkSummary.of(valid(HEAD + "layers {\n"
                + "c = conv1d(3, kernel = 3, stride = 2, padding = 1, bias = true) -> a\n"
                + "d = conv1d(4, kernel = 2) -> a\nout = readout(2) }"));
        // c: output length floor((10 + 2 - 3) / 2) + 1 = 5; windows start at -1, 1, 3, 5, 7:
        // 2 + 3 + 3 + 3 + 3 = 14 taps on real input, x 2 channels x 3 filters = 84
        LayerRow c = row(s, "c");
        assertEquals("conv1d 3/2", c.kind());
        assertEquals(List.of(15L, 84L, 3L * 2 * 3 + 3), List.of(c.neurons(), c.synapses(), c.parameters()));
        // d: output length 4, no padding: 4 x 2 taps x 3 channels x 4 filters = 96
        LayerRow d = row(s, "d");
        assertEquals("conv1d 2", d.kind());
        assertEquals(List.of(16L, 96L, 4L * 3 * 2), List.of(d.neurons(), d.synapses(), d.parameters()));
    }

    @Test
    void maxpoolHasASynapsePerWindowInputAndNoParameters() {
        NetworkSummary seq = NetworkSummary.of(valid(HEAD + "layers { c = conv1d(3, kernel = 1) -> a\np = maxpool(3)\n"
                + "out = readout(2) }"));
        // 3 x floor(10 / 3) = 3 x 3 outputs, 3 inputs each
        LayerRow p = row(seq, "p");
        assertEquals(List.of("maxpool 3", "3x3"), List.of(p.kind(), p.shape().toString()));
        assertEquals(List.of(0L, 27L, 0L), List.of(p.neurons(), p.synapses(), p.parameters()));
        NetworkSummary map = NetworkSummary.of(valid("model t\ninput 2x6x6\nlayers { p = maxpool(2)\nout = readout(2) }"));
        // 2 x 3 x 3 outputs, 2 x 2 inputs each
        LayerRow q = row(map, "p");
        assertEquals("maxpool 2x2", q.kind());
        assertEquals(List.of(0L, 72L, 0L), List.of(q.neurons(), q.synapses(), q.parameters()));
    }

    @Test
    void recurrentDenseCountsItsRecurrentSynapsesAndWeights() {
        NetworkSummary s = NetworkSummary.of(valid(HEAD + "layers { f = dense(5) -> a\nr = dense(5, recurrent = true) -> a\n"
                + "d = dense(5, recurrent = diagonal, bias = true) -> a\nout = readout(2) }"));
        LayerRow f = row(s, "f");
        assertEquals(List.of("dense", 20L * 5, 20L * 5), List.of(f.kind(), f.synapses(), f.parameters()));
        // 5 x 5 in, 5 x 5 back
        LayerRow r = row(s, "r");
        assertEquals(List.of("dense recurrent", 50L, 50L), List.of(r.kind(), r.synapses(), r.parameters()));
        // 5 x 5 in, 5 back (each neuron to itself), 5 biases
        LayerRow d = row(s, "d");
        assertEquals(List.of("dense recurrent diagonal", 30L, 35L), List.of(d.kind(), d.synapses(), d.parameters()));
        assertEquals(f.neurons() + r.neurons() + d.neurons() + 2, s.totalNeurons());
    }

    @Test
    void theTemporalSpecModelsHaveGoldenSummaries() throws IOException {
        for (String name : List.of("temporal_sequence", "temporal_image")) {
            Path dir = Path.of("src/test/resources/spec");
            Compilation c = SnnFrontEnd.compile(new SourceFile(name + ".snn", Files.readString(dir.resolve(name + ".snn"))),
                    TargetFamilies.INSTALLED);
            assertTrue(c.ok(), c.diagnostics().toString());
            NetworkSummary s = NetworkSummary.of(c.network());
            Golden.assertMatches(dir.resolve(name + ".summary.txt"), SummaryText.render(c.source().name(), s));
            Golden.assertMatches(dir.resolve(name + ".summary.json"), SummaryJson.of(s).toPrettyString() + "\n");
        }
    }
}
