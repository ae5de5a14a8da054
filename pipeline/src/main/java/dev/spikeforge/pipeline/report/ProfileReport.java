package dev.spikeforge.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.pipeline.Profile;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A profile as text and as JSON (schema {@code spikeforge.profile/1}); {@link ProfileHtml} draws it. */
public final class ProfileReport {

    private ProfileReport() {
    }

    /** The first line: model, samples, accuracies. */
    public static String header(Profile p) {
        FloatIntegerComparison.Result r = p.verification().comparison();
        return String.format(Locale.ROOT, "model %s, %d test samples, T = %d: float accuracy %.2f%%, integer accuracy %.2f%%,"
                + " agreement %.2f%%", p.verification().compiled().model().network().name(), r.samples(),
                p.verification().compiled().model().network().timesteps(), 100 * r.floatAccuracy(), 100 * r.integerAccuracy(),
                100 * r.agreement());
    }

    public static List<String> text(Profile p) {
        List<String> out = new ArrayList<>();
        out.add(header(p));
        out.add("per inference (mean over the samples):");
        out.add(String.format(Locale.ROOT, "%-8s %9s %13s %13s %11s %14s %14s %14s", "layer", "neurons", "spikes float",
                "spikes int", "firing rate", "synaptic ops", "neuron upd.", "ANN MACs"));
        for (Profile.Layer x : p.layers()) {
            out.add(String.format(Locale.ROOT, "%-8s %9d %13.1f %13.1f %11.4f %14.4g %14.4g %14.4g", x.layer(), x.neurons(),
                    x.floatSpikes(), x.integerSpikes(), x.firingRate(), x.synapticOps(), x.neuronUpdates(), x.macs()));
        }
        Profile.Layer t = p.total();
        out.add(String.format(Locale.ROOT, "%-8s %9d %13.1f %13.1f %11s %14.4g %14.4g %14.4g", "total", t.neurons(),
                t.floatSpikes(), t.integerSpikes(), "", t.synapticOps(), t.neuronUpdates(), t.macs()));
        out.add("energy per inference, ESTIMATES at 45 nm (Horowitz 2014; docs/profiling.md):");
        energyLines(p).forEach(l -> out.add("  " + l));
        targetLines(p).forEach(out::add);
        return out;
    }

    /** The 45 nm estimates, compute only and with SRAM accesses. */
    public static List<String> energyLines(Profile p) {
        ReferenceEnergy.Estimate e = p.estimate();
        return List.of(String.format(Locale.ROOT, "compute only:      ANN %s (4.6 pJ per MAC), SNN %s (0.9 pJ per synaptic op),"
                        + " SNN/ANN %.3f", Units.joules(e.annComputeJ()), Units.joules(e.snnComputeJ()), e.computeRatio()),
                String.format(Locale.ROOT, "with SRAM access:  ANN %s, SNN %s (+5 pJ per 32-bit word from an 8 KB SRAM),"
                        + " SNN/ANN %.3f", Units.joules(e.annWithMemoryJ()), Units.joules(e.snnWithMemoryJ()),
                        e.withMemoryRatio()));
    }

    /** Per target: its latency and throughput, counters, energy and notes. */
    public static List<String> targetLines(Profile p) {
        List<String> out = new ArrayList<>();
        for (Profile.TargetProfile t : p.targets()) {
            TargetFigures f = t.figures();
            out.add(String.format(Locale.ROOT, "%s: %.0f cycles per inference, %s, %.1f inferences/s%s; emulator exact on"
                    + " %d of %d samples; folder %s", t.target(), f.meanCycles(), TargetReport.latency(f),
                    f.inferencesPerSecond(), p.inputRate() > 0 ? String.format(Locale.ROOT,
                            ", real-time margin %.2fx at %.0f inputs/s", 1 / (p.inputRate() * f.meanSeconds()), p.inputRate())
                            : "", t.exact(), t.samples(), t.folder()));
            double audio = audioSeconds(p);
            if (audio > 0) {
                out.add(String.format(Locale.ROOT, "  real-time factor %.4g: %s of chip time per %s s clip of audio at the"
                        + " target's clock (below 1: faster than the sound arrives)", f.meanSeconds() / audio,
                        Units.seconds(f.meanSeconds()), TargetReport.trim(audio)));
            }
            if (!f.counters().isEmpty()) {
                out.add("  counters per inference: " + TargetReport.counters(f));
            }
            String energy = TargetReport.energy(f);
            if (energy != null) {
                out.add("  energy per inference (ESTIMATE from the target's figures): " + energy);
                if (!f.energy().perLayerCompute().isEmpty()) {
                    List<String> layers = new ArrayList<>();
                    f.energy().perLayerCompute().forEach((k, v) -> layers.add(k + " " + Units.joules(v)));
                    out.add("  synaptic + neuron energy per layer: " + String.join(", ", layers));
                }
            }
            out.addAll(TargetReport.cycleModel(f, "  "));
            f.notes().forEach(n -> out.add("  " + n));
        }
        return out;
    }

    /**
     * The length of one inference's audio for a model fed by an audio dataset (its clips'
     * seconds), else 0: the real-time factor is the chip's time per inference over it.
     */
    static double audioSeconds(Profile p) {
        return p.verification().compiled().trained().model().network().train()
                .map(t -> t.dataset() instanceof TrainSpec.AudioDataset a ? a.seconds() : 0.0).orElse(0.0);
    }

    public static ObjectNode json(Profile p) {
        FloatIntegerComparison.Result r = p.verification().comparison();
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.profile/1");
        doc.put("model", p.verification().compiled().model().network().name());
        doc.put("samples", r.samples());
        doc.put("timesteps", p.verification().compiled().model().network().timesteps());
        doc.put("float_accuracy", r.floatAccuracy());
        doc.put("integer_accuracy", r.integerAccuracy());
        doc.put("agreement", r.agreement());
        ArrayNode ls = doc.putArray("layers");
        for (Profile.Layer x : p.layers()) {
            ObjectNode o = ls.addObject();
            o.put("layer", x.layer());
            o.put("neurons", x.neurons());
            o.put("float_spikes_per_inference", x.floatSpikes());
            o.put("integer_spikes_per_inference", x.integerSpikes());
            o.put("firing_rate", x.firingRate());
            o.put("synaptic_ops_per_inference", x.synapticOps());
            o.put("neuron_updates_per_inference", x.neuronUpdates());
            o.put("ann_macs", x.macs());
            ReferenceEnergy.Estimate e = x.estimate();
            o.put("estimate_ann_compute_j", e.annComputeJ());
            o.put("estimate_snn_compute_j", e.snnComputeJ());
        }
        ReferenceEnergy.Estimate e = p.estimate();
        ObjectNode est = doc.putObject("energy_estimate_45nm");
        est.put("source", "Horowitz, ISSCC 2014: 4.6 pJ per 32-bit float MAC, 0.9 pJ per 32-bit float add,"
                + " 10 pJ per 64-bit access to an 8 KB SRAM");
        est.put("ann_compute_j", e.annComputeJ());
        est.put("snn_compute_j", e.snnComputeJ());
        est.put("ann_with_sram_j", e.annWithMemoryJ());
        est.put("snn_with_sram_j", e.snnWithMemoryJ());
        ArrayNode ts = doc.putArray("targets");
        for (Profile.TargetProfile t : p.targets()) {
            ObjectNode o = ts.addObject();
            o.put("target", t.target());
            o.put("family", t.family());
            o.put("folder", t.folder().toString());
            o.put("exact_samples", t.exact());
            TargetReport.json(o, t.figures());
            if (p.inputRate() > 0) {
                o.put("real_time_margin", 1 / (p.inputRate() * t.figures().meanSeconds()));
            }
            if (audioSeconds(p) > 0) {
                o.put("real_time_factor", t.figures().meanSeconds() / audioSeconds(p));
            }
        }
        return doc;
    }
}
