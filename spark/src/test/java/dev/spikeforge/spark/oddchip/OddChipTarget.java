package dev.spikeforge.spark.oddchip;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.CompiledTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.integer.QuantizedModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An odd chip: the integer model's files and the marker with K. */
final class OddChipTarget implements Target {

    private final int every;

    OddChipTarget(int every) {
        this.every = every;
    }

    @Override
    public String family() {
        return OddChipFamily.NAME;
    }

    @Override
    public String name() {
        return "oddchip(every = " + every + ")";
    }

    @Override
    public String folderName() {
        return "oddchip-e" + every;
    }

    @Override
    public QuantOptions quantOptions(QuantOptions deploy) {
        return deploy;
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, boolean weightsKnown) {
        return List.of();
    }

    @Override
    public CompiledTarget compile(QuantizedNetwork q, Path outDir, double[] rates) throws TargetException, IOException {
        Path folder = outDir.resolve(folderName());
        AtomicFiles.writeFolder(folder, dir -> {
            try {
                QuantizedModelFiles.write(q, dir);
            } catch (CheckpointException e) {
                throw new IOException(e.getMessage(), e);
            }
            Files.writeString(dir.resolve(OddChipFamily.MARKER), "{\"every\": " + every + "}\n");
        });
        return new CompiledTarget(this, folder, List.of(name() + ": 1 odd chip -> " + folder));
    }
}
