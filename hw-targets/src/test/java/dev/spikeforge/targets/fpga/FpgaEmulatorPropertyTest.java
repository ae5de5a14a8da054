package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.integer.RandomNetworks;
import dev.spikeforge.runtime.integer.SampleResult;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;

/**
 * The FPGA emulator (registers stepped cycle by cycle) equals the integer reference model exactly on
 * random chain networks: every spike, every membrane at the end of every step, the readout; and
 * the cycles of every step equal those {@link CycleFormula#predict} computes from the input and the
 * integer model's spikes alone, within the design's worst case.
 */
class FpgaEmulatorPropertyTest {

    @Property(tries = 300, maxDiscardRatio = 5)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void emulatorEqualsTheIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int steps,
                                           @ForAll RandomNetworks.InputKind encoding, @ForAll @IntRange(min = 0, max = 4) int lanesLog,
                                           @ForAll boolean nearest, @ForAll boolean mixedLanes) {
        // nearest: leak_rounding = nearest, in the emulator's own arithmetic and in the integer model's;
        // mixedLanes: each layer its own lanes
        FpgaCases.Planned p = FpgaCases.plan(seed, steps, encoding, 1 << lanesLog, nearest, mixedLanes);
        Assume.that(p != null);
        FpgaEmulator.Sample got = new FpgaEmulator(p.d()).run(p.c().input, true);
        Statistics.label("layers").collect(p.d().layers().size());
        Statistics.label("leak rounding").collect(nearest ? "nearest" : "floor");
        Statistics.label("spikes").collect(got.spikes(0) > 0);
        SampleResult ref = FpgaCases.reference(p.q(), p.c().input);
        String diff = FpgaCases.compare(p.q(), ref, got);
        assertNull(diff, () -> diff + "\n" + p.c().describe(p.q()));
        String cycles = FpgaCases.cycleCheck(p.d(), ref, p.c().input, got, "the emulator");
        assertNull(cycles, () -> cycles + "\n" + p.c().describe(p.q()));
    }

    /**
     * The same on random temporal networks (issue 23): dense chains with synaptic currents (CUBA,
     * every decay form), full and diagonal recurrence, a 2-D maxpool in front, every readout; the
     * cycles of every step equal the formula with the recurrent events counted.
     */
    @Property(tries = 300)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void emulatorEqualsTheIntegerReferenceOnTemporalNetworks(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int steps,
                                                            @ForAll RandomNetworks.InputKind encoding,
                                                            @ForAll @IntRange(min = 0, max = 4) int lanesLog) {
        TemporalCases.Case c = TemporalCases.generate(seed, steps, encoding, 1 << lanesLog);
        Assume.that(c != null);
        FpgaEmulator.Sample got = new FpgaEmulator(c.d()).run(c.input(), true);
        SampleResult ref = FpgaCases.reference(c.q(), c.input());
        String diff = FpgaCases.compare(c.q(), ref, got);
        assertNull(diff, () -> diff + "\n" + c.describe());
        String cycles = FpgaCases.cycleCheck(c.d(), ref, c.input(), got, "the emulator");
        assertNull(cycles, () -> cycles + "\n" + c.describe());
    }

    /**
     * The temporal cases reach what they are for: over 400 fixed seeds (each also compared as
     * above), recurrent events are walked in most, and the current's saturation (or wrap) changes
     * the integer model's membranes in a good share.
     */
    @Test
    void temporalCasesDeliverRecurrentEventsAndSaturateCurrents() {
        int cases = 0;
        int recurrentDelivered = 0;
        int clampMatters = 0;
        int recurrentLayers = 0;
        int cubaLayers = 0;
        int full = 0;
        int diagonal = 0;
        int maxpools = 0;
        int wrapped = 0;
        for (long seed = 1; seed <= 400; seed++) {
            RandomNetworks.InputKind kind = RandomNetworks.InputKind.values()[(int) (seed % 3)];
            TemporalCases.Case c = TemporalCases.generate(seed, 2 + (int) (seed % 6), kind, 1 << (seed % 5));
            if (c == null) {
                continue;
            }
            cases++;
            FpgaEmulator.Sample got = new FpgaEmulator(c.d()).run(c.input(), true);
            String diff = TemporalCases.compare(c.q(), c.input(), got);
            assertNull(diff, () -> diff + "\n" + c.describe());
            recurrentDelivered += TemporalCases.recurrentEventsDelivered(c.q(), got) > 0 ? 1 : 0;
            clampMatters += TemporalCases.currentClampMatters(c.q(), c.input()) ? 1 : 0;
            recurrentLayers += (int) c.q().layers().stream().filter(l -> l.isRecurrent()).count();
            cubaLayers += (int) c.q().layers().stream().filter(l -> l.hasSynapticCurrent()).count();
            full += (int) c.d().layers().stream().filter(l -> l.recurrence() == FpgaLayer.Recurrence.FULL).count();
            diagonal += (int) c.d().layers().stream().filter(l -> l.recurrence() == FpgaLayer.Recurrence.DIAGONAL).count();
            maxpools += c.d().layers().get(0).kind() == FpgaLayer.Kind.POOL ? 1 : 0;
            wrapped += c.d().layers().stream().anyMatch(l -> l.hasCurrent() && l.wrap()) ? 1 : 0;
        }
        System.out.printf("temporal coverage: %d cases, %d recurrent (%d full, %d diagonal) and %d CUBA layers, %d behind a"
                + " maxpool, %d with wrapping currents; recurrent events walked in %d cases, current clamping changed membranes"
                + " in %d%n", cases, recurrentLayers, full, diagonal, cubaLayers, maxpools, wrapped, recurrentDelivered, clampMatters);
        assertTrue(full >= 50 && diagonal >= 50 && maxpools >= 30 && wrapped >= 30, "too few full, diagonal, maxpool or"
                + " wrapping cases");
        assertTrue(cases >= 300, cases + " of 400 seeds planned");
        assertTrue(recurrentDelivered >= cases / 4, recurrentDelivered + " of " + cases + " cases walked recurrent events");
        assertTrue(clampMatters >= cases / 10, "current clamping mattered in only " + clampMatters + " of " + cases);
    }
}
