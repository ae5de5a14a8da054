package dev.spikeforge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.IrDump;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.summary.LayerRow;
import dev.spikeforge.compiler.summary.NetworkSummary;
import dev.spikeforge.compiler.summary.SummaryText;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example model is valid and warning-free, and its summary and IR are golden. The seed
 * tables' parameter counts were checked by hand once; the figures are pinned below.
 */
class ExampleModelsTest {

    static final Path ROOT = Golden.projectRoot();
    static final Path MODELS = ROOT.resolve("examples/models");
    static final Path GOLDEN = ROOT.resolve("examples/golden");

    static List<Path> models() throws IOException {
        return snnFiles(MODELS);
    }

    /** The .snn files of a folder, sorted by name. */
    static List<Path> snnFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".snn")).sorted().toList();
        }
    }

    static Network load(String name) throws IOException {
        Path p = MODELS.resolve(name + ".snn");
        Compilation c = SnnFrontEnd.compile(new SourceFile("examples/models/" + name + ".snn", Files.readString(p)));
        assertTrue(c.ok(), name + ": " + c.diagnostics());
        return c.network();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleIsValidWithGoldenSummaryAndIr() throws IOException {
        return models().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String name = p.getFileName().toString().replace(".snn", "");
            Compilation c = SnnFrontEnd.compile(new SourceFile("examples/models/" + p.getFileName(), Files.readString(p)));
            assertEquals(List.of(), c.diagnostics(), "examples carry no errors and no warnings");
            assertTrue(Files.readString(p).startsWith("//"), name + " starts with a comment naming its source");
            Golden.assertMatches(GOLDEN.resolve(name + ".summary.txt"),
                    SummaryText.render(c.source().name(), NetworkSummary.of(c.network())));
            Golden.assertMatches(GOLDEN.resolve(name + ".ir.txt"), IrDump.of(c.network()));
        }));
    }

    /** The models of examples/bench, which docs/benchmarks.md's commands train, stay valid and warning-free. */
    @TestFactory
    Stream<DynamicTest> everyBenchModelIsValid() throws IOException {
        List<Path> files = snnFiles(ROOT.resolve("examples/bench"));
        assertTrue(files.size() >= 5, "examples/bench holds the benchmark models: " + files);
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Compilation c = SnnFrontEnd.compile(new SourceFile("examples/bench/" + p.getFileName(), Files.readString(p)));
            assertEquals(List.of(), c.diagnostics(), "benchmark models carry no errors and no warnings");
            assertTrue(Files.readString(p).startsWith("//"), p + " starts with a comment saying what it measures");
        }));
    }

    @Test
    void theExpectedSetOfExamplesExists() throws IOException {
        assertEquals(List.of("asf_mnist.snn", "events_fmnist.snn", "kws_xylo.snn", "lenet5.snn", "mlp.snn", "quick.snn",
                "resnet11.snn", "resnet7.snn", "resnet9.snn", "seq_fmnist.snn", "sound_seed.snn", "tiny_fpga.snn", "vgg7.snn",
                "vgg9.snn"), models().stream().map(p -> p.getFileName().toString()).toList());
    }

    /** Seed 003 table 4.2: conv 1x5x5 20, conv 20x5x5 50, FC 800 -> 200, output 200 -> 10. */
    @Test
    void lenet5MatchesTable42() throws IOException {
        NetworkSummary s = NetworkSummary.of(load("lenet5"));
        assertEquals(List.of("1x28x28", "20x24x24", "20x12x12", "50x8x8", "50x4x4", "200", "10"),
                s.rows().stream().map(r -> r.shape().toString()).toList());
        assertEquals(List.of(0L, 500L, 0L, 25_000L, 0L, 160_000L, 2_000L),
                s.rows().stream().map(LayerRow::parameters).toList());
        assertEquals(187_500, s.totalParameters());
    }

    /** Seed 002: 20C5-P2-50C5-P2-200FC-10FC has the same sizes as LeNet5. */
    @Test
    void asfNetworkIsTheSeed002Architecture() throws IOException {
        assertEquals(NetworkSummary.of(load("lenet5")).totalParameters(), NetworkSummary.of(load("asf_mnist")).totalParameters());
    }

    /** Seed 003 table 4.3, VGG7: 3*9*64, 64*9*64, 64*9*128, 128*9*128 twice, FC 128 -> 1024, 1024 -> 10. */
    @Test
    void vgg7MatchesTable43() throws IOException {
        NetworkSummary s = NetworkSummary.of(load("vgg7"));
        assertEquals(List.of(0L, 1_728L, 36_864L, 0L, 73_728L, 147_456L, 147_456L, 0L, 131_072L, 10_240L),
                s.rows().stream().map(LayerRow::parameters).toList());
    }

    /** Seed 003 table 4.3, ResNet7: blocks end at 128x8x8 and 256x4x4; skips 64x1x1x128 and 128x1x1x256. */
    @Test
    void resnet7MatchesTable43() throws IOException {
        NetworkSummary s = NetworkSummary.of(load("resnet7"));
        LayerRow r1 = s.rows().stream().filter(r -> r.layer().equals("r1")).findFirst().orElseThrow();
        LayerRow r2 = s.rows().stream().filter(r -> r.layer().equals("r2")).findFirst().orElseThrow();
        assertEquals("128x8x8", r1.shape().toString());
        assertEquals(8_192, r1.parameters());
        assertEquals("256x4x4", r2.shape().toString());
        assertEquals(32_768, r2.parameters());
        assertEquals(5_353_152, s.totalParameters());
    }

    /** Seed 003 table 4.4: 9 and 11 trainable layers (convolutions + FC + output, skips not counted). */
    @Test
    void vgg9Resnet9Resnet11HaveTheirTrainableLayerCounts() throws IOException {
        assertEquals(9, trainableMainLayers(load("vgg9")));
        assertEquals(9, trainableMainLayers(load("resnet9")));
        assertEquals(11, trainableMainLayers(load("resnet11")));
        assertEquals(5_938_880, NetworkSummary.of(load("vgg9")).totalParameters());
    }

    private static long trainableMainLayers(Network n) {
        return n.nodes().stream().filter(node -> node instanceof dev.spikeforge.compiler.ir.Conv2dNode
                || node instanceof dev.spikeforge.compiler.ir.DenseNode
                || node instanceof dev.spikeforge.compiler.ir.ReadoutNode)
                .filter(node -> !node.name().endsWith(".skip")).count();
    }
}
