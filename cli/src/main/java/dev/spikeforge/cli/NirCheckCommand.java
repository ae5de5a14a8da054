package dev.spikeforge.cli;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.NirExchange;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nir check MODEL [--checkpoint C]}: does the model survive a trip through NIR? */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Prove that a model survives a trip through NIR, spike for spike.",
                "Exports the model, imports the file back, and runs both on test samples: every spike of",
                "every layer at every step and every readout must be equal, in the float model and in the",
                "integer model of the deploy formats."},
        footer = {"", "Exit codes: 0 equal, 1 a difference (the first is printed) or an invalid model, 2 usage error,",
                "3 unreadable model, checkpoint or dataset."})
final class NirCheckCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Trained weights (.npz); default: initial weights.")
    Path checkpoint;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "100", description = "Test samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--dt", paramLabel = "SECONDS", defaultValue = "1e-4", description = "The NIR time step (default: ${DEFAULT-VALUE} s).")
    double dt;

    @Option(names = "--keep", paramLabel = "DIR", description = "Keep the NIR file, the imported model and its checkpoint in DIR.")
    Path keep;

    @Mixin
    DataOptions data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (samples < 1 || !(dt > 0) || !Double.isFinite(dt)) {
            return Cli.usage(spec, "--samples takes a number of at least 1 and --dt a positive number");
        }
        if (data.problem() != null) {
            return Cli.usage(spec, data.problem());
        }
        Path dir = keep != null ? keep : Files.createTempDirectory("spikeforge-nir-check");
        long start = System.nanoTime();
        try {
            Pipeline p = Cli.pipeline(spec, data);
            LoadedModel model = p.load(modelFile);
            p.dataset(model);
            NirExchange.Trip trip = NirExchange.check(p, model, NirExchange.weights(p, model, checkpoint), dt, samples, dir,
                    keep != null);
            if (trip.equality() == null) {
                spec.commandLine().getErr().println("spikeforge nir check: FAIL: the imported model differs in structure: "
                        + trip.structure());
                return ExitCodes.CHECK_FAILED;
            }
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "%s -> %s (%d nodes, %d edges) -> %s", modelFile, trip.nirFile().getFileName(),
                    trip.nodes(), trip.edges(), trip.importedName()));
            var eq = trip.equality();
            if (!eq.equal()) {
                out.add("FAIL: first difference: " + eq.difference());
                Cli.print(spec, out);
                return ExitCodes.CHECK_FAILED;
            }
            out.add(String.format(Locale.ROOT, "float model: %d test samples, every spike of %d spiking layer(s) at every"
                    + " step equal (%d spikes), every readout equal", eq.samples(), eq.layers(), eq.floatSpikes()));
            if (eq.integerSpikes() >= 0) {
                out.add(String.format(Locale.ROOT, "integer model: every spike and readout equal (%d spikes)", eq.integerSpikes()));
            }
            out.add(String.format(Locale.ROOT, "PASS (%.1f s)", (System.nanoTime() - start) / 1e9));
            Cli.print(spec, out);
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        } finally {
            if (keep == null) {
                AtomicFiles.deleteTree(dir);
            }
        }
    }
}
