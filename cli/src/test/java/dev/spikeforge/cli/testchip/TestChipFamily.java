package dev.spikeforge.cli.testchip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetCatalogue;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A small fake target family, registered by this module's test resources only: a package and a
 * service entry, nothing else, which verify and run must take like the shipped families. Its chip
 * rounds shifts toward zero and takes {@code cycles} clock cycles per spike; its "emulator" is the
 * integer model of what the folder names (kept in memory by the test, not a hardware description).
 */
public final class TestChipFamily implements TargetFamily {

    static final String NAME = "testchip";
    static final String MARKER = "testchip.json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Target resolve(DeploySpec.TargetRequest request, Path modelDir) throws TargetException {
        int cycles = 1;
        for (Value.Arg a : request.args()) {
            if ("cycles".equals(a.key()) && a.value() instanceof Value.Num n && n.integral() && n.value() >= 1) {
                cycles = (int) n.value();
            } else {
                String problem = "testchip takes cycles = N (N at least 1), got " + a.value();
                throw new TargetException(problem, List.of(Diagnostic.of(ErrorCode.E701, request.origin().pos(), problem)));
            }
        }
        return new TestChipTarget(cycles);
    }

    @Override
    public boolean owns(Path folder) {
        return Files.isRegularFile(folder.resolve(MARKER));
    }

    @Override
    public DeployedTarget read(Path folder) throws FileProblemException {
        Path file = folder.resolve(MARKER);
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new Problem(file, "cannot be read: " + e.getMessage());
        }
        if (!"toward_zero".equals(doc.path("shift_rounding").asText())) {
            throw new Problem(file, "shift_rounding is '" + doc.path("shift_rounding").asText()
                    + "' but the test chip rounds 'toward_zero'");
        }
        return new TestChipDeployed(folder, doc.path("cycles").asInt(), TestChipTarget.compiled(doc.path("key").asText()));
    }

    @Override
    public TargetCatalogue catalogue() {
        return new TargetCatalogue() {
            @Override
            public FigureTable table() {
                return FigureTable.empty();
            }

            @Override
            public List<String> footer() {
                return List.of();
            }

            @Override
            public void json(ObjectNode doc) {
            }

            @Override
            public Optional<Description> describe(String word, Path dir) {
                return Optional.empty();
            }

            @Override
            public String notFound(String word) {
                return "no test chip named '" + word + "'";
            }
        };
    }

    /** A test chip folder that cannot be used. */
    static final class Problem extends FileProblemException {
        private static final long serialVersionUID = 1L;

        Problem(Path file, String problem) {
            super(file, problem, "compile it again", null);
        }
    }
}
