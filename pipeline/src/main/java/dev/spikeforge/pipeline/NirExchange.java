package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.FileGroup;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.io.OutputLock;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.nir.NirExport;
import dev.spikeforge.compiler.nir.NirFile;
import dev.spikeforge.compiler.nir.NirFormatException;
import dev.spikeforge.compiler.nir.NirImport;
import dev.spikeforge.compiler.nir.NirStore;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import dev.spikeforge.runtime.verify.SpikeEquality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Models to and from NIR files (docs/nir.md): export, import as a model and a checkpoint, and the
 * proof that a model survives the trip spike for spike.
 */
public final class NirExchange {

    private NirExchange() {
    }

    /** A model imported from a NIR file: the model text and weights, and the model compiled from that text. */
    public record Imported(NirImport.Result result, LoadedModel model) {
    }

    /** The trip's outcome: the file written, and the comparison of both models. */
    public record Trip(Path nirFile, int nodes, int edges, String importedName, SpikeEquality.Result equality, String structure) {
    }

    /** The weights of {@code checkpoint}, or the initial weights without one (with a warning). */
    public static Map<String, float[]> weights(Pipeline p, LoadedModel model, Path checkpoint) throws PipelineException {
        if (checkpoint != null) {
            return p.checkpoint(model, checkpoint).parameters().tensors();
        }
        p.listener().warning("no --checkpoint; using the untrained initial weights (seed " + model.seed() + ")");
        return Parameters.initialise(model.network(), model.seed()).tensors();
    }

    /** Writes {@code model} with {@code weights} as a NIR file; the export's warnings go to the listener. */
    public static NirExport.Result export(Pipeline p, LoadedModel model, Map<String, float[]> weights, double dt, Path out)
            throws PipelineException {
        NirExport.Result r;
        try {
            r = NirExport.export(model.network(), weights, dt, p.version());
        } catch (NirExport.Unsupported e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, model.file() + ": " + e.getMessage()
                    + "; nothing was written. Fix: " + e.fix());
        }
        r.warnings().forEach(w -> p.listener().warning(w));
        try {
            NirStore.standard().write(out, r.file());
        } catch (IOException e) {
            throw writeFailed(out, e);
        }
        return r;
    }

    /**
     * A NIR file that could not be written (a read-only folder, a full disk): a user's problem
     * (exit 3) naming the file, the reason and the fix; the earlier file, if any, is unchanged.
     */
    static PipelineException writeFailed(Path out, IOException e) {
        String reason = e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException
                ? "no file can be created in " + (out.toAbsolutePath().getParent()) + " (" + IoProblems.reason(e) + ")"
                : IoProblems.reason(e);
        return PipelineException.of(PipelineException.Kind.INPUT, out + ": cannot write the file: " + reason
                + "; check that the folder is writable and the disk is not full, or give another path with -o");
    }

    /** Reads and converts a NIR file and compiles the model text it gives (nothing is written). */
    public static Imported importFile(Pipeline p, Path in, Path modelName, NirImport.Options options) throws PipelineException {
        NirImport.Result r;
        try {
            r = NirImport.convert(in, read(in), options);
        } catch (NirFormatException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        }
        r.warnings().forEach(w -> p.listener().warning(w));
        try {
            return new Imported(r, p.load(modelName, r.source()));
        } catch (PipelineException e) {
            throw e.diagnostics().isEmpty() ? e : PipelineException.diagnostics(e.source(), e.diagnostics(), "the model made"
                    + " from " + in + " is not valid (above); nothing was written. Options such as --encode or --timesteps"
                    + " may fix it.");
        }
    }

    public static NirFile read(Path in) throws NirFormatException {
        return NirStore.standard().read(in);
    }

    /**
     * Writes an imported model's text and its weights as a checkpoint (epoch 0), which every command
     * reads, as one {@link FileGroup} under both files' {@link OutputLock}s: a second import to the
     * same files is refused at once, and after a kill at any moment the next reader finds both
     * files old or both new.
     */
    public static void write(Imported imported, Path from, Path model, Path checkpoint) throws PipelineException {
        Network net = imported.model().network();
        var archive = new TrainingCheckpoint(imported.result().source(), net.name(), 0, 0,
                new Parameters(imported.result().weights()), Map.of(), 0, imported.model().seed(), List.of(),
                "nir import " + from.getFileName()).archive(net);
        try (OutputLock m = Locks.take(model); OutputLock c = Locks.take(checkpoint)) {
            Map<Path, AtomicFiles.FileFiller> files = new LinkedHashMap<>();
            files.put(model, temp -> Files.writeString(temp, imported.result().source(), StandardOpenOption.CREATE_NEW));
            files.put(checkpoint, temp -> CheckpointWriter.writeUnpublished(temp, archive));
            try {
                FileGroup.write(files);
            } catch (IOException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, model + " and " + checkpoint + ": cannot write"
                        + " the files: " + IoProblems.reason(e) + "; check that the folders are writable and the disk is"
                        + " not full (the earlier files are unchanged)");
            }
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, model + ": cannot release a lock: " + IoProblems.reason(e));
        }
    }

    /**
     * Exports {@code model} to {@code dir}, imports it back, and runs both on the first test samples:
     * every spike of every layer at every step and every readout must be equal, in the float model
     * and in the integer model. With {@code keep}, the imported model and its checkpoint stay in {@code dir}.
     */
    public static Trip check(Pipeline p, LoadedModel model, Map<String, float[]> weights, double dt, int samples, Path dir,
                             boolean keep) throws PipelineException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, dir + ": cannot create the folder: " + IoProblems.reason(e));
        }
        Path nirFile = dir.resolve(model.name() + ".nir");
        NirExport.Result r = export(p, model, weights, dt, nirFile);
        Path back = dir.resolve(model.name() + "-imported.snn");
        Imported imported = importFile(p, nirFile, back, NirImport.Options.DEFAULTS);
        if (keep) {
            write(imported, nirFile, back, dir.resolve(model.name() + "-imported.npz"));
        }
        var test = p.dataset(model).test();
        int n = Math.min(samples, test.count());
        Network b = imported.model().network();
        int nodes = r.file().graph().nodes().size();
        int edges = r.file().graph().edges().size();
        try {
            SpikeEquality.Result eq = SpikeEquality.compare(model.network(), new Parameters(weights), b,
                    new Parameters(imported.result().weights()), test, n, model.seed(), 32, p.threads());
            return new Trip(nirFile, nodes, edges, b.name(), eq, null);
        } catch (IllegalArgumentException e) {
            return new Trip(nirFile, nodes, edges, b.name(), null, e.getMessage());
        }
    }
}
