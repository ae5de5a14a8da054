package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code neurocore} family: {@code target neurocore(preset = loihi_like)} or
 * {@code target neurocore(spec = "my_chip.json")}.
 */
public final class NeurocoreFamily implements TargetFamily {

    @Override
    public String family() {
        return "neurocore";
    }

    /** The spec a request names (preset, or spec file relative to the model), or an exception saying why not. */
    public static NeurocoreSpec spec(DeploySpec.TargetRequest request, Path modelDir) throws TargetSpecException {
        return NeurocoreSpecs.resolve(specName(request), modelDir);
    }

    /** The preset name or spec file a request gives ({@code preset = ...}, {@code spec = ...} or positional); loihi_like if none. */
    static String specName(DeploySpec.TargetRequest request) {
        String name = "loihi_like";
        for (Value.Arg a : request.args()) {
            if ("preset".equals(a.key()) || "spec".equals(a.key()) || a.positional()) {
                name = a.value() instanceof Value.Text t ? t.value() : a.value().toString();
            }
        }
        return name;
    }

    @Override
    public String folderName(DeploySpec.TargetRequest request) {
        String base = Path.of(specName(request)).getFileName().toString().replaceFirst("\\.json$", "");
        return "neurocore-" + base.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    @Override
    public boolean shiftTowardZero(DeploySpec.TargetRequest request, Path modelDir) {
        try {
            return spec(request, modelDir).shiftTowardZero();
        } catch (TargetSpecException e) {
            return false;
        }
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, DeploySpec.TargetRequest request, boolean weightsKnown,
                                        Path modelDir) {
        NeurocoreSpec spec;
        try {
            spec = spec(request, modelDir);
        } catch (TargetSpecException e) {
            return List.of(Diagnostic.of(ErrorCode.E701, request.origin().pos(), (e.file() == null ? "" : e.file() + ": ") + e.problem())
                    .withHelp("the presets are " + String.join(", ", NeurocoreSpecs.presetNames())
                            + "; or give spec = \"FILE.json\" (spikeforge targets lists them)"));
        }
        return diagnostics(DesignRules.check(q, spec, weightsKnown), spec, request.origin().pos());
    }

    static List<Diagnostic> diagnostics(List<DesignRules.Result> results, NeurocoreSpec spec, SourcePos pos) {
        List<Diagnostic> out = new ArrayList<>();
        for (DesignRules.Result r : results) {
            for (DesignRules.Violation v : r.violations()) {
                String where = v.layer().equals("model") ? "" : v.layer().equals("input") ? "the input: "
                        : "layer '" + v.layer() + "' ";
                out.add(Diagnostic.of(ErrorCode.E700, pos, String.format(Locale.ROOT, "%s: %s: %s%s",
                        spec.name(), r.rule(), where, v.problem())).withHelp(v.fix()));
            }
        }
        return out;
    }

    @Override
    public List<String> compile(QuantizedNetwork q, DeploySpec.TargetRequest request, Path outDir, Path modelDir,
                                double[] rates) throws TargetException {
        NeurocoreSpec spec;
        try {
            spec = spec(request, modelDir);
        } catch (TargetSpecException e) {
            throw new TargetException(e.oneLine(), designRules(q, request, true, modelDir));
        }
        List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
        List<Diagnostic> violations = diagnostics(rules, spec, request.origin().pos());
        if (!violations.isEmpty()) {
            throw new TargetException(spec.name() + ": " + violations.size() + " design rule violation"
                    + (violations.size() == 1 ? "" : "s"), violations);
        }
        NeurocoreMapper.Mapping m = NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), rates);
        Path folder = outDir.resolve(folderName(request));
        try {
            MappingWriter.write(m, rules, folder);
        } catch (IOException e) {
            throw new TargetException(folder + ": cannot write the mapping: " + e.getMessage()
                    + "; check that the folder is writable and the disk is not full", List.of());
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: %d of %d cores (lower bound %d), mean %.2f hops per spike "
                        + "(row-major placement: %.2f), max %d (row-major: %d)%s -> %s", spec.name(), m.cores().size(),
                spec.cores(), m.lowerBound(), m.meanHops(), m.naiveMeanHops(), m.maxHops(), m.naiveMaxHops(),
                rates == null ? "" : ", traffic weighted by measured firing rates", folder));
        for (Partitioner.LayerCut c : m.cuts()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %4d cores (lower bound %d): %s per core",
                    q.layers().get(c.layer()).layer(), c.slices().size(), c.lowerBound(), c.shape()));
        }
        return lines;
    }
}
