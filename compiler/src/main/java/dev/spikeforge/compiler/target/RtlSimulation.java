package dev.spikeforge.compiler.target;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A simulation of a folder's hardware description by an RTL simulator, compared with the
 * target's own emulator (docs/semantics.md section 5.2: every spike and its cycle, every membrane,
 * every step's cycles and the readout).
 */
public interface RtlSimulation {

    /** The simulator's name, e.g. {@code verilator}. */
    String tool();

    /** Whether the simulator is installed. */
    boolean available();

    /** The command that installs it, e.g. {@code apt-get install -y verilator}. */
    String install();

    /**
     * Simulates {@code inputs} and compares each sample with {@code emulated} (the emulator's
     * recorded results of the same inputs, in order).
     *
     * @param vcd   where to keep the waveforms of the whole run, or null
     * @param trace false to time the simulation alone (no trace written; only cycles and readouts compared)
     */
    RtlRun run(int[][] inputs, List<TargetSample> emulated, Path vcd, boolean trace) throws ToolException, IOException;

    /**
     * What a simulation gave.
     *
     * @param differences  per sample, null when the RTL equalled the emulator exactly, else the first difference
     * @param predictions  per sample, the class the RTL's readout predicts
     * @param cycles       cycles simulated in all
     */
    record RtlRun(String tool, List<String> differences, int[] predictions, long cycles, double buildSeconds,
                  double runSeconds) {

        public RtlRun {
            differences = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(differences));
        }

        public long exact() {
            return differences.stream().filter(d -> d == null).count();
        }

        public String first() {
            return differences.stream().filter(d -> d != null).findFirst().orElse(null);
        }

        public double cyclesPerSecond() {
            return cycles / Math.max(1e-9, runSeconds);
        }
    }
}
