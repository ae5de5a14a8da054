package dev.spikeforge.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.engine.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The comparison behind {@code nir check}: equal models pass, and any changed spike is found. */
class SpikeEqualityTest {

    private static Network model(String theta, String name) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", "model " + name + "\ninput 1x6x6\ntimesteps 6\n"
                + "neuron lif = LIF(beta = 0.9, threshold = " + theta + ")\n"
                + "layers {\n c = conv(3, kernel = 3) -> lif\n d = dense(8) -> lif\n out = readout(3)\n}\n"
                + "train { dataset = fashion_mnist }\n"));
        assertTrue(c.ok(), c.diagnostics().toString());
        return c.network();
    }

    private static ImageDataset data(int n) {
        Random r = new Random(4);
        byte[] px = new byte[n * 36];
        r.nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 3);
        }
        return new ImageDataset(n, 1, 6, 6, 3, px, labels);
    }

    @Test
    void aModelEqualsItselfUnderAnotherName() {
        Network a = model("0.5", "a");
        Parameters p = Parameters.initialise(a, 3);
        SpikeEquality.Result r = SpikeEquality.compare(a, p, model("0.5", "b"), p, data(20), 20, 1, 8, 2);
        assertNull(r.difference());
        assertEquals(2, r.layers());
        assertTrue(r.floatSpikes() > 0 && r.integerSpikes() > 0, r.toString());
    }

    @Test
    void aChangedThresholdOrWeightIsFound() {
        Network a = model("0.5", "a");
        Parameters p = Parameters.initialise(a, 3);
        SpikeEquality.Result r = SpikeEquality.compare(a, p, model("0.6", "a"), p, data(20), 20, 1, 8, 2);
        assertTrue(r.difference() != null, "a threshold 0.1 higher must change some spike");
        Map<String, float[]> w = new LinkedHashMap<>(p.tensors());
        float[] d = w.get("d.weight").clone();
        for (int i = 0; i < d.length; i += 7) {
            d[i] += 0.5f;
        }
        w.put("d.weight", d);
        SpikeEquality.Result r2 = SpikeEquality.compare(a, p, a, new Parameters(w), data(20), 20, 1, 8, 2);
        assertTrue(r2.difference() != null);
        assertTrue(r2.difference().layerA().startsWith("d") || r2.difference().layerA().equals("readout"),
                r2.difference().toString());
    }

    @Test
    void differentStructuresAreRefused() {
        Network a = model("0.5", "a");
        Compilation c = SnnFrontEnd.compile(new SourceFile("t.snn", "model m\ninput 1x6x6\ntimesteps 6\n"
                + "neuron lif = LIF(beta = 0.9, threshold = 0.5)\nlayers {\n d = dense(8) -> lif\n out = readout(3)\n}\n"));
        Network b = c.network();
        assertThrows(IllegalArgumentException.class, () -> SpikeEquality.compare(a, Parameters.initialise(a, 1), b,
                Parameters.initialise(b, 1), data(4), 4, 1, 4, 1));
    }
}
