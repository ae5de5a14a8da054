package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the random FPGA designs of one property covered, counted per try (a try counts once per
 * feature), with a minimum per feature checked after the property's last try, as the integer
 * model's TemporalIntegerPropertyTest does: a generator that stops producing kernel 5, padding 2,
 * 32 lanes, a rounding mode, a layer or recurrence kind fails the build instead of thinning the test.
 */
final class FpgaCoverage {

    private final String name;
    private final Map<String, Integer> minimum = new LinkedHashMap<>();
    private final Map<String, AtomicLong> seen = new LinkedHashMap<>();

    FpgaCoverage(String name) {
        this.name = name;
    }

    /** At least {@code tries} tries must have the feature {@code what}. */
    FpgaCoverage need(String what, int tries) {
        minimum.put(what, tries);
        seen.put(what, new AtomicLong());
        return this;
    }

    synchronized void reset() {
        seen.values().forEach(a -> a.set(0));
    }

    /** One try's features; features without a minimum are counted for the report only. */
    synchronized void tally(Set<String> features) {
        for (String f : features) {
            seen.computeIfAbsent(f, k -> new AtomicLong()).incrementAndGet();
        }
    }

    synchronized long count(String what) {
        AtomicLong a = seen.get(what);
        return a == null ? 0 : a.get();
    }

    /** The counts against the minimums, printed; an assertion error names every feature below its minimum. */
    static void check(FpgaCoverage... all) {
        StringBuilder failed = new StringBuilder();
        for (FpgaCoverage c : all) {
            if (c.count("designs simulated") > 0) { // a property run alone leaves the others' counts at 0
                failed.append(c.checked());
            }
        }
        assertTrue(failed.isEmpty(), failed::toString);
    }

    /** The report and, when a feature is below its minimum, what is missing; else "". */
    private synchronized String checked() {
        StringBuilder report = new StringBuilder(name + " coverage:\n");
        StringBuilder below = new StringBuilder();
        seen.forEach((k, v) -> {
            Integer min = minimum.get(k);
            report.append(String.format(Locale.ROOT, "  %-40s %5d%s%n", k, v.get(), min == null ? "" : " (at least " + min + ")"));
            if (min != null && v.get() < min) {
                below.append(String.format(Locale.ROOT, "%s: %d tries, below %d; ", k, v.get(), min));
            }
        });
        System.out.print(report);
        return below.isEmpty() ? "" : name + ": " + below + "\n" + report;
    }

    /**
     * The features of a planned design: its engines' lane ranges, rounding, encoding, overflow, every layer's
     * kind (avgpool and maxpool told apart), conv kernel and padding, channels, blocks per word,
     * synaptic current, recurrence, reset and readout.
     */
    static Set<String> features(QuantizedNetwork q, FpgaDesign d, FpgaCases.Rounding rounding) {
        Set<String> f = new LinkedHashSet<>();
        f.add("designs simulated");
        for (FpgaLayer l : d.layers()) {
            // each engine's own lanes (lanes = [...] gives each layer its own)
            int lanes = l.lanes();
            f.add(lanes <= 2 ? "lanes 1-2" : lanes <= 8 ? "lanes 4-8" : "lanes 16-32");
            if (lanes == 32) {
                f.add("lanes 32");
            }
        }
        f.add("rounding " + rounding.keyword());
        f.add("encoding " + d.encoding());
        f.add(d.layers().get(0).wrap() ? "overflow wrap" : "overflow saturate");
        for (FpgaLayer l : d.layers()) {
            QuantLayer ql = q.layers().get(l.index());
            Synapse s = FpgaDesign.feedForward(ql);
            switch (l.kind()) {
                case DENSE -> f.add("dense layer");
                case CONV -> {
                    f.add("conv layer");
                    f.add("conv kernel " + l.kernel());
                    f.add("conv padding " + l.padding());
                    if (l.stride() > 1) {
                        f.add("conv stride 2");
                    }
                }
                case POOL -> f.add(s instanceof Synapse.MaxPool ? "maxpool layer" : "avgpool layer");
            }
            if (l.kind() != FpgaLayer.Kind.DENSE && Math.max(l.inC(), l.outC()) >= 4) {
                f.add("conv or pool with 4-8 channels");
            }
            if (l.kind() == FpgaLayer.Kind.DENSE && l.outC() >= 7) {
                f.add("dense with 7-8 units");
            }
            if (l.blocks() > 1) {
                f.add("several blocks per layer");
            }
            if (l.hasCurrent()) {
                f.add("CUBA layer");
            }
            if (l.recurrence() != FpgaLayer.Recurrence.NONE) {
                f.add("recurrent " + l.recurrence().name().toLowerCase(Locale.ROOT));
            }
            if (l.mode().spiking() && l.kind() != FpgaLayer.Kind.POOL) {
                f.add(l.resetZero() ? "reset zero" : "reset subtract");
            }
            if (l.leak().form() instanceof dev.spikeforge.compiler.quant.QuantLeak.Shift) {
                f.add("shift leak");
            } else if (l.leak().form() instanceof dev.spikeforge.compiler.quant.QuantLeak.Multiplier) {
                f.add("multiplier leak");
            }
        }
        f.add("readout " + d.last().mode().name().toLowerCase(Locale.ROOT));
        return f;
    }
}
