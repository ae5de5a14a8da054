package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.target.RtlSimulation;

/**
 * An RTL simulation of a folder against its emulator on test samples of its model.
 *
 * @param emulatorSeconds        the emulator's time for the samples, recording every membrane
 * @param emulatorFastCyclesPerSecond with speed timing: the emulator without recording, else NaN
 * @param rtlFastCyclesPerSecond with speed timing: the simulation without trace, else NaN
 */
public record RtlComparison(String target, int samples, long cycles, double accuracy, double emulatorSeconds,
                            RtlSimulation.RtlRun run, double emulatorFastCyclesPerSecond, double rtlFastCyclesPerSecond) {

    public double emulatorCyclesPerSecond() {
        return cycles / Math.max(1e-9, emulatorSeconds);
    }
}
