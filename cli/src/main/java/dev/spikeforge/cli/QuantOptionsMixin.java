package dev.spikeforge.cli;

import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What {@code compile} and {@code verify} share: the checkpoint, the format overrides, and the
 * step from a model file to a quantised network (never touching ND4J).
 */
final class QuantOptionsMixin {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Trained weights (.npz).")
    Path checkpoint;

    @Option(names = "--bits", paramLabel = "B", description = "Weight bits, 2 to 16 (default: the deploy block's, else 8).")
    Integer bits;

    // Two plain options, checked in quantise: picocli listed an exclusive @ArgGroup inside a mixin
    // twice in each command's usage help.
    @Option(names = "--per-channel", description = "One scale per output channel.")
    boolean perChannel;

    @Option(names = "--per-layer", description = "One scale per layer.")
    boolean perLayer;

    /** Quantised model and the float checkpoint it came from, or the exit code (message printed). */
    record Quantised(ModelFiles.Loaded loaded, TrainingCheckpoint checkpoint, Quantizer.Result result, int exitCode) {
    }

    Quantised quantise(String command, Path modelFile, PrintWriter err) {
        ModelFiles.Loaded loaded = ModelFiles.load(modelFile, err);
        if (!loaded.ok()) {
            return new Quantised(loaded, null, null, loaded.exitCode());
        }
        return quantise(command, loaded, err);
    }

    /** As {@link #quantise(String, Path, PrintWriter)} for a model already loaded (and valid). */
    Quantised quantise(String command, ModelFiles.Loaded loaded, PrintWriter err) {
        return quantise(command, loaded, false, err);
    }

    /** ... with right shifts rounding toward zero when the target says so. */
    Quantised quantise(String command, ModelFiles.Loaded loaded, boolean shiftTowardZero, PrintWriter err) {
        if (bits != null && (bits < 2 || bits > 16)) {
            err.println("spikeforge " + command + ": --bits must be 2 to 16, got " + bits);
            return new Quantised(loaded, null, null, ExitCodes.USAGE);
        }
        if (perChannel && perLayer) {
            err.println("spikeforge " + command + ": --per-channel and --per-layer exclude each other; give one of them");
            return new Quantised(loaded, null, null, ExitCodes.USAGE);
        }
        Network net = loaded.network();
        TrainingCheckpoint c;
        try {
            c = TrainingCheckpoint.read(checkpoint, net);
        } catch (CheckpointException e) {
            err.println("spikeforge " + command + ": error: " + e.oneLine());
            return new Quantised(loaded, null, null, ExitCodes.INPUT_ERROR);
        }
        QuantOptions opt = options(net);
        opt = opt.withShiftTowardZero(shiftTowardZero);
        Quantizer.Result r = Quantizer.quantize(net, c.parameters().tensors(), opt);
        if (!r.diagnostics().isEmpty()) {
            err.print(DiagnosticRenderer.render(loaded.compilation().source(), r.diagnostics()));
        }
        return new Quantised(loaded, c, r, r.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED);
    }

    QuantOptions options(Network net) {
        QuantOptions opt = QuantOptions.from(net.deploy().orElse(null));
        if (bits != null) {
            opt = opt.withWeightBits(bits);
        }
        if (perChannel || perLayer) {
            opt = opt.withGranularity(perChannel ? DeploySpec.Granularity.PER_CHANNEL : DeploySpec.Granularity.PER_LAYER);
        }
        return opt;
    }
}
