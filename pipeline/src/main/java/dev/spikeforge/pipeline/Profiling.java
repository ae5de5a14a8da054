package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.summary.LayerRow;
import dev.spikeforge.compiler.summary.NetworkSummary;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.util.ArrayList;
import java.util.List;

/** The profile stage: counters and estimates from a verification's comparison and emulator passes. */
final class Profiling {

    private Profiling() {
    }

    static Profile profile(Verification v, ProfileSettings s, SpikeStatistics plots) {
        QuantizedNetwork qn = v.compiled().model().network();
        FloatIntegerComparison.Result r = v.comparison();
        NetworkSummary summary = NetworkSummary.of(v.compiled().trained().model().network());
        int n = v.samples();
        List<Profile.Layer> layers = new ArrayList<>();
        Profile.Layer total = new Profile.Layer("total", 0, 0, 0, 0, 0, 0, 0);
        for (int l = 0; l < qn.layers().size(); l++) {
            QuantLayer ql = qn.layers().get(l);
            FloatIntegerComparison.LayerCounts c = r.layers().stream().filter(x -> x.layer().equals(ql.layer())).findFirst()
                    .orElse(null);
            long macs = summary.rows().stream().filter(x -> x.layer().equals(ql.layer())).mapToLong(LayerRow::synapses).sum();
            double fs = c == null ? 0 : c.floatSpikes() / (double) n;
            double is = c == null ? 0 : c.integerSpikes() / (double) n;
            Profile.Layer x = new Profile.Layer(ql.layer(), ql.size(), fs, is, is / ((double) ql.size() * qn.timesteps()),
                    r.layerSynapticOps()[l] / (double) n, (double) ql.size() * qn.timesteps(), macs);
            layers.add(x);
            total = new Profile.Layer("total", total.neurons() + x.neurons(), total.floatSpikes() + x.floatSpikes(),
                    total.integerSpikes() + x.integerSpikes(), 0, total.synapticOps() + x.synapticOps(),
                    total.neuronUpdates() + x.neuronUpdates(), total.macs() + x.macs());
        }
        List<Profile.TargetProfile> targets = new ArrayList<>();
        for (Verification.TargetProof t : v.targets()) {
            TargetFigures f = t.figures();
            if (f.clock().assumed() && s.assumedClockMhz() != null) {
                f = f.at(new TargetFigures.Clock(s.assumedClockMhz(), true));
            }
            targets.add(new Profile.TargetProfile(t.target(), t.family(), t.folder(), t.exact(), t.perSample().size(), f));
        }
        ReferenceEnergy.Estimate estimate = ReferenceEnergy.of(total.macs(), total.neurons(), total.synapticOps(),
                total.neuronUpdates());
        return new Profile(v, layers, total, estimate, targets, plots == null ? null : plots.data(), s.inputRate());
    }
}
