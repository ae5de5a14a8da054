package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetCatalogue;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code fpga} family: {@code target fpga(lanes = 16, family = xc7, memory = block, device = xc7a35t)}. */
public final class FpgaFamily implements TargetFamily {

    static final String NAME = "fpga";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Target resolve(DeploySpec.TargetRequest request, Path modelDir) throws TargetException {
        List<String> problems = new ArrayList<>();
        FpgaOptions o = FpgaOptions.from(request, problems);
        if (!problems.isEmpty()) {
            List<Diagnostic> out = new ArrayList<>();
            for (String p : problems) {
                out.add(Diagnostic.of(ErrorCode.E701, request.origin().pos(), "fpga: " + p)
                        .withHelp("target fpga(lanes = 16 or [16, 4, ...], family = generic|ice40|xc7,"
                                + " memory = auto|block|distributed, device = "
                                + String.join("|", FpgaDevices.names()) + ")"));
            }
            throw new TargetException("fpga: " + String.join("; ", problems), out);
        }
        return new FpgaTarget(o, request.origin().pos());
    }

    @Override
    public boolean owns(Path folder) {
        return Files.isRegularFile(folder.resolve(FpgaFolder.DESCRIPTION));
    }

    @Override
    public DeployedTarget read(Path folder) throws FileProblemException {
        return new FpgaDeployed(folder, FpgaFolder.read(folder));
    }

    @Override
    public TargetCatalogue catalogue() {
        return new FpgaCatalogue();
    }
}
