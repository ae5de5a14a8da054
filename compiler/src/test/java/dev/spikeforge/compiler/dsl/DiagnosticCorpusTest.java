package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.testing.TargetFamilies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden corpus of invalid models: each {@code diagnostics/X.snn} starts with
 * {@code // expect: CODES}; its rendered diagnostics must equal {@code X.expected} byte for byte,
 * and the codes reported must be exactly the ones it expects.
 */
class DiagnosticCorpusTest {

    static final Path CORPUS = Path.of("src/test/resources/diagnostics");

    static List<Path> corpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".snn")).sorted().toList();
        }
    }

    static Compilation compile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return SnnFrontEnd.compile(new SourceFile("diagnostics/" + file.getFileName(), text), TargetFamilies.INSTALLED);
    }

    static Set<String> expectedCodes(Path file) throws IOException {
        String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        assertTrue(first.startsWith("// expect:"), file + " must start with '// expect: CODES'");
        return new TreeSet<>(Arrays.asList(first.substring("// expect:".length()).trim().split("\\s+")));
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesItsGoldenDiagnostics() throws IOException {
        return corpus().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Compilation c = compile(file);
            assertFalse(c.diagnostics().isEmpty(), file + " produced no diagnostics");
            Set<String> actual = c.diagnostics().stream().map(d -> d.code().name())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expectedCodes(file), actual, "codes of " + file);
            String golden = file.getFileName().toString().replaceAll("\\.snn$", ".expected");
            Golden.assertMatches(CORPUS.resolve(golden), DiagnosticRenderer.render(c.source(), c.diagnostics()));
        }));
    }

    /**
     * Codes the front end alone cannot produce: E502-E504 depend on trained weights (the quantiser's
     * tests, QuantizerDiagnosticsTest, produce each from a model and weights); E700 and E701 come
     * from target families in module hw-targets (CheckCommandTest produces both through `check`);
     * E800 and W605 from the pipeline's memory estimate (CheckCommandTest, through `check`).
     */
    static final Set<ErrorCode> QUANTISER_ONLY = EnumSet.of(ErrorCode.E502, ErrorCode.E503, ErrorCode.E504,
            ErrorCode.E700, ErrorCode.E701, ErrorCode.E800, ErrorCode.W605);

    @Test
    void corpusIsLargeAndUsesEveryCode() throws IOException {
        List<Path> files = corpus();
        assertTrue(files.size() >= 40, "the corpus has " + files.size() + " cases, at least 40 are required");
        Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
        for (Path f : files) {
            for (Diagnostic d : compile(f).diagnostics()) {
                seen.add(d.code());
            }
        }
        Set<ErrorCode> missing = EnumSet.complementOf(EnumSet.copyOf(seen));
        missing.removeAll(QUANTISER_ONLY);
        assertTrue(missing.isEmpty(), "codes no corpus case produces: " + missing);
    }

    @Test
    void everyDiagnosticHasAPositionInsideItsFile() throws IOException {
        for (Path f : corpus()) {
            Compilation c = compile(f);
            for (Diagnostic d : c.diagnostics()) {
                if (d.code() == ErrorCode.E106) {
                    continue; // how many more there are: a count, not a place
                }
                assertTrue(d.pos().isKnown(), f + ": " + d.message() + " has no position");
                assertTrue(d.pos().line() <= c.source().lineCount() + 1, f + ": line past the end in " + d.message());
            }
        }
    }
}
