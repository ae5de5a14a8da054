package dev.spikeforge.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.dsl.TargetSyntax;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.targets.neurocore.NeurocoreSpecs;
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
 * The design rules {@code check} runs before training judge the shape-only quantisation
 * ({@link Quantizer#quantizeShapes}); they give exactly the diagnostics they gave on weights all
 * 1.0, for every example model on every neurocore preset and several FPGA configurations, and
 * none of them reads a weight (the shape-only synapses have none, so one that did would throw).
 */
class ShapeOnlyDesignRulesTest {

    private static Map<String, float[]> ones(Network net) {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (var n : net.nodes()) {
            long count;
            int outputs;
            boolean bias;
            if (n instanceof dev.spikeforge.compiler.ir.Conv2dNode c) {
                count = c.weightCount();
                outputs = c.filters();
                bias = c.bias();
            } else if (n instanceof dev.spikeforge.compiler.ir.Conv1dNode c) {
                count = c.weightCount();
                outputs = c.filters();
                bias = c.bias();
            } else if (n instanceof dev.spikeforge.compiler.ir.DenseNode d) {
                count = (long) d.units() * d.inFeatures();
                outputs = d.units();
                bias = d.bias();
                if (d.isRecurrent()) {
                    float[] r = new float[Math.toIntExact(d.recurrent().weights(d.units()))];
                    Arrays.fill(r, 1f);
                    w.put(n.name() + ".recurrent", r);
                }
            } else if (n instanceof dev.spikeforge.compiler.ir.ReadoutNode r) {
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

    private static List<String> targets() {
        List<String> t = new ArrayList<>();
        for (String preset : NeurocoreSpecs.presetNames()) {
            t.add("neurocore(preset = " + preset + ")");
        }
        t.add("fpga(family = xc7, lanes = 16, device = xc7a100t)");
        t.add("fpga(family = xc7, lanes = 8, device = xc7a35t)");
        t.add("fpga(family = ice40, lanes = 4)");
        t.add("fpga(lanes = 1)");
        return t;
    }

    @Test
    void shapeOnlyRulesGiveWhatWeightsOfOneGave() throws Exception {
        List<Path> models;
        try (Stream<Path> s = Files.list(Golden.projectRoot().resolve("examples/models"))) {
            models = s.filter(p -> p.toString().endsWith(".snn")).sorted().toList();
        }
        int judged = 0;
        int violations = 0;
        for (Path f : models) {
            Compilation c = SnnFrontEnd.compile(new SourceFile(f.toString(), Files.readString(f)));
            assertTrue(c.ok(), f + ": " + c.diagnostics());
            Network net = c.network();
            Map<String, float[]> ones = ones(net);
            QuantOptions deploy = QuantOptions.from(net.deploy().orElse(null));
            for (String text : targets()) {
                DeploySpec.TargetRequest r = TargetSyntax.parse(text).orElseThrow();
                Target target = TargetFamily.named(r.family()).orElseThrow().resolve(r, f.getParent());
                QuantOptions o = target.quantOptions(deploy);
                Quantizer.Result full = Quantizer.quantize(net, ones, o);
                Quantizer.Result shapes = Quantizer.quantizeShapes(net, o);
                assertEquals(full.ok(), shapes.ok(), f + " " + text);
                if (!full.ok()) {
                    continue;
                }
                List<Diagnostic> expected = target.designRules(full.network(), false);
                List<Diagnostic> actual = target.designRules(shapes.network(), false);
                assertEquals(expected, actual, f.getFileName() + " on " + text);
                judged++;
                violations += actual.size();
            }
        }
        assertTrue(judged >= 50, "judged " + judged);
        assertTrue(violations > 0, "no rule was broken, so the comparison proves little");
    }
}
