package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.source.SourcePos;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Source positions of tokens and parse-tree spans (1-based columns). */
final class Positions {

    private Positions() {
    }

    static SourcePos of(Token t) {
        if (t == null) {
            return SourcePos.NONE;
        }
        int length = t.getType() == Token.EOF || t.getText() == null ? 1 : t.getText().length();
        return SourcePos.of(t.getLine(), t.getCharPositionInLine() + 1, length);
    }

    /** From the first token of a span to the end of its last token when both are on one line. */
    static SourcePos of(ParserRuleContext ctx) {
        if (ctx == null || ctx.getStart() == null) {
            return SourcePos.NONE;
        }
        Token start = ctx.getStart();
        Token stop = ctx.getStop();
        SourcePos first = of(start);
        if (stop == null || stop.getLine() != start.getLine() || stop.getStopIndex() < start.getStartIndex()) {
            return first;
        }
        return SourcePos.of(first.line(), first.column(), stop.getStopIndex() - start.getStartIndex() + 1);
    }
}
