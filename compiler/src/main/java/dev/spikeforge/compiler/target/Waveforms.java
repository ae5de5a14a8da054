package dev.spikeforge.compiler.target;

import java.io.IOException;
import java.nio.file.Path;

/** A waveform file (VCD) of chosen neurons of one emulated sample, for GTKWave. */
public interface Waveforms {

    /** Checks a list of neurons ({@code LAYER:INDEX,...}) before anything runs; the message says what is wrong. */
    void check(String neurons) throws IllegalArgumentException;

    /**
     * Emulates {@code input} again with recording and writes the waveforms of {@code neurons}.
     *
     * @param cycles one time unit is one clock cycle (else one step)
     * @return what was written, in one sentence
     */
    String write(int[] input, String neurons, boolean cycles, Path vcd, String comment) throws IOException;
}
