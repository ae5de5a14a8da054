package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.source.SourcePos;
import java.util.Map;

/**
 * Where an IR element came from: the position of its statement, and of each parameter that was
 * written out, so that a diagnostic about {@code beta = 1.2} points at {@code 1.2}.
 */
public record Origin(SourcePos pos, Map<String, SourcePos> params) {

    public static final Origin NONE = new Origin(SourcePos.NONE, Map.of());

    public Origin {
        params = Map.copyOf(params);
    }

    public static Origin at(SourcePos pos) {
        return new Origin(pos, Map.of());
    }

    /** The position of a parameter's value, or of the whole element when it was not written. */
    public SourcePos of(String param) {
        return params.getOrDefault(param, pos);
    }

    public boolean has(String param) {
        return params.containsKey(param);
    }
}
