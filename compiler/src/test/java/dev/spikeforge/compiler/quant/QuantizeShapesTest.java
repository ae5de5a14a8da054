package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.compiler.testing.TargetFamilies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantizer#quantizeShapes} is the quantisation of weights that are all 1.0 without the
 * weights: every number of it equals what {@link Quantizer#quantize} gives for such weights, and
 * its synapses carry no arrays, so a model of billions of parameters costs nothing to judge.
 */
class QuantizeShapesTest {

    private static Network compile(String name, String text) {
        Compilation c = SnnFrontEnd.compile(new SourceFile(name, text), TargetFamilies.INSTALLED);
        assertTrue(c.ok(), name + ": " + c.diagnostics());
        return c.network();
    }

    /** Every weight and bias tensor of {@code net}, filled with 1.0 (checkpoint names and sizes). */
    static Map<String, float[]> ones(Network net) {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            long count;
            int outputs;
            boolean bias;
            if (n instanceof Conv2dNode c) {
                count = c.weightCount();
                outputs = c.filters();
                bias = c.bias();
            } else if (n instanceof Conv1dNode c) {
                count = c.weightCount();
                outputs = c.filters();
                bias = c.bias();
            } else if (n instanceof DenseNode d) {
                if (d.isRecurrent()) {
                    float[] r = new float[Math.toIntExact(d.recurrent().weights(d.units()))];
                    Arrays.fill(r, 1f);
                    w.put(n.name() + ".recurrent", r);
                }
                count = (long) d.units() * d.inFeatures();
                outputs = d.units();
                bias = d.bias();
            } else if (n instanceof ReadoutNode r) {
                count = (long) r.classes() * r.inFeatures();
                outputs = r.classes();
                bias = r.bias();
            } else {
                continue;
            }
            float[] a = new float[Math.toIntExact(count)];
            Arrays.fill(a, 1f);
            w.put(n.name() + ".weight", a);
            if (bias) {
                float[] b = new float[outputs];
                Arrays.fill(b, 1f);
                w.put(n.name() + ".bias", b);
            }
        }
        return w;
    }

    /** The example models, and variants of them that take every branch of the quantiser. */
    static List<Network> models() throws IOException {
        List<Network> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Golden.projectRoot().resolve("examples/models"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".snn")).sorted().toList()) {
                String text = Files.readString(f);
                out.add(compile(f.getFileName().toString(), text));
                String direct = text.replaceAll("encode \\w+(\\([^)]*\\))?", "encode direct");
                if (text.contains("dataset   = audio(") || text.contains("dataset   = events(")) {
                    // direct input is not what a sound front end or event files make (E302): the
                    // variant keeps the network and its deploy block without the train block
                    direct = direct.replaceAll("(?s)\ntrain \\{.*?\n\\}\n", "\n");
                }
                if (!direct.equals(text)) {
                    out.add(compile("direct " + f.getFileName(), direct));
                }
            }
        }
        out.add(compile("biased", """
                model biased
                input 2x12x12 encode direct
                neuron lif = LIF(beta = 0.9)
                neuron ifn = IF(threshold = 0.75)
                layers {
                    c1 = conv(6, kernel = 3, padding = 1, bias = true) -> lif
                    p1 = avgpool(2) -> ifn
                    r1 = residual { conv(6, kernel = 3, padding = 1, bias = true) -> lif
                                    conv(6, kernel = 3, padding = 1) } skip identity -> lif
                    r2 = residual { conv(8, kernel = 3, padding = 1) -> lif
                                    avgpool(2) } skip conv(8, kernel = 2, stride = 2, bias = true) -> lif
                    d1 = dense(20, bias = true) -> lif
                    out = readout(4, mode = count, bias = true) -> lif
                }
                deploy {
                    weights = int(6, per_channel)
                    membrane = int(20)
                }
                """));
        out.add(compile("temporal sequence", """
                model temporal_sequence
                input 3x20 encode poisson
                neuron syn = CUBA(alpha = 0.75, beta = 0.875, threshold = 2.0)
                neuron lif = LIF(beta = 0.9)
                layers {
                    m0 = maxpool(2)
                    c1 = conv1d(4, kernel = 3, stride = 2, padding = 1, bias = true) -> syn
                    m1 = maxpool(2)
                    d1 = dense(12, bias = true, recurrent = true) -> syn
                    d2 = dense(6, recurrent = diagonal) -> lif
                    out = readout(3, mode = count) -> syn
                }
                deploy {
                    weights = int(8, per_channel)
                    membrane = int(18)
                    current_bits = 14
                }
                """));
        out.add(compile("temporal map", """
                model temporal_map
                input 2x8x8 encode poisson
                neuron syn = CUBA(tau_syn = 4, beta = 1.0)
                layers {
                    c1 = conv(4, kernel = 3, padding = 1) -> syn
                    p1 = maxpool(2)
                    r1 = residual { conv(4, kernel = 3, padding = 1) -> syn
                                    conv(4, kernel = 3, padding = 1) } skip identity -> syn
                    d1 = dense(5, recurrent = true) -> syn
                    out = readout(3)
                }
                """));
        return out;
    }

    static void assertSameNumbers(QuantizedNetwork expected, QuantizedNetwork actual, String what) {
        assertEquals(expected.readoutBits(), actual.readoutBits(), what);
        assertEquals(expected.inputLimit(), actual.inputLimit(), what);
        assertEquals(expected.layers().size(), actual.layers().size(), what);
        for (int i = 0; i < expected.layers().size(); i++) {
            QuantLayer e = expected.layers().get(i);
            QuantLayer a = actual.layers().get(i);
            String at = what + ", layer " + e.layer();
            assertEquals(e.shape(), a.shape(), at);
            assertEquals(e.channels(), a.channels(), at);
            assertArrayEquals(e.bias(), a.bias(), at);
            assertArrayEquals(e.theta(), a.theta(), at);
            assertArrayEquals(e.scale(), a.scale(), at);
            assertEquals(e.leak(), a.leak(), at);
            assertEquals(e.synapticLeak(), a.synapticLeak(), at);
            assertEquals(e.floatAlpha(), a.floatAlpha(), at);
            assertEquals(e.maxCurrent(), a.maxCurrent(), at);
            assertEquals(e.guardBits(), a.guardBits(), at);
            assertEquals(e.stats(), a.stats(), at);
            assertEquals(e.synapses().size(), a.synapses().size(), at);
            for (int s = 0; s < e.synapses().size(); s++) {
                Synapse es = e.synapses().get(s);
                Synapse as = a.synapses().get(s);
                assertEquals(es.kind(), as.kind(), at);
                assertEquals(es.source(), as.source(), at);
                assertEquals(es.inShape(), as.inShape(), at);
                if (as instanceof Synapse.Dense d) {
                    assertNull(d.weights(), at + ": a shape-only dense synapse has no weights");
                    assertEquals(((Synapse.Dense) es).inFeatures(), d.inFeatures(), at);
                } else if (as instanceof Synapse.Conv c) {
                    assertNull(c.weights(), at + ": a shape-only conv synapse has no weights");
                    assertEquals(((Synapse.Conv) es).kernel(), c.kernel(), at);
                } else if (as instanceof Synapse.Pool p) {
                    assertArrayEquals(((Synapse.Pool) es).weights(), p.weights(), at);
                } else if (as instanceof Synapse.Identity id) {
                    assertArrayEquals(((Synapse.Identity) es).weights(), id.weights(), at);
                } else if (as instanceof Synapse.Recurrent r) {
                    assertNull(r.weights(), at + ": a shape-only recurrent synapse has no weights");
                    assertEquals(((Synapse.Recurrent) es).units(), r.units(), at);
                    assertEquals(((Synapse.Recurrent) es).diagonal(), r.diagonal(), at);
                } else if (as instanceof Synapse.Conv1d c) {
                    assertNull(c.weights(), at + ": a shape-only conv1d synapse has no weights");
                    assertEquals(((Synapse.Conv1d) es).kernel(), c.kernel(), at);
                    assertEquals(((Synapse.Conv1d) es).stride(), c.stride(), at);
                } else if (as instanceof Synapse.MaxPool m) {
                    assertEquals(((Synapse.MaxPool) es).kernel(), m.kernel(), at);
                }
            }
        }
    }

    @Test
    void everyNumberIsWhatWeightsOfOneGive() throws IOException {
        List<QuantOptions> variants = List.of(
                new QuantOptions(8, DeploySpec.Granularity.PER_LAYER, 16, new DeploySpec.ShiftLeak(),
                        DeploySpec.Overflow.SATURATE, false),
                new QuantOptions(4, DeploySpec.Granularity.PER_CHANNEL, 12, new DeploySpec.MultiplierLeak(12),
                        DeploySpec.Overflow.WRAP, true),
                new QuantOptions(16, DeploySpec.Granularity.PER_CHANNEL, 32, new DeploySpec.MultiplierLeak(6),
                        DeploySpec.Overflow.SATURATE, false));
        int compared = 0;
        int temporal = 0;
        for (Network net : models()) {
            List<QuantOptions> opts = new ArrayList<>(variants);
            opts.add(QuantOptions.from(net.deploy().orElse(null)));
            for (QuantOptions o : opts) {
                Quantizer.Result full = Quantizer.quantize(net, ones(net), o);
                Quantizer.Result shapes = Quantizer.quantizeShapes(net, o);
                assertEquals(full.diagnostics(), shapes.diagnostics(), net.name() + " " + o);
                assertEquals(full.ok(), shapes.ok(), net.name() + " " + o);
                if (full.ok()) {
                    assertSameNumbers(full.network(), shapes.network(), net.name() + " " + o);
                    compared++;
                    temporal += full.network().layers().stream().anyMatch(QuantLayer::isRecurrent) ? 1 : 0;
                }
            }
        }
        assertTrue(compared >= 20, "only " + compared + " quantisations compared");
        assertTrue(temporal >= 6, "only " + temporal + " temporal quantisations compared");
    }

    @Test
    void tenBillionParametersAreQuantisedFromTheirShapesInMilliseconds() {
        StringBuilder text = new StringBuilder("model huge\ninput 1000\nneuron lif = LIF(beta = 0.9)\nlayers {\n");
        for (int i = 0; i < 7; i++) {
            text.append("  dense(41000) -> lif\n");
        }
        text.append("  readout(10)\n}\n");
        Network net = compile("huge", text.toString());
        long params = net.nodes().stream().mapToLong(n -> n instanceof DenseNode d ? d.parameterCount()
                : n instanceof ReadoutNode r ? r.parameterCount() : 0).sum();
        assertTrue(params > 10_000_000_000L, "parameters: " + params);
        // Work per parameter would take seconds at the very least (10^10 of anything); working from the
        // shapes takes milliseconds. The best of three runs under a 2 s bound tells the two apart
        // without failing when a loaded machine pauses this thread for a while.
        Quantizer.Result r = null;
        double seconds = Double.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            r = Quantizer.quantizeShapes(net, QuantOptions.from(null));
            seconds = Math.min(seconds, (System.nanoTime() - t0) / 1e9);
        }
        assertTrue(r.ok(), r.diagnostics().toString());
        assertTrue(seconds < 2.0, seconds + " s");
        assertEquals(41000L * 127, r.network().layers().get(1).maxCurrent());
    }
}
