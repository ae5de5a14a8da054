package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.target.RtlSimulation;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.nio.file.Path;
import java.util.List;

/**
 * What verify proved (docs/semantics.md section 5): the float model against the integer model
 * within tolerances, each target's emulator against its integer model exactly, and each RTL
 * simulation against its emulator exactly.
 *
 * @param seconds wall time of the float/integer comparison (merged shards: the whole sharded verification's,
 *                as the caller measured it)
 * @param threads threads the integer engines and emulators used (merged shards: those of a shard)
 * @param integerExactResidual for a float model that runs integer-exact (weights of quantisation-aware epochs,
 *                docs/semantics.md section 4.13), the largest |I / unit - round(I / unit)| its currents had, in
 *                units; NaN when it runs in float, or when not known (merged shards)
 */
public record Verification(Compiled compiled, int samples, FloatIntegerComparison.Result comparison,
                           FloatIntegerComparison.Tolerances tolerances, List<TargetProof> targets, double seconds,
                           int threads, double integerExactResidual) {

    /** A verification without a residual to report (the float model runs in float, or merged shards). */
    public Verification(Compiled compiled, int samples, FloatIntegerComparison.Result comparison,
                        FloatIntegerComparison.Tolerances tolerances, List<TargetProof> targets, double seconds,
                        int threads) {
        this(compiled, samples, comparison, tolerances, targets, seconds, threads, Double.NaN);
    }

    public Verification {
        targets = List.copyOf(targets);
    }

    /** Every broken tolerance and every difference, as sentences; empty when everything holds. */
    public List<String> failures() {
        List<String> f = new java.util.ArrayList<>(comparison.failures(tolerances));
        for (TargetProof t : targets) {
            if (t.ownTiming() != null) {
                for (String broken : t.ownTiming().failures(tolerances)) {
                    f.add(t.target() + " (" + t.timing().keyword() + " timing): " + broken);
                }
            }
            if (t.exact() < t.perSample().size()) {
                f.add(t.target() + ": the emulator differs from the integer model on " + (t.perSample().size() - t.exact())
                        + " of " + t.perSample().size() + " samples; first: " + t.first());
            }
            TargetFigures.CycleModel cm = t.figures().cycleModel();
            if (cm != null && cm.equalSamples() < cm.predictedSamples()) {
                f.add(t.target() + ": the cycles predicted from the integer model's spikes differ from the emulator's on "
                        + (cm.predictedSamples() - cm.equalSamples()) + " of " + cm.predictedSamples() + " samples; first: "
                        + cm.firstDifference());
            }
            if (t.rtl() != null && t.rtl().exact() < t.rtl().differences().size()) {
                f.add(t.target() + ": the RTL simulation differs from the emulator on "
                        + (t.rtl().differences().size() - t.rtl().exact()) + " of " + t.rtl().differences().size()
                        + " samples; first: " + t.rtl().first());
            }
        }
        return f;
    }

    public boolean passed() {
        return failures().isEmpty();
    }

    /**
     * One target's proof.
     *
     * @param perSample per sample, null when the emulator equalled the integer model exactly, else the first difference
     * @param figures   the emulator's figures over the samples (cycles, energy, load)
     * @param rtl       the RTL simulation against the emulator, or null when none ran
     * @param rtlNote   why no RTL simulation ran although one was asked for (a missing tool), or null
     * @param timing    the timing the target runs (docs/semantics.md section 2.7)
     * @param ownTiming when that is not the model's timing, the float model against this target's integer
     *                  model under it (the same tolerances hold); else null
     */
    public record TargetProof(String target, String family, Path folder, List<Mismatch> perSample, TargetFigures figures,
                              RtlSimulation.RtlRun rtl, String rtlNote, Timing timing,
                              FloatIntegerComparison.Result ownTiming) {

        public TargetProof {
            perSample = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(perSample));
        }

        public long exact() {
            return perSample.stream().filter(m -> m == null).count();
        }

        public Mismatch first() {
            return perSample.stream().filter(m -> m != null).findFirst().orElse(null);
        }
    }

    /** The first difference of one sample between an emulator and the integer reference: where, and both values. */
    public record Mismatch(int sample, int step, String layer, int neuron, String what, long emulator, long reference)
            implements java.io.Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            return "sample " + sample + ", step " + step + ", layer '" + layer + "', neuron " + neuron + ": " + what
                    + " emulator " + emulator + ", integer reference " + reference;
        }
    }
}
