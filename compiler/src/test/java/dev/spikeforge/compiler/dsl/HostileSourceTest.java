package dev.spikeforge.compiler.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.testing.TargetFamilies;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Files a hostile user (or a fuzzer) writes: every one gives diagnostics and never a JVM error,
 * an exception, or output that grows with the square of the input.
 */
class HostileSourceTest {

    private static final String HEAD = "model m\ninput 1x8x8\nneuron lif = LIF(beta = 0.9)\n";

    private static Compilation compile(String text) {
        return SnnFrontEnd.compile(new SourceFile("t.snn", text), TargetFamilies.INSTALLED);
    }

    private static List<ErrorCode> codes(Compilation c) {
        return c.diagnostics().stream().map(Diagnostic::code).toList();
    }

    /** Runs the front end on a thread with a small stack: recursion that is bounded stays far below it. */
    private static Compilation compileOnSmallStack(String text) throws InterruptedException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(compile(text));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("the front end threw " + e, e);
        }
        return (Compilation) result.get();
    }

    // ---- 1. nesting depth ---------------------------------------------------------------------

    @Test
    void thousandsOfUnclosedCallsAreOneNestingDiagnosticNamingTheLimit() throws InterruptedException {
        Compilation c = compileOnSmallStack(HEAD + "train { optimizer = " + "f(".repeat(1745) + "\n");
        assertEquals(List.of(ErrorCode.E105), codes(c), DiagnosticRenderer.render(c.source(), c.diagnostics()));
        Diagnostic d = c.diagnostics().get(0);
        assertTrue(d.message().contains(Integer.toString(SnnFrontEnd.MAX_NESTING)), d.message());
        // at the bracket that passes the limit: "train {" is one level, the k-th '(' level k + 1
        assertEquals(4, d.pos().line());
        assertEquals("train { optimizer = ".length() + 2 * SnnFrontEnd.MAX_NESTING, d.pos().column());
    }

    @Test
    void deepListsAndResidualBlocksAreCaughtByTheSameLimit() throws InterruptedException {
        Compilation lists = compileOnSmallStack(HEAD + "train { seed = " + "[".repeat(5000) + "}\n");
        assertEquals(List.of(ErrorCode.E105), codes(lists));
        Compilation blocks = compileOnSmallStack(HEAD + "layers {\n" + "residual {\n".repeat(5000));
        assertEquals(List.of(ErrorCode.E105), codes(blocks));
    }

    @Test
    void nestingJustBelowTheLimitIsParsedAndBuiltWithoutOverflowingASmallStack() throws InterruptedException {
        int calls = SnnFrontEnd.MAX_NESTING - 1; // inside "train {"
        String nested = "f(".repeat(calls) + ")".repeat(calls);
        Compilation c = compileOnSmallStack(HEAD + "layers {\n flatten\n readout(10)\n}\ntrain { optimizer = " + nested + " }\n");
        assertFalse(codes(c).contains(ErrorCode.E105), DiagnosticRenderer.render(c.source(), c.diagnostics()));
        StringBuilder blocks = new StringBuilder(HEAD + "layers {\n");
        int depth = SnnFrontEnd.MAX_NESTING - 2; // inside "layers {", and conv( is one more
        for (int i = 0; i < depth; i++) {
            blocks.append("residual {\n");
        }
        blocks.append("conv(1, kernel = 1)\n");
        for (int i = 0; i < depth; i++) {
            blocks.append("} skip identity -> lif\n");
        }
        blocks.append("readout(10)\n}\n");
        Compilation r = compileOnSmallStack(blocks.toString());
        assertFalse(codes(r).contains(ErrorCode.E105), DiagnosticRenderer.render(r.source(), r.diagnostics()));
        assertTrue(r.network() != null);
    }

    // ---- 3. parse trees with holes --------------------------------------------------------------

    @Test
    void anArrowWithoutANeuronIsASyntaxErrorNotACrash() {
        Compilation eof = compile(HEAD + "layers {\n  flatten ->\n");
        assertTrue(eof.diagnostics().stream().allMatch(d -> d.code() == ErrorCode.E100 || d.code() == ErrorCode.E101),
                DiagnosticRenderer.render(eof.source(), eof.diagnostics()));
        assertFalse(eof.diagnostics().isEmpty());
        Compilation residual = compile(HEAD + "layers {\n  residual { conv(1, kernel = 3, padding = 1) -> lif\n"
                + "    conv(1, kernel = 3, padding = 1) -> } skip identity -> lif\n  readout(10)\n}\n");
        assertTrue(residual.diagnostics().stream().anyMatch(d -> d.code() == ErrorCode.E100 || d.code() == ErrorCode.E101),
                DiagnosticRenderer.render(residual.source(), residual.diagnostics()));
        Compilation readout = compile(HEAD + "layers {\n  flatten\n  readout(10) ->\n}\n");
        assertFalse(readout.ok());
    }

    /**
     * ANTLR's recovery leaves any optional child of a parse tree null: every token of every example
     * model is in turn deleted, the file cut after it, and a stray '->', '}', '(', '=' or ','
     * put after it; the front end must answer with diagnostics each time.
     */
    @Test
    void everyTruncationAndEveryDeletedTokenOfTheExamplesGivesDiagnostics() throws java.io.IOException {
        java.nio.file.Path models = dev.spikeforge.compiler.testing.Golden.projectRoot().resolve("examples/models");
        List<java.nio.file.Path> files;
        try (var s = java.nio.file.Files.list(models)) {
            files = s.filter(p -> p.toString().endsWith(".snn")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        int runs = 0;
        for (java.nio.file.Path f : files) {
            String text = java.nio.file.Files.readString(f);
            SnnLexer lexer = new SnnLexer(org.antlr.v4.runtime.CharStreams.fromString(text));
            List<? extends org.antlr.v4.runtime.Token> tokens = lexer.getAllTokens();
            for (org.antlr.v4.runtime.Token t : tokens) {
                int from = t.getStartIndex();
                int to = t.getStopIndex() + 1;
                List<String> variants = new java.util.ArrayList<>(List.of(text.substring(0, to),
                        text.substring(0, from) + text.substring(to)));
                for (String stray : List.of(" ->", " }", " (", " =", " ,")) {
                    variants.add(text.substring(0, to) + stray + text.substring(to));
                }
                for (String variant : variants) {
                    try {
                        Compilation c = compile(variant);
                        if (c.network() == null) {
                            assertTrue(c.diagnostics().stream().anyMatch(Diagnostic::isError), f + ": no network and no error");
                        }
                        DiagnosticRenderer.render(c.source(), c.diagnostics());
                    } catch (RuntimeException e) {
                        throw new AssertionError(f.getFileName() + " with token '" + t.getText() + "' at " + t.getLine()
                                + ":" + (t.getCharPositionInLine() + 1) + " cut or deleted: " + e, e);
                    }
                    runs++;
                }
            }
        }
        assertTrue(runs > 1000, "only " + runs + " variants");
    }

    // ---- 2. diagnostic cap and long lines --------------------------------------------------------

    @Test
    void twentyThousandCommentClosersAreAHundredDiagnosticsAndOneCount() {
        Compilation c = compile("@$".repeat(20_000));
        List<Diagnostic> ds = c.diagnostics();
        assertEquals(SnnFrontEnd.MAX_DIAGNOSTICS + 1, ds.size());
        Diagnostic last = ds.get(ds.size() - 1);
        assertEquals(ErrorCode.E106, last.code());
        // 40,000 bad characters, 100 listed (a "*/" repeated is partly comments, so '@$' counts plainly)
        assertEquals("and 39,900 more errors; a file lists at most its first 100", last.message());
        assertEquals(40_000, c.errorCount());
        assertEquals(39_900, c.omittedErrors());
        // the ones listed are the first by position
        assertEquals(1, ds.get(0).pos().column());
        assertEquals(100, ds.get(99).pos().column());
        String rendered = DiagnosticRenderer.render(c.source(), ds);
        assertTrue(rendered.length() < 40_000, "rendered " + rendered.length() + " characters");
        assertTrue(rendered.endsWith("t.snn: error[E106]: and 39,900 more errors; a file lists at most its first 100\n"),
                rendered.substring(rendered.length() - 300));
    }

    @Test
    void aMegabyteOfMistakesOnOneLineIsReadInLinearTimeAndPrintedShort() {
        for (String unit : List.of("*/", ")", "x = ", "@")) {
            String text = unit.repeat(1_000_000 / unit.length());
            long t0 = System.nanoTime();
            Compilation c = compile(text);
            String rendered = DiagnosticRenderer.render(c.source(), c.diagnostics());
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("1 MB of '%s': %.2f s, %d diagnostics, %d characters rendered%n", unit, seconds,
                    c.diagnostics().size(), rendered.length());
            assertTrue(seconds < 20, unit + ": " + seconds + " s");
            assertTrue(c.diagnostics().size() <= SnnFrontEnd.MAX_DIAGNOSTICS + 1, unit + ": " + c.diagnostics().size());
            assertTrue(rendered.length() < 60_000, unit + ": " + rendered.length() + " characters");
            for (String line : rendered.lines().toList()) {
                assertTrue(line.length() < 300, unit + ": a line of " + line.length());
            }
        }
    }

    @Test
    void aLongLineIsShownAsAWindowAroundTheCaretWithItsCutsMarked() {
        String text = HEAD + "layers { dense(10) -> lif " + "flatten ".repeat(100) + "dense(10) -> lfi readout(10) }"
                + " // " + "and a long comment".repeat(20) + "\n";
        Compilation c = compile(text);
        String rendered = DiagnosticRenderer.render(c.source(), c.diagnostics());
        List<String> lines = rendered.lines().toList();
        assertTrue(lines.get(0).contains("error[E207]: no neuron named 'lfi'"), rendered);
        String snippet = lines.get(1);
        String caret = lines.get(2);
        assertTrue(snippet.contains("| ...") && snippet.endsWith("..."), snippet);
        assertTrue(snippet.length() < 120, snippet);
        int at = caret.indexOf('^');
        assertEquals("lfi", snippet.substring(at, at + 3), rendered);
        assertEquals("^^^", caret.substring(at).trim());
    }

    // ---- 4. sizes past what the engines index --------------------------------------------------

    private static Diagnostic only(Compilation c, ErrorCode code) {
        List<Diagnostic> ds = c.diagnostics().stream().filter(d -> d.code() == code).toList();
        assertEquals(1, ds.size(), DiagnosticRenderer.render(c.source(), c.diagnostics()));
        return ds.get(0);
    }

    @Test
    void anInputOfFourBillionValuesIsReportedWithTheLimit() {
        Compilation c = compile("model m\ninput 1x65536x65536\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  dense(10) -> lif\n  readout(10)\n}\n");
        Diagnostic d = only(c, ErrorCode.E404);
        assertEquals(2, d.pos().line());
        assertTrue(d.message().contains("4,294,967,296") && d.message().contains("2,147,483,639"), d.message());
        assertFalse(c.ok());
    }

    @Test
    void aDenseLayerOfThreeMillionUnitsAfterAnotherHasTooManyWeights() {
        Compilation c = compile("model m\ninput 784\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  dense(2000000) -> lif\n  big = dense(3000000) -> lif\n  readout(10)\n}\n");
        Diagnostic d = only(c, ErrorCode.E404);
        assertEquals(6, d.pos().line());
        assertTrue(d.message().contains("'big'") && d.message().contains("6,000,000,000,000")
                && d.message().contains("2,147,483,639"), d.message());
    }

    @Test
    void convolutionsWhoseOutputOrKernelCannotBeIndexedAreReported() {
        Compilation wide = compile("model m\ninput 1x20000x20000\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  conv(64, kernel = 3, padding = 1) -> lif\n  readout(10)\n}\n");
        Diagnostic d = only(wide, ErrorCode.E404);
        assertEquals(5, d.pos().line());
        assertTrue(d.message().contains("64x20000x20000 = 25,600,000,000"), d.message());
        Compilation padded = compile("model m\ninput 1x8x8\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  conv(8, kernel = 3, padding = 2000000000) -> lif\n  readout(10)\n}\n");
        assertFalse(padded.ok());
        assertTrue(padded.diagnostics().stream().anyMatch(x -> x.code() == ErrorCode.E404),
                DiagnosticRenderer.render(padded.source(), padded.diagnostics()));
        Compilation kernel = compile("model m\ninput 1x8x8\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  conv(2000000000, kernel = 2000000000, padding = 2000000000) -> lif\n  readout(10)\n}\n");
        assertFalse(kernel.ok());
    }

    // ---- 5. values checked before they reach a validating constructor ---------------------------

    @Test
    void leakMultiplierFractionBitsOutOfRangeAreAnE301() {
        for (String fraction : List.of("40", "0", "-3", "62", "63", "64", "2147483647")) {
            Compilation c = compile("model m\ninput 784\nneuron lif = LIF(beta = 0.9)\n"
                    + "layers {\n  dense(10) -> lif\n  readout(10)\n}\ndeploy {\n  leak = multiplier(" + fraction + ")\n}\n");
            Diagnostic d = only(c, ErrorCode.E301);
            assertTrue(d.message().contains("1 to 24"), d.message());
            assertEquals(9, d.pos().line());
        }
    }

    @Test
    void extremeValuesOfEveryNumericParameterGiveDiagnosticsNotExceptions() {
        String[] templates = {
            "neuron lif = LIF(beta = V)", "neuron lif = LIF(tau = V)", "neuron lif = LIF(beta = 0.9, threshold = V)",
            "layers { conv(V, kernel = 3) -> lif\n readout(10) }", "layers { conv(4, kernel = V) -> lif\n readout(10) }",
            "layers { conv(4, kernel = 3, stride = V) -> lif\n readout(10) }",
            "layers { conv(4, kernel = 3, padding = V) -> lif\n readout(10) }",
            "layers { avgpool(V) -> ifn\n readout(10) }", "layers { dense(V) -> lif\n readout(10) }",
            "layers { dense(8) -> lif dropout V\n readout(10) }", "layers { readout(V) }",
            "layers { readout(10, mode = membrane, beta = V) }", "timesteps V",
            "train { dataset = mnist\n epochs = V }", "train { dataset = mnist\n batch = V }",
            "train { dataset = mnist\n optimizer = sgd(lr = V, momentum = V) }",
            "train { dataset = mnist\n optimizer = adam(lr = V, beta1 = V, beta2 = V, eps = V) }",
            "train { dataset = mnist\n schedule = step(milestones = [V, V], gamma = V) }",
            "train { dataset = mnist\n loss = mse(correct = V, incorrect = V) }",
            "train { dataset = mnist\n method = surrogate(slope = V) }",
            "deploy { weights = int(V) }", "deploy { membrane = int(V) }", "deploy { leak = multiplier(V) }",
            "input 1x8x8 encode events(bins = V)",
        };
        String[] values = {"0", "-1", "1", "1e308", "-1e308", "1e-320", "2147483647", "-2147483648", "9999999999",
            "0.5", "1.0", "100"};
        for (String template : templates) {
            for (String v : values) {
                String line = template.replace("V", v);
                String text = "model m\n" + (line.startsWith("input") ? "" : "input 1x8x8\n")
                        + "neuron lif = LIF(beta = 0.9)\nneuron ifn = IF(threshold = 1)\n" + line + "\n"
                        + (line.startsWith("layers") ? "" : "layers { flatten\n readout(10) }\n")
                        + "deploy { target neurocore(preset = loihi_like) }\n";
                try {
                    Compilation c = compile(text);
                    DiagnosticRenderer.render(c.source(), c.diagnostics());
                } catch (RuntimeException e) {
                    throw new AssertionError(line + ": " + e, e);
                }
            }
        }
    }

    @Test
    void namesOfAHundredThousandCharactersGetNoQuadraticSuggestion() {
        String a = "n" + "a".repeat(100_000);
        String b = "n" + "b".repeat(100_000);
        long t0 = System.nanoTime();
        Compilation c = compile("model m\ninput 784\nneuron " + a + " = LIF(beta = 0.9)\nlayers {\n  dense(10) -> " + b
                + "\n  " + b + "(3)\n  readout(10)\n}\n");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(codes(c).contains(ErrorCode.E207) && codes(c).contains(ErrorCode.E208), codes(c).toString());
        assertTrue(seconds < 5, seconds + " s");
    }

    @Test
    void unclosedCallsJustBelowTheLimitAreRecoveredFromOnASmallStack() throws InterruptedException {
        Compilation c = compileOnSmallStack(HEAD + "train { optimizer = " + "f(".repeat(SnnFrontEnd.MAX_NESTING - 1) + "\n");
        assertFalse(codes(c).contains(ErrorCode.E105), DiagnosticRenderer.render(c.source(), c.diagnostics()));
        assertFalse(c.diagnostics().isEmpty());
        Compilation lists = compileOnSmallStack(HEAD + "train { seed = " + "[".repeat(SnnFrontEnd.MAX_NESTING - 1) + "\n");
        assertFalse(codes(lists).contains(ErrorCode.E105));
        assertFalse(lists.diagnostics().isEmpty());
    }

    @Test
    void aFileAtTheSizeCapOfLayersIsReadInSeconds() {
        String layer = "dense(1) -> a\n";
        int n = (int) ((dev.spikeforge.compiler.source.SourceFile.MAX_BYTES - 100) / layer.length());
        String text = "model m\ninput 4\nlayers {\n" + layer.repeat(n) + "}\n";
        long t0 = System.nanoTime();
        Compilation c = compile(text);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%,d layers in %,d bytes: %.2f s%n", n, text.length(), seconds);
        assertEquals(SnnFrontEnd.MAX_DIAGNOSTICS + 1, c.diagnostics().size());
        assertTrue(seconds < 20, seconds + " s");
    }
}
