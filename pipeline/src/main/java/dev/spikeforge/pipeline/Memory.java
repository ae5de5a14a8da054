package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.runtime.engine.MemoryEstimate;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory a model's training needs, against spikeforge's hard limits (E800) and this machine
 * (W605), for {@code check} and again for {@code train} before it allocates anything. The
 * figures are {@link MemoryEstimate}'s, which touches no ND4J class.
 */
final class Memory {

    /** Where the tests put a machine of their own; null: this JVM on this machine. */
    static volatile MemoryEstimate.Machine machineForTests;

    private Memory() {
    }

    static MemoryEstimate.Machine machine() {
        MemoryEstimate.Machine m = machineForTests;
        return m != null ? m : MemoryEstimate.Machine.current();
    }

    /** The train block's {@code batch} setting, else the block itself. */
    static SourcePos where(TrainSpec t) {
        SourcePos batch = t.origin().params().get("batch");
        return batch != null ? batch : t.origin().pos();
    }

    /** E800 when a training batch is over a hard limit, else W605 per figure over this machine's memory. */
    static List<Diagnostic> diagnostics(Network net) {
        List<Diagnostic> out = new ArrayList<>();
        if (net.train().isEmpty()) {
            return out;
        }
        SourcePos at = where(net.train().get());
        MemoryEstimate e = MemoryEstimate.of(net);
        String problem = e.hardProblem(null);
        if (problem != null) {
            out.add(Diagnostic.of(ErrorCode.E800, at, problem));
            return out;
        }
        for (String w : e.warnings(machine())) {
            out.add(Diagnostic.of(ErrorCode.W605, at, w));
        }
        return out;
    }

    /**
     * Before the float engine runs inference ({@code eval}, {@code verify}, {@code profile},
     * {@code run}) at {@code batch}: over this machine's memory an INPUT failure (exit 3) naming
     * what to shrink, instead of an out-of-memory error half-way.
     */
    static void beforeInference(LoadedModel model, int batch, String batchSetting) throws PipelineException {
        String problem = MemoryEstimate.of(model.network(), batch).inferenceProblem(machine(), batchSetting);
        if (problem != null) {
            throw PipelineException.located(PipelineException.Kind.INPUT, model.file() + ": error: " + problem);
        }
    }

    /**
     * Before training allocates anything, at the batch it will use: over a hard limit the same
     * E800 as {@code check} (exit 1); over this machine's memory an INPUT failure (exit 3); a heap
     * over the JVM's maximum a warning.
     */
    static void beforeTraining(LoadedModel model, int batch, PipelineListener listener) throws PipelineException {
        Network net = model.network();
        MemoryEstimate e = MemoryEstimate.of(net, batch);
        SourcePos at = where(model.train());
        String problem = e.hardProblem(null);
        if (problem != null) {
            throw PipelineException.diagnostics(model.source(), List.of(Diagnostic.of(ErrorCode.E800, at, problem)),
                    "training needs more memory than spikeforge can use");
        }
        MemoryEstimate.Machine machine = machine();
        problem = e.hardProblem(machine);
        if (problem != null) {
            throw PipelineException.located(PipelineException.Kind.INPUT, model.file() + ":" + at.line() + ":"
                    + at.column() + ": error: " + problem);
        }
        for (String w : e.warnings(machine)) {
            listener.warning(model.file() + ": " + w);
        }
    }
}
