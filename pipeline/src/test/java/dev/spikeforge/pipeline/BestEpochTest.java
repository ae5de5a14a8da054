package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which epoch's checkpoint train keeps as the best one (Training.Best). */
class BestEpochTest {

    @TempDir
    Path dir;

    static Trainer.EpochResult epoch(int epoch, double validation) {
        return new Trainer.EpochResult(epoch, 1e-3, 0.5, 0.9, 0.8, 1, 100, validation, Double.isNaN(validation) ? 0 : 50);
    }

    /** Feeds the epochs and returns which ones it took. */
    static String run(Training.Best best, double... validation) {
        StringBuilder took = new StringBuilder();
        for (int e = 0; e < validation.length; e++) {
            Trainer.EpochResult r = epoch(e + 1, validation[e]);
            if (best.takes(r)) {
                best.took(r);
                took.append(e + 1);
            }
        }
        return took.toString();
    }

    @Test
    void theHighestValidationAccuracyWinsAndTheEarlierOfEqualOnes() throws Exception {
        assertEquals("124", run(Training.Best.start(dir.resolve("m.npz"), false, 1), 0.5, 0.7, 0.7, 0.9, 0.6));
    }

    @Test
    void onlyEpochsFromTheFirstCandidateOnCount() throws Exception {
        // a run with QAT epochs from epoch 3: the float epochs' better figure does not count
        assertEquals("35", run(Training.Best.start(dir.resolve("m.npz"), false, 3), 0.99, 0.98, 0.5, 0.4, 0.6));
    }

    @Test
    void epochsWithoutValidationAreNeverTaken() throws Exception {
        Training.Best best = Training.Best.start(dir.resolve("m.npz"), false, 1);
        assertEquals("", run(best, Double.NaN, Double.NaN));
        assertNull(best.file());
        assertEquals("", run(Training.Best.NONE, 0.5, 0.6));
    }

    @Test
    void aFreshRunRemovesTheBestFileOfARunBeforeIt() throws Exception {
        Path stale = dir.resolve("m-best.npz");
        Files.writeString(stale, "an earlier run's");
        Training.Best best = Training.Best.start(dir.resolve("m.npz"), false, 1);
        assertFalse(Files.exists(stale));
        assertEquals(stale, Training.Best.path(dir.resolve("m.npz")));
        assertEquals(dir.resolve("weights-best.npz"), Training.Best.path(dir.resolve("weights")));
        run(best, 0.5);
        assertEquals(stale, best.file());
        assertTrue(best.takes(epoch(2, 0.6)));
    }
}
