package dev.spikeforge.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code encode rows} feeds one image row per step: the input is the row (a flat size) and, for
 * the datasets known by name (28x28 images), timesteps and the input size must both be 28.
 */
class RowsEncodingTest {

    private static Compilation compile(String input, int steps) {
        return SnnFrontEnd.compile(new SourceFile("rows.snn", "model rows\ninput " + input + "\ntimesteps " + steps
                + "\nneuron n = LIF(beta = 0.9)\nlayers { h = dense(8, recurrent = true) -> n\nout = readout(10) }\n"
                + "train { dataset = fashion_mnist\n loss = cross_entropy }\n"));
    }

    private static List<Diagnostic> errors(Compilation c) {
        return c.diagnostics().stream().filter(Diagnostic::isError).toList();
    }

    @Test
    void twentyEightRowsOfTwentyEightPixelsAreAccepted() {
        Compilation c = compile("28 encode rows", 28);
        assertTrue(c.ok(), c.diagnostics().toString());
        assertEquals(Encoding.Kind.ROWS, c.network().input().encoding().kind());
    }

    @Test
    void timestepsOtherThanTheImageHeightIsE302WithTheFix() {
        List<Diagnostic> e = errors(compile("28 encode rows", 25));
        assertEquals(1, e.size(), e.toString());
        assertEquals(ErrorCode.E302, e.get(0).code());
        assertTrue(e.get(0).message().contains("timesteps 25"), e.get(0).message());
        assertEquals("use input 28 encode rows and timesteps 28", e.get(0).help());
    }

    @Test
    void anInputOtherThanTheImageWidthIsE302() {
        List<Diagnostic> e = errors(compile("784 encode rows", 28));
        assertEquals(1, e.size(), e.toString());
        assertEquals(ErrorCode.E302, e.get(0).code());
    }

    @Test
    void anImageShapedInputIsNotARow() {
        List<Diagnostic> e = errors(compile("1x28x28 encode rows", 28));
        assertTrue(e.stream().anyMatch(d -> d.code() == ErrorCode.E302 && d.message().contains("is not a row")),
                e.toString());
    }

    @Test
    void spikeRowsTakeLevelInputsPerPixel() {
        Compilation c = compile("112 encode rows(levels = 4)", 28);
        assertTrue(c.ok(), c.diagnostics().toString());
        Encoding e = c.network().input().encoding();
        assertEquals(Encoding.Kind.ROWS, e.kind());
        assertEquals(4, e.levels());
        assertTrue(!e.analog());
    }

    @Test
    void spikeRowsOfTheImageWidthAloneIsE302WithTheSize() {
        List<Diagnostic> e = errors(compile("28 encode rows(levels = 4)", 28));
        assertEquals(1, e.size(), e.toString());
        assertEquals(ErrorCode.E302, e.get(0).code());
        assertTrue(e.get(0).message().contains("28 x 4 = 112"), e.get(0).message());
        assertEquals("use input 112 encode rows(levels = 4) and timesteps 28", e.get(0).help());
    }

    @Test
    void zeroLevelsIsE301() {
        List<Diagnostic> e = errors(compile("28 encode rows(levels = 0)", 28));
        assertTrue(e.stream().anyMatch(d -> d.code() == ErrorCode.E301 && d.message().contains("levels")), e.toString());
    }
}
