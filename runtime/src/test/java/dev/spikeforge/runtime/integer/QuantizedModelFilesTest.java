package dev.spikeforge.runtime.integer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QuantizedModelFiles}: what {@code write} puts in model.json and model.npz, {@code read}
 * gives back, every number equal (weights, scales, thresholds, leaks, synaptic leaks, current bits,
 * recurrent, conv1d and maxpool synapses), and the integer model runs the read-back network to the
 * same spikes and membranes. A synapse kind the reader does not know is refused by name.
 */
class QuantizedModelFilesTest {

    @TempDir
    Path dir;

    @Test
    void temporalNetworksComeBackExactly() throws Exception {
        Set<String> kinds = new HashSet<>();
        int written = 0;
        int withCurrent = 0;
        for (long seed = 0; written < 60; seed++) {
            TemporalNetworks.InputKind enc = TemporalNetworks.InputKind.values()[(int) (seed % 3)];
            TemporalNetworks.Case c = TemporalNetworks.generate(seed, 1 + (int) (seed % 6), enc);
            Quantizer.Result r = Quantizer.quantize(c.net, c.weights,
                    QuantOptions.from(c.net.deploy().orElseThrow()).withShiftTowardZero(c.towardZero));
            if (!r.ok()) {
                continue;
            }
            QuantizedNetwork q = r.network();
            Path folder = Files.createDirectories(dir.resolve("case" + seed));
            QuantizedModelFiles.write(q, folder);
            QuantizedNetwork back = QuantizedModelFiles.read(folder);
            assertSameNetwork(q, back, c.source);
            int[] all = IntStream.range(0, q.layers().size()).toArray();
            SampleResult a = new IntegerSimulator(q).run(c.input, all);
            SampleResult b = new IntegerSimulator(back).run(c.input, all);
            for (int l = 0; l < all.length; l++) {
                for (int t = 0; t < q.timesteps(); t++) {
                    assertArrayEquals(a.spikeRecord()[l][t], b.spikeRecord()[l][t], c.source);
                    assertArrayEquals(a.membraneRecord()[l][t], b.membraneRecord()[l][t], c.source);
                }
            }
            assertArrayEquals(a.readout(), b.readout());
            // the report is a function of the network: the read-back network reports the same
            assertEquals(QuantReport.text(q), QuantReport.text(back));
            assertEquals(QuantReport.json(q), QuantReport.json(back));
            q.layers().forEach(l -> l.synapses().forEach(s -> kinds.add(s.kind())));
            withCurrent += q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent) ? 1 : 0;
            written++;
        }
        assertTrue(kinds.containsAll(Set.of("dense", "conv", "conv1d", "avgpool", "maxpool", "recurrent",
                "recurrent_diagonal")), "kinds written: " + kinds);
        assertTrue(withCurrent >= 20, withCurrent + " networks with synaptic currents");
    }

    @Test
    void residualNetworksComeBackExactly() throws Exception {
        int written = 0;
        Set<String> kinds = new HashSet<>();
        for (long seed = 0; written < 30; seed++) {
            RandomNetworks.Case c = RandomNetworks.generate(seed, 3, RandomNetworks.InputKind.values()[(int) (seed % 3)],
                    false);
            Quantizer.Result r = Quantizer.quantize(c.net, c.weights, QuantOptions.from(c.net.deploy().orElseThrow()));
            if (!r.ok()) {
                continue;
            }
            Path folder = Files.createDirectories(dir.resolve("res" + seed));
            QuantizedModelFiles.write(r.network(), folder);
            assertSameNetwork(r.network(), QuantizedModelFiles.read(folder), c.source);
            r.network().layers().forEach(l -> l.synapses().forEach(s -> kinds.add(s.kind())));
            written++;
        }
        assertTrue(kinds.contains("identity"), "kinds written: " + kinds);
    }

    @Test
    void anUnknownSynapseKindIsRefusedByName() throws Exception {
        TemporalNetworks.Case c = null;
        QuantizedNetwork q = null;
        for (long seed = 0; q == null; seed++) {
            c = TemporalNetworks.generate(seed, 2, TemporalNetworks.InputKind.POISSON);
            Quantizer.Result r = Quantizer.quantize(c.net, c.weights, QuantOptions.from(c.net.deploy().orElseThrow()));
            q = r.ok() ? r.network() : null;
        }
        QuantizedModelFiles.write(q, dir);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode doc = mapper.readTree(dir.resolve("model.json").toFile());
        ((ObjectNode) doc.get("layers").get(0).get("synapses").get(0)).put("kind", "lstm");
        Files.writeString(dir.resolve("model.json"), mapper.writeValueAsString(doc));
        IOException e = assertThrows(IOException.class, () -> QuantizedModelFiles.read(dir));
        assertTrue(e.getMessage().contains("kind 'lstm'") && e.getMessage().contains("synapse 0")
                && e.getMessage().contains("maxpool"), e.getMessage());

        ((ObjectNode) doc).put("schema", "spikeforge.quantized/9");
        Files.writeString(dir.resolve("model.json"), mapper.writeValueAsString(doc));
        IOException schema = assertThrows(IOException.class, () -> QuantizedModelFiles.read(dir));
        assertTrue(schema.getMessage().contains("spikeforge.quantized/9"), schema.getMessage());
    }

    /** Every field, arrays element by element. */
    static void assertSameNetwork(QuantizedNetwork e, QuantizedNetwork a, String where) {
        assertEquals(e.name(), a.name(), where);
        assertEquals(e.timesteps(), a.timesteps(), where);
        assertEquals(e.encoding(), a.encoding(), where);
        assertEquals(e.inputShape(), a.inputShape(), where);
        assertEquals(e.inputLimit(), a.inputLimit(), where);
        assertEquals(e.numerics(), a.numerics(), where);
        assertEquals(e.readoutBits(), a.readoutBits(), where);
        assertEquals(e.layers().size(), a.layers().size(), where);
        for (int i = 0; i < e.layers().size(); i++) {
            QuantLayer x = e.layers().get(i);
            QuantLayer y = a.layers().get(i);
            String at = where + "\nlayer " + x.node();
            assertEquals(x.layer(), y.layer(), at);
            assertEquals(x.node(), y.node(), at);
            assertEquals(x.readout(), y.readout(), at);
            assertEquals(x.shape(), y.shape(), at);
            assertEquals(x.channels(), y.channels(), at);
            assertArrayEquals(x.bias(), y.bias(), at);
            assertArrayEquals(x.theta(), y.theta(), at);
            assertEquals(x.reset(), y.reset(), at);
            assertEquals(x.leak(), y.leak(), at);
            assertArrayEquals(x.scale(), y.scale(), at);
            assertEquals(x.floatTheta(), y.floatTheta(), at);
            assertEquals(x.floatBeta(), y.floatBeta(), at);
            assertEquals(x.maxCurrent(), y.maxCurrent(), at);
            assertEquals(x.guardBits(), y.guardBits(), at);
            assertEquals(x.stats(), y.stats(), at);
            assertEquals(x.synapticLeak(), y.synapticLeak(), at);
            assertEquals(x.floatAlpha(), y.floatAlpha(), at);
            assertEquals(x.synapses().size(), y.synapses().size(), at);
            for (int s = 0; s < x.synapses().size(); s++) {
                Synapse p = x.synapses().get(s);
                Synapse q = y.synapses().get(s);
                assertEquals(p.getClass(), q.getClass(), at);
                assertEquals(p.kind(), q.kind(), at);
                assertEquals(p.source(), q.source(), at);
                assertEquals(p.inShape(), q.inShape(), at);
                if (p instanceof Synapse.Dense d) {
                    Synapse.Dense o = (Synapse.Dense) q;
                    assertEquals(d.node(), o.node(), at);
                    assertEquals(d.inFeatures(), o.inFeatures(), at);
                    assertEquals(d.outFeatures(), o.outFeatures(), at);
                    assertArrayEquals(d.weights(), o.weights(), at);
                } else if (p instanceof Synapse.Conv c) {
                    Synapse.Conv o = (Synapse.Conv) q;
                    assertEquals(c.node(), o.node(), at);
                    assertEquals(c.filters(), o.filters(), at);
                    assertEquals(c.kernel(), o.kernel(), at);
                    assertEquals(c.stride(), o.stride(), at);
                    assertEquals(c.padding(), o.padding(), at);
                    assertArrayEquals(c.weights(), o.weights(), at);
                } else if (p instanceof Synapse.Conv1d c) {
                    Synapse.Conv1d o = (Synapse.Conv1d) q;
                    assertEquals(c.node(), o.node(), at);
                    assertEquals(c.filters(), o.filters(), at);
                    assertEquals(c.kernel(), o.kernel(), at);
                    assertEquals(c.stride(), o.stride(), at);
                    assertEquals(c.padding(), o.padding(), at);
                    assertArrayEquals(c.weights(), o.weights(), at);
                } else if (p instanceof Synapse.Recurrent r) {
                    Synapse.Recurrent o = (Synapse.Recurrent) q;
                    assertEquals(r.node(), o.node(), at);
                    assertEquals(r.units(), o.units(), at);
                    assertEquals(r.diagonal(), o.diagonal(), at);
                    assertArrayEquals(r.weights(), o.weights(), at);
                } else if (p instanceof Synapse.Pool pool) {
                    assertEquals(pool.kernel(), ((Synapse.Pool) q).kernel(), at);
                    assertArrayEquals(pool.weights(), ((Synapse.Pool) q).weights(), at);
                } else if (p instanceof Synapse.Identity id) {
                    assertArrayEquals(id.weights(), ((Synapse.Identity) q).weights(), at);
                } else if (p instanceof Synapse.MaxPool m) {
                    assertEquals(m.kernel(), ((Synapse.MaxPool) q).kernel(), at);
                }
            }
        }
    }
}
