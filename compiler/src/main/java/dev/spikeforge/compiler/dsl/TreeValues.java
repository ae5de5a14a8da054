package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Parse-tree values to {@link Value}s. A subtree that failed to parse gives null; the syntax
 * error has been reported, and callers skip it without adding more.
 */
final class TreeValues {

    private TreeValues() {
    }

    static Value of(SnnParser.ValueContext ctx) {
        if (ctx == null || ctx.exception != null) {
            return null;
        }
        if (ctx instanceof SnnParser.NumberValueContext n) {
            return number(n.number());
        } else if (ctx instanceof SnnParser.StringValueContext s) {
            return string(s.STRING().getSymbol());
        } else if (ctx instanceof SnnParser.NameValueContext n) {
            return n.name == null ? null : new Value.Name(n.name.getText(), Positions.of(n.name));
        } else if (ctx instanceof SnnParser.CallValueContext c) {
            return c.name == null ? null : new Value.Call(c.name.getText(), args(c.argList()), Positions.of(c.name));
        } else if (ctx instanceof SnnParser.ListValueContext l) {
            return list(l);
        }
        return null;
    }

    static List<Value.Arg> args(SnnParser.ArgListContext ctx) {
        List<Value.Arg> out = new ArrayList<>();
        if (ctx == null) {
            return out;
        }
        for (SnnParser.ArgContext a : ctx.arg()) {
            Value v = of(a.value());
            if (v == null) {
                continue;
            }
            out.add(a.key == null ? new Value.Arg(null, v.pos(), v) : new Value.Arg(a.key.getText(), Positions.of(a.key), v));
        }
        return out;
    }

    static Value.Num number(SnnParser.NumberContext ctx) {
        if (ctx == null || ctx.exception != null) {
            return null;
        }
        Token digits = ctx.INT() != null ? ctx.INT().getSymbol() : ctx.FLOAT() != null ? ctx.FLOAT().getSymbol() : null;
        if (digits == null) {
            return null;
        }
        boolean negative = ctx.sign != null;
        String text = (negative ? "-" : "") + digits.getText();
        SourcePos pos = Positions.of(ctx);
        double value = Double.parseDouble(text);
        return new Value.Num(value, ctx.INT() != null, text, pos);
    }

    private static Value string(Token t) {
        String raw = t.getText();
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length() - 1) {
                char n = raw.charAt(++i);
                b.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                b.append(c);
            }
        }
        return new Value.Text(b.toString(), Positions.of(t));
    }

    private static Value list(SnnParser.ListValueContext ctx) {
        List<Value> items = new ArrayList<>();
        for (SnnParser.ValueContext v : ctx.value()) {
            Value item = of(v);
            if (item == null) {
                return null;
            }
            items.add(item);
        }
        return new Value.ListOf(items, Positions.of(ctx));
    }
}
