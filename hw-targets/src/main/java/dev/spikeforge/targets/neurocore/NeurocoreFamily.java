package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetCatalogue;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code neurocore} family: {@code target neurocore(preset = loihi_like)} or
 * {@code target neurocore(spec = "my_chip.json")}, either with {@code timing = sequential | pipelined}
 * to run the chip in another timing than its own; on the command line a preset name or a spec file alone.
 */
public final class NeurocoreFamily implements TargetFamily {

    static final String NAME = "neurocore";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<DeploySpec.TargetRequest> shorthand(String word) {
        boolean preset = NeurocoreSpecs.presetNames().contains(word);
        boolean file = word.endsWith(".json") || word.contains("/") || word.contains(java.io.File.separator);
        if (!preset && !file) {
            return Optional.empty();
        }
        return Optional.of(new DeploySpec.TargetRequest(NAME, Origin.NONE, List.of(new Value.Arg(preset ? "preset" : "spec",
                SourcePos.NONE, new Value.Text(word, SourcePos.NONE)))));
    }

    @Override
    public Target resolve(DeploySpec.TargetRequest request, Path modelDir) throws TargetException {
        String name = "loihi_like";
        Timing timing = null;
        for (Value.Arg a : request.args()) {
            String word = a.value() instanceof Value.Text t ? t.value() : a.value().toString();
            if (!a.positional() && "timing".equals(a.key())) {
                timing = Timing.of(word);
                if (timing == null) {
                    throw unresolved(request, "neurocore: timing cannot be '" + word + "'; it is sequential or pipelined"
                            + Suggestions.didYouMean(word, List.of("sequential", "pipelined")));
                }
                continue;
            }
            if (!a.positional() && !"preset".equals(a.key()) && !"spec".equals(a.key())) {
                throw unresolved(request, "neurocore: unknown argument '" + a.key() + "'; neurocore takes preset or spec,"
                        + " and timing");
            }
            name = word;
        }
        try {
            NeurocoreSpec spec = NeurocoreSpecs.resolve(name, modelDir);
            // docs/semantics.md section 2.7: the chip's own timing unless the request overrides it
            return new NeurocoreTarget(spec, name, request.origin().pos(), timing);
        } catch (TargetSpecException e) {
            throw unresolved(request, (e.file() == null ? "" : e.file() + ": ") + e.problem());
        }
    }

    private static TargetException unresolved(DeploySpec.TargetRequest request, String problem) {
        Diagnostic d = Diagnostic.of(ErrorCode.E701, request.origin().pos(), problem)
                .withHelp("the presets are " + String.join(", ", NeurocoreSpecs.presetNames())
                        + "; or give spec = \"FILE.json\" (spikeforge targets lists them)");
        return new TargetException(problem, List.of(d));
    }

    @Override
    public boolean owns(Path folder) {
        return Files.isRegularFile(folder.resolve(MappingFiles.MAPPING_JSON));
    }

    @Override
    public DeployedTarget read(Path folder) throws FileProblemException {
        return new NeurocoreDeployed(MappingFiles.read(folder));
    }

    @Override
    public TargetCatalogue catalogue() {
        return new NeurocoreCatalogue();
    }
}
