package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/**
 * What the pipeline tells its caller while it works: progress and warnings to show, and one hook
 * per unit of work (a parse, a quantisation, a compiled folder, an emulator pass), which is how a
 * caller (or a test) knows that each stage ran once. Every method has a default that does nothing.
 */
public interface PipelineListener {

    PipelineListener NONE = new PipelineListener() {
    };

    /** A stage begins, e.g. {@code compile -> build/quick/compiled}. */
    default void stage(String what) {
    }

    /** Long work advanced: {@code done} of {@code total}. */
    default void progress(String label, long done, long total, String details, double perSecond) {
    }

    /** Something the user should know that does not stop the work. */
    default void warning(String message) {
    }

    /** Warnings of a model that is valid (errors come as a {@link PipelineException}). */
    default void diagnostics(SourceFile source, List<Diagnostic> diagnostics) {
    }

    /** A training batch ended ({@code label} is e.g. {@code epoch 2/10}). */
    default void trainingBatch(String label, int done, int of, double loss, double accuracy, double samplesPerSecond) {
    }

    /** A training epoch ended and was evaluated on {@code testSamples} test samples. */
    default void trainingEpoch(String label, Trainer.EpochResult result, int testSamples) {
    }

    // ---- hooks: one call per unit of work ---------------------------------------------------

    /** A model file was read and compiled to its network. */
    default void parsed(Path file) {
    }

    /** Trained weights were quantised to {@code options}. */
    default void quantised(QuantOptions options) {
    }

    /** A target's folder was written. */
    default void compiled(String target, Path folder) {
    }

    /** A target's emulator ran a pass over {@code samples} samples. */
    default void emulated(String target, int samples) {
    }

    /** A target's RTL simulation ran {@code samples} samples. */
    default void simulated(String target, String tool, int samples) {
    }
}
