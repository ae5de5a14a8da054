package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import java.nio.file.Path;
import java.util.List;

/**
 * What a trained model does per inference (docs/profiling.md): counters of the float and integer
 * models per layer, the 45 nm reference estimates, and each target's figures from its emulator
 * (the same emulator pass that verify compared with the integer model).
 *
 * @param plots the data of the report's plots, or null when not gathered
 */
public record Profile(Verification verification, List<Layer> layers, Layer total, ReferenceEnergy.Estimate estimate,
                      List<TargetProfile> targets, SpikeStatistics.Data plots, double inputRate) {

    public Profile {
        layers = List.copyOf(layers);
        targets = List.copyOf(targets);
    }

    /** One layer's counters per inference. */
    public record Layer(String layer, long neurons, double floatSpikes, double integerSpikes, double firingRate,
                        double synapticOps, double neuronUpdates, double macs) {

        public ReferenceEnergy.Estimate estimate() {
            return ReferenceEnergy.of(macs, neurons, synapticOps, neuronUpdates);
        }
    }

    /** One target's figures per inference, and how many samples its emulator matched exactly. */
    public record TargetProfile(String target, String family, Path folder, long exact, int samples, TargetFigures figures) {
    }
}
