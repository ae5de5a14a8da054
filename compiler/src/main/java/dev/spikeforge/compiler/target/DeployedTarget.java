package dev.spikeforge.compiler.target;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A compiled folder read back from its own files (never from the model that produced it): what
 * {@code emulate}, {@code verify}, {@code rtl-sim} and {@code synth} run. That it depends on the
 * written files alone is what makes its emulator a check of what is shipped.
 */
public interface DeployedTarget {

    /** The family that read it. */
    String family();

    /** How reports name the target, as {@link Target#name()} does. */
    String name();

    Path folder();

    /** The name of the model the folder was compiled from. */
    String model();

    /** What the folder takes as input: values per step, steps, and the encoding that makes them. */
    Input input();

    /**
     * A fresh emulator of the folder (docs/semantics.md section 5.1: it must equal the integer
     * reference exactly); each caller gets its own, with its own figures.
     */
    TargetEmulator emulator();

    /** The RTL simulators that can run this folder's hardware description, first the default; none for most families. */
    default List<String> rtlTools() {
        return List.of();
    }

    /** The RTL simulation with {@code tool} (one of {@link #rtlTools()}). */
    default Optional<RtlSimulation> rtl(String tool) {
        return Optional.empty();
    }

    /** Synthesis of the folder's hardware description into resources of a device; empty when the family has none. */
    default Optional<HardwareSynthesis> synthesis() {
        return Optional.empty();
    }

    /** Waveforms of chosen neurons of one sample; empty when the family writes none ({@link #noWaveforms()} says what to use). */
    default Optional<Waveforms> waveforms() {
        return Optional.empty();
    }

    /** Why there are no waveforms, and what to use instead. */
    default String noWaveforms() {
        return "this target writes no waveforms";
    }

    /**
     * The input a folder takes.
     *
     * @param size      values per step
     * @param timesteps steps per sample
     * @param encoding  the encoding keyword that makes them (poisson, direct, ...)
     */
    record Input(long size, int timesteps, String encoding) {
    }
}
