package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one call ({@code conv(20, kernel = 5)}, {@code sgd(lr = 0.05)}) bound to its
 * parameters, with typed accessors. Binding reports unknown, duplicate, surplus and missing
 * arguments; the accessors report values of the wrong type. An accessor returns the default when
 * the argument is absent or was reported as wrong, so building goes on and finds more errors.
 */
final class Args {

    /** A parameter: its name, whether it may be given by position, and whether it is required. */
    record Param(String name, boolean positional, boolean required) {
        static Param positional(String name) {
            return new Param(name, true, true);
        }

        static Param required(String name) {
            return new Param(name, false, true);
        }

        static Param optional(String name) {
            return new Param(name, false, false);
        }

        static Param positionalOptional(String name) {
            return new Param(name, true, false);
        }
    }

    private final String owner;
    private final Map<String, Value> values;
    private final Diagnostics out;

    private Args(String owner, Map<String, Value> values, Diagnostics out) {
        this.owner = owner;
        this.values = values;
        this.out = out;
    }

    /**
     * @param owner how messages name the thing being called: "conv", "neuron LIF", "optimizer sgd"
     * @param at    where a missing argument is reported (the call's name)
     */
    static Args bind(String owner, SourcePos at, List<Value.Arg> args, List<Param> params, Diagnostics out) {
        Map<String, Value> bound = new LinkedHashMap<>();
        List<Param> positional = params.stream().filter(Param::positional).toList();
        List<String> names = params.stream().map(Param::name).toList();
        int nextPositional = 0;
        for (Value.Arg a : args) {
            String name;
            if (a.positional()) {
                if (nextPositional >= positional.size()) {
                    out.add(ErrorCode.E213, a.value().pos(), owner + " takes " + count(positional.size())
                            + " positional argument" + (positional.size() == 1 ? "" : "s") + ", this is one more",
                            params.isEmpty() ? "remove it" : "name it: " + String.join(" = ..., ", names) + " = ...");
                    continue;
                }
                name = positional.get(nextPositional++).name();
            } else {
                name = a.key();
                if (!names.contains(name)) {
                    out.add(ErrorCode.E210, a.keyPos(), owner + " has no parameter '" + name + "'"
                            + Suggestions.didYouMean(name, names),
                            params.isEmpty() ? owner + " takes no parameters" : "its parameters are " + String.join(", ", names));
                    continue;
                }
            }
            if (bound.containsKey(name)) {
                out.add(ErrorCode.E212, a.positional() ? a.value().pos() : a.keyPos(),
                        owner + " is given '" + name + "' twice");
                continue;
            }
            bound.put(name, a.value());
        }
        for (Param p : params) {
            if (p.required() && !bound.containsKey(p.name())) {
                out.add(ErrorCode.E211, at, owner + " needs '" + p.name() + "'");
            }
        }
        return new Args(owner, bound, out);
    }

    private static String count(int n) {
        return n == 0 ? "no" : Integer.toString(n);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Value get(String name) {
        return values.get(name);
    }

    /** Positions of the given arguments, keyed by {@code prefix + name}, for an IR origin. */
    Map<String, SourcePos> positions(String prefix) {
        Map<String, SourcePos> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(prefix + k, v.pos()));
        return out;
    }

    int integer(String name, int fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        Integer i = Values.integer(v, "'" + name + "' of " + owner, out);
        return i == null ? fallback : i;
    }

    double number(String name, double fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        Double d = Values.number(v, "'" + name + "' of " + owner, out);
        return d == null ? fallback : d;
    }

    boolean bool(String name, boolean fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String s = Values.option(v, "'" + name + "' of " + owner, List.of("true", "false"), out);
        return s == null ? fallback : s.equals("true");
    }

    String option(String name, List<String> choices, String fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String s = Values.option(v, "'" + name + "' of " + owner, choices, out);
        return s == null ? fallback : s;
    }

    String string(String name, String fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Value.Text t) {
            return t.value();
        }
        out.add(ErrorCode.E300, v.pos(), "'" + name + "' of " + owner + " must be a \"string\", got " + v.describe());
        return fallback;
    }

    /** A list of strings, {@code ["yes", "no"]}. */
    List<String> strings(String name, List<String> fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Value.ListOf list)) {
            out.add(ErrorCode.E300, v.pos(), "'" + name + "' of " + owner + " must be a list of strings like [\"yes\", \"no\"], got "
                    + v.describe());
            return fallback;
        }
        List<String> items = new ArrayList<>();
        for (Value item : list.items()) {
            if (!(item instanceof Value.Text t)) {
                out.add(ErrorCode.E300, item.pos(), "an element of '" + name + "' of " + owner + " must be a \"string\", got "
                        + item.describe());
                return fallback;
            }
            items.add(t.value());
        }
        return items;
    }

    List<Integer> integers(String name, List<Integer> fallback) {
        Value v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Value.ListOf list)) {
            out.add(ErrorCode.E300, v.pos(), "'" + name + "' of " + owner + " must be a list like [5, 8], got " + v.describe());
            return fallback;
        }
        List<Integer> items = new ArrayList<>();
        for (Value item : list.items()) {
            Integer i = Values.integer(item, "an element of '" + name + "'", out);
            if (i == null) {
                return fallback;
            }
            items.add(i);
        }
        return items;
    }
}
