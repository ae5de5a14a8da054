package dev.spikeforge.cli;

import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirExport;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.NirExchange;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nir export MODEL [--checkpoint C] -o FILE.nir}. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Write a model and its trained weights as a NIR file.",
                "Neurons become LIF/IF nodes with tau = dt/(1 - beta), r = tau/dt, v_leak = 0, v_reset = 0;",
                "subtract-reset, time steps, encoding and the deploy block go into the metadata."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable model or checkpoint,",
                "or a file that cannot be written."})
final class NirExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = {"Trained weights (.npz). Without it the",
            "model's initial weights (from its seed) are exported, with a warning."})
    Path checkpoint;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.nir", description = "The NIR file to write.")
    Path out;

    @Option(names = "--dt", paramLabel = "SECONDS", defaultValue = "1e-4", description = {"The time step NIR's",
            "continuous time constants are stated in (default: ${DEFAULT-VALUE} s, snnTorch's)."})
    double dt;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!(dt > 0) || !Double.isFinite(dt)) {
            return Cli.usage(spec, "--dt takes a positive number of seconds, got " + dt);
        }
        try {
            Pipeline p = Cli.pipeline(spec, null);
            LoadedModel model = p.load(modelFile);
            NirExport.Result r = NirExchange.export(p, model, NirExchange.weights(p, model, checkpoint), dt, out);
            NirGraph g = r.file().graph();
            Cli.print(spec, List.of("wrote " + out + ": model '" + model.name() + "' as NIR " + r.file().version() + ", "
                    + g.nodes().size() + " nodes, " + g.edges().size() + " edges, dt = " + dt + " s"));
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
