package dev.spikeforge.pipeline.report;

import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.pipeline.Profile;
import dev.spikeforge.pipeline.RunResult;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.util.List;
import java.util.Locale;

/** The whole job's summary: accuracy, agreement, and per target exactness, cycles, latency and energy. */
public final class RunSummary {

    private RunSummary() {
    }

    public static String text(RunResult r) {
        Verification v = r.verification();
        FloatIntegerComparison.Result c = v.comparison();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nspikeforge run: model %s, checkpoint %s, %d test samples%n",
                r.trained().model().name(), r.trained().checkpoint(), v.samples()));
        List<String> failures = v.failures();
        b.append(String.format(Locale.ROOT, "accuracy: float %.2f%%, integer %.2f%%; class agreement %.2f%%; verify %s%n",
                100 * c.floatAccuracy(), 100 * c.integerAccuracy(), 100 * c.agreement(), failures.isEmpty() ? "PASS"
                        : "FAIL: " + String.join("; ", failures)));
        ReferenceEnergy.Estimate e = r.profile().estimate();
        b.append(String.format(Locale.ROOT, "45 nm estimates per inference: ANN %s, SNN %s compute only; %s and %s with SRAM%n",
                Units.joules(e.annComputeJ()), Units.joules(e.snnComputeJ()), Units.joules(e.annWithMemoryJ()),
                Units.joules(e.snnWithMemoryJ())));
        b.append(String.format(Locale.ROOT, "%-52s %8s %14s %12s %14s %14s%n", "target", "exact", "cycles/inf", "latency",
                "inferences/s", "energy/inf"));
        for (Profile.TargetProfile t : r.profile().targets()) {
            TargetFigures f = t.figures();
            b.append(String.format(Locale.ROOT, "%-52s %8s %14.0f %12s %14.1f %14s%n", t.target(), t.exact() + "/" + t.samples(),
                    f.meanCycles(), Units.seconds(f.latencySeconds()), f.inferencesPerSecond(), f.energy() == null
                            ? "not modelled" : Units.joules(f.energy().total()) + " (est.)"));
        }
        List<String> clocks = new java.util.ArrayList<>();
        for (Profile.TargetProfile t : r.profile().targets()) {
            TargetFigures.Clock clock = t.figures().clock();
            String basis = clock.assumed() ? "assumed" : clock.basis();
            clocks.add(t.target() + " at " + TargetReport.mhz(clock.mhz()) + " MHz" + (basis.isEmpty() ? "" : " (" + basis + ")"));
        }
        if (!clocks.isEmpty()) {
            b.append("clocks: ").append(String.join("; ", clocks)).append('\n');
        }
        for (Verification.TargetProof t : v.targets()) {
            String folder = t.folder().getFileName().toString();
            if (t.rtl() != null) {
                b.append("RTL: ").append(folder).append(": ").append(t.rtl().first() == null ? "EQUAL: every spike and its"
                        + " cycle, every membrane at the end of every step, the cycles of every step and the readout ("
                        + t.rtl().tool() + ", " + t.rtl().differences().size() + " samples)"
                        : "DIFFERENT: " + t.rtl().first()).append('\n');
            } else if (t.rtlNote() != null) {
                b.append("RTL: ").append(folder).append(": ").append(t.rtlNote()).append('\n');
            }
        }
        for (RunResult.Synthesised s : r.synthesis()) {
            b.append("synth: ").append(s.folder().getFileName()).append(": ")
                    .append(s.report() != null ? FolderReports.synthesisLine(s.report()) : "failed: " + s.failure()).append('\n');
        }
        b.append("files: ").append(r.dir()).append("/ (compiled/, verify.json, verify.xml, profile.json, summary.txt,"
                + " report/)\n");
        b.append("HTML report: ").append(r.report()).append('\n');
        return b.toString();
    }
}
