package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's recovery, with its messages rewritten into the project's diagnostics: "unexpected
 * 'x'; expected a layer or '}'", never a raw list of thirty token names. A keyword-like
 * identifier gets a "did you mean" against the keywords that were expected there. At most one
 * syntax error is reported per source line, so one mistake does not print a cascade.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {

    private static final int MAX_LISTED = 4;

    private final Diagnostics out;
    private final Set<Integer> linesWithErrors = new LinkedHashSet<>();
    /** The last token before end of file, to place "missing '}' before end of file". */
    private final Token lastToken;

    /**
     * @param linesWithLexicalErrors lines where a bad character or unterminated string was already
     *                               reported: a syntax error there is a consequence, not news
     */
    SyntaxErrorStrategy(Diagnostics out, Set<Integer> linesWithLexicalErrors, Token lastToken) {
        this.out = out;
        this.lastToken = lastToken;
        this.linesWithErrors.addAll(linesWithLexicalErrors);
    }

    @Override
    protected void reportNoViableAlternative(Parser recognizer, NoViableAltException e) {
        unexpected(recognizer, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportInputMismatch(Parser recognizer, InputMismatchException e) {
        unexpected(recognizer, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportFailedPredicate(Parser recognizer, FailedPredicateException e) {
        unexpected(recognizer, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportUnwantedToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        unexpected(recognizer, recognizer.getCurrentToken(), getExpectedTokens(recognizer));
    }

    @Override
    protected void reportMissingToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        Token t = recognizer.getCurrentToken();
        IntervalSet expected = getExpectedTokens(recognizer);
        // The token is missing after the previous one: if that line already has an error (an
        // unterminated string that swallowed a ')'), this is its consequence.
        Token previous = recognizer.getInputStream().LT(-1);
        if (previous != null && linesWithErrors.contains(previous.getLine())) {
            return;
        }
        String message = "missing " + describe(recognizer, expected) + " before " + quote(t);
        report(ErrorCode.E101, t, message, expected.contains(SnnParser.RBRACE) ? closeHint(recognizer) : null);
    }

    private void unexpected(Parser recognizer, Token t, IntervalSet expected) {
        if (expected.contains(SnnParser.RBRACE) && (t.getType() == Token.EOF || startsStatement(t.getType()))) {
            // A block runs into the next statement or the end of the file: its '}' is missing.
            report(ErrorCode.E101, t, "missing '}' before " + quote(t), closeHint(recognizer));
            return;
        }
        String message = "unexpected " + quote(t) + "; expected " + describe(recognizer, expected)
                + suggestion(recognizer, t, expected) + missingEquals(recognizer, t, expected);
        report(ErrorCode.E100, t, message, null);
    }

    private void report(ErrorCode code, Token t, String message, String help) {
        if (!linesWithErrors.add(t.getLine())) {
            return;
        }
        out.add(code, t.getType() == Token.EOF ? endOfFile(t) : Positions.of(t), message, help);
    }

    /** Where the file ends: just after its last token, not on an empty line below it. */
    private SourcePos endOfFile(Token eof) {
        Token last = lastToken;
        if (last == null) {
            return Positions.of(eof);
        }
        int length = last.getText() == null ? 1 : last.getText().length();
        return SourcePos.of(last.getLine(), last.getCharPositionInLine() + 1 + length, 1);
    }

    /** {@code conv(8, kernel 5)}: a name followed by a value inside an argument list. */
    private static String missingEquals(Parser recognizer, Token t, IntervalSet expected) {
        Token previous = recognizer.getInputStream().LT(-1);
        boolean valueToken = t.getType() == SnnParser.INT || t.getType() == SnnParser.FLOAT
                || t.getType() == SnnParser.STRING || t.getType() == SnnParser.ID;
        if (previous != null && previous.getType() == SnnParser.ID && valueToken
                && previous.getLine() == t.getLine() && (expected.contains(SnnParser.RPAREN)
                || expected.contains(SnnParser.COMMA))) {
            return "; did you mean '" + previous.getText() + " = " + t.getText() + "'?";
        }
        return "";
    }

    /** When a brace or parenthesis is missing, say which one was opened where. */
    private static String closeHint(Parser recognizer) {
        ParserRuleContext ctx = recognizer.getContext();
        while (ctx != null) {
            Token start = ctx.getStart();
            if (start != null && (start.getType() == SnnParser.LAYERS || start.getType() == SnnParser.TRAIN
                    || start.getType() == SnnParser.DEPLOY)) {
                return "the '" + start.getText() + " {' block opened at line " + start.getLine() + " needs its '}'";
            }
            ctx = ctx.getParent();
        }
        return null;
    }

    private static String suggestion(Parser recognizer, Token t, IntervalSet expected) {
        if (t.getType() != SnnParser.ID && !isKeyword(t.getType())) {
            return "";
        }
        List<String> keywords = new ArrayList<>();
        for (int type : expected.toList()) {
            if (isKeyword(type)) {
                keywords.add(unquote(recognizer.getVocabulary().getLiteralName(type)));
            }
        }
        return Suggestions.didYouMean(t.getText(), keywords);
    }

    private static boolean startsStatement(int type) {
        return type == SnnParser.MODEL || type == SnnParser.INPUT || type == SnnParser.TIMESTEPS
                || type == SnnParser.NEURON || type == SnnParser.LAYERS || type == SnnParser.TRAIN
                || type == SnnParser.DEPLOY;
    }

    private static boolean isKeyword(int type) {
        return type >= SnnParser.MODEL && type <= SnnParser.DROPOUT;
    }

    /** A short English description of what may stand here. */
    private static String describe(Parser recognizer, IntervalSet expected) {
        List<Integer> types = expected.toList();
        if (types.size() > MAX_LISTED) {
            String byRule = describeRule(recognizer.getContext());
            if (byRule != null) {
                return byRule;
            }
        }
        Set<String> names = new LinkedHashSet<>();
        for (int type : types) {
            names.add(tokenName(recognizer, type));
        }
        List<String> list = new ArrayList<>(names);
        if (list.size() == 1) {
            return list.get(0);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
    }

    private static String describeRule(ParserRuleContext ctx) {
        for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
            switch (c.getRuleIndex()) {
                case SnnParser.RULE_value, SnnParser.RULE_number:
                    return "a value (a number, a name, a \"string\", a [list] or a call like sgd(lr = 0.1))";
                case SnnParser.RULE_arg, SnnParser.RULE_argList:
                    return "an argument (a value, or name = value)";
                case SnnParser.RULE_layer, SnnParser.RULE_layerCall, SnnParser.RULE_skipPath:
                    return "a layer (conv, avgpool, dense, flatten, residual, readout) or '}'";
                case SnnParser.RULE_setting:
                    return "a setting (name = value) or '}'";
                case SnnParser.RULE_deployItem:
                    return "a setting (name = value), 'target NAME(...)' or '}'";
                case SnnParser.RULE_statement, SnnParser.RULE_file:
                    return "a statement (model, input, timesteps, neuron, layers, train, deploy)";
                default:
                    break;
            }
        }
        return null;
    }

    private static String tokenName(Parser recognizer, int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case SnnParser.ID -> "a name";
            case SnnParser.INT -> "an integer";
            case SnnParser.FLOAT -> "a number";
            case SnnParser.SHAPE -> "a shape like 1x28x28";
            case SnnParser.STRING -> "a \"string\"";
            default -> {
                String literal = recognizer.getVocabulary().getLiteralName(type);
                yield literal != null ? literal : recognizer.getVocabulary().getDisplayName(type);
            }
        };
    }

    private static String quote(Token t) {
        if (t.getType() == Token.EOF) {
            return "end of file";
        }
        return "'" + t.getText() + "'";
    }

    private static String unquote(String literal) {
        return literal.substring(1, literal.length() - 1);
    }
}
