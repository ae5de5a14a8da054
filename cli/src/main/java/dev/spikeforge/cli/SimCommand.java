package dev.spikeforge.cli;

import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge sim MODEL --checkpoint C --input X.npy [--integer] [--record] -o Y.npz}: runs
 * the float (or integer) model on a given input tensor and writes every layer's spikes.
 */
@Command(name = "sim",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run a model on an input tensor of your own and write every layer's spikes as arrays in a .npz.",
                "The input goes into the first layer as it is: the model's input encoding is bypassed. It is a .npy",
                "of float32, float64 or integers, shaped [T, ...input shape] or [T, B, ...input shape], with T the",
                "model's timesteps. Output arrays are [T, B, ...layer shape]: NODE.spikes (uint8) for every spiking",
                "layer, NODE.readout [B, classes]; with --record also each layer's output (float: NODE.output, the",
                "current of weight layers) or membrane after reset (integer: NODE.membrane, integer units)."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable model, checkpoint or input,",
                "an input of the wrong shape or values, or an output that cannot be written."})
final class SimCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Weights (.npz).")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "The input tensor, used as given.")
    Path input;

    @Option(names = "--integer", description = "Run the integer model (the deploy block's formats) instead of the float one.")
    boolean integer;

    @Option(names = "--record", description = "Also write each layer's output (float) or membrane (integer).")
    boolean record;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "Y.npz", description = "Where to write the arrays.")
    Path output;

    @Option(names = "--threads", paramLabel = "N", description = "Samples run in parallel by the integer model (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (threads != null && threads < 1) {
            return Cli.usage(spec, "--threads takes a number of at least 1");
        }
        try {
            Pipeline p = Cli.pipeline(spec, DataOptions.of(null, threads));
            LoadedModel model = p.load(modelFile);
            Trained t = p.checkpoint(model, checkpoint);
            Simulation.Input x = Simulation.readInput(input, model.network());
            Map<String, NdArray> arrays = integer ? Simulation.runInteger(p, t, x, input, record)
                    : Simulation.runFloat(p.floatModel(t), t, x, record);
            Cli.print(spec, Simulation.write(output, model, input, x, integer, record, arrays).lines());
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}
