package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.Value;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * A front end written on the command line ({@code --frontend 'mfcc(n_mfcc = 20)'}) read with the
 * grammar's own {@code value} rule and checked by the code that checks a dataset's
 * {@code frontend = ...}: the same syntax, defaults and limits as in a .snn file.
 */
public final class FrontendSyntax {

    private FrontendSyntax() {
    }

    /** The front end, or the problems with {@code text}. */
    public record Result(Frontend frontend, List<Diagnostic> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** {@code text} as a front end for audio at {@code rate} Hz (some defaults and limits depend on it). */
    public static Result parse(String text, int rate) {
        SnnLexer lexer = new SnnLexer(CharStreams.fromString(text, "--frontend"));
        lexer.removeErrorListeners();
        SnnParser parser = new SnnParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        Diagnostics out = new Diagnostics();
        SnnParser.ValueContext ctx;
        try {
            ctx = parser.value();
        } catch (ParseCancellationException e) {
            ctx = null;
        }
        if (ctx == null || parser.getCurrentToken().getType() != Token.EOF) {
            out.add(dev.spikeforge.compiler.diag.ErrorCode.E100, null, "--frontend '" + text + "' is not a front end",
                    "write mfcc(n_mfcc = 20) or filterbank(channels = 16), with the parameters of docs/language.md");
            return new Result(null, out.list());
        }
        Value v = TreeValues.of(ctx);
        Frontend f = new SettingsBuilder(out, List.of()).frontend(v, rate);
        return new Result(out.list().isEmpty() ? f : null, out.list());
    }
}
