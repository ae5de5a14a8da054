package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.compiler.target.CompiledTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One chip of the neurocore family: its spec, its rules, its mapper and its folder. */
final class NeurocoreTarget implements Target {

    private final NeurocoreSpec spec;
    private final String specName;
    private final SourcePos pos;
    /** The timing the chip runs: its spec's, or the request's {@code timing =} (docs/semantics.md section 2.7). */
    private final Timing timing;
    /** The request named a timing: folder and name carry it, so one run can hold the chip in both timings. */
    private final boolean timingNamed;

    /** @param timing the request's {@code timing =}, or null for the chip's own */
    NeurocoreTarget(NeurocoreSpec spec, String specName, SourcePos pos, Timing timing) {
        this.spec = spec;
        this.specName = specName;
        this.pos = pos;
        this.timing = timing == null ? spec.timing() : timing;
        this.timingNamed = timing != null;
    }

    @Override
    public String family() {
        return NeurocoreFamily.NAME;
    }

    @Override
    public String name() {
        return timingNamed ? spec.name() + " (" + timing.keyword() + ")" : spec.name();
    }

    @Override
    public String folderName() {
        String base = Path.of(specName).getFileName().toString().replaceFirst("\\.json$", "");
        return "neurocore-" + base.replaceAll("[^A-Za-z0-9_.-]", "_") + (timingNamed ? "-" + timing.keyword() : "");
    }

    /**
     * The chip rounds its shifts and decays as its spec says (docs/semantics.md section 4.12), and runs its
     * timing (section 2.7).
     */
    @Override
    public QuantOptions quantOptions(QuantOptions deploy) {
        return deploy.withShiftTowardZero(spec.shiftTowardZero()).withDecayMinLsb(spec.decayMinLsb())
                .withLeakNearest(false).withTiming(timing);
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, boolean weightsKnown) {
        return diagnostics(DesignRules.check(q, spec, weightsKnown));
    }

    private List<Diagnostic> diagnostics(List<DesignRules.Result> results) {
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
    public CompiledTarget compile(QuantizedNetwork q, Path outDir, double[] rates) throws TargetException, IOException {
        if (q.numerics().shiftTowardZero() != spec.shiftTowardZero()) {
            throw new TargetException(spec.name() + ": the model was quantised with shift rounding "
                    + rounding(q.numerics().shiftTowardZero()) + " but the chip rounds " + rounding(spec.shiftTowardZero())
                    + "; quantise with this target's own options (Target.quantOptions)", List.of());
        }
        if (q.numerics().decayMinLsb() != spec.decayMinLsb()) {
            throw new TargetException(spec.name() + ": the model was quantised " + (q.numerics().decayMinLsb() ? "with" : "without")
                    + " the minimum 1-LSB decay but the chip " + (spec.decayMinLsb() ? "has" : "has not")
                    + " it (decay_min_lsb); quantise with this target's own options (Target.quantOptions)", List.of());
        }
        if (q.timing() != timing) {
            throw new TargetException(spec.name() + ": the model was quantised for " + q.timing().keyword()
                    + " timing but the chip runs " + timing.keyword() + "; quantise with this target's own options"
                    + " (Target.quantOptions)", List.of());
        }
        List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
        List<Diagnostic> violations = diagnostics(rules);
        if (!violations.isEmpty()) {
            throw new TargetException(spec.name() + ": " + violations.size() + " design rule violation"
                    + (violations.size() == 1 ? "" : "s"), violations);
        }
        NeurocoreMapper.Mapping m = NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), rates);
        Path folder = outDir.resolve(folderName());
        MappingWriter.write(m, rules, folder);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: %d of %d cores (lower bound %d), mean %.2f hops per spike "
                        + "(row-major placement: %.2f), max %d (row-major: %d)%s -> %s", spec.name(), m.physicalCores(),
                spec.cores(), m.lowerBound(), m.meanHops(), m.naiveMeanHops(), m.maxHops(), m.naiveMaxHops(),
                rates == null ? "" : ", traffic weighted by measured firing rates", folder));
        for (Partitioner.LayerCut c : m.cuts()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %4d cores (lower bound %d): %s per core",
                    q.layers().get(c.layer()).layer(), c.slices().size(), c.lowerBound(), c.shape()));
        }
        return new CompiledTarget(this, folder, lines);
    }

    static String rounding(boolean towardZero) {
        return towardZero ? "toward_zero" : "floor";
    }
}
