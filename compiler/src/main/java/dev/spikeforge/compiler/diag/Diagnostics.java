package dev.spikeforge.compiler.diag;

import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Collects diagnostics in the order found; {@link #sorted()} orders them by position. A collector
 * made with {@link #limited(int)} keeps the first that many by position and only counts the rest,
 * so that a file of a million mistakes costs a counter, not a million diagnostics.
 */
public final class Diagnostics {

    private final List<Diagnostic> items = new ArrayList<>();
    private final int limit;
    private long omittedErrors;
    private long omittedWarnings;
    /** Index of the kept diagnostic that comes last by position, or -1 when not known. */
    private int latest = -1;

    public Diagnostics() {
        this(Integer.MAX_VALUE);
    }

    private Diagnostics(int limit) {
        this.limit = limit;
    }

    /** A collector that keeps the first {@code limit} diagnostics and counts the others. */
    public static Diagnostics limited(int limit) {
        return new Diagnostics(limit);
    }

    public Diagnostic add(ErrorCode code, SourcePos pos, String message) {
        return add(Diagnostic.of(code, pos, message));
    }

    public Diagnostic add(ErrorCode code, SourcePos pos, String message, String help) {
        return add(new Diagnostic(code, pos, message, help));
    }

    public Diagnostic add(Diagnostic d) {
        if (items.size() < limit) {
            items.add(d);
            latest = -1;
            return d;
        }
        // Full: keep the earlier of d and the latest kept one. Files are read front to back, so
        // d is usually the later one and this costs one comparison.
        Diagnostic dropped = d;
        if (BY_POSITION.compare(d, latestKept()) < 0) {
            dropped = items.set(latest, d);
            latest = -1;
        }
        if (dropped.isError()) {
            omittedErrors++;
        } else {
            omittedWarnings++;
        }
        return d;
    }

    /**
     * Whether a diagnostic at {@code pos} would be kept: false when the collector is full of
     * earlier ones. A caller that reports many can then {@link #omit} it without building it.
     */
    public boolean keeps(SourcePos pos) {
        if (items.size() < limit) {
            return true;
        }
        return BY_POSITION.compare(Diagnostic.of(ErrorCode.E100, pos, ""), latestKept()) < 0;
    }

    /** Counts a diagnostic of {@code code} that {@link #keeps} said would not be kept. */
    public void omit(ErrorCode code) {
        if (code.severity() == Severity.ERROR) {
            omittedErrors++;
        } else {
            omittedWarnings++;
        }
    }

    private Diagnostic latestKept() {
        if (latest < 0) {
            latest = 0;
            for (int i = 1; i < items.size(); i++) {
                if (BY_POSITION.compare(items.get(i), items.get(latest)) > 0) {
                    latest = i;
                }
            }
        }
        return items.get(latest);
    }

    /** Counts diagnostics another collector dropped as dropped here too. */
    public void addOmitted(Diagnostics other) {
        omittedErrors += other.omittedErrors;
        omittedWarnings += other.omittedWarnings;
    }

    /** Errors that were found after the limit was reached and not kept. */
    public long omittedErrors() {
        return omittedErrors;
    }

    /** Warnings that were found after the limit was reached and not kept. */
    public long omittedWarnings() {
        return omittedWarnings;
    }

    public void remove(Diagnostic d) {
        items.remove(d);
        latest = -1;
    }

    public void addAll(List<Diagnostic> ds) {
        ds.forEach(this::add);
    }

    public boolean hasErrors() {
        return omittedErrors > 0 || items.stream().anyMatch(Diagnostic::isError);
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
        copy.sort(BY_POSITION);
        return List.copyOf(copy);
    }

    private static final Comparator<Diagnostic> BY_POSITION = Comparator
            .comparing((Diagnostic d) -> !d.pos().isKnown())
            .thenComparingInt(d -> d.pos().line())
            .thenComparingInt(d -> d.pos().column());

    public List<Diagnostic> sorted() {
        return sorted(items);
    }
}
