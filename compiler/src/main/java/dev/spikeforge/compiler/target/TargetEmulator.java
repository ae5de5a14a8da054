package dev.spikeforge.compiler.target;

import java.io.Serializable;
import java.util.List;

/**
 * A target's emulator: runs samples of input spikes on what the folder describes, and keeps the
 * target's figures (cycles, energy, load) of every sample it ran. Not shared between threads; it
 * spreads samples over threads itself.
 */
public interface TargetEmulator {

    /**
     * Runs {@code inputs} (per sample, T x N step-major integer input values, as the integer
     * reference takes them) and returns one result per sample, in order.
     *
     * @param record keep every spike and membrane of every layer at every step (for the exact
     *               comparison with the integer reference); without it only the readout and counters
     */
    List<TargetSample> run(int[][] inputs, int threads, boolean record);

    /**
     * Checks the cycles of {@code emulated}, this emulator's results of {@code inputs}, against the
     * family's cycle model fed the integer reference's spikes alone, and keeps the outcome for
     * {@link #figures()} ({@link TargetFigures#cycleModel()}). {@code verify} calls it with the
     * integer model's records of the same samples. The default does nothing: the family has no
     * cycle model of its own.
     *
     * @param referenceSpikes per sample, the integer reference's {@code [layer][step][neuron]} spike counts
     */
    default void predictCycles(int[][] inputs, List<TargetSample> emulated, List<byte[][][]> referenceSpikes) {
    }

    /** The figures of every sample run so far. */
    TargetFigures figures();

    /**
     * What {@link #figures()} is computed from, for the samples run so far, as a value that can
     * travel to another JVM: verification shared over a cluster ({@code verify --master}) runs
     * consecutive ranges of samples on emulators of the same folder in different places, and the
     * merging side {@link #absorb}s their tallies in sample order into one emulator, whose figures
     * are then those of one emulator that ran every sample in order. Everything but the emulator's
     * wall time must come out exactly equal, so a tally holds the per-sample values the figures
     * add up in floating point (not their sums: floating-point sums depend on their grouping).
     *
     * @return the tally, or null when the family cannot merge its figures (then verify refuses {@code --master}
     *         for its targets)
     */
    default Serializable tally() {
        return null;
    }

    /**
     * Takes the {@link #tally()} of another emulator of the same folder that ran the samples that
     * follow the ones this emulator has run (or has absorbed): afterwards {@link #figures()} are
     * those of one emulator that ran both ranges in order, wall time summed.
     *
     * @throws IllegalArgumentException when {@code tally} is not one of this family's
     */
    default void absorb(Serializable tally) {
        throw new UnsupportedOperationException("this target's emulator cannot merge the figures of several emulators");
    }
}
