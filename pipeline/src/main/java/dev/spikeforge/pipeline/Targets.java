package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.dsl.TargetSyntax;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The targets of a run: the deploy block's, or those given on the command line, each resolved by its family. */
final class Targets {

    private Targets() {
    }

    /**
     * The requests to compile: {@code overrides} when given, else the deploy block's. An override is
     * written as in a deploy block without the word {@code target} ({@code fpga(lanes = 16)}), read
     * with the grammar's own rule, or is a word a family claims (a preset name, a spec file).
     */
    static List<DeploySpec.TargetRequest> requests(LoadedModel model, List<String> overrides) throws PipelineException {
        if (overrides == null || overrides.isEmpty()) {
            return model.network().deploy().map(DeploySpec::targets).orElse(List.of());
        }
        List<DeploySpec.TargetRequest> out = new ArrayList<>();
        for (String o : overrides) {
            out.add(request(o));
        }
        return out;
    }

    static DeploySpec.TargetRequest request(String text) throws PipelineException {
        Optional<DeploySpec.TargetRequest> parsed = TargetSyntax.parse(text);
        if (parsed.isPresent() && TargetFamily.named(parsed.get().family()).isPresent()) {
            return parsed.get();
        }
        for (TargetFamily f : TargetFamily.all()) {
            Optional<DeploySpec.TargetRequest> r = f.shorthand(text.trim());
            if (r.isPresent()) {
                return r.get();
            }
        }
        List<String> notFound = TargetFamily.all().stream().map(f -> f.catalogue().notFound(text.trim())).toList();
        throw PipelineException.of(PipelineException.Kind.USAGE, "--target '" + text + "' names no target: "
                + String.join("; ", notFound) + ". Write a family with its arguments as in a deploy block (families: "
                + String.join(", ", TargetFamily.names()) + "), or a preset or spec file (spikeforge targets lists them)");
    }

    /** Every request resolved by its family; a request that cannot be is a failure with its diagnostics. */
    static List<Target> resolve(LoadedModel model, List<DeploySpec.TargetRequest> requests) throws PipelineException {
        List<Target> out = new ArrayList<>();
        for (DeploySpec.TargetRequest r : requests) {
            TargetFamily family = TargetFamily.named(r.family()).orElseThrow(() -> PipelineException.of(
                    PipelineException.Kind.INPUT, "target " + r.family() + " is not available in this installation"
                            + " (families: " + String.join(", ", TargetFamily.names()) + ")"));
            try {
                out.add(family.resolve(r, model.modelDir()));
            } catch (TargetException e) {
                if (r.origin() == Origin.NONE) {
                    // a --target option: no place in the model file to point at
                    throw PipelineException.of(PipelineException.Kind.USAGE, "--target " + r.family() + ": " + String.join("; ",
                            e.diagnostics().stream().map(d -> d.message() + (d.help() == null ? "" : " (" + d.help() + ")"))
                                    .toList()));
                }
                throw PipelineException.diagnostics(model.source(), e.diagnostics(), "");
            }
        }
        return out;
    }
}
