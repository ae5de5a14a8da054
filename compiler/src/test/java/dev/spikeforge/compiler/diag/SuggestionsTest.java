package dev.spikeforge.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void distanceCountsEditsAndAdjacentSwaps() {
        assertEquals(0, Suggestions.distance("beta", "beta"));
        assertEquals(1, Suggestions.distance("treshold", "threshold"));
        assertEquals(1, Suggestions.distance("thershold", "threshold") - 0);
        assertEquals(2, Suggestions.distance("kernal", "kernels"));
        assertEquals(4, Suggestions.distance("", "conv"));
    }

    @Test
    void closestFindsTyposAndCaseButNotStrangers() {
        List<String> params = List.of("beta", "tau", "threshold", "reset");
        assertEquals(Optional.of("threshold"), Suggestions.closest("treshold", params));
        assertEquals(Optional.of("reset"), Suggestions.closest("rset", params));
        assertEquals(Optional.of("LIF"), Suggestions.closest("lif", List.of("LIF", "IF")));
        assertEquals(Optional.empty(), Suggestions.closest("momentum", params));
        assertEquals("", Suggestions.didYouMean("zzz", params));
        assertEquals("; did you mean 'beta'?", Suggestions.didYouMean("bta", params));
    }
}
