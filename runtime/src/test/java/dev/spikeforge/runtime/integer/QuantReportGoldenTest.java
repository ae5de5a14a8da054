package dev.spikeforge.runtime.integer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.runtime.engine.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quantisation report of example models, text and JSON, against golden files. The weights are
 * the deterministic initialisation of seed 7 (what matters here is that the report says exactly
 * what the quantiser did with a given set of weights, not that they are trained).
 */
class QuantReportGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet7"})
    void reportOfExampleEqualsGolden(String name) throws IOException {
        Path root = Golden.projectRoot();
        Compilation c = SnnFrontEnd.compile(SourceFile.read(root.resolve("examples/models/" + name + ".snn")),
                dev.spikeforge.compiler.testing.TargetFamilies.INSTALLED);
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        Quantizer.Result r = Quantizer.quantize(net, Parameters.initialise(net, 7).tensors(),
                QuantOptions.from(net.deploy().orElse(null)));
        assertTrue(r.ok(), r.diagnostics().toString());
        Golden.assertMatches(root.resolve("examples/golden/" + name + ".quantization.txt"), QuantReport.text(r.network()));
        Golden.assertMatches(root.resolve("examples/golden/" + name + ".quantization.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(QuantReport.json(r.network()))
                        + "\n");
    }
}
