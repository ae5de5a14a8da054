package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} on the quick model does each stage once, counted through the pipeline's own hooks:
 * one parse, one quantisation per target (each with its own numerics; the deploy formats' own
 * model is the fpga target's, whose arithmetic is the default), one compile per target, one
 * emulator pass per target, one RTL simulation of the target that has an RTL.
 */
class RunOnceTest {

    @TempDir
    Path dir;

    /** Counts every hook call. */
    static final class Counter implements PipelineListener {
        final List<Path> parsed = new ArrayList<>();
        final List<QuantOptions> quantised = new ArrayList<>();
        final Map<String, Integer> compiled = new HashMap<>();
        final Map<String, Integer> emulated = new HashMap<>();
        final Map<String, Integer> simulated = new HashMap<>();

        @Override
        public void parsed(Path file) {
            parsed.add(file);
        }

        @Override
        public void quantised(QuantOptions options) {
            quantised.add(options);
        }

        @Override
        public void compiled(String target, Path folder) {
            compiled.merge(target, 1, Integer::sum);
        }

        @Override
        public void emulated(String target, int samples) {
            emulated.merge(target, 1, Integer::sum);
        }

        @Override
        public void simulated(String target, String tool, int samples) {
            simulated.merge(target, 1, Integer::sum);
        }
    }

    @Test
    void runParsesOnceAndDoesEveryTargetsWorkOnce() throws Exception {
        assertTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "the Debian package"
                + " dataset-fashion-mnist is not installed (scripts/test.sh installs it)");
        Counter c = new Counter();
        Pipeline p = Pipeline.builder().listener(c).build();
        Path file = Golden.projectRoot().resolve("examples/models/quick.snn");
        LoadedModel m = p.load(file);
        RunResult r = p.run(p.load(file), new RunSettings(null, dir, 24, 2, "verilator",
                new dev.spikeforge.runtime.verify.FloatIntegerComparison.Tolerances(0, 100), false, 256));
        assertEquals(1, c.parsed.size(), "parsed " + c.parsed);
        assertEquals(m, r.trained().model(), "the model loaded once is the one trained");
        List<String> targets = List.of("loihi_like", "fpga(lanes = 8, family = xc7, device = xc7a35t)");
        assertEquals(2, r.compiled().targets().size());
        for (Compiled.Build b : r.compiled().targets()) {
            assertEquals(1, c.quantised.stream().filter(o -> o.equals(b.quantised().options())).count(),
                    b.target().name() + " quantised " + c.quantised);
        }
        // quick deploys pipelined (the deploy formats), loihi_like quantises pipelined with its rounding toward zero,
        // and the fpga accelerator sequentially with floor: three sets of formats, each once
        assertEquals(3, c.quantised.size(), "the deploy formats and two targets that differ from them: " + c.quantised);
        assertEquals(3, c.quantised.stream().distinct().count(), "never the same formats twice: " + c.quantised);
        for (String t : targets) {
            assertEquals(1, c.compiled.getOrDefault(t, 0), t + " compiled " + c.compiled);
            assertEquals(1, c.emulated.getOrDefault(t, 0), t + " emulated " + c.emulated);
        }
        assertEquals(Map.of(targets.get(0), 1, targets.get(1), 1), c.compiled);
        assertEquals(Map.of(targets.get(0), 1, targets.get(1), 1), c.emulated);
        assertEquals(Map.of(targets.get(1), 1), c.simulated, "the fpga target's RTL, once");
        assertTrue(Files.isRegularFile(dir.resolve("summary.txt")));
        assertTrue(Files.isRegularFile(dir.resolve("report/report.html")));
        assertEquals(24, r.verification().samples());
    }
}
