package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.runtime.engine.MemoryEstimate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory estimate against a machine of the test's own (the quick model needs about 466 MiB). */
class MemoryTest {

    private static final Path QUICK = Golden.projectRoot().resolve("examples/models/quick.snn");

    @TempDir
    Path dir;

    @AfterEach
    void realMachine() {
        Memory.machineForTests = null;
    }

    @Test
    void checkWarnsAboveTheMachinesMemory() throws Exception {
        Memory.machineForTests = new MemoryEstimate.Machine(8L << 30, 256L << 20);
        Compilation c = Pipeline.builder().build().check(QUICK);
        assertTrue(c.ok(), c.diagnostics().toString());
        List<Diagnostic> w = c.diagnostics().stream().filter(d -> d.code() == ErrorCode.W605).toList();
        assertEquals(2, w.size(), w.toString()); // training and inference
        assertTrue(w.get(0).message().contains("more than this machine's 256.0 MiB of memory; train would refuse it"),
                w.get(0).message());
        assertEquals(22, w.get(0).pos().line()); // batch = 64
    }

    @Test
    void checkIsQuietOnAMachineLargeEnough() throws Exception {
        Memory.machineForTests = new MemoryEstimate.Machine(8L << 30, 16L << 30);
        assertEquals(List.of(), Pipeline.builder().build().check(QUICK).diagnostics());
    }

    /** eval and verify refuse before the float engine allocates (exit 3), naming what to shrink. */
    @Test
    void inferenceRefusesAboveTheMachinesMemory() throws Exception {
        assertTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "dataset-fashion-mnist is not installed");
        Pipeline p = Pipeline.builder().limit(64).build();
        Trained t = p.train(p.load(QUICK), TrainSettings.DEFAULTS.to(dir.resolve("quick.npz")));
        Memory.machineForTests = new MemoryEstimate.Machine(8L << 30, 300L << 20);
        PipelineException e = assertThrows(PipelineException.class, () -> p.evaluate(t));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().startsWith(QUICK + ": error: inference needs an estimated"), e.getMessage());
        assertTrue(e.getMessage().contains("more than this machine's 300.0 MiB of memory. Fix: "), e.getMessage());
        assertTrue(e.getMessage().contains("fewer units or filters"), e.getMessage());
        Memory.machineForTests = new MemoryEstimate.Machine(8L << 30, 16L << 30);
        assertTrue(p.evaluate(t).accuracy() >= 0);
    }

    /** train refuses before it allocates anything (exit 3), naming the file, the figure and a batch that fits. */
    @Test
    void trainRefusesAboveTheMachinesMemory() throws Exception {
        assertTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "dataset-fashion-mnist is not installed");
        Memory.machineForTests = new MemoryEstimate.Machine(8L << 30, 420L << 20);
        Pipeline p = Pipeline.builder().limit(64).build();
        Path out = dir.resolve("quick.npz");
        PipelineException e = assertThrows(PipelineException.class,
                () -> p.train(p.load(QUICK), TrainSettings.DEFAULTS.to(out)));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().startsWith(QUICK + ":22:17: error: training needs an estimated"), e.getMessage());
        assertTrue(e.getMessage().contains("more than this machine's 420.0 MiB of memory. Fix: a batch of at most"),
                e.getMessage());
        assertFalse(Files.exists(out));
    }
}
