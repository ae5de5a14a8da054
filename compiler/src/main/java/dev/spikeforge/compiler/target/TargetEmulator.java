package dev.spikeforge.compiler.target;

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

    /** The figures of every sample run so far. */
    TargetFigures figures();
}
