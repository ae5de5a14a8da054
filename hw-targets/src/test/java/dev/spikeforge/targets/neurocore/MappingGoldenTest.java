package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * mapping.json and report.json of two examples on the chip their deploy block names (lenet5, whose
 * neurons subtract the threshold, on spinnaker2_like; quick on loihi_like), against golden files,
 * with weights drawn from a fixed seed; writing twice gives the same bytes, synapse images included.
 */
public class MappingGoldenTest {

    @TempDir
    Path dir;

    /** Quantised with the chip's rounding and run in its timing (docs/semantics.md sections 4.12 and 2.7). */
    static QuantizedNetwork quantised(String name, NeurocoreSpec spec) throws Exception {
        return quantised(name, spec.shiftTowardZero()).withTiming(spec.timing());
    }

    /** An example model quantised in its deploy formats, with weights drawn from a fixed seed (42). */
    public static QuantizedNetwork quantised(String name, boolean towardZero) throws Exception {
        Path root = Golden.projectRoot();
        Compilation c = SnnFrontEnd.compile(SourceFile.read(root.resolve("examples/models/" + name + ".snn")));
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        SplittableRandom rng = new SplittableRandom(42);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            long count = n instanceof Conv2dNode cv ? cv.weightCount() : n instanceof DenseNode d
                    ? (long) d.units() * d.inFeatures() : n instanceof ReadoutNode r ? (long) r.classes() * r.inFeatures() : 0;
            if (count > 0) {
                float[] a = new float[(int) count];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (rng.nextDouble() - 0.5);
                }
                w.put(n.name() + ".weight", a);
            }
        }
        QuantOptions base = QuantOptions.from(net.deploy().orElse(null));
        QuantOptions opt = base.withShiftTowardZero(towardZero);
        Quantizer.Result r = Quantizer.quantize(net, w, opt);
        assertTrue(r.ok(), r.diagnostics().toString());
        return r.network();
    }

    @ParameterizedTest
    @CsvSource({"lenet5, spinnaker2_like", "quick, loihi_like"})
    void mappingOfExampleEqualsGolden(String name, String preset) throws Exception {
        NeurocoreSpec spec = NeurocoreSpecs.preset(preset);
        QuantizedNetwork q = quantised(name, spec);
        List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
        assertTrue(rules.stream().allMatch(DesignRules.Result::passed), rules.toString());
        NeurocoreMapper.Mapping m = NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null);
        MappingWriter.write(m, rules, dir.resolve("a"));
        MappingWriter.write(m, rules, dir.resolve("b"));
        MappingWriter.write(m, rules, dir.resolve("b")); // replaces a folder whole
        Path golden = Golden.projectRoot().resolve("examples/golden/neurocore");
        Golden.assertMatches(golden.resolve(name + "-" + preset + ".mapping.json"), Files.readString(dir.resolve("a/mapping.json")));
        Golden.assertMatches(golden.resolve(name + "-" + preset + ".report.json"), Files.readString(dir.resolve("a/report.json")));
        try (var files = Files.list(dir.resolve("a/cores"))) {
            for (Path f : files.toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("b/cores").resolve(f.getFileName())),
                        f.toString());
            }
        }
        try (var left = Files.list(dir)) {
            assertTrue(left.allMatch(p -> p.getFileName().toString().equals("a") || p.getFileName().toString().equals("b")),
                    "no temporary folder is left behind");
        }
    }
}
