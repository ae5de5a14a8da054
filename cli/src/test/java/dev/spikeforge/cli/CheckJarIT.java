package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it (failsafe, after `package`). */
class CheckJarIT {

    static final Path JAR = Path.of(System.getProperty("spikeforge.jar", "target/spikeforge.jar"));
    static final Path ROOT = Path.of(System.getProperty("spikeforge.root", "..")).toAbsolutePath().normalize();

    record Run(int exit, String out, String err) {
    }

    static Run run(List<String> jvm, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void checkLoadsNoNd4jAndNoNativeLibrary() throws Exception {
        Run r = run(List.of("-verbose:class", "-Xlog:library=info"), "check", "examples/models/lenet5.snn");
        assertEquals(0, r.exit(), r.err());
        assertNoNd4j(r, "dev.spikeforge.compiler.dsl.SnnParser");
    }

    @Test
    void compileLoadsNoNd4jAndNoNativeLibrary(@TempDir Path dir) throws Exception {
        Network net = SnnFrontEnd.compile(SourceFile.read(ROOT.resolve("examples/models/lenet5.snn"))).network();
        Path checkpoint = dir.resolve("lenet5.npz");
        new TrainingCheckpoint("", net.name(), 0, 0, Parameters.initialise(net, 3), Map.of(), 0, 3, List.of(), "test")
                .write(checkpoint, net);
        Run r = run(List.of("-verbose:class", "-Xlog:library=info"), "compile", "examples/models/lenet5.snn",
                "--checkpoint", checkpoint.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(dir.resolve("out/model.npz")));
        assertNoNd4j(r, "dev.spikeforge.compiler.quant.Quantizer");
    }

    private static void assertNoNd4j(Run r, String mustLoad) {
        List<String> loaded = r.out().lines().filter(l -> l.contains("[class,load]")).toList();
        assertTrue(loaded.size() > 100, "class loading was not logged: " + r.out().lines().limit(5).toList());
        assertTrue(loaded.stream().anyMatch(l -> l.contains(mustLoad)), mustLoad + " was not loaded");
        List<String> forbidden = loaded.stream()
                .filter(l -> l.contains("org.nd4j") || l.contains("org.bytedeco") || l.contains("org.deeplearning4j"))
                .toList();
        assertEquals(List.of(), forbidden);
        List<String> natives = r.out().lines().filter(l -> l.contains("[library]") && l.contains("jniopenblas")
                || l.contains("[library]") && (l.contains("nd4j") || l.contains("dnnl") || l.contains("bytedeco"))).toList();
        assertEquals(List.of(), natives);
    }

    @Test
    void allExamplesCheckThroughTheJar() throws Exception {
        List<String> args = new ArrayList<>(List.of("check"));
        for (String m : List.of("asf_mnist", "lenet5", "mlp", "quick", "resnet11", "resnet7", "resnet9", "vgg7", "vgg9")) {
            args.add("examples/models/" + m + ".snn");
        }
        Run r = run(List.of(), args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("checked 9 files: 9 valid, 0 invalid"), r.out());
    }

    @Test
    void anInternalErrorIsNotPrintedAsAStackTraceUnlessAsked() throws Exception {
        Run r = run(List.of(), "check", "examples/models/lenet5.snn", "--stacktrace");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().isEmpty(), r.err());
    }
}
