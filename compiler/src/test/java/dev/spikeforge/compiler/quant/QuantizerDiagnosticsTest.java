package dev.spikeforge.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The quantiser's own diagnostics, the ones that need trained weights (E502-E504), each from a
 * model and weights made for it, rendered against golden files.
 */
class QuantizerDiagnosticsTest {

    static final Path GOLDEN = Golden.projectRoot().resolve("compiler/src/test/resources/quantization");

    private static Compilation model(String name, String text) {
        Compilation c = SnnFrontEnd.compile(new SourceFile(name + ".snn", text));
        assertTrue(c.ok(), c.diagnostics().toString());
        return c;
    }

    private static Map<String, float[]> filled(Network net, float value) {
        Map<String, float[]> w = new LinkedHashMap<>();
        net.nodes().forEach(n -> {
            if (n instanceof dev.spikeforge.compiler.ir.DenseNode d) {
                w.put(d.name() + ".weight", fill(d.units() * d.inFeatures(), value));
            } else if (n instanceof dev.spikeforge.compiler.ir.ReadoutNode r) {
                w.put(r.name() + ".weight", fill(r.classes() * r.inFeatures(), value));
            }
        });
        return w;
    }

    private static float[] fill(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String render(Compilation c, Quantizer.Result r) {
        return DiagnosticRenderer.render(c.source(), r.diagnostics());
    }

    @Test
    void aThresholdBeyondTheMembraneNamesTheLayerTheValueAndAWidthThatFits() {
        Compilation c = model("e502", """
                model tiny_weights
                input 16
                neuron lif = LIF(beta = 0.9375, threshold = 1.0)
                layers {
                    f1  = dense(4) -> lif
                    out = readout(2)
                }
                deploy {
                    membrane = int(8)
                }
                """);
        Network net = c.network();
        Quantizer.Result r = Quantizer.quantize(net, filled(net, 0.001f), QuantOptions.from(net.deploy().get()));
        assertFalse(r.ok());
        assertEquals(ErrorCode.E502, r.diagnostics().get(0).code());
        Golden.assertMatches(GOLDEN.resolve("e502.expected"), render(c, r));
        // the width the help names does fit: theta = 1.0 / (0.001 / 127) = 127000 needs 18 bits
        Quantizer.Result fits = Quantizer.quantize(net, filled(net, 0.001f),
                new QuantOptions(8, QuantOptions.from(null).granularity(), 18, net.deploy().get().leak(),
                        net.deploy().get().overflow(), false));
        assertTrue(fits.ok(), fits.diagnostics().toString());
        assertEquals(127000, fits.network().layer("f1").theta()[0]);
    }

    @Test
    void aReadoutThatCouldOverflow64BitsIsRefused() {
        Compilation c = model("e503", """
                model long_run
                input 784 encode direct
                timesteps 2000000000
                layers {
                    out = readout(10)
                }
                deploy {
                    weights = int(16)
                }
                """);
        Network net = c.network();
        Quantizer.Result r = Quantizer.quantize(net, filled(net, 0.5f), QuantOptions.from(net.deploy().get()));
        assertFalse(r.ok());
        assertEquals(ErrorCode.E503, r.diagnostics().get(0).code());
        Golden.assertMatches(GOLDEN.resolve("e503.expected"), render(c, r));
    }

    @Test
    void aNanWeightIsReportedNotQuantised() {
        Compilation c = model("e504", """
                model diverged
                input 16
                neuron lif = LIF(beta = 0.9375)
                layers {
                    f1  = dense(4) -> lif
                    out = readout(2)
                }
                """);
        Network net = c.network();
        Map<String, float[]> w = filled(net, 0.1f);
        w.get("f1.weight")[5] = Float.NaN;
        Quantizer.Result r = Quantizer.quantize(net, w, QuantOptions.from(null));
        assertFalse(r.ok());
        assertEquals(ErrorCode.E504, r.diagnostics().get(0).code());
        Golden.assertMatches(GOLDEN.resolve("e504.expected"), render(c, r));
    }
}
