package dev.spikeforge.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosticRendererTest {

    @Test
    void headerLineCaretAndHelp() {
        SourceFile f = new SourceFile("m.snn", "model m\nneuron lif = LIF(beta = 1.2)\n");
        Diagnostic d = new Diagnostic(ErrorCode.E301, SourcePos.of(2, 25, 3), "beta out of range", "use 0.95");
        assertEquals("""
                m.snn:2:25: error[E301]: beta out of range
                 2 | neuron lif = LIF(beta = 1.2)
                   |                         ^^^
                   = help: use 0.95
                """, DiagnosticRenderer.render(f, List.of(d)));
    }

    @Test
    void tabsAreExpandedSoTheCaretStaysUnderTheToken() {
        SourceFile f = new SourceFile("m.snn", "\tc1 = convv(8)\n");
        Diagnostic d = Diagnostic.of(ErrorCode.E208, SourcePos.of(1, 7, 5), "unknown layer kind 'convv'");
        assertEquals("""
                m.snn:1:7: error[E208]: unknown layer kind 'convv'
                 1 |     c1 = convv(8)
                   |          ^^^^^
                """, DiagnosticRenderer.render(f, List.of(d)));
    }

    @Test
    void diagnosticsAreOrderedByPositionAndWarningsAreLabelled() {
        SourceFile f = new SourceFile("m.snn", "a\nb\n");
        String out = DiagnosticRenderer.render(f, List.of(
                Diagnostic.of(ErrorCode.W602, SourcePos.of(2, 1, 1), "second"),
                Diagnostic.of(ErrorCode.E100, SourcePos.of(1, 1, 1), "first")));
        assertEquals(0, out.indexOf("m.snn:1:1: error[E100]: first"));
        assertEquals(true, out.contains("m.snn:2:1: warning[W602]: second"));
    }
}
