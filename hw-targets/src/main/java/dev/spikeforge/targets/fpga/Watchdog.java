package dev.spikeforge.targets.fpga;

/**
 * The cycle watchdog of the generated test benches (docs/targets.md, "Watchdog"): a wave may take
 * at most {@link CycleFormula#worstWave} cycles, the clear walk at most the largest membrane memory
 * plus one; a bench that sees a wave or the clear run {@link #MARGIN} cycles past that stops with a
 * {@code FATAL: watchdog:} line, so a design that never raises {@code step_done} (a fault, or X
 * values in the control logic) fails within a few thousand cycles instead of hanging.
 */
public final class Watchdog {

    /** Cycles past the design's bound before a bench gives up: slack only, a correct design never uses it. */
    public static final int MARGIN = 16;

    private Watchdog() {
    }

    /** The cycles after which a wave that has not reached {@code step_done} stops the bench. */
    public static long waveLimit(FpgaDesign d) {
        return CycleFormula.worstWave(d) + MARGIN;
    }

    /** The cycles a clear walk takes: the largest membrane memory's words and the cycle busy falls. */
    public static long clearCycles(FpgaDesign d) {
        return d.layers().stream().mapToLong(FpgaLayer::memoryWords).max().orElse(0) + 1;
    }

    /** The cycles after which a clear with busy still high stops the bench. */
    public static long clearLimit(FpgaDesign d) {
        return clearCycles(d) + MARGIN;
    }
}
