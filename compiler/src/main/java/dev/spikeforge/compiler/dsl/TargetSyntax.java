package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Origin;
import java.util.Optional;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * A target written on the command line ({@code --target 'fpga(lanes = 16, family = xc7)'}) read
 * with the grammar's own {@code targetItem} rule, as if it followed the word {@code target} in a
 * deploy block: the same syntax, the same values, one parser.
 */
public final class TargetSyntax {

    private TargetSyntax() {
    }

    /**
     * The request {@code text} writes ({@code NAME} or {@code NAME(key = value, ...)}), or empty
     * when it is not a target line (a bare file name, a syntax error); the family is not checked.
     */
    public static Optional<DeploySpec.TargetRequest> parse(String text) {
        SnnLexer lexer = new SnnLexer(CharStreams.fromString("target " + text, "--target"));
        lexer.removeErrorListeners();
        SnnParser parser = new SnnParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        SnnParser.DeployItemContext item;
        try {
            item = parser.deployItem();
        } catch (ParseCancellationException e) {
            return Optional.empty();
        }
        if (!(item instanceof SnnParser.TargetItemContext t) || t.name == null
                || parser.getCurrentToken().getType() != Token.EOF) {
            return Optional.empty();
        }
        return Optional.of(new DeploySpec.TargetRequest(t.name.getText(), Origin.NONE, TreeValues.args(t.argList())));
    }
}
