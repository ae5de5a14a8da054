package dev.spikeforge.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Encoding#parse} reads back what {@link Encoding#toString} writes, and nothing else. */
class EncodingParseTest {

    @Test
    void everyWrittenEncodingReadsBack() {
        for (Encoding e : List.of(Encoding.POISSON, new Encoding(Encoding.Kind.BIPOLAR, 0),
                new Encoding(Encoding.Kind.LATENCY, 0), new Encoding(Encoding.Kind.DIRECT, 0),
                new Encoding(Encoding.Kind.EVENTS, 25), new Encoding(Encoding.Kind.ROWS, 0), Encoding.rows(4),
                Encoding.rows(255))) {
            assertEquals(Optional.of(e), Encoding.parse(e.toString()), e.toString());
        }
        assertEquals(Optional.of(new Encoding(Encoding.Kind.EVENTS, 0)), Encoding.parse("events"));
    }

    @Test
    void otherTextIsRefused() {
        for (String t : List.of("", "Poisson", "rows(levels = 0)", "rows(levels = -1)", "rows(levels=4)",
                "events(bins = 99999999999)", "direct(levels = 4)", "rows(levels = 4) ")) {
            assertTrue(Encoding.parse(t).isEmpty(), t);
        }
    }
}
