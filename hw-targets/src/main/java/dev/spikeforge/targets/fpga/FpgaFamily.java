package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code fpga} family: {@code target fpga(lanes = 16, family = xc7, memory = block, device = xc7a35t)}. */
public final class FpgaFamily implements TargetFamily {

    @Override
    public String family() {
        return "fpga";
    }

    @Override
    public String folderName(DeploySpec.TargetRequest request) {
        FpgaOptions o = FpgaOptions.from(request, new ArrayList<>());
        return "fpga-" + o.family() + "-p" + o.lanes();
    }

    @Override
    public boolean shiftTowardZero(DeploySpec.TargetRequest request, Path modelDir) {
        // the generated RTL shifts arithmetically (toward minus infinity), the default of
        // docs/semantics.md section 4.5
        return false;
    }

    @Override
    public List<Diagnostic> designRules(QuantizedNetwork q, DeploySpec.TargetRequest request, boolean weightsKnown,
                                        Path modelDir) {
        List<String> problems = new ArrayList<>();
        FpgaOptions o = FpgaOptions.from(request, problems);
        List<Diagnostic> out = new ArrayList<>();
        for (String p : problems) {
            out.add(Diagnostic.of(ErrorCode.E701, request.origin().pos(), "fpga: " + p)
                    .withHelp("target fpga(lanes = 16, family = generic|ice40|xc7, memory = auto|block|distributed, device = "
                            + String.join("|", FpgaDevices.names()) + ")"));
        }
        if (!out.isEmpty()) {
            return out;
        }
        for (FpgaRules.Violation v : FpgaRules.check(q, o)) {
            String where = v.layer().equals("model") ? "" : "layer '" + v.layer() + "': ";
            out.add(Diagnostic.of(ErrorCode.E700, request.origin().pos(), String.format(Locale.ROOT, "%s: %s: %s%s",
                    o.describe(), v.rule(), where, v.problem())).withHelp(v.fix()));
        }
        return out;
    }

    @Override
    public List<String> compile(QuantizedNetwork q, DeploySpec.TargetRequest request, Path outDir, Path modelDir,
                                double[] rates) throws TargetException {
        List<Diagnostic> violations = designRules(q, request, true, modelDir);
        if (!violations.isEmpty()) {
            throw new TargetException("fpga: " + violations.size() + " design rule violation"
                    + (violations.size() == 1 ? "" : "s"), violations);
        }
        FpgaOptions o = FpgaOptions.from(request, new ArrayList<>());
        FpgaDesign d = FpgaDesign.plan(q, o);
        Path folder = outDir.resolve(folderName(request));
        try {
            FpgaFolder.write(d, folder, VerilogGenerator.Fault.NONE);
        } catch (IOException e) {
            throw new TargetException(folder + ": cannot write the design: " + e.getMessage()
                    + "; check that the folder is writable and the disk is not full", List.of());
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: %d layer engines, %d lanes, %,d bits of on-chip memory -> %s",
                o.describe(), d.layers().size(), o.lanes(), FpgaRules.memoryBits(d), folder));
        for (FpgaLayer l : d.layers()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %-5s %4d membrane words x %2d lanes x %2d bits, %6d weight words",
                    l.name(), l.kind().name().toLowerCase(Locale.ROOT), l.memoryWords(), l.lanes(), l.accBits(), l.weightWords()));
        }
        return lines;
    }
}
