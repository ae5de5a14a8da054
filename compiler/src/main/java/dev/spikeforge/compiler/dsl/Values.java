package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.ir.Value;
import java.util.List;

/** Typed reading of single values; each reports a wrong type and returns null. */
final class Values {

    private Values() {
    }

    static Integer integer(Value v, String what, Diagnostics out) {
        if (v instanceof Value.Num n && n.integral()) {
            if (Math.abs(n.value()) > Integer.MAX_VALUE) {
                out.add(ErrorCode.E301, v.pos(), what + " must fit in 32 bits, got " + n.text());
                return null;
            }
            return (int) n.value();
        }
        out.add(ErrorCode.E300, v.pos(), what + " must be an integer, got " + v.describe());
        return null;
    }

    static Double number(Value v, String what, Diagnostics out) {
        if (v instanceof Value.Num n) {
            if (Double.isInfinite(n.value())) {
                out.add(ErrorCode.E301, v.pos(), what + " is too large: " + n.text());
                return null;
            }
            return n.value();
        }
        out.add(ErrorCode.E300, v.pos(), what + " must be a number, got " + v.describe());
        return null;
    }

    /** A bare name among {@code choices}; anything else is reported with the choices listed. */
    static String option(Value v, String what, List<String> choices, Diagnostics out) {
        if (v instanceof Value.Name n) {
            if (choices.contains(n.name())) {
                return n.name();
            }
            out.add(ErrorCode.E215, v.pos(), what + " cannot be '" + n.name() + "'"
                    + Suggestions.didYouMean(n.name(), choices), "choose one of " + String.join(", ", choices));
            return null;
        }
        out.add(ErrorCode.E300, v.pos(), what + " must be one of " + String.join(", ", choices) + ", got " + v.describe());
        return null;
    }
}
