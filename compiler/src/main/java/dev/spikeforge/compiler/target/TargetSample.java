package dev.spikeforge.compiler.target;

/** What a target's emulator computed for one sample. Arrays are shared, not copied: treat them as read-only. */
public interface TargetSample {

    /** Per class: the readout after T steps (accumulator, membrane or spike count). */
    long[] readout();

    /** argmax of the readout, ties to the lowest class. */
    int prediction();

    /** Cycles of the whole inference. */
    long cycles();

    /** With recording, {@code [layer][step][neuron]} 0/1 in each layer's flat order; else null. */
    byte[][][] spikes();

    /** With recording, {@code [layer][step][neuron]}: the membrane after reset (readouts: the accumulator); else null. */
    long[][][] membranes();

    /** Index of the largest readout; ties go to the lowest class (docs/semantics.md section 2.3). */
    static int argmax(long[] readout) {
        int best = 0;
        for (int i = 1; i < readout.length; i++) {
            if (readout[i] > readout[best]) {
                best = i;
            }
        }
        return best;
    }
}
