package dev.spikeforge.compiler.diag;

import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** Collects diagnostics in the order found; {@link #sorted()} orders them by position. */
public final class Diagnostics {

    private final List<Diagnostic> items = new ArrayList<>();

    public Diagnostic add(ErrorCode code, SourcePos pos, String message) {
        return add(Diagnostic.of(code, pos, message));
    }

    public Diagnostic add(ErrorCode code, SourcePos pos, String message, String help) {
        return add(new Diagnostic(code, pos, message, help));
    }

    public Diagnostic add(Diagnostic d) {
        items.add(d);
        return d;
    }

    public void remove(Diagnostic d) {
        items.remove(d);
    }

    public void addAll(List<Diagnostic> ds) {
        items.addAll(ds);
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
    }

    public int size() {
        return items.size();
    }

    public List<Diagnostic> list() {
        return Collections.unmodifiableList(items);
    }

    /** By line, then column; diagnostics without a position last; stable otherwise. */
    public static List<Diagnostic> sorted(List<Diagnostic> ds) {
        List<Diagnostic> copy = new ArrayList<>(ds);
        copy.sort(Comparator
                .comparing((Diagnostic d) -> !d.pos().isKnown())
                .thenComparingInt(d -> d.pos().line())
                .thenComparingInt(d -> d.pos().column()));
        return List.copyOf(copy);
    }

    public List<Diagnostic> sorted() {
        return sorted(items);
    }
}
