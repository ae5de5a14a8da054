package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Model files read and compiled; a model's targets' design rules that need no trained weights. */
final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * The file's text, or an INPUT failure naming the file and why: not a regular file (a folder,
     * a pipe, a device), larger than {@link SourceFile#MAX_BYTES}, unreadable, or not UTF-8.
     */
    static SourceFile read(Path file) throws PipelineException {
        byte[] bytes;
        try {
            bytes = InputFiles.read(file, "model file", SourceFile.MAX_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw PipelineException.located(PipelineException.Kind.INPUT, file + ": error: " + e.problem()
                    + (e.help() == null ? "" : "; " + e.help()));
        }
        try {
            return SourceFile.decode(file, bytes);
        } catch (IOException e) {
            throw PipelineException.located(PipelineException.Kind.INPUT, file + ": error: cannot read the file: " + IoProblems.reason(e));
        }
    }

    /** A valid model from its text, or its diagnostics as a failure. */
    static LoadedModel compile(Path file, SourceFile source, PipelineListener listener) throws PipelineException {
        Compilation c = SnnFrontEnd.compile(source);
        listener.parsed(file);
        if (!c.ok()) {
            throw PipelineException.diagnostics(source, c.diagnostics(), source.name() + ": " + c.errorCount()
                    + " error" + (c.errorCount() == 1 ? "" : "s"));
        }
        if (!c.diagnostics().isEmpty()) {
            listener.diagnostics(source, c.diagnostics());
        }
        Path dir = file.toAbsolutePath().getParent();
        return new LoadedModel(file, source, c.network(), dir == null ? Path.of(".").toAbsolutePath() : dir);
    }

    /**
     * A valid model with deploy targets gets each target's design rules that do not depend on
     * trained weights (capacities, widths, modes), judged on the shape-only quantisation
     * ({@link Quantizer#quantizeShapes}), so that a model that cannot fit is known before training.
     * Other compilations are returned as they are.
     */
    static Compilation withDesignRules(Compilation c, Path file) {
        if (!c.ok()) {
            return c;
        }
        Path dir = file.toAbsolutePath().getParent();
        List<Diagnostic> all = new ArrayList<>(c.diagnostics());
        all.addAll(designRulesWithoutWeights(c.network(), dir));
        return new Compilation(c.source(), c.network(), Diagnostics.sorted(all), c.omittedErrors(), c.omittedWarnings());
    }

    /**
     * The deploy targets' design rules without weights (see {@link #withDesignRules}); empty without
     * targets. Memory and time grow with the layers and neurons, not with the parameters: no weight
     * is allocated, so a model of billions of parameters is answered at once.
     */
    static List<Diagnostic> designRulesWithoutWeights(Network net, Path modelDir) {
        if (net.deploy().isEmpty() || net.deploy().get().targets().isEmpty()) {
            return List.of();
        }
        QuantOptions deploy = QuantOptions.from(net.deploy().get());
        List<Diagnostic> all = new ArrayList<>();
        Map<QuantOptions, Quantizer.Result> quantised = new HashMap<>();
        for (DeploySpec.TargetRequest r : net.deploy().get().targets()) {
            TargetFamily family = TargetFamily.named(r.family()).orElse(null);
            if (family == null) {
                continue;
            }
            try {
                var target = family.resolve(r, modelDir);
                Quantizer.Result q = quantised.computeIfAbsent(target.quantOptions(deploy),
                        o -> Quantizer.quantizeShapes(net, o));
                if (q.ok()) {
                    all.addAll(target.designRules(q.network(), false));
                }
            } catch (TargetException e) {
                all.addAll(e.diagnostics());
            }
        }
        return all;
    }
}
