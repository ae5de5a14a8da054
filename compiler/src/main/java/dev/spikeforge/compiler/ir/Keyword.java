package dev.spikeforge.compiler.ir;

import java.util.Locale;

/**
 * An enum whose constants are written in the language as their lower-case names
 * ({@code FAST_SIGMOID} is {@code fast_sigmoid}); the builder reads them back with
 * {@code valueOf(word.toUpperCase(Locale.ROOT))}.
 */
public interface Keyword {

    String name();

    default String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
