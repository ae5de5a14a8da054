package dev.spikeforge.spark.oddchip;

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
import dev.spikeforge.runtime.integer.QuantizedModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A fake target family of the spark module's tests, {@code oddchip(every = K)}, whose emulator
 * differs from the integer model on purpose: it runs the integer model its folder holds
 * (model.json, model.npz) and adds 1 to the last readout value of every sample whose input spikes
 * number a multiple of K, so that verify has differences to report and shards to merge them in
 * order. Its figures add per-sample energies in floating point, whose sum depends on its order.
 */
public final class OddChipFamily implements TargetFamily {

    static final String NAME = "oddchip";
    static final String MARKER = "oddchip.json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Target resolve(DeploySpec.TargetRequest request, Path modelDir) throws TargetException {
        int every = 5;
        for (Value.Arg a : request.args()) {
            if ("every".equals(a.key()) && a.value() instanceof Value.Num n && n.integral() && n.value() >= 1) {
                every = (int) n.value();
            } else {
                String problem = "oddchip takes every = K (K at least 1), got " + a.value();
                throw new TargetException(problem, List.of(Diagnostic.of(ErrorCode.E701, request.origin().pos(), problem)));
            }
        }
        return new OddChipTarget(every);
    }

    @Override
    public boolean owns(Path folder) {
        return Files.isRegularFile(folder.resolve(MARKER));
    }

    @Override
    public DeployedTarget read(Path folder) throws FileProblemException {
        Path file = folder.resolve(MARKER);
        try {
            JsonNode doc = new ObjectMapper().readTree(Files.readString(file));
            return new OddChipDeployed(folder, doc.path("every").asInt(), QuantizedModelFiles.read(folder));
        } catch (IOException e) {
            throw new Problem(file, "cannot be read: " + e.getMessage());
        }
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
                return "no odd chip named '" + word + "'";
            }
        };
    }

    /** An odd chip folder that cannot be used. */
    static final class Problem extends FileProblemException {
        private static final long serialVersionUID = 1L;

        Problem(Path file, String problem) {
            super(file, problem, "compile it again", null);
        }
    }
}
