package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.target.TargetFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.Token;

/**
 * Reads a .snn file: lex, parse, build the IR, verify it. Every stage runs even after errors so
 * that all mistakes of a file are reported in one run; after a syntax error only the checks that
 * cannot be caused by the missing piece (values out of range, conflicting parameters) are kept.
 */
public final class SnnFrontEnd {

    /** Diagnostics of verify() that stay meaningful when part of the file failed to parse. */
    private static final Set<ErrorCode> LOCAL_CHECKS = Set.of(ErrorCode.E301, ErrorCode.E302);

    /**
     * The deepest nesting of '(', '[' and '{' a file may have. Every recursive rule of the grammar
     * (a call or list inside a value, a residual block inside a layer) opens one of them, so this
     * bounds the recursion of the parser, of its error recovery and of the builder; real models
     * nest a handful of levels.
     */
    public static final int MAX_NESTING = 64;

    /**
     * The most diagnostics a file reports: the first ones by position, then one E106 saying how many
     * more there were. A file of thousands of mistakes is fixed from the top anyway.
     */
    public static final int MAX_DIAGNOSTICS = 100;

    private SnnFrontEnd() {
    }

    /** Reads a file whose deploy block may name the target families on the class path. */
    public static Compilation compile(SourceFile source) {
        return compile(source, TargetFamily.names());
    }

    /** Reads a file whose deploy block may name {@code targetFamilies}. */
    public static Compilation compile(SourceFile source, List<String> targetFamilies) {
        Diagnostics out = Diagnostics.limited(MAX_DIAGNOSTICS);
        Set<Integer> lexicalErrorLines = new HashSet<>();
        List<Token> tokens = lex(source, out, lexicalErrorLines);
        Token tooDeep = firstTooDeep(tokens);
        if (tooDeep != null) {
            // Parsing it would recurse once per level: one diagnostic, and nothing is built.
            out.add(ErrorCode.E105, Positions.of(tooDeep), "'" + tooDeep.getText() + "' opens level " + (MAX_NESTING + 1)
                    + " of nested brackets; the limit is " + MAX_NESTING, "close the brackets that are open before it;"
                    + " a model needs only a few levels");
            return finish(source, null, out);
        }
        SnnParser parser = new SnnParser(new CommonTokenStream(new ListTokenSource(tokens, source.name())));
        parser.removeErrorListeners();
        Token lastToken = tokens.size() > 1 ? tokens.get(tokens.size() - 2) : null;
        parser.setErrorHandler(new SyntaxErrorStrategy(out, lexicalErrorLines, lastToken));
        SnnParser.FileContext tree = parser.file();
        boolean syntaxErrors = out.hasErrors();

        Diagnostics built = Diagnostics.limited(MAX_DIAGNOSTICS);
        Network network = new SnnBuilder(built, syntaxErrors, targetFamilies).build(tree);
        mergeOnePerLine(out, built);
        out.addOmitted(built);
        if (network != null) {
            // "Unused" only means something when every layer was built: a layer of unknown kind or
            // naming an unknown neuron may be the one that was meant to use it.
            boolean incomplete = built.hasErrors();
            for (Diagnostic d : network.verify()) {
                boolean keep = !syntaxErrors || LOCAL_CHECKS.contains(d.code());
                if (keep && !(incomplete && (d.code() == ErrorCode.W602 || repeatsAMissingNeuron(network, d)))) {
                    out.add(d);
                }
            }
        }
        return finish(source, network, out);
    }

    /**
     * Whether {@code d} is only the consequence of a layer whose neuron the builder already
     * reported as missing or unknown (E216, E207, E209): a maxpool reading that layer's current
     * (E223), or a recurrent dense layer without neuron (E222) outside the end of a residual block
     * (where a neuron is not allowed at all, so E222 says something E217 does not).
     */
    private static boolean repeatsAMissingNeuron(Network net, Diagnostic d) {
        if (d.code() == ErrorCode.E223) {
            return net.nodes().stream().filter(n -> n instanceof MaxPoolNode && n.pos().equals(d.pos()))
                    .flatMap(n -> net.inputsOf(n).stream()).anyMatch(in -> !(in instanceof InputNode));
        }
        if (d.code() == ErrorCode.E222) {
            return net.nodes().stream().filter(n -> n instanceof DenseNode dense && dense.isRecurrent()
                            && dense.origin().of("recurrent").equals(d.pos()))
                    .flatMap(n -> net.consumersOf(n).stream()).noneMatch(ResidualAddNode.class::isInstance);
        }
        return false;
    }

    /** The kept diagnostics by position, then one E106 that counts those over the limit. */
    private static Compilation finish(SourceFile source, Network network, Diagnostics out) {
        List<Diagnostic> all = new ArrayList<>(out.sorted());
        long errors = out.omittedErrors();
        long warnings = out.omittedWarnings();
        if (errors + warnings > 0) {
            String more = errors > 0 && warnings > 0 ? count(errors, "more error") + " and " + count(warnings, "warning")
                    : errors > 0 ? count(errors, "more error") : count(warnings, "more warning");
            all.add(new Diagnostic(ErrorCode.E106, dev.spikeforge.compiler.source.SourcePos.NONE, "and " + more
                    + "; a file lists at most its first " + MAX_DIAGNOSTICS, null));
        }
        return new Compilation(source, network, all, errors, warnings);
    }

    private static String count(long n, String what) {
        return String.format(java.util.Locale.ROOT, "%,d %s%s", n, what, n == 1 ? "" : "s");
    }

    /**
     * Builder diagnostics join the syntax ones, except where both fall on one line: there one
     * mistake usually caused both. The builder's is kept only when it comes first and names a
     * likely fix ("did you mean 'dropout'?"); otherwise the syntax error stands alone.
     */
    private static void mergeOnePerLine(Diagnostics syntax, Diagnostics built) {
        List<Diagnostic> syntaxList = new ArrayList<>(syntax.list());
        for (Diagnostic b : built.list()) {
            Diagnostic clash = syntaxList.stream().filter(s -> s.pos().line() == b.pos().line()).findFirst().orElse(null);
            if (clash == null) {
                syntax.add(b);
            } else if (b.message().contains("did you mean") && b.pos().column() < clash.pos().column()) {
                syntax.remove(clash);
                syntaxList.remove(clash);
                syntax.add(b);
            }
        }
    }

    /** The first '(', '[' or '{' that opens more than {@link #MAX_NESTING} levels, or null. */
    private static Token firstTooDeep(List<Token> tokens) {
        int depth = 0;
        for (Token t : tokens) {
            switch (t.getType()) {
                case SnnLexer.LPAREN, SnnLexer.LBRACK, SnnLexer.LBRACE -> {
                    if (++depth > MAX_NESTING) {
                        return t;
                    }
                }
                case SnnLexer.RPAREN, SnnLexer.RBRACK, SnnLexer.RBRACE -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return null;
    }

    /**
     * All tokens but the bad ones, which become diagnostics here and never reach the parser. An
     * unterminated string reaches the parser as a string (so its setting still has a value); a
     * '#' (a comment in other languages) hides the rest of its line.
     */
    private static List<Token> lex(SourceFile source, Diagnostics out, Set<Integer> errorLines) {
        SnnLexer lexer = new SnnLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        List<Token> kept = new ArrayList<>();
        int hiddenLine = -1;
        for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
            if (t.getLine() == hiddenLine && t.getType() != Token.EOF) {
                continue;
            }
            switch (t.getType()) {
                case SnnLexer.BAD_CHAR -> {
                    boolean hash = t.getText().equals("#");
                    errorLines.add(t.getLine());
                    if (!out.keeps(Positions.of(t))) {
                        out.omit(ErrorCode.E102); // a file of a million bad characters: count them only
                    } else {
                        out.add(ErrorCode.E102, Positions.of(t), "invalid character " + printable(t.getText())
                                + " in a model file", hash ? "comments start with // or /*" : null);
                    }
                    if (hash) {
                        hiddenLine = t.getLine();
                    }
                }
                case SnnLexer.UNTERMINATED_STRING -> {
                    errorLines.add(t.getLine());
                    out.add(ErrorCode.E103, Positions.of(t), "string has no closing '\"' on its line");
                    CommonToken closed = new CommonToken(t);
                    closed.setType(SnnLexer.STRING);
                    closed.setText(t.getText() + "\"");
                    kept.add(closed);
                    hiddenLine = t.getLine();
                }
                case SnnLexer.UNTERMINATED_COMMENT -> {
                    errorLines.add(t.getLine());
                    out.add(ErrorCode.E104, dev.spikeforge.compiler.source.SourcePos.of(t.getLine(),
                            t.getCharPositionInLine() + 1, 2), "comment '/*' is never closed with '*/'");
                }
                default -> kept.add(t);
            }
            if (t.getType() == Token.EOF) {
                return kept;
            }
        }
    }

    private static String printable(String s) {
        int cp = s.codePointAt(0);
        if (Character.isISOControl(cp) || Character.isWhitespace(cp)) {
            return String.format("U+%04X", cp);
        }
        return "'" + s + "' (U+" + String.format("%04X", cp) + ")";
    }
}
