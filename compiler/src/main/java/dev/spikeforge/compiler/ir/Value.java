package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.source.SourcePos;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A value as written in a .snn file: a number, a string, a name, a list, or a call such as
 * {@code sgd(lr = 0.05)}. Target arguments stay in this form until their target reads them.
 */
public sealed interface Value {

    SourcePos pos();

    /** What kind of value this is, for messages: "the number 2.5", "the name fast". */
    String describe();

    record Num(double value, boolean integral, String text, SourcePos pos) implements Value {
        @Override
        public String describe() {
            return "the number " + text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    record Text(String value, SourcePos pos) implements Value {
        @Override
        public String describe() {
            return "the string \"" + value + "\"";
        }

        @Override
        public String toString() {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }

    record Name(String name, SourcePos pos) implements Value {
        @Override
        public String describe() {
            return "the name '" + name + "'";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record ListOf(List<Value> items, SourcePos pos) implements Value {
        public ListOf {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }

        @Override
        public String toString() {
            return items.stream().map(Value::toString).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    record Call(String name, List<Arg> args, SourcePos pos) implements Value {
        public Call {
            args = List.copyOf(args);
        }

        @Override
        public String describe() {
            return "'" + name + "(...)'";
        }

        @Override
        public String toString() {
            return name + args.stream().map(Arg::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    /** One argument of a call: positional when {@code key} is null. */
    record Arg(String key, SourcePos keyPos, Value value) {
        public boolean positional() {
            return key == null;
        }

        @Override
        public String toString() {
            return key == null ? value.toString() : key + " = " + value;
        }
    }
}
