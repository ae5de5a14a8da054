package dev.spikeforge.cli.testchip;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.CompiledTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A test chip with its cycles per spike. */
final class TestChipTarget implements Target {

    /** The integer models the test chip's folders name, by key (a test fake: no hardware description). */
    private static final Map<String, QuantizedNetwork> COMPILED = new ConcurrentHashMap<>();

    private final int cycles;

    TestChipTarget(int cycles) {
        this.cycles = cycles;
    }

    static QuantizedNetwork compiled(String key) {
        return COMPILED.get(key);
    }

    @Override
    public String family() {
        return TestChipFamily.NAME;
    }

    @Override
    public String name() {
        return "testchip(cycles = " + cycles + ")";
    }

    @Override
    public String folderName() {
        return "testchip-c" + cycles;
    }

    @Override
    public QuantOptions quantOptions(QuantOptions deploy) {
        return deploy.withShiftTowardZero(true);
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, boolean weightsKnown) {
        return List.of();
    }

    @Override
    public CompiledTarget compile(QuantizedNetwork q, Path outDir, double[] rates) throws TargetException {
        String key = q.name() + "@" + System.identityHashCode(q);
        COMPILED.put(key, q);
        Path folder = outDir.resolve(folderName());
        try {
            AtomicFiles.writeFolder(folder, dir -> Files.writeString(dir.resolve(TestChipFamily.MARKER),
                    "{\"key\": \"" + key + "\", \"cycles\": " + cycles + ", \"shift_rounding\": \""
                            + (q.numerics().shiftTowardZero() ? "toward_zero" : "floor") + "\"}\n"));
        } catch (IOException e) {
            throw new TargetException(folder + ": cannot write: " + e.getMessage(), List.of());
        }
        return new CompiledTarget(this, folder, List.of(name() + ": 1 test chip -> " + folder));
    }
}
