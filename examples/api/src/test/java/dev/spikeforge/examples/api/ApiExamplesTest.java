package dev.spikeforge.examples.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.pipeline.Emulation;
import dev.spikeforge.pipeline.PipelineListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The programs of examples/api, run as an embedder runs them, on the real Fashion-MNIST files. */
class ApiExamplesTest {

    @TempDir
    Path dir;

    @Test
    void theTourTrainsCompilesVerifiesAndProfilesAndTheOtherProgramsUseItsFiles() throws Exception {
        assertTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "the Debian package"
                + " dataset-fashion-mnist is not installed (scripts/test.sh installs it)");
        Path model = Golden.projectRoot().resolve("examples/models/quick.snn");
        QuickTour.Outcome o = QuickTour.run(model, dir, 512, 32, PipelineListener.NONE);
        assertEquals(List.of("loihi_like", "fpga(lanes = 8, family = xc7, device = xc7a35t)"), o.targets());
        assertEquals(List.of(32L, 32L), o.exact(), "every emulator equals its integer model");
        assertTrue(o.floatAccuracy() > 0.2 && o.agreement() > 0.5, o.toString());
        assertTrue(o.cyclesPerInference().stream().allMatch(c -> c > 0), o.toString());
        Path checkpoint = dir.resolve("quick.npz");
        assertTrue(Files.isRegularFile(checkpoint));

        List<TargetSweep.Point> points = TargetSweep.run(model, checkpoint, dir.resolve("sweep"), List.of(8, 4),
                List.of("loihi_like", "spinnaker2_like"), 16, PipelineListener.NONE);
        assertEquals(4, points.size(), points.toString());
        for (TargetSweep.Point pt : points) {
            assertEquals(16, pt.exact(), pt.toString());
            assertTrue(pt.cycles() > 0 && pt.energyJ() > 0, pt.toString());
        }

        Emulation e = FolderCheck.run(dir.resolve("compiled/neurocore-loihi_like"), model, 16);
        assertEquals(16, e.samples());
        assertTrue(e.accuracy() >= 0 && e.accuracy() <= 1 && e.figures().meanCycles() > 0, e.toString());
    }
}
