package dev.spikeforge.examples.api;

import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.pipeline.Emulation;
import dev.spikeforge.pipeline.Folders;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.report.FolderReports;
import dev.spikeforge.pipeline.report.Units;
import java.nio.file.Path;

/**
 * A CI check of a shipped folder: read the compiled folder back (any target family), run it on its
 * emulator with the model's test samples, and fail when its accuracy is below a floor.
 *
 * <pre>java ... dev.spikeforge.examples.api.FolderCheck FOLDER MODEL.snn MIN_ACCURACY [samples]</pre>
 */
public final class FolderCheck {

    private FolderCheck() {
    }

    public static void main(String[] args) throws Exception {
        double floor = Double.parseDouble(args[2]);
        Emulation e = run(Path.of(args[0]), Path.of(args[1]), args.length > 3 ? Integer.parseInt(args[3]) : 200);
        System.out.println(Units.json(FolderReports.emulationJson(e)));
        if (e.accuracy() < floor) {
            System.err.printf("%s: accuracy %.4f is below %.4f%n", e.folder(), e.accuracy(), floor);
            System.exit(1);
        }
    }

    public static Emulation run(Path folder, Path modelFile, int samples) throws PipelineException {
        Pipeline p = Pipeline.builder().build();
        DeployedTarget d = p.read(folder);
        return Folders.emulate(p, d, p.load(modelFile), samples, null, null, 0, false);
    }
}
