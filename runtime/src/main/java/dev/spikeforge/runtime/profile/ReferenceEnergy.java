package dev.spikeforge.runtime.profile;

/**
 * The common 45 nm comparison of SNN and ANN energy (docs/profiling.md), labelled as an estimate
 * wherever it is printed. Compute-only: an ANN pays one 32-bit float multiply-accumulate per
 * synapse (3.7 pJ multiply + 0.9 pJ add = 4.6 pJ), an SNN one 32-bit float add per synaptic
 * operation (0.9 pJ); figures from M. Horowitz, "Computing's energy problem (and what we can do
 * about it)", ISSCC 2014, table for 45 nm at 0.9 V. The memory-inclusive variant adds SRAM accesses
 * from the same table (a 64-bit access to an 8 KB SRAM: 10 pJ, so 5 pJ per 32-bit word): one weight
 * read per MAC or synaptic operation, and per neuron update an ANN activation write (one word) or an
 * SNN membrane read and write (two words).
 */
public final class ReferenceEnergy {

    public static final double ANN_MAC_J = 4.6e-12;
    public static final double SNN_ACCUMULATE_J = 0.9e-12;
    public static final double SRAM_WORD_J = 5.0e-12;

    private ReferenceEnergy() {
    }

    /** Energy of one inference, compute only and with SRAM accesses. */
    public record Estimate(double annComputeJ, double snnComputeJ, double annWithMemoryJ, double snnWithMemoryJ) {

        /** snnComputeJ / annComputeJ: below 1 the SNN needs less. */
        public double computeRatio() {
            return annComputeJ == 0 ? Double.NaN : snnComputeJ / annComputeJ;
        }

        public double withMemoryRatio() {
            return annWithMemoryJ == 0 ? Double.NaN : snnWithMemoryJ / annWithMemoryJ;
        }
    }

    /**
     * @param macs          dense-equivalent MACs of the network run once as an ANN (its synapses)
     * @param neurons       its neurons (one activation each)
     * @param synapticOps   the SNN's synaptic operations per inference (spikes x fan-out, over all steps)
     * @param neuronUpdates the SNN's neuron updates per inference (neurons x steps)
     */
    public static Estimate of(double macs, double neurons, double synapticOps, double neuronUpdates) {
        double ann = macs * ANN_MAC_J;
        double snn = synapticOps * SNN_ACCUMULATE_J;
        double annMem = ann + macs * SRAM_WORD_J + neurons * SRAM_WORD_J;
        double snnMem = snn + synapticOps * SRAM_WORD_J + neuronUpdates * 2 * SRAM_WORD_J;
        return new Estimate(ann, snn, annMem, snnMem);
    }
}
