package dev.spikeforge.targets.fpga;

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

/** One accelerator configuration of the fpga family: its options, rules, planner and generated folder. */
final class FpgaTarget implements Target {

    private final FpgaOptions options;
    private final SourcePos pos;

    FpgaTarget(FpgaOptions options, SourcePos pos) {
        this.options = options;
        this.pos = pos;
    }

    @Override
    public String family() {
        return FpgaFamily.NAME;
    }

    /** The options as written, with the device synthesis checks against (the folder records the same). */
    @Override
    public String name() {
        return new FpgaOptions(options.lanes(), options.family(), options.memory(), options.effectiveDevice(),
                options.leakRounding(), options.layerLanes()).describe();
    }

    @Override
    public String folderName() {
        String p = options.layerLanes().isEmpty() ? String.valueOf(options.lanes())
                : String.join("-", options.layerLanes().stream().map(String::valueOf).toList());
        return "fpga-" + options.family() + "-p" + p + (options.leakNearest() ? "-nearest" : "");
    }

    /** The generated RTL shifts arithmetically, toward minus infinity (docs/semantics.md section 4.5). */
    @Override
    public QuantOptions quantOptions(QuantOptions deploy) {
        // the layer engines run one after another within a step: sequential timing (docs/semantics.md section 2.7),
        // whatever the deploy block trains with
        return deploy.withShiftTowardZero(FpgaNumerics.SHIFT_TOWARD_ZERO).withDecayMinLsb(false)
                .withLeakNearest(options.leakNearest()).withTiming(Timing.SEQUENTIAL);
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, boolean weightsKnown) {
        List<Diagnostic> out = new ArrayList<>();
        for (FpgaRules.Violation v : FpgaRules.check(q, options)) {
            String where = v.layer().equals("model") ? "" : "layer '" + v.layer() + "': ";
            out.add(Diagnostic.of(ErrorCode.E700, pos, String.format(Locale.ROOT, "%s: %s: %s%s",
                    options.describe(), v.rule(), where, v.problem())).withHelp(v.fix()));
        }
        return out;
    }

    @Override
    public CompiledTarget compile(QuantizedNetwork q, Path outDir, double[] rates) throws TargetException, IOException {
        if (q.numerics().shiftTowardZero() != FpgaNumerics.SHIFT_TOWARD_ZERO) {
            throw new TargetException(options.describe() + ": the model was quantised with shift rounding "
                    + FpgaNumerics.rounding(q.numerics().shiftTowardZero()) + " but the accelerator rounds "
                    + FpgaNumerics.rounding(FpgaNumerics.SHIFT_TOWARD_ZERO)
                    + "; quantise with this target's own options (Target.quantOptions)", List.of());
        }
        if (q.numerics().leakNearest() != options.leakNearest()) {
            throw new TargetException(options.describe() + ": the model was quantised with its leak rounding "
                    + (q.numerics().leakNearest() ? "to nearest" : "down") + " but the accelerator rounds "
                    + (options.leakNearest() ? "to nearest" : "down") + "; quantise with this target's own options"
                    + " (Target.quantOptions)", List.of());
        }
        if (q.timing() != Timing.SEQUENTIAL) {
            throw new TargetException(options.describe() + ": the model was quantised for " + q.timing().keyword()
                    + " timing but the accelerator runs its layers in sequence; quantise with this target's own options"
                    + " (Target.quantOptions)", List.of());
        }
        List<Diagnostic> violations = designRules(q, true);
        if (!violations.isEmpty()) {
            throw new TargetException("fpga: " + violations.size() + " design rule violation"
                    + (violations.size() == 1 ? "" : "s"), violations);
        }
        FpgaDesign d = FpgaDesign.plan(q, options);
        Path folder = outDir.resolve(folderName());
        FpgaFolder.write(d, folder, VerilogGenerator.Fault.NONE);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: %d layer engines, %s lanes, %,d bits of on-chip memory -> %s",
                options.describe(), d.layers().size(), options.layerLanes().isEmpty() ? String.valueOf(options.lanes())
                        : options.lanesText() + " (" + options.totalLanes(d.layers().size()) + " in all)",
                FpgaRules.memoryBits(d), folder));
        for (FpgaLayer l : d.layers()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %-5s %4d membrane words x %2d lanes x %2d bits, %6d weight words%s%s",
                    l.name(), l.kind().name().toLowerCase(Locale.ROOT), l.memoryWords(), l.lanes(), l.accBits(), l.weightWords(),
                    l.hasCurrent() ? ", synaptic current " + l.currentBits() + " bits (" + l.synapticLeak().describe() + ")" : "",
                    l.recurrent() ? ", recurrent " + l.recurrence().name().toLowerCase(Locale.ROOT) : ""));
        }
        return new CompiledTarget(this, folder, lines);
    }
}
