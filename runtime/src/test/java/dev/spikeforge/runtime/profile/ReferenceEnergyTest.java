package dev.spikeforge.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 45 nm estimates on a case computed by hand. */
class ReferenceEnergyTest {

    @Test
    void aHandComputedCase() {
        // 1,000 MACs, 100 neurons; the SNN makes 300 synaptic operations and 100 x 10 neuron updates
        ReferenceEnergy.Estimate e = ReferenceEnergy.of(1000, 100, 300, 1000);
        assertEquals(4.6e-9, e.annComputeJ(), 1e-21);                       // 1000 x 4.6 pJ
        assertEquals(0.27e-9, e.snnComputeJ(), 1e-21);                      // 300 x 0.9 pJ
        assertEquals(4.6e-9 + 5e-9 + 0.5e-9, e.annWithMemoryJ(), 1e-21);    // + 1000 weight reads + 100 writes
        assertEquals(0.27e-9 + 1.5e-9 + 10e-9, e.snnWithMemoryJ(), 1e-21);  // + 300 weight reads + 1000 x 2 words
        assertEquals(0.27 / 4.6, e.computeRatio(), 1e-12);
    }
}
